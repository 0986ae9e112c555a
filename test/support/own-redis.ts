import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A redis-server of a suite's own, for a state the shared one must not be put in (restarts,
 * persistence settings): started on `port` with `args`, its data in a directory of its own that
 * a restart keeps.
 */
export class OwnRedis {
  readonly dir = mkdtempSync(join(tmpdir(), 'tbr-redis-'));
  #server?: ChildProcess;

  constructor(
    readonly port: number,
    private readonly args: readonly string[] = [],
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const server = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, ...this.args],
      { stdio: 'ignore' },
    );
    this.#server = server;
    for (let tries = 0; ; tries++) {
      try {
        const { stdout } = await run('redis-cli', ['-p', String(this.port), 'ping']);
        // A PONG from a server left on the port by an earlier run is not ours: refuse it.
        if (server.exitCode !== null || server.signalCode !== null) {
          throw new Error(`redis-server could not start on port ${this.port} (is it taken?)`);
        }
        if (stdout.trim() === 'PONG') return;
      } catch (error) {
        if (tries > 200 || server.exitCode !== null) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** Kills the server as a crash would (SIGKILL): only what it had persisted survives. */
  async crash(): Promise<void> {
    const server = this.#server;
    if (!server || server.exitCode !== null) return;
    const exited = new Promise((resolve) => server.once('exit', resolve));
    server.kill('SIGKILL');
    await exited;
  }
}
