import type { DialectAdapter } from '../dialects/dialect-adapter';
import type { Bind } from '../dialects/sql-syntax';
import { ConfigurationError, TenantError } from '../errors';
import type { EntityModel, ModelColumn } from '../model/entity-model';

/**
 * Whether a stored tenant value is `tenant`: exactly, as {@link TenantScope.guard} compares in
 * SQL (no case folding, no trailing-space padding), so that a cached answer is the database's.
 */
export function sameTenant(stored: unknown, tenant: unknown): boolean {
  return stored === tenant;
}

/** Multi-tenant scoping: which column holds the tenant, and how to find the current one. */
export interface TenantConfig<T = Record<string, unknown>> {
  /** Property name of the tenant column. */
  readonly column: Extract<keyof T, string>;
  /**
   * Returns the current tenant, typically from AsyncLocalStorage. When it returns `undefined`
   * every call fails with `TENANT_MISSING` rather than running unscoped.
   */
  readonly resolve?: () => string | undefined;
}

/**
 * Applies a {@link TenantConfig}: every read is filtered by the current tenant and every write is
 * stamped with it. Without a config, {@link current} is `undefined` and nothing is scoped.
 */
export class TenantScope {
  readonly column?: ModelColumn;
  readonly #resolve?: () => string | undefined;
  readonly #model?: EntityModel;

  constructor(model: EntityModel, config: TenantConfig<never> | undefined) {
    if (!config) return;
    this.column = model.requireColumn(config.column, 'tenant column');
    if (model.isManaged(this.column) || this.column === model.primary) {
      throw new ConfigurationError(
        `${model.name}: the tenant column cannot be the key, version or a timestamp`,
      );
    }
    this.#resolve = config.resolve;
    this.#model = model;
  }

  /** This scope with the tenant fixed to `tenant` instead of resolved per call. */
  fixed(tenant: string | undefined): TenantScope {
    if (!this.#model || !this.column) return this;
    const column = this.column.property as never;
    return new TenantScope(this.#model, { column, resolve: () => tenant });
  }

  /** The current tenant, or `undefined` when the repository is not tenant-scoped. */
  current(): string | undefined {
    if (!this.column) return undefined;
    const tenant = this.#resolve?.();
    if (tenant === undefined || tenant === '') {
      throw TenantError.missing(this.column.property);
    }
    return tenant;
  }

  /**
   * The tenant a bulk write stamps: the current one, or the call's explicit `tenantId`. An
   * explicit tenant that differs from the resolved one is refused before any SQL runs, unless
   * `crossTenant`; with no tenant resolved the explicit one is taken as given.
   * @throws TenantError `TENANT_MISMATCH`, or `TENANT_MISSING` when neither is there
   */
  forWrite(explicit: string | undefined, crossTenant: boolean): string | undefined {
    if (explicit === undefined || !this.column) return this.current();
    const resolved = this.#resolve?.();
    if (resolved === undefined || resolved === '' || crossTenant) return explicit;
    if (!sameTenant(explicit, resolved)) {
      throw TenantError.notCurrent(explicit, resolved);
    }
    return explicit;
  }

  /**
   * The tenant guard of a statement: `columnSql` holds `tenant`, compared exactly by the
   * dialect (`SqlSyntax.exactEquals`). Every read, update, delete and key read writes
   * its tenant condition here.
   */
  guard(adapter: DialectAdapter, columnSql: string, tenant: string, bind: Bind): string {
    return adapter.syntax.exactEquals(columnSql, () => bind(tenant));
  }

  /** Stamps `values` with the tenant; input naming a different tenant is refused. */
  stamp(values: Record<string, unknown>, tenant: string | undefined): void {
    if (!this.column || tenant === undefined) return;
    const given = values[this.column.property];
    if (given !== undefined && !sameTenant(given, tenant)) {
      throw TenantError.inputNamesOther(given, tenant);
    }
    values[this.column.property] = tenant;
  }
}
