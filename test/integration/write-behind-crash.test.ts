import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import type { DataSourceOptions } from 'typeorm';
import { WriteBehindAppliedKeysMigration, WriteBehindDrainer } from '../../src';
import { uniquePrefix } from '../support/cache-stores';
import { childScript, removeChildBuild } from '../support/child-build';
import { openDataSource, type TestDataSource } from '../support/data-sources';
import { REDIS_AVAILABLE, REDIS_URL, TARGETS } from '../support/servers';
import { orderOf, WbOrder, WbOrderRepository } from '../support/wb-order';

/** Entries per producer; four producers. The 100,000 scaled down to keep CI short. */
const PER_PRODUCER = 1000;
const TOTAL = 4 * PER_PRODUCER;

function sameDatabase(db: TestDataSource): DataSourceOptions {
  const options: Record<string, unknown> = { ...db.dataSource.options };
  for (const key of ['entities', 'logger', 'synchronize', 'dropSchema']) delete options[key];
  return options as unknown as DataSourceOptions;
}

afterAll(removeChildBuild);

(REDIS_AVAILABLE ? describe.each(TARGETS) : describe.skip.each(TARGETS))(
  'write-behind crash safety on %s',
  (target) => {
    let db: TestDataSource;
    let redis: Redis;
    const prefix = uniquePrefix();
    const children = new Set<ChildProcess>();

    beforeAll(async () => {
      const sqlitePath =
        target === 'sqlite' ? join(mkdtempSync(join(tmpdir(), 'tbr-wb-')), 'db.sqlite') : undefined;
      db = await openDataSource(target, [WbOrder], { sqlitePath });
      const runner = db.dataSource.createQueryRunner();
      await new WriteBehindAppliedKeysMigration().up(runner);
      await runner.release();
      redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    });
    afterAll(async () => {
      for (const child of children) child.kill('SIGKILL');
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
      await db.dataSource.destroy();
    });

    function spawnChild(env: Record<string, string>) {
      const script = childScript('test/support/write-behind-child.ts', [
        'test/support/write-behind-child.ts',
        'test/support/wb-order.ts',
      ]);
      const child = fork(script, [], {
        env: {
          ...process.env,
          ...env,
          CHILD_DATA_SOURCE: JSON.stringify(sameDatabase(db)),
          WB_REDIS_URL: REDIS_URL,
          WB_PREFIX: prefix,
        },
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      });
      children.add(child);
      let stderr = '';
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = new Promise<{ code: number | null; signal: string | null; stderr: string }>(
        (resolve) =>
          child.on('exit', (code, signal) => {
            children.delete(child);
            resolve({ code, signal, stderr });
          }),
      );
      return { child, exited };
    }

    it(`4 producers and 3 drainers, two drainers SIGKILLed mid-batch and restarted: each of ${TOTAL} entries stored once or dead-lettered with its code`, async () => {
      const drainerOf = (consumer: string, killAtInsert?: number) => {
        const made = spawnChild({ WB_ROLE: 'drainer', WB_CONSUMER: consumer });
        let inserts = 0;
        made.child.on('message', (m: { kind: string }) => {
          if (m.kind === 'insert' && ++inserts === killAtInsert) made.child.kill('SIGKILL');
        });
        return made;
      };
      const victims = [drainerOf('d0', 3), drainerOf('d1', 5)];
      const survivor = drainerOf('d2');
      const producers = [0, 1, 2, 3].map((p) =>
        spawnChild({
          WB_ROLE: 'producer',
          WB_FROM: String(p * PER_PRODUCER),
          WB_TO: String((p + 1) * PER_PRODUCER),
        }),
      );
      // Each victim dies with a batch in flight; d0 comes back under its own name (it resumes its
      // own pending entries), d1 under a new one (its entries are taken over after claimIdleMs).
      const deaths = await Promise.all(victims.map((v) => v.exited));
      expect(deaths.map((d) => d.signal)).toEqual(['SIGKILL', 'SIGKILL']);
      const restarted = [drainerOf('d0'), drainerOf('d1-new')];
      for (const producer of producers) {
        expect(await producer.exited).toEqual({ code: 0, signal: null, stderr: '' });
      }

      const repo = new WbOrderRepository(db.dataSource, {
        writeBehind: { redis, keyPrefix: prefix, shards: 2 },
      });
      const observer = new WriteBehindDrainer({ redis, repositories: [repo] });
      for (let tries = 0; tries < 600; tries++) {
        if ((await observer.metrics()).entities.WbOrder!.pending === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      for (const drainer of [survivor, ...restarted]) drainer.child.send('stop');
      for (const drainer of [survivor, ...restarted]) {
        expect(await drainer.exited).toEqual({ code: 0, signal: null, stderr: '' });
      }

      const metrics = await observer.metrics();
      expect(metrics.entities.WbOrder).toMatchObject({ pending: 0 });
      const rows = (await db.dataSource.getRepository(WbOrder).find()) as WbOrder[];
      const dead = await observer.deadLetters(repo, { count: TOTAL });
      // Every key once: stored, or dead-lettered with the database's code for it.
      const storedCodes = new Set(rows.map((r) => r.code));
      expect(storedCodes.size).toBe(rows.length);
      expect(rows.length + dead.length).toBe(TOTAL);
      const notNull = Array.from({ length: TOTAL }, (_, i) => i).filter((i) => i % 200 === 17);
      const repeats = Array.from({ length: TOTAL }, (_, i) => i).filter((i) => i % 200 === 71);
      expect(
        dead
          .filter((l) => l.code === 'NOT_NULL_VIOLATION')
          .map((l) => l.idempotencyKey)
          .sort(),
      ).toEqual(notNull.map((i) => `k-${i}`).sort());
      const unique = dead.filter((l) => l.code === 'UNIQUE_VIOLATION');
      expect(unique).toHaveLength(repeats.length);
      for (const i of repeats) {
        // One of the two entries sharing a code is stored, the other dead-lettered.
        const keys = unique.map((l) => l.idempotencyKey);
        expect(Number(keys.includes(`k-${i}`)) + Number(keys.includes(`k-${i - 1}`))).toBe(1);
      }
      expect(dead.length).toBe(notNull.length + repeats.length);
      const applied = (await db.dataSource.query(
        'SELECT COUNT(*) AS n FROM tbr_write_behind_applied',
      )) as { n: string | number }[];
      expect(Number(applied[0]!.n)).toBe(rows.length);
      const sample = rows.find((r) => r.code === 'o-1')!;
      expect(sample).toMatchObject({ qty: orderOf(1).qty, note: orderOf(1).note });
      expect(String(sample.amount)).toBe(orderOf(1).amount);
      for (const stream of [`${prefix}{WbOrder:0}`, `${prefix}{WbOrder:1}`]) {
        const pending = (await redis.xpending(stream, 'tbr-drainers')) as [number];
        expect(pending[0]).toBe(0);
      }
    }, 90_000);
  },
);
