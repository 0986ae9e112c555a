import { simpleLowercase } from '../../src/dialects/simple-lowercase';
import { simpleLowercase as reference } from '../support/filter-oracle';

describe('simpleLowercase', () => {
  it('lower-cases every code point as the reference evaluator does', () => {
    const differing: string[] = [];
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const ch = String.fromCodePoint(cp);
      if (simpleLowercase(ch) !== reference(ch)) differing.push(cp.toString(16));
    }
    expect(differing).toEqual([]);
  });

  it('keeps one code point per code point where JS toLowerCase does not', () => {
    expect(simpleLowercase('İSTANBUL')).toBe('istanbul');
    expect(simpleLowercase('ΝΑΞΟΣ')).toBe('ναξοσ'); // toLowerCase gives the final ς
    expect(simpleLowercase('ΣΑΣ ΟΔΟΣ')).toBe(reference('ΣΑΣ ΟΔΟΣ'));
    expect(simpleLowercase('Straße')).toBe('straße');
    expect(simpleLowercase('ıI')).toBe('ıi');
  });
});
