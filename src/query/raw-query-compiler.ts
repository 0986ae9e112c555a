import type { DialectAdapter } from '../dialects/dialect-adapter';
import { QueryError } from '../errors';
import { PositionalParameters } from '../sql/positional-parameters';
import type { Statement } from '../sql/statement';
import { namedPlaceholders, type NamedPlaceholder } from './named-parameters';
import { bindableElements, bindableValue } from './parameter-values';
import type { QueryParams } from './raw-query-options';
import { tokenize } from './sql-lexer';
import { guardStatement, type GuardOptions, type StatementKind } from './statement-guard';

/** A raw query ready to run: the dialect's positional placeholders and their values. */
export interface CompiledQuery extends Statement {
  readonly kind: StatementKind;
}

/**
 * Checks a raw query and rewrites its `:name` placeholders into the dialect's positional ones
 * (`$1` or `?`), one per occurrence, with the values made bindable. Everything here happens
 * before any SQL runs, so a refused query has touched nothing.
 * @throws QueryError for a refused statement, a positional placeholder, a missing, unused or
 *   unbindable parameter, or more values than the dialect can bind in one statement
 */
export function compileRawQuery(
  sql: string,
  params: QueryParams,
  adapter: DialectAdapter,
  options: GuardOptions,
): CompiledQuery {
  if (typeof sql !== 'string') throw QueryError.invalidOption('sql', 'a string', sql);
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    const expected = 'an object of named values ({ id: 1 } for :id)';
    throw QueryError.invalidOption('params', expected, params);
  }
  const tokens = tokenize(sql, adapter.syntax.sqlLexicon);
  const statement = guardStatement(tokens, sql.length, options);
  const positional = tokens.find((t) => t.kind === 'positional');
  if (positional) {
    throw new QueryError(
      'QUERY_POSITIONAL_PLACEHOLDER',
      positional.text,
      `"${positional.text}" at offset ${positional.start}: write parameters as :name`,
    );
  }
  const placeholders = namedPlaceholders(tokens);
  checkNames(placeholders, params);

  const bound = new PositionalParameters(adapter);
  let text = '';
  let cursor = 0;
  for (const placeholder of placeholders) {
    const { name, inList } = placeholder;
    const value = params[name];
    if (inList && Array.isArray(value)) {
      const elements = bindableElements(name, value, adapter);
      text +=
        sql.slice(cursor, inList.start) +
        adapter.syntax.inList(elements, inList.negated, bound.bind);
      cursor = inList.end;
    } else {
      text +=
        sql.slice(cursor, placeholder.start) + bound.bind(bindableValue(name, value, adapter));
      cursor = placeholder.end;
    }
  }
  text += sql.slice(cursor, statement.end);
  if (bound.values.length > adapter.capabilities.maxBindParameters) {
    throw new QueryError(
      'QUERY_TOO_MANY_PARAMETERS',
      String(bound.values.length),
      `${bound.values.length} bound values; ${adapter.name} binds at most ` +
        `${adapter.capabilities.maxBindParameters} per statement (a long IN list counts one per element)`,
    );
  }
  return { sql: text, params: bound.values, kind: statement.kind };
}

/** Every name in the SQL has a value and every value a name; `undefined` counts as absent. */
function checkNames(placeholders: readonly NamedPlaceholder[], params: QueryParams): void {
  const used = new Set<string>();
  for (const { name } of placeholders) {
    if (!Object.hasOwn(params, name) || params[name] === undefined) {
      throw QueryError.parameterMissing(name);
    }
    used.add(name);
  }
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && !used.has(name)) throw QueryError.parameterUnused(name);
  }
}
