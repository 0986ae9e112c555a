import { ConfigurationError } from '../errors';

/**
 * The Redis keys of one entity's write-behind streams. Each shard's keys share a hash tag,
 * `{Entity:n}`, so a stream and its dead-letter stream sit on one Redis Cluster slot (a script
 * may touch both), while shards spread over slots.
 */
export class StreamKeys {
  readonly streams: readonly string[];
  readonly deadLetters: readonly string[];

  constructor(
    readonly prefix: string,
    readonly entity: string,
    readonly shards: number,
  ) {
    if (/[{}]/.test(entity)) {
      throw new ConfigurationError(`write-behind: entity name ${entity} cannot hold { or }`);
    }
    const tags = Array.from({ length: shards }, (_, n) => `${prefix}{${entity}:${n}}`);
    this.streams = tags;
    this.deadLetters = tags.map((tag) => `${tag}:dead`);
  }

  /** The stream an idempotency key goes to: always the same, so a retry meets its first try. */
  streamFor(idempotencyKey: string): string {
    return this.streams[this.shards === 1 ? 0 : fnv1a(idempotencyKey) % this.shards]!;
  }

  /** The dead-letter stream beside `stream`. */
  deadLetterOf(stream: string): string {
    return `${stream}:dead`;
  }
}

/** FNV-1a, 32 bits: a cheap, stable spread of keys over shards. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
