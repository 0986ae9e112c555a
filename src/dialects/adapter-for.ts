import type { DataSource } from 'typeorm';
import type { DialectAdapter } from './dialect-adapter';
import { newAdapter, registryVersion } from './dialect-registry';

const cache = new WeakMap<
  DataSource,
  { readonly adapter: DialectAdapter; readonly version: number }
>();

/**
 * The adapter for a DataSource: a registered dialect first (`registerDialect`, `useDialect`),
 * else the built-in one of its TypeORM type; one instance per DataSource once it is initialized.
 * @throws ConfigurationError for a type nothing is registered or built in for
 */
export function adapterFor(dataSource: DataSource): DialectAdapter {
  const version = registryVersion();
  const cached = cache.get(dataSource);
  if (cached?.version === version) return cached.adapter;
  const adapter = newAdapter(dataSource);
  // Before initialize() the server version is unknown; ask again once it is.
  if (dataSource.isInitialized) cache.set(dataSource, { adapter, version });
  return adapter;
}
