/**
 * Text encoding of cached values that keeps their types through Redis: JSON with tagged objects
 * for what JSON loses. Decimal columns arrive from the drivers as strings and stay strings.
 *
 * Both directions walk the value by hand and then use plain JSON.stringify / JSON.parse: a
 * replacer or reviver function costs several times more per value.
 */
const TAG = '$t';

type Tagged = { [TAG]: 'd' | 'b' | 'n' | 'o' | 'u'; v?: unknown };

export function encodeValue(value: unknown): string {
  return JSON.stringify(toJson(value));
}

export function decodeValue(text: string): unknown {
  return revive(JSON.parse(text) as unknown);
}

function toJson(value: unknown): unknown {
  if (typeof value === 'bigint') return { [TAG]: 'n', v: value.toString() } satisfies Tagged;
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return { [TAG]: 'd', v: value.getTime() } satisfies Tagged;
  if (Buffer.isBuffer(value)) return { [TAG]: 'u', v: value.toString('base64') } satisfies Tagged;
  if (Array.isArray(value)) return value.map(toJson);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    if (item !== undefined) out[key] = toJson(item);
  }
  // User data that looks like a tag travels as entries, which `revive` does not mistake for one.
  return Object.hasOwn(out, TAG) ? { [TAG]: 'o', v: Object.entries(out) } : out;
}

function revive(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = revive(value[i]);
    return value;
  }
  const record = value as Record<string, unknown>;
  if (Object.hasOwn(record, TAG)) {
    const { [TAG]: tag, v } = record as Tagged;
    switch (tag) {
      case 'd':
        return new Date(v as number);
      case 'u':
        return Buffer.from(v as string, 'base64');
      case 'n':
        return BigInt(v as string);
      case 'o':
        return Object.fromEntries((v as [string, unknown][]).map(([k, item]) => [k, revive(item)]));
      default:
        return v;
    }
  }
  for (const key of Object.keys(record)) record[key] = revive(record[key]);
  return record;
}
