import { sameValue } from '../../src/locking/field-equality';
import { threeWayMerge } from '../../src/locking/three-way-merge';

describe('threeWayMerge', () => {
  const base = { name: 'Ada', department: 'eng', salary: 100, active: true };

  it('writes our change to a field they did not touch', () => {
    const theirs = { ...base, department: 'ops' };
    expect(threeWayMerge(base, theirs, { salary: 150 })).toEqual({
      changes: { salary: 150 },
      conflicts: [],
    });
  });

  it('keeps their change to a field we did not change, even when we sent it back unchanged', () => {
    const theirs = { ...base, salary: 120 };
    // The updater returned the whole row: salary is as it saw it, so their 120 stands.
    const result = threeWayMerge(base, theirs, { salary: 100, department: 'research' });
    expect(result).toEqual({ changes: { department: 'research' }, conflicts: [] });
  });

  it('writes nothing for a field both sides set to the same value', () => {
    const theirs = { ...base, salary: 150 };
    expect(threeWayMerge(base, theirs, { salary: 150 })).toEqual({ changes: {}, conflicts: [] });
  });

  it('asks resolve even when both sides arrived at the same value (two +10 deposits on 100 are 120)', () => {
    const theirs = { ...base, salary: 110 };
    const deposit = (_field: string, ours: unknown, their: unknown, original: unknown) =>
      (their as number) + (ours as number) - (original as number);
    expect(threeWayMerge(base, theirs, { salary: 110 }, deposit)).toEqual({
      changes: { salary: 120 },
      conflicts: [],
    });
  });

  it('lists every field both sides changed to different values, in our order', () => {
    const theirs = { ...base, salary: 120, name: 'Grace', active: false };
    const result = threeWayMerge(base, theirs, { name: 'Ada L.', salary: 150, active: false });
    expect(result.conflicts).toEqual(['name', 'salary']);
    expect(result.changes).toEqual({});
  });

  it('asks resolve for each conflicting field with ours, theirs and base, and writes its answer', () => {
    const theirs = { ...base, salary: 120, department: 'ops' };
    const calls: unknown[][] = [];
    const result = threeWayMerge(
      base,
      theirs,
      { salary: 150, department: 'research', name: 'Ada L.' },
      (field, ours, their, original) => {
        calls.push([field, ours, their, original]);
        // A counter-style resolution for salary: both increments apply.
        return field === 'salary'
          ? (their as number) + (ours as number) - (original as number)
          : their;
      },
    );
    expect(calls).toEqual([
      ['salary', 150, 120, 100],
      ['department', 'research', 'ops', 'eng'],
    ]);
    // department resolved to theirs: nothing to write for it.
    expect(result).toEqual({ changes: { salary: 170, name: 'Ada L.' }, conflicts: [] });
  });

  it('treats a resolver answer of undefined as "keep theirs"', () => {
    const theirs = { ...base, salary: 120 };
    const result = threeWayMerge(base, theirs, { salary: 150 }, () => undefined);
    expect(result).toEqual({ changes: {}, conflicts: [] });
  });

  it('ignores properties we left undefined', () => {
    const theirs = { ...base, salary: 120 };
    expect(threeWayMerge(base, theirs, { salary: undefined, name: 'Bo' })).toEqual({
      changes: { name: 'Bo' },
      conflicts: [],
    });
  });

  it('compares dates by instant, null distinctly, and JSON values by content', () => {
    const at = new Date('2024-01-01T00:00:00Z');
    const row = { at, tags: ['a', 'b'], meta: { x: 1 }, note: null as string | null };
    const theirs = { ...row, at: new Date('2024-06-01T00:00:00Z'), note: 'theirs' };
    const result = threeWayMerge(row, theirs, {
      at: new Date(at.getTime()), // same instant as base: unchanged by us
      tags: ['a', 'b'], // same content as base
      meta: { x: 2 }, // changed by us only
      note: 'ours', // changed by both
    });
    expect(result).toEqual({ changes: { meta: { x: 2 } }, conflicts: ['note'] });
  });
});

describe('sameValue', () => {
  it.each([
    [1, 1, true],
    [NaN, NaN, true],
    ['10', 10, false],
    [null, undefined, false],
    [new Date(5), new Date(5), true],
    [new Date(5), 5, false],
    [Buffer.from('ab'), Buffer.from('ab'), true],
    [Buffer.from('ab'), Buffer.from('ac'), false],
    [[1, [2]], [1, [2]], true],
    [[1, 2], [2, 1], false],
    [{ a: 1, b: { c: [1] } }, { b: { c: [1] }, a: 1 }, true],
    [{ a: 1 }, { a: 1, b: undefined }, false],
    [{ a: 1 }, [1], false],
  ])('sameValue(%p, %p) is %p', (a, b, expected) => {
    expect(sameValue(a, b)).toBe(expected);
    expect(sameValue(b, a)).toBe(expected);
  });
});
