import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as library from '../../src';
import { ERROR_CODES, RepositoryError } from '../../src';

const ROOT = join(__dirname, '..', '..');
const CODES = Object.keys(ERROR_CODES).sort();

interface Row {
  readonly code: string;
  readonly errorClass: string;
  readonly cells: readonly string[];
}

/** The rows of docs/errors.md's code table: the lines whose first cell is a backticked code. */
function documentedRows(): Row[] {
  const text = readFileSync(join(ROOT, 'docs', 'errors.md'), 'utf8');
  const rows: Row[] = [];
  for (const line of text.split('\n')) {
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim());
    const code = /^`([A-Z][A-Z0-9_]*)`$/.exec(cells[0] ?? '')?.[1];
    if (code) rows.push({ code, errorClass: cells[1] ?? '', cells });
  }
  return rows;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const SOURCES = sourceFiles(join(ROOT, 'src')).map((path) => ({
  path,
  text: readFileSync(path, 'utf8'),
}));

/** Upper-case string literals (`'NOT_FOUND'`, `'DEADLOCK'`) in `text`. */
function upperCaseLiterals(text: string): string[] {
  return [...text.matchAll(/'([A-Z][A-Z0-9_]+)'/g)].map((m) => m[1]!);
}

describe('docs/errors.md', () => {
  const rows = documentedRows();

  it('has one row for every code, and no row for a code the library lacks', () => {
    const documented = rows.map((row) => row.code);
    expect(new Set(documented).size).toBe(documented.length);
    expect([...documented].sort()).toEqual(CODES);
  });

  it('gives every row a class, when, what to do and whether retryable', () => {
    const incomplete = rows.filter(
      (row) => row.cells.length !== 5 || row.cells.some((cell) => cell === ''),
    );
    expect(incomplete.map((row) => row.code)).toEqual([]);
  });

  it('names, in the class column, an error class the package exports (or none, for a row code)', () => {
    const exported = library as unknown as Record<string, unknown>;
    const isErrorClass = (name: string | undefined) => {
      const value = name === undefined ? undefined : exported[name];
      return typeof value === 'function' && value.prototype instanceof RepositoryError;
    };
    const wrong = rows.filter(
      ({ errorClass }) =>
        errorClass !== '—' && !isErrorClass(/^`([A-Za-z]+)`$/.exec(errorClass)?.[1]),
    );
    expect(wrong.map((row) => `${row.code}: ${row.errorClass}`)).toEqual([]);
  });
});

describe('ERROR_CODES', () => {
  it('lists every code the error classes declare', () => {
    // The compiler holds `code` to ErrorCode; this catches a literal the types do not reach.
    const declared = SOURCES.filter(({ path }) => path.includes(join('src', 'errors')))
      .flatMap(({ text }) => upperCaseLiterals(text))
      .filter((literal, i, all) => all.indexOf(literal) === i);
    expect(declared.filter((code) => !Object.hasOwn(ERROR_CODES, code))).toEqual([]);
  });

  it('lists every code given as a `code` or as the first argument of an error', () => {
    const patterns = [
      /\bcode(?::|\s*=|\s*===)\s*'([A-Z][A-Z0-9_]*)'/g,
      /new [A-Za-z]*Error\(\s*'([A-Z][A-Z0-9_]*)'/g,
      /\.fail\([^,]+,\s*'([A-Z][A-Z0-9_]*)'/g,
    ];
    const given = SOURCES.flatMap(({ text }) =>
      patterns.flatMap((pattern) => [...text.matchAll(pattern)].map((m) => m[1]!)),
    );
    expect(given.length).toBeGreaterThan(0);
    expect(given.filter((code) => !Object.hasOwn(ERROR_CODES, code))).toEqual([]);
  });

  it('holds no code that nothing in src/ produces', () => {
    const produced = new Set(
      SOURCES.filter(({ path }) => !path.endsWith('error-codes.ts')).flatMap(({ text }) =>
        upperCaseLiterals(text),
      ),
    );
    expect(CODES.filter((code) => !produced.has(code))).toEqual([]);
  });
});
