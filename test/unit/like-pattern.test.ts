import Database from 'better-sqlite3';
import fc from 'fast-check';
import {
  globPattern,
  LIKE_ESCAPE,
  likePattern,
  type MatchMode,
} from '../../src/dialects/like-pattern';

const MODES: readonly MatchMode[] = ['contains', 'startswith', 'endswith'];

describe('likePattern', () => {
  it('uses ! as the escape character', () => {
    expect(LIKE_ESCAPE).toBe('!');
  });

  it.each<[MatchMode, string, string]>([
    ['contains', 'abc', '%abc%'],
    ['startswith', 'abc', 'abc%'],
    ['endswith', 'abc', '%abc'],
    ['contains', '', '%%'],
    ['startswith', '', '%'],
    ['endswith', '', '%'],
  ])('%s %p is %p', (mode, value, pattern) => {
    expect(likePattern(mode, value)).toBe(pattern);
  });

  it.each<[MatchMode, string, string]>([
    ['contains', '100%', '%100!%%'],
    ['startswith', 'a_b', 'a!_b%'],
    ['endswith', 'hi!', '%hi!!'],
    ['contains', '%%__!!', '%!%!%!_!_!!!!%'],
    ['startswith', '!%', '!!!%%'],
  ])('%s escapes wildcards in %p as %p', (mode, value, pattern) => {
    expect(likePattern(mode, value)).toBe(pattern);
  });

  it('leaves characters that are not LIKE wildcards alone', () => {
    expect(likePattern('contains', String.raw`a\b*c?[d]'e"`)).toBe(String.raw`%a\b*c?[d]'e"%`);
    expect(likePattern('contains', 'café ☕')).toBe('%café ☕%');
  });
});

describe('globPattern', () => {
  it.each<[MatchMode, string, string]>([
    ['contains', 'abc', '*abc*'],
    ['startswith', 'abc', 'abc*'],
    ['endswith', 'abc', '*abc'],
    ['contains', '', '**'],
    ['startswith', '', '*'],
    ['endswith', '', '*'],
  ])('%s %p is %p', (mode, value, pattern) => {
    expect(globPattern(mode, value)).toBe(pattern);
  });

  it.each<[MatchMode, string, string]>([
    ['contains', 'a*b', '*a[*]b*'],
    ['startswith', 'why?', 'why[?]*'],
    ['endswith', '[x]', '*[[]x]'],
    ['contains', '**??[[', '*[*][*][?][?][[][[]*'],
  ])('%s brackets wildcards in %p as %p', (mode, value, pattern) => {
    expect(globPattern(mode, value)).toBe(pattern);
  });

  it('leaves LIKE wildcards, ! and ] alone', () => {
    expect(globPattern('contains', '50%_off!]^')).toBe('*50%_off!]^*');
  });
});

/** SQLite itself decides whether the patterns match their value literally. */
describe('patterns in SQLite', () => {
  let db: Database.Database;
  beforeAll(() => {
    db = new Database(':memory:');
  });
  afterAll(() => db.close());

  const like = (text: string, pattern: string): boolean =>
    (db.prepare(`SELECT ? LIKE ? ESCAPE '!' AS m`).get(text, pattern) as { m: number }).m === 1;
  const glob = (text: string, pattern: string): boolean =>
    (db.prepare('SELECT ? GLOB ? AS m').get(text, pattern) as { m: number }).m === 1;

  /** The value with text around it on the sides `mode` leaves open. */
  function around(mode: MatchMode, value: string): string {
    const before = mode === 'startswith' ? '' : 'pre ';
    const after = mode === 'endswith' ? '' : ' post';
    return before + value + after;
  }

  const tricky = [
    '100%',
    'a_b',
    'x!y',
    '%',
    '_',
    '!',
    'a*b',
    'why?',
    '[x]',
    '[',
    ']',
    '50%_off!*?[]',
  ];

  it.each(MODES)('a %s LIKE pattern matches its value literally', (mode) => {
    for (const value of tricky) {
      const pattern = likePattern(mode, value);
      expect([value, like(around(mode, value), pattern)]).toEqual([value, true]);
      // Each wildcard character of the value must match only itself.
      const altered = value.replace(/[%_!]/g, 'Q');
      if (altered !== value) {
        expect([value, like(around(mode, altered), pattern)]).toEqual([value, false]);
      }
    }
  });

  it.each(MODES)('a %s GLOB pattern matches its value literally', (mode) => {
    for (const value of tricky) {
      const pattern = globPattern(mode, value);
      expect([value, glob(around(mode, value), pattern)]).toEqual([value, true]);
      const altered = value.replace(/[*?[\]]/g, 'Q');
      if (altered !== value) {
        expect([value, glob(around(mode, altered), pattern)]).toEqual([value, false]);
      }
    }
  });

  it('anchors startswith and endswith', () => {
    expect(like('xabc', likePattern('startswith', 'abc'))).toBe(false);
    expect(like('abcx', likePattern('endswith', 'abc'))).toBe(false);
    expect(glob('xabc', globPattern('startswith', 'abc'))).toBe(false);
    expect(glob('abcx', globPattern('endswith', 'abc'))).toBe(false);
  });

  it('GLOB is case-sensitive', () => {
    expect(glob('ABC', globPattern('contains', 'abc'))).toBe(false);
  });

  it.each(MODES)('any string matches its own %s pattern (property)', (mode) => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', 'B', '%', '_', '!', '*', '?', '[', ']') }),
        (value) => {
          const hit = around(mode, value);
          return like(hit, likePattern(mode, value)) && glob(hit, globPattern(mode, value));
        },
      ),
      { numRuns: 200 },
    );
  });
});
