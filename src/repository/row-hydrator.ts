import type { Driver, ObjectLiteral } from 'typeorm';
import type { EntityModel } from './entity-model';

/**
 * Builds an entity from a raw row (database column names, driver values), as TypeORM would:
 * each value goes through the driver's hydration (dates, booleans, transformers).
 */
export function hydrateRow<T extends ObjectLiteral>(
  model: EntityModel<T>,
  driver: Driver,
  raw: Readonly<Record<string, unknown>>,
): T {
  const entity = model.metadata.create() as T;
  for (const column of model.columns) {
    if (!(column.databaseName in raw)) continue;
    const value = driver.prepareHydratedValue(raw[column.databaseName], column.metadata);
    column.metadata.setEntityValue(entity, value);
  }
  return entity;
}
