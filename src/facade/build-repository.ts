import { CallContext } from './call-context';
import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import { adapterFor } from '../dialects/adapter-for';
import { ConfigurationError } from '../errors';
import { WriteCoalescer } from '../coalescing/write-coalescer';
import { LockingState } from '../locking/locking-state';
import { EntityModel } from '../model/entity-model';
import { DtoValidator } from '../repository/dto-validator';
import { RepositoryContext, type RepositoryParts } from '../repository/repository-context';
import { RepositoryEvents } from '../repository/repository-events';
import type { RepositoryOptions } from './repository-options';
import { rowHydrator } from '../repository/row-hydrator';
import { rowSnapshots } from '../cache/row-snapshot';
import { TenantScope } from '../repository/tenant-scope';
import { WriteStatements } from '../sql/write-statements';
import { AfterCommit } from '../transactions/after-commit';
import { retrySettings } from '../transactions/retry-policy';
import { setUpCache } from '../warming/cache-setup';
import { CacheWarmer } from '../warming/cache-warmer';
import type { PopularQuery } from '../warming/query-usage-tracker';
import { rerunQuery } from '../warming/rerun-query';
import { resolveWriteBehind } from '../write-behind/write-behind-config';
import { WriteBehindProducer } from '../write-behind/write-behind-producer';
import { registerWriteBehind } from '../write-behind/write-behind-targets';

/** What a {@link BaseRepository} is built from: its context on the DataSource's manager, and its warmer. */
export interface RepositoryBuild<T extends ObjectLiteral> {
  /** The working parts on the DataSource's own manager. */
  readonly context: RepositoryContext<T>;
  /** Picks the context each call runs on (bound, an ambient transaction's, or `context`). */
  readonly calls: CallContext<T>;
  /** Re-runs popular queries into the cache; present when the repository is cached. */
  readonly warmer?: CacheWarmer;
  /** Optimistic-locking defaults and metrics, the same on every manager. */
  readonly locking: LockingState;
  /** The `coalescer` option, or the repository's own, made on the first call with the defaults. */
  readonly coalescer: () => WriteCoalescer;
  /** The `writeBehind` option's producer; without one, its calls reject with ConfigurationError. */
  readonly writeBehind: Pick<WriteBehindProducer<T>, 'create' | 'upsert'>;
  /** The options as given, for those read at call time (`allowAdmin`). */
  readonly options: RepositoryOptions<T>;
}

/**
 * Resolves a repository's options against its entity and DataSource, once: the metadata, the
 * dialect, the tenant scope, the statements, the cache and its warmer. Every wrong option fails
 * here, in the constructor, rather than at the first call that would use it.
 */
export function buildRepository<T extends ObjectLiteral>(
  dataSource: DataSource,
  target: EntityTarget<T>,
  options: RepositoryOptions<T>,
  /** The repository being built, which a write-behind drainer is given to find its producer. */
  repository: object,
): RepositoryBuild<T> {
  if (!options?.createDto || !options.updateDto) {
    throw new ConfigurationError('createDto and updateDto are required');
  }
  const model = new EntityModel(dataSource, target);
  const adapter = adapterFor(dataSource);
  const softDelete = options.softDelete ?? model.deleteDate !== undefined;
  if (softDelete && !model.deleteDate) {
    throw ConfigurationError.needsColumn(model.name, 'softDelete', 'DeleteDateColumn');
  }
  retrySettings(options.retry); // a bad retry config fails here, not at the first transaction
  const caching = options.cache ? setUpCache(options.cache, model.metadata.tableName) : undefined;
  // In this order, as each checks its option: the first wrong one is the error.
  const tenant = new TenantScope(model, options.tenant);
  const statements = new WriteStatements(model, adapter, dataSource.driver);
  const events = new RepositoryEvents<T>(options.events ?? true);
  const afterCommit = AfterCommit.for(dataSource);
  const locking = new LockingState(options.locking);
  const parts: RepositoryParts<T> = {
    dataSource,
    adapter,
    model,
    options,
    softDelete,
    tenant,
    statements,
    events,
    afterCommit,
    cache: caching?.cache,
    usage: caching?.usage,
    validators: {
      create: new DtoValidator(model.name, options.createDto),
      update: new DtoValidator(model.name, options.updateDto),
    },
    hydrate: rowHydrator(model, dataSource.driver, adapter),
    // The top-level properties the hydrator sets (an embedded column's is its embedded object).
    snapshots: rowSnapshots(
      [...new Set(model.columns.map((c) => c.metadata.propertyPath.split('.')[0]!))],
      model.prototype,
    ),
  };
  const context = new RepositoryContext(parts, dataSource.manager);
  let own: WriteCoalescer | undefined;
  const coalescer = () => options.coalescer ?? (own ??= new WriteCoalescer());
  const producer =
    options.writeBehind &&
    new WriteBehindProducer(context, resolveWriteBehind(options.writeBehind));
  if (producer) registerWriteBehind(repository, producer);
  const refuse = () =>
    Promise.reject(
      new ConfigurationError(`${model.name}: the repository has no writeBehind option`),
    );
  const writeBehind = producer ?? { create: refuse, upsert: refuse };
  const calls = new CallContext(context);
  const built = { context, calls, locking, coalescer, writeBehind, options };
  if (!caching) return built;
  const { cache, usage, settings, lock } = caching;
  const rerun = (query: PopularQuery) => rerunQuery(context, query);
  const warmer = new CacheWarmer(cache, usage, settings, lock, rerun);
  return { ...built, warmer };
}
