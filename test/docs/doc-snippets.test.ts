import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { docBlocks, type DocBlock } from './doc-blocks';

const run = promisify(execFile);
const root = join(__dirname, '..', '..');
const out = join(root, '.tmp', 'doc-snippets');
const PACKAGE = 'typeorm-base-repository';
const blocks = docBlocks(root);

/** The names a module exports, read from its source (following `export * from`). */
function exportedNames(file: string, seen = new Set<string>()): string[] {
  if (seen.has(file)) return [];
  seen.add(file);
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const names: string[] = [];
  for (const statement of source.statements) {
    if (ts.isExportDeclaration(statement)) {
      const from = statement.moduleSpecifier;
      if (!statement.exportClause && from && ts.isStringLiteral(from)) {
        const base = join(dirname(file), from.text);
        const target = [`${base}.ts`, join(base, 'index.ts')].find((f) => existsSync(f));
        if (target) names.push(...exportedNames(target, seen));
      } else if (statement.exportClause && ts.isNamedExports(statement.exportClause)) {
        names.push(...statement.exportClause.elements.map((e) => e.name.text));
      }
      continue;
    }
    const exported = ts.canHaveModifiers(statement)
      ? ts.getModifiers(statement)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)
      : false;
    if (exported) names.push(...declaredNames(statement));
  }
  return names;
}

function declaredNames(statement: ts.Statement): string[] {
  if (ts.isVariableStatement(statement)) {
    return statement.declarationList.declarations.flatMap((d) =>
      ts.isIdentifier(d.name) ? [d.name.text] : [],
    );
  }
  const named = statement as ts.Statement & { name?: ts.Node };
  return named.name && ts.isIdentifier(named.name) ? [named.name.text] : [];
}

const preludeFile = join(__dirname, 'snippet-prelude.ts');
const preludeNames = [...new Set(exportedNames(preludeFile))];

/**
 * A fragment as a module: one first line with the prelude's names it does not bind itself, its own
 * imports and, when it is statements, the start of an async function (so that it can `await`);
 * then its code, line for line (imports blanked), so that line n of the block is line n + 1 here.
 * A fragment that declares exported or decorated classes stays at the top level.
 */
function fragmentModule(block: DocBlock): string {
  const source = ts.createSourceFile('x.ts', block.code, ts.ScriptTarget.Latest, true);
  const own = new Set<string>();
  const imports: string[] = [];
  let code = block.code;
  let topLevel = false;
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      const clause = statement.importClause;
      if (clause?.name) own.add(clause.name.text);
      const bindings = clause?.namedBindings;
      if (bindings && ts.isNamedImports(bindings))
        for (const e of bindings.elements) own.add(e.name.text);
      if (bindings && ts.isNamespaceImport(bindings)) own.add(bindings.name.text);
      const text = statement.getText(source);
      imports.push(text.replace(/\s*\n\s*/g, ' '));
      code = code.replace(text, text.replace(/[^\n]/g, ''));
      continue;
    }
    for (const name of declaredNames(statement)) own.add(name);
    const modifiers = ts.canHaveModifiers(statement) ? ts.getModifiers(statement) : undefined;
    const decorated = ts.canHaveDecorators(statement) && ts.getDecorators(statement) !== undefined;
    if (modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) || decorated)
      topLevel = true;
  }
  const givens = preludeNames.filter((n) => !own.has(n));
  const prelude = relative(out, preludeFile).replace(/\.ts$/, '');
  const first = [`import { ${givens.join(', ')} } from '${prelude}';`, ...imports, 'export {};'];
  if (!topLevel) first.push('export async function snippet(): Promise<void> {');
  return `${first.join(' ')}\n${code}\n${topLevel ? '' : '}'}\n`;
}

const slug = (block: DocBlock) => block.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase();

describe('documentation code blocks', () => {
  const files = new Map<string, DocBlock>();

  beforeAll(() => {
    rmSync(out, { recursive: true, force: true });
    mkdirSync(join(out, 'node_modules', PACKAGE), { recursive: true });
    // A program imports the package by name; here it is this checkout's source. A package scope
    // of its own keeps Node from resolving the name as the project's self-reference (dist/).
    writeFileSync(join(out, 'package.json'), '{ "name": "doc-snippets", "private": true }\n');
    writeFileSync(
      join(out, 'node_modules', PACKAGE, 'index.js'),
      `module.exports = require(${JSON.stringify(join(root, 'src', 'index.ts'))});\n`,
    );
    for (const block of blocks) {
      const file = join(out, `${slug(block)}.ts`);
      writeFileSync(file, block.program ? block.code : fragmentModule(block));
      files.set(file, block);
    }
  });

  it('finds the blocks', () => {
    expect(blocks.length).toBeGreaterThan(20);
    expect(blocks.filter((b) => b.program).length).toBeGreaterThan(0);
  });

  it('type-checks every block (fragments against test/docs/snippet-prelude.ts)', () => {
    const config = ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile);
    const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
    const program = ts.createProgram([...files.keys()], {
      ...options,
      noEmit: true,
      noUnusedLocals: false,
      noUnusedParameters: false,
      baseUrl: root,
      paths: { [PACKAGE]: ['src/index.ts'] },
    });
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file && files.has(d.file.fileName))
      .map((d) => {
        const block = files.get(d.file!.fileName)!;
        const { line } = d.file!.getLineAndCharacterOfPosition(d.start ?? 0);
        const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
        const at = block.line + line + (block.program ? 1 : 0);
        return `${block.file}:${at} (${block.name}): ${message}`;
      });
    expect(problems).toEqual([]);
  }, 120_000);

  const programs = blocks.filter((b) => b.program);
  it.each(programs.map((b) => [b.name, b] as const))('%s runs on SQLite', async (_, block) => {
    const { stdout } = await run(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', join(out, `${slug(block)}.ts`)],
      { cwd: root, env: { ...process.env, DATABASE_URL: '' }, timeout: 120_000 },
    );
    expect(stdout.length).toBeGreaterThan(0);
  });
});
