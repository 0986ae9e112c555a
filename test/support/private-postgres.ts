import { execFile } from 'node:child_process';
import {
  appendFileSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where Debian and Ubuntu install each PostgreSQL major version's server binaries. */
const INSTALL_ROOT = '/usr/lib/postgresql';
const REQUIRED = ['initdb', 'pg_ctl', 'postgres'];

/**
 * The newest PostgreSQL whose server binaries are installed (TEST_PG_BINDIR overrides), or why
 * there is none.
 */
export function postgresBinaries(): { bindir: string } | { missing: string } {
  const complete = (dir: string) => REQUIRED.every((name) => existsSync(join(dir, name)));
  const override = process.env.TEST_PG_BINDIR;
  if (override) {
    return complete(override)
      ? { bindir: override }
      : { missing: `TEST_PG_BINDIR=${override} lacks one of ${REQUIRED.join(', ')}` };
  }
  const versions = existsSync(INSTALL_ROOT)
    ? readdirSync(INSTALL_ROOT)
        .filter((name) => /^\d+$/.test(name))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const found = versions.map((v) => join(INSTALL_ROOT, v, 'bin')).find(complete);
  return found
    ? { bindir: found }
    : { missing: `no ${REQUIRED.join(', ')} under ${INSTALL_ROOT}/<version>/bin` };
}

/** A throwaway PostgreSQL cluster on a free loopback port; trust authentication, no durability. */
export interface PrivatePostgres {
  readonly port: number;
  /** A connection URL as `user` (the cluster's superuser is `postgres`) to `database`. */
  url(user: string, database: string): string;
  /** Stops the server at once (no checkpoint) and deletes the cluster. Idempotent. */
  stop(): Promise<void>;
}

/** A port nothing listens on right now (the server may still lose a race for it: retried). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Creates and starts a cluster with `settings` in its postgresql.conf (for what the shared test
 * server cannot be restarted for, such as `shared_preload_libraries`). initdb and postgres refuse
 * to run as root, so as root they run as the `postgres` user. About half a second.
 */
export async function startPrivatePostgres(
  bindir: string,
  settings: Readonly<Record<string, string>>,
): Promise<PrivatePostgres> {
  const asRoot = process.getuid?.() === 0;
  const exec = (binary: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', join(bindir, binary), ...args])
      : run(join(bindir, binary), args);
  const dir = mkdtempSync(join(tmpdir(), 'tbr-pg-'));
  const data = join(dir, 'data');
  let postmaster: number | undefined;
  // A jest worker that dies must not leave a server behind: SIGQUIT is an immediate shutdown.
  const killOnExit = () => {
    if (postmaster !== undefined) process.kill(postmaster, 'SIGQUIT');
  };
  const stop = async () => {
    process.off('exit', killOnExit);
    if (postmaster !== undefined) {
      await exec('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(killOnExit);
      postmaster = undefined;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    if (asRoot) {
      const { stdout } = await run('id', ['-u', 'postgres']);
      const { stdout: group } = await run('id', ['-g', 'postgres']);
      chownSync(dir, Number(stdout.trim()), Number(group.trim()));
    }
    await exec('initdb', [
      ...['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C'],
      '--no-sync',
    ]);
    const conf = {
      listen_addresses: "'127.0.0.1'",
      unix_socket_directories: `'${dir}'`,
      fsync: 'off',
      synchronous_commit: 'off',
      full_page_writes: 'off',
      ...settings,
    };
    appendFileSync(
      join(data, 'postgresql.conf'),
      Object.entries(conf)
        .map(([name, value]) => `${name} = ${value}\n`)
        .join(''),
    );
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      try {
        await exec('pg_ctl', [
          ...['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '30'],
          ...['-o', `-p ${port}`, 'start'],
        ]);
      } catch (error) {
        const log = existsSync(join(dir, 'server.log'))
          ? readFileSync(join(dir, 'server.log'), 'utf8')
          : '';
        if (attempt < 3 && /could not (bind|create any TCP)/.test(log)) continue;
        throw new Error(`PostgreSQL in ${dir} did not start: ${(error as Error).message}\n${log}`);
      }
      postmaster = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
      process.on('exit', killOnExit);
      return {
        port,
        url: (user, database) => `postgres://${user}@127.0.0.1:${port}/${database}`,
        stop,
      };
    }
  } catch (error) {
    await stop();
    throw error;
  }
}
