import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** The table of applied idempotency keys, unless a drainer is given another name. */
export const DEFAULT_APPLIED_KEYS_TABLE = 'tbr_write_behind_applied';

/**
 * The table a {@link WriteBehindDrainer} records applied idempotency keys in, in the same
 * transaction as the rows: a key found there is never written again. Add it to your DataSource's
 * `migrations` (`new WriteBehindAppliedKeysMigration()`, or subclass it to rename the table).
 * TypeORM writes the DDL for each database.
 */
export class WriteBehindAppliedKeysMigration implements MigrationInterface {
  readonly name: string = 'WriteBehindAppliedKeys1765000000000';

  constructor(readonly table: string = DEFAULT_APPLIED_KEYS_TABLE) {}

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: this.table,
        columns: [
          // 100 + 150 characters: a utf8mb4 primary key within MySQL's 3072-byte index limit.
          { name: 'entity', type: 'varchar', length: '100', isPrimary: true },
          { name: 'idempotency_key', type: 'varchar', length: '150', isPrimary: true },
          { name: 'entity_id', type: 'varchar', length: '200', isNullable: true },
          // Milliseconds since the epoch: one type and one comparison on every database.
          { name: 'applied_at', type: 'bigint' },
        ],
      }),
      true,
    );
    await queryRunner.createIndex(
      this.table,
      new TableIndex({ name: `${this.table}_applied_at`, columnNames: ['applied_at'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable(this.table, true);
  }
}
