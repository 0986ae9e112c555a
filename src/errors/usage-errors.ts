import type { TenantErrorCode } from './error-codes';
import { RepositoryError } from './repository-error';

/** One field of a DTO that failed validation. */
export interface FieldError {
  /** Property path, e.g. `email` or `address.zip`. */
  readonly field: string;
  /** Failed constraint name → message, as class-validator reports them. */
  readonly constraints: Readonly<Record<string, string>>;
}

/** A DTO (or a bulk row) failed validation. No SQL ran for it. */
export class ValidationError extends RepositoryError {
  readonly code = 'VALIDATION_FAILED';

  constructor(
    readonly entity: string,
    readonly fields: readonly FieldError[],
    /** Index into the input of a bulk call, when the row came from one. */
    readonly index?: number,
  ) {
    super(
      `${entity}: invalid input${index === undefined ? '' : ` at index ${index}`}: ` +
        fields.map((f) => `${f.field} (${Object.values(f.constraints).join('; ')})`).join(', '),
    );
  }

  /** One field failed one constraint. */
  static field(
    entity: string,
    field: string,
    constraint: string,
    message: string,
    index?: number,
  ): ValidationError {
    return new ValidationError(entity, [{ field, constraints: { [constraint]: message } }], index);
  }

  /** The input (a DTO, a bulk row) is not an object at all; its field is `$input`. */
  static notAnObject(entity: string, index?: number): ValidationError {
    return ValidationError.field(entity, '$input', 'isObject', 'must be an object', index);
  }
}

/** The row does not exist, is soft-deleted, or belongs to another tenant. */
export class NotFoundError extends RepositoryError {
  readonly code = 'NOT_FOUND';

  constructor(
    readonly entity: string,
    readonly id: unknown,
  ) {
    super(`${entity} ${String(id)} not found`);
  }
}

/** The row's version is not the one the caller expected. */
export class OptimisticLockError extends RepositoryError {
  readonly code = 'OPTIMISTIC_LOCK_CONFLICT';

  constructor(
    readonly entity: string,
    readonly id: unknown,
    readonly expectedVersion: number,
    readonly actualVersion: number,
    /** How many attempts were made before giving up (1 for a single conditional update). */
    readonly attempts = 1,
  ) {
    super(
      `${entity} ${String(id)}: expected version ${expectedVersion}, found ${actualVersion}` +
        // Equal versions: the read saw a transaction's older snapshot; the row has moved on.
        (actualVersion === expectedVersion
          ? " in this transaction's snapshot (newer in the table)"
          : '') +
        (attempts > 1 ? ` after ${attempts} attempts` : ''),
    );
  }

  /** The row holds `actual` where the caller expected `expected`, after `attempts` writes. */
  static versionMismatch(
    entity: string,
    id: unknown,
    expected: number,
    actual: number,
    attempts = 1,
  ): OptimisticLockError {
    return new OptimisticLockError(entity, id, expected, actual, attempts);
  }
}

/** A three-way merge found fields changed on both sides to different values. */
export class MergeConflictError extends RepositoryError {
  readonly code = 'MERGE_CONFLICT';

  constructor(
    readonly entity: string,
    readonly id: unknown,
    readonly fields: readonly string[],
  ) {
    super(`${entity} ${String(id)}: conflicting changes to ${fields.join(', ')}`);
  }
}

/** The repository is tenant-scoped and no tenant was resolved, or input names another tenant. */
export class TenantError extends RepositoryError {
  constructor(
    readonly code: TenantErrorCode,
    message: string,
  ) {
    super(message);
  }

  /** The resolver gave no tenant for a tenant-scoped call. */
  static missing(column: string): TenantError {
    return new TenantError('TENANT_MISSING', `no tenant resolved for column "${column}"`);
  }

  /** A call's `tenantId` names a tenant other than the resolved one. */
  static notCurrent(given: string, current: string): TenantError {
    return new TenantError(
      'TENANT_MISMATCH',
      `tenantId "${given}" is not the current tenant "${current}" (pass crossTenant: true to write another tenant's rows)`,
    );
  }

  /** The input sets the tenant column to a tenant other than the call's. */
  static inputNamesOther(given: unknown, current: string): TenantError {
    return new TenantError(
      'TENANT_MISMATCH',
      `input names tenant "${String(given)}" but the current tenant is "${current}"`,
    );
  }
}
