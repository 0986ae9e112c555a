import type { ObjectLiteral } from 'typeorm';
import { ConfigurationError, NotFoundError, OptimisticLockError } from '../errors';
import type { FilterNode } from '../filters/filter-node';
import { parseFilters } from '../filters/filter-parser';
import type { ModelColumn } from '../model/entity-model';
import type { DeleteOptions, UpdateOptions } from './call-options';
import { insertRow } from './insert-row';
import { andFilters, type GuardOptions, type RepositoryContext } from './repository-context';
import type { EntityId } from './repository-events';
import type { StatementResult } from './statement-executor';

/** Where a version conflict is counted. */
export interface ConflictRecorder {
  recordConflict(conflict: OptimisticLockError): void;
}

/**
 * The four single-row writes. Each is one statement (`… RETURNING *` where the dialect has it, so
 * a create or an update is one round trip on PostgreSQL and SQLite) and reports its change once.
 */
export class EntityWrites<T extends ObjectLiteral> {
  /** @param conflicts counts the version conflicts `update` detects (locking's `LockMetrics`) */
  constructor(
    private readonly context: RepositoryContext<T>,
    private readonly conflicts: ConflictRecorder,
  ) {}

  /** Validates `dto`, stamps the tenant, inserts, and returns the stored row. */
  async create(dto: unknown): Promise<T> {
    const { context } = this;
    const values = await context.validated('create', dto);
    const tenant = context.tenant.current();
    context.tenant.stamp(values, tenant);
    return insertRow(context, values, tenant);
  }

  async update(given: EntityId, dto: unknown, options: UpdateOptions = {}): Promise<T> {
    const { context } = this;
    const id = context.canonicalId(given);
    const values = await context.validated('update', dto);
    const tenant = context.tenant.current();
    context.tenant.stamp(values, tenant);
    let target = context.idFilter(id);
    if (options.expectedVersion !== undefined) {
      target = this.withExpectedVersion(target, options.expectedVersion);
    }
    const result = await this.updateWhere(target, values);
    if (result.affected === 0) await this.explainMissedUpdate(id, options.expectedVersion);
    const updated = this.first(result) ?? (await this.mustLoad(id));
    const event = { entity: context.model.name, id, record: updated, tenantId: tenant };
    await context.afterWrite({ ids: [id], events: [['updated', event]] });
    return updated;
  }

  async delete(given: EntityId, options: DeleteOptions = {}): Promise<void> {
    const { context } = this;
    const id = context.canonicalId(given);
    const soft = options.soft ?? context.softDelete;
    const tenant = context.tenant.current();
    const where = context.idFilter(id);
    const guards = { withDeleted: options.withDeleted };
    const { affected } = soft
      ? await this.updateWhere(
          where,
          { [this.deleteDate('soft delete').property]: context.now() },
          guards,
        )
      : await context.execute(context.statements.delete(context.where(where, guards)));
    if (affected === 0) throw new NotFoundError(context.model.name, id);
    const event = { entity: context.model.name, id, soft, tenantId: tenant };
    await context.afterWrite({ ids: [id], events: [['deleted', event]] });
  }

  async restore(given: EntityId): Promise<T> {
    const { context } = this;
    const id = context.canonicalId(given);
    const deleteDate = this.deleteDate('restore');
    const tenant = context.tenant.current();
    const deleted = andFilters(
      context.idFilter(id),
      parseFilters({ [`${deleteDate.property}__isnull`]: false }, context.model),
    );
    const values = { [deleteDate.property]: null };
    const result = await this.updateWhere(deleted, values, { withDeleted: true });
    const row = this.first(result) ?? (await context.loadRow(id));
    if (!row) throw new NotFoundError(context.model.name, id);
    if (result.affected > 0) {
      const event = { entity: context.model.name, id, record: row, tenantId: tenant };
      await context.afterWrite({ ids: [id], events: [['restored', event]] });
    }
    return row;
  }

  /** UPDATE with the version and update-date bumps; returns the rows where RETURNING exists. */
  private updateWhere(
    node: FilterNode,
    values: Record<string, unknown>,
    guards: GuardOptions = {},
  ): Promise<StatementResult> {
    const { context } = this;
    return context.execute(context.statements.update(values, context.where(node, guards)));
  }

  private withExpectedVersion(node: FilterNode, expected: number): FilterNode {
    const { model } = this.context;
    if (!model.version) {
      throw ConfigurationError.needsColumn(model.name, 'expectedVersion', 'VersionColumn');
    }
    return andFilters(node, parseFilters({ [model.version.property]: expected }, model));
  }

  private first(result: StatementResult): T | undefined {
    const raw = result.rows[0];
    return raw ? this.context.hydrate(raw) : undefined;
  }

  /** After an update matched nothing: was the row missing, or had its version moved on? */
  private async explainMissedUpdate(
    id: EntityId,
    expectedVersion: number | undefined,
  ): Promise<void> {
    const { context } = this;
    // Never from the cache: a write reads its own result before its invalidation has run.
    const current = await context.loadRow(id);
    // The update missed: whatever this process cached for the row is stale.
    await context.evictStale([id]);
    const { name, version } = context.model;
    if (!current) throw new NotFoundError(name, id);
    if (expectedVersion !== undefined && version) {
      // Visible yet not matched: the row has moved on. `actual` can still equal `expectedVersion`
      // when this read sees a transaction's older snapshot (REPEATABLE READ on MySQL/MariaDB,
      // whose UPDATE reads the latest row); that is a conflict all the same, never a success.
      const actual = Number(current[version.property]);
      const conflict = OptimisticLockError.versionMismatch(name, id, expectedVersion, actual);
      this.conflicts.recordConflict(conflict);
      throw conflict;
    }
  }

  private async mustLoad(id: EntityId): Promise<T> {
    const row = await this.context.loadRow(id);
    if (!row) throw new NotFoundError(this.context.model.name, id);
    return row;
  }

  private deleteDate(purpose: string): ModelColumn {
    const { model } = this.context;
    if (!model.deleteDate) {
      throw ConfigurationError.needsColumn(model.name, purpose, 'DeleteDateColumn');
    }
    return model.deleteDate;
  }
}
