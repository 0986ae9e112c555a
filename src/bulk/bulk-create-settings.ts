import type { ObjectLiteral } from 'typeorm';
import { oneOf } from '../config/option-checks';
import { ConfigurationError } from '../errors';
import type { RepositoryContext } from '../repository/repository-context';
import type { ConflictPolicy } from './bulk-insert-statement';
import type { BulkCreateOptions, EmitEvents, OnConflict } from './bulk-options';
import { batchSizeOption, booleanOption, emitEventsOption } from './bulk-write-settings';
import type { RowOutcome } from './row-outcome';
import type { RowCheck } from './row-preparer';

/**
 * Internal: learns what happened to each input row, by input index, as soon as its batch is
 * written: the stored record (where RETURNING gives it) or the row's typed error. Given, it makes
 * the call read ids and return whole rows. Write coalescing uses it to answer each of its callers.
 */
export type RowReporter<T> = (index: number, outcome: RowOutcome<T>) => void;

/** Internal options of a bulk create, for callers inside the library (write coalescing). */
export interface InternalBulkCreate<T> {
  readonly report: RowReporter<T>;
  /**
   * The rows are values already validated, column-checked and tenant-stamped (by the caller, at
   * the time of its call): they are written as they are, not checked again.
   */
  readonly prepared?: boolean;
}

const CONFLICT_MODES: Readonly<Record<OnConflict, true>> = Object.freeze({
  error: true,
  skip: true,
  update: true,
});
const CONFLICT_MODE_NAMES = Object.keys(CONFLICT_MODES) as OnConflict[];

export interface Settings<T> {
  readonly batchSize: number;
  readonly policy: ConflictPolicy;
  readonly returnIds: boolean;
  /** Whether the writer must learn each created row's id: for createdIds, row events or `report`. */
  readonly needIds: boolean;
  readonly emitEvents: EmitEvents;
  readonly dryRun: boolean;
  readonly tenant: string | undefined;
  readonly check: RowCheck;
  readonly atomic: boolean;
  readonly onProgress?: BulkCreateOptions['onProgress'];
  readonly report?: RowReporter<T>;
}

/**
 * Checks the options before any row is read: a wrong option is an OptionError, options that do
 * not fit the entity a ConfigurationError.
 */
export function resolveSettings<T extends ObjectLiteral>(
  context: RepositoryContext<T>,
  options: BulkCreateOptions<T>,
  internal: InternalBulkCreate<T> | undefined,
): Settings<T> {
  const { model, tenant, events } = context;
  const mode = oneOf('onConflict', options.onConflict ?? 'error', CONFLICT_MODE_NAMES);
  const target = (options.conflictTarget ?? [model.primary.property]).map((p) =>
    model.requireColumn(p, 'conflictTarget column'),
  );
  const isUniqueKey = model.uniqueKeys.some(
    (k) => k.length === target.length && k.every((c) => target.includes(c)),
  );
  if (!isUniqueKey) {
    throw new ConfigurationError(
      `${model.name}: conflictTarget (${target.map((c) => c.property).join(', ')}) is not the primary key or a unique constraint`,
    );
  }
  const updateColumns = options.updateColumns?.map((p) => {
    const column = model.requireColumn(p, 'updateColumns column');
    if (model.isManaged(column) || column === model.primary) {
      throw new ConfigurationError(`${model.name}: updateColumns cannot include ${p}`);
    }
    return column;
  });
  if (options.tenantId !== undefined && !tenant.column) {
    throw new ConfigurationError(
      `${model.name}: tenantId given but the repository is not tenant-scoped`,
    );
  }
  const returnIds = booleanOption('returnIds', options.returnIds, true);
  const emitEvents = emitEventsOption(options.emitEvents);
  // Bulk events carry ids only when they come cheaply; per-row events need them.
  const perRow =
    emitEvents === 'perRow' && (events.hasListeners('created') || events.hasListeners('updated'));
  const needIds = returnIds || perRow || internal?.report !== undefined;
  return {
    batchSize: batchSizeOption(options.batchSize) ?? context.adapter.bulkLoad.defaultBatchSize,
    policy: { mode, target, updateColumns },
    returnIds,
    needIds,
    emitEvents,
    dryRun: booleanOption('dryRun', options.dryRun, false),
    tenant: tenant.forWrite(options.tenantId, options.crossTenant ?? false),
    check: internal?.prepared
      ? 'prepared'
      : booleanOption('validate', options.validate, true)
        ? 'dto'
        : 'columns',
    atomic: booleanOption('atomic', options.atomic, false),
    onProgress: options.onProgress,
    report: internal?.report,
  };
}
