import { BulkLoad } from './bulk-load';

/**
 * MySQL's way to the keys of a multi-row INSERT without RETURNING: the first AUTO_INCREMENT id
 * from the driver's result, and the step between ids where InnoDB hands them out consecutively.
 */
export class MysqlBulkLoad extends BulkLoad {
  #insertIdStep?: Promise<number | undefined>;

  /** mysql2's ResultSetHeader: the AUTO_INCREMENT value of the (first) inserted row. */
  override insertedId(raw: unknown): unknown {
    return (raw as { insertId?: unknown } | null)?.insertId;
  }

  /**
   * InnoDB hands one multi-row INSERT consecutive ids in lock modes 0 and 1 ("traditional" and
   * "consecutive", MariaDB's default), not in mode 2 ("interleaved", MySQL 8's default). Asked
   * of the server once per adapter (one per DataSource).
   */
  override insertIdStep(
    query: (sql: string) => Promise<Record<string, unknown>[]>,
  ): Promise<number | undefined> {
    this.#insertIdStep ??= query(
      'SELECT @@innodb_autoinc_lock_mode AS lockMode, @@auto_increment_increment AS step',
    ).then(
      ([row]) => (Number(row?.lockMode) <= 1 ? Number(row?.step ?? 1) : undefined),
      (error: unknown) => {
        this.#insertIdStep = undefined; // ask again next time rather than remember a failure
        throw error;
      },
    );
    return this.#insertIdStep;
  }
}
