import type { DataSource } from 'typeorm';

/**
 * Resolves once some session of `dataSource`'s server waits on a row lock, polled rather than
 * slept for: `pg_stat_activity` on PostgreSQL, `INNODB_TRX` on MySQL/MariaDB. SQLite has no other
 * session to wait for; it resolves at once. Throws after `timeoutMs`.
 */
export async function waitForLockWait(dataSource: DataSource, timeoutMs = 10_000): Promise<void> {
  const sql = {
    postgres: `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`,
    mysql: `SELECT COUNT(*) AS n FROM information_schema.INNODB_TRX WHERE trx_state = 'LOCK WAIT'`,
    mariadb: `SELECT COUNT(*) AS n FROM information_schema.INNODB_TRX WHERE trx_state = 'LOCK WAIT'`,
  }[dataSource.options.type as string];
  if (!sql) return;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = (await dataSource.query(sql)) as { n: number | string }[];
    if (Number(row?.n) > 0) return;
    if (Date.now() > deadline) throw new Error(`no lock wait within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
