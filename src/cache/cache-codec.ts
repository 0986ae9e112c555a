/**
 * Text encoding of cached values that keeps their types through Redis: JSON with tagged objects
 * for what JSON loses. Decimal columns arrive from the drivers as strings and stay strings.
 */
const TAG = '$t';

type Tagged = { [TAG]: 'd' | 'b' | 'n' | 'o' | 'u'; v?: unknown };

export function encodeValue(value: unknown): string {
  return JSON.stringify(value, function replacer(this: Record<string, unknown>, key, encoded) {
    // JSON.stringify has already applied toJSON (Date, Buffer); the holder has the original.
    const original = this[key];
    if (original instanceof Date) return { [TAG]: 'd', v: original.getTime() } satisfies Tagged;
    if (Buffer.isBuffer(original)) return { [TAG]: 'u', v: original.toString('base64') };
    if (typeof original === 'bigint') return { [TAG]: 'n', v: original.toString() };
    if (
      encoded !== null &&
      typeof encoded === 'object' &&
      !Array.isArray(encoded) &&
      Object.hasOwn(encoded as object, TAG)
    ) {
      // User data that looks like a tag travels as entries, which the reviver leaves alone.
      return { [TAG]: 'o', v: Object.entries(encoded as object) };
    }
    return encoded as unknown;
  });
}

export function decodeValue(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown) => {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, TAG)) return value;
    const { [TAG]: tag, v } = value as Tagged;
    switch (tag) {
      case 'd':
        return new Date(v as number);
      case 'u':
        return Buffer.from(v as string, 'base64');
      case 'n':
        return BigInt(v as string);
      case 'o':
        return Object.fromEntries(v as [string, unknown][]);
      default:
        return v;
    }
  });
}
