import type { ObjectLiteral } from 'typeorm';
import { FilterError, mayHaveWritten } from '../errors';
import type { FilterNode } from '../filters/filter-node';
import { andFilters, type RepositoryContext } from '../repository/repository-context';
import type { EntityId } from '../repository/repository-events';
import type { StatementResult } from '../repository/statement-executor';
import type { SqlFragment } from '../sql/sql-fragment';
import type { Returning, Statement } from '../sql/statement';
import { interruptedWrite } from './interrupted-write';
import { KEY_CHUNK, idOfRaw, idsFilter, loadRecords, readKeyPage } from './key-reader';

/**
 * What a write by filter must report besides its row count:
 * - `'count'`: nothing more;
 * - `'cheapIds'`: the ids where they come at no extra statement (RETURNING, or a keyset walk);
 * - `'ids'`: the ids on every dialect;
 * - `'rows'`: the written rows themselves, as entities.
 */
export type Wanted = 'count' | 'cheapIds' | 'ids' | 'rows';

/**
 * The filter of a write by filter (`bulkUpdate`, `bulkDelete`), parsed and checked: it must be a
 * filter object, and one that matches every row is refused unless `allowAll`.
 * @throws FilterError `FILTER_INVALID_VALUE` for `null`, `undefined` or a non-object,
 * `FILTER_UNDEFINED_VALUE` for an `undefined` value, `FILTER_EMPTY` for an empty filter,
 * `FILTER_TOO_DEEP` / `FILTER_TOO_LARGE` past the limits of docs/filters.md
 */
export function parseWriteFilters<T extends ObjectLiteral>(
  context: RepositoryContext<T>,
  filters: unknown,
  { allowAll, verb }: { readonly allowAll: boolean; readonly verb: 'update' | 'delete' },
): FilterNode {
  if (typeof filters !== 'object' || filters === null || Array.isArray(filters)) {
    throw FilterError.invalidValue('$filters', 'a filter object');
  }
  const node = context.parseFilters(filters);
  if (!allowAll && matchesEverything(node)) {
    throw FilterError.matchesEverything(verb);
  }
  return node;
}

/** `{}`, `{ $and: [] }` and the like: filters that select nothing out. */
function matchesEverything(node: FilterNode): boolean {
  return node.kind === 'and' && node.children.every(matchesEverything);
}

/** What a write by filter does to each row: an UPDATE of its SET list, or a DELETE. */
export type MatchingChange =
  { readonly kind: 'update'; readonly set: SqlFragment } | { readonly kind: 'delete' };

/** An UPDATE or DELETE of the visible rows a filter matches. */
export type MatchingWrite = MatchingChange & {
  /** Primary keys per statement; `undefined` for one statement over the whole filter. */
  readonly batchSize?: number;
  readonly wanted: Wanted;
};

/** The statement that writes `change` to the rows `where` selects. */
function statementOf<T extends ObjectLiteral>(
  context: RepositoryContext<T>,
  change: MatchingChange,
  where: SqlFragment,
  returning: Returning,
): Statement {
  return change.kind === 'update'
    ? context.statements.updateSet(change.set, where, returning)
    : context.statements.delete(where, returning);
}

export interface WriteOutcome<T> {
  /** Rows written. */
  readonly count: number;
  /** Write statements that ran (key reads not counted). */
  readonly batches: number;
  /** The written rows' ids, when wanted and known. */
  readonly ids?: readonly EntityId[];
  /** The written rows, with `wanted: 'rows'`. */
  readonly records?: readonly T[];
}

interface Written<T> {
  readonly count: number;
  readonly ids?: EntityId[];
  readonly records?: T[];
}

/**
 * Runs `write` over the visible rows (tenant and soft-delete guards applied) that `node` matches.
 *
 * Without `batchSize` it is one statement. With it, a keyset walk: read the next `batchSize`
 * primary keys in key order, write `WHERE pk IN (…) AND <filter>`, repeat from the last key
 * until a page comes back short, so no statement locks more than one page of rows. The filter
 * is applied again by the write, so a row changed between the read and the write is skipped.
 *
 * Ids come from RETURNING where the dialect has it. Where it does not, wanted ids (and rows) come
 * from the keys: each page is then read with `FOR UPDATE` inside its own transaction, so the
 * write changes exactly the keys read. A call that needs them takes this path even without
 * `batchSize`, in pages of {@link KEY_CHUNK}.
 */
export async function writeMatching<T extends ObjectLiteral>(
  context: RepositoryContext<T>,
  node: FilterNode,
  write: MatchingWrite,
): Promise<WriteOutcome<T>> {
  try {
    return await writeAll(context, node, write);
  } catch (error) {
    // Which rows changed is not all known: every cached row of the entity goes.
    if (mayHaveWritten(error)) await context.afterWrite({ ids: undefined, events: [] });
    throw error;
  }
}

async function writeAll<T extends ObjectLiteral>(
  context: RepositoryContext<T>,
  node: FilterNode,
  write: MatchingWrite,
): Promise<WriteOutcome<T>> {
  const supportsReturning = context.adapter.capabilities.returning[write.kind];
  const { wanted } = write;
  const returning: Returning =
    !supportsReturning || wanted === 'count' ? 'none' : wanted === 'rows' ? 'row' : 'key';
  const needsKeys = !supportsReturning && (wanted === 'ids' || wanted === 'rows');
  if (write.batchSize === undefined && !needsKeys) {
    const result = await context.execute(
      statementOf(context, write, context.where(node), returning),
    );
    return { ...fromResult(context, result, returning), batches: 1 };
  }
  return walkKeys(context, node, write, returning);
}

async function walkKeys<T extends ObjectLiteral>(
  context: RepositoryContext<T>,
  node: FilterNode,
  write: MatchingWrite,
  returning: Returning,
): Promise<WriteOutcome<T>> {
  // The ids of a page take bind parameters besides those of the filter and the SET clause.
  const ownParameters =
    (write.kind === 'update' ? write.set.parameters : 0) + context.where(node).parameters;
  const pageSize = Math.max(
    1,
    Math.min(
      write.batchSize ?? KEY_CHUNK,
      context.adapter.capabilities.maxBindParameters - ownParameters,
    ),
  );
  const lock = returning === 'none' && write.wanted !== 'count';
  const ids: EntityId[] = [];
  const records: T[] = [];
  let count = 0;
  let batches = 0;
  let after: EntityId | undefined;
  const known = write.wanted !== 'count';
  try {
    for (;;) {
      const writePage = (on: RepositoryContext<T>) =>
        writeKeyPage(on, node, write, returning, { after, pageSize, lock });
      const page = lock
        ? await context.run(() =>
            context.manager.transaction((manager) => writePage(context.withManager(manager))),
          )
        : await writePage(context);
      if (page.keys.length === 0) break;
      batches++;
      count += page.written.count;
      if (page.written.ids) for (const id of page.written.ids) ids.push(id);
      if (page.written.records) for (const record of page.written.records) records.push(record);
      if (page.keys.length < pageSize) break;
      after = page.keys[page.keys.length - 1];
    }
  } catch (error) {
    // Earlier pages are written (committed, outside a transaction): the call must say so.
    throw interruptedWrite(`${context.model.name}: write by filter`, error, {
      successCount: count,
      storedIndices: [],
      unknownIndices: [],
      ids: known ? ids : [],
      errors: [],
    });
  }
  return {
    count,
    batches,
    ...(known ? { ids } : {}),
    ...(write.wanted === 'rows' ? { records } : {}),
  };
}

/** Reads one page of keys and writes those rows; no statement when the page is empty. */
async function writeKeyPage<T extends ObjectLiteral>(
  context: RepositoryContext<T>,
  node: FilterNode,
  write: MatchingWrite,
  returning: Returning,
  page: { after: EntityId | undefined; pageSize: number; lock: boolean },
): Promise<{ keys: EntityId[]; written: Written<T> }> {
  const keys = await readKeyPage(context, node, {
    after: page.after,
    limit: page.pageSize,
    lock: page.lock,
  });
  if (keys.length === 0) return { keys, written: { count: 0 } };
  const where = context.where(andFilters(idsFilter(context, keys), node));
  const result = await context.execute(statementOf(context, write, where, returning));
  if (returning !== 'none' || !page.lock) {
    return { keys, written: fromResult(context, result, returning) };
  }
  // The locked keys are exactly the rows written.
  const records = write.wanted === 'rows' ? await loadRecords(context, keys) : undefined;
  return { keys, written: { count: result.affected, ids: keys, ...(records ? { records } : {}) } };
}

/** The count, and the ids or rows a RETURNING clause gave back. */
function fromResult<T extends ObjectLiteral>(
  context: RepositoryContext<T>,
  result: StatementResult,
  returning: Returning,
): Written<T> {
  switch (returning) {
    case 'none':
      return { count: result.affected };
    case 'key': {
      const column = context.model.primary.databaseName;
      return { count: result.affected, ids: result.rows.map((r) => idOfRaw(context, r[column])) };
    }
    case 'row': {
      const records = result.rows.map((raw) => context.hydrate(raw));
      const property = context.model.primary.property;
      return {
        count: result.affected,
        ids: records.map((r) => r[property] as EntityId),
        records,
      };
    }
  }
}
