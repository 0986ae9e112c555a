import type { ObjectLiteral } from 'typeorm';
import type { ErrorCode, RepositoryError } from '../errors';
import type { EntityId } from '../repository/repository-events';

/**
 * What happened to one input row. `record` is the stored row, present when the writer was asked
 * for records and the dialect returned them (RETURNING); `error` is the typed error of a failed
 * row, as a single-row `create` would have thrown it.
 */
export type RowOutcome<T = ObjectLiteral> =
  | { readonly kind: 'inserted'; readonly id: EntityId | undefined; readonly record?: T }
  | { readonly kind: 'updated'; readonly id: EntityId | undefined; readonly record?: T }
  | { readonly kind: 'skipped' }
  | {
      readonly kind: 'failed';
      readonly code: ErrorCode;
      readonly message: string;
      readonly error?: RepositoryError;
    };
