import type { DataSource } from 'typeorm';
import type { DialectAdapter } from './dialect-adapter';
import { dialectTypeOf, newAdapter, registryVersion } from './dialect-registry';

interface Cached {
  readonly adapter: DialectAdapter;
  /** What the adapter was built for: the registry's version and the DataSource's dialect type. */
  readonly version: number;
  readonly type: string;
}

const cache = new WeakMap<DataSource, Cached>();

/**
 * The adapter for a DataSource: a registered dialect first (`registerDialect`, `useDialect`),
 * else the built-in one of its TypeORM type; one instance per DataSource once it is initialized
 * (until a registration or a `useDialect` of that DataSource).
 * @throws ConfigurationError for a type nothing is registered or built in for
 */
export function adapterFor(dataSource: DataSource): DialectAdapter {
  const version = registryVersion();
  const type = dialectTypeOf(dataSource);
  const cached = cache.get(dataSource);
  if (cached?.version === version && cached.type === type) return cached.adapter;
  const adapter = newAdapter(dataSource);
  // Before initialize() the server version is unknown; ask again once it is.
  if (dataSource.isInitialized) cache.set(dataSource, { adapter, version, type });
  return adapter;
}
