import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { dataSourceOptionsFromUrl } from './src/config/data-source-options';

/**
 * The DataSource for `DATABASE_URL` (SQLite in memory when unset). The TypeORM CLI and the
 * examples use it; pass your own entities with `createDataSource({ entities: [...] })`.
 */
export function createDataSource(
  extra: Parameters<typeof dataSourceOptionsFromUrl>[2] = {},
  url: string | undefined = process.env.DATABASE_URL || undefined,
): DataSource {
  return new DataSource(dataSourceOptionsFromUrl(url, process.env, extra));
}

export default createDataSource({
  entities: (process.env.TYPEORM_ENTITIES ?? '').split(',').filter(Boolean),
});
