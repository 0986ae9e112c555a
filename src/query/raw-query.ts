import type { ObjectLiteral } from 'typeorm';
import { oneOf } from '../config/option-checks';
import { QueryError } from '../errors';
import type { RepositoryContext } from '../repository/repository-context';
import { compileRawQuery } from './raw-query-compiler';
import {
  FETCH_MODES,
  type FetchMode,
  type QueryParams,
  type RawQueryOptions,
} from './raw-query-options';

const FETCH_MODE_NAMES = Object.keys(FETCH_MODES) as FetchMode[];

/**
 * `repo.query()`: checks and compiles the SQL (nothing runs when it is refused), runs it on the
 * repository's manager, so inside `withManager(tx)` it is part of that transaction, and shapes
 * the result by `fetch`. Driver errors become typed ones (`ConflictError`, …). Never cached; a
 * statement that may write invalidates the entity's cache at commit, as every write path does.
 */
export async function rawQuery<T extends ObjectLiteral, R>(
  context: RepositoryContext<T>,
  sql: string,
  params: QueryParams,
  options: RawQueryOptions,
  repository: { readonly allowAdmin?: boolean },
): Promise<R[] | R | null | number> {
  const fetch = oneOf('fetch', options.fetch ?? 'all', FETCH_MODE_NAMES, QueryError.invalidOption);
  // Only `true` opens the door: a mistyped value keeps DDL refused.
  const allowAdmin = repository.allowAdmin === true;
  const compiled = compileRawQuery(sql, params, context.adapter, { allowAdmin });
  const result = await context.execute(compiled);
  // Which rows a raw write touched is unknown: every cached row of the entity goes, and no
  // events fire. A no-op without a cache.
  if (compiled.kind !== 'read') await context.afterWrite({ ids: undefined, events: [] });
  const rows = result.rows as R[];
  switch (fetch) {
    case 'all':
      return rows;
    case 'none':
      return result.affected;
    case 'one':
      if (rows.length > 1) {
        throw new QueryError(
          'QUERY_TOO_MANY_ROWS',
          String(rows.length),
          `fetch: 'one' got ${rows.length} rows; narrow the WHERE or add LIMIT 1`,
        );
      }
      return rows[0] ?? null;
  }
}
