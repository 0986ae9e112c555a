import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = join(__dirname, '..', '..');
const examples = readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.ts'));

// Every example is a runnable program; CI runs each on the embedded default (SQLite in memory).
describe('examples', () => {
  it.each(examples)('%s runs to completion on SQLite', async (file) => {
    const env = { ...process.env, DATABASE_URL: '' };
    const { stdout } = await run(
      process.execPath,
      [
        // The package's own name resolves to its source (package.json's exports), not to dist/.
        '--conditions=typeorm-base-repository:source',
        '-r',
        'ts-node/register/transpile-only',
        join('examples', file),
      ],
      {
        cwd: root,
        env,
        timeout: 120_000,
      },
    );
    expect(stdout).toContain('Done.');
  });
});
