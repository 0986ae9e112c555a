import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { BulkLoad } from './bulk-load';

/** SQLite's bulk form is the multi-row INSERT; its rowids give an upsert a watermark. */
export class SqliteBulkLoad extends BulkLoad {
  /**
   * An INTEGER PRIMARY KEY is the rowid, and SQLite gives a new row a rowid above the largest in
   * the table (with AUTOINCREMENT, which TypeORM declares, above the largest it ever held), so
   * `max(id)` read before an upsert separates its inserted rows from its updated ones.
   */
  override generatedKeyWatermark(
    table: string,
    primary: string,
    column: ColumnMetadata,
  ): string | undefined {
    if (column.generationStrategy !== 'increment' || column.entityMetadata.withoutRowid) {
      return undefined;
    }
    return `SELECT max(${primary}) AS "watermark" FROM ${table}`;
  }
}
