import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';

const ROOT = join(__dirname, '..', '..');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

const built = new Map<string, string>();

/**
 * The library's source and the given support files transpiled once into `.tmp/children-<pid>`
 * (inside the checkout, so that node_modules resolve), as ts-node's transpile-only mode would:
 * a forked child then starts in a fraction of a second instead of transpiling everything again.
 * Returns the compiled path of `entry` (a path under test/support).
 */
export function childScript(entry: string, support: readonly string[]): string {
  const out = join(ROOT, '.tmp', `children-${process.pid}`);
  if (!built.has(out)) {
    const options: ts.CompilerOptions = {
      target: ts.ScriptTarget.ES2023,
      module: ts.ModuleKind.CommonJS,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      esModuleInterop: true,
    };
    const files = [...tsFiles(join(ROOT, 'src')), ...support.map((f) => join(ROOT, f))];
    for (const file of files) {
      const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
        compilerOptions: options,
        fileName: file,
      });
      const target = join(out, relative(ROOT, file)).replace(/\.ts$/, '.js');
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, outputText);
    }
    built.set(out, out);
  }
  return join(out, entry).replace(/\.ts$/, '.js');
}

/** Removes what {@link childScript} built in this process; call it in `afterAll`. */
export function removeChildBuild(): void {
  for (const out of built.keys()) rmSync(out, { recursive: true, force: true });
  built.clear();
}
