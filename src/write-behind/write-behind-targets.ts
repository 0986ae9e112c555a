import type { ObjectLiteral } from 'typeorm';
import { ConfigurationError } from '../errors';
import type { WriteBehindProducer } from './write-behind-producer';

/** Each repository built with `writeBehind`, with its producer: what a drainer is given. */
const PRODUCERS = new WeakMap<object, WriteBehindProducer<ObjectLiteral>>();

/** Called by the repository's constructor. */
export function registerWriteBehind<T extends ObjectLiteral>(
  repository: object,
  producer: WriteBehindProducer<T>,
): void {
  PRODUCERS.set(repository, producer as unknown as WriteBehindProducer<ObjectLiteral>);
}

/** The producer of a repository given to a drainer; a repository without one is refused. */
export function producerOf(repository: object): WriteBehindProducer<ObjectLiteral> {
  const producer = PRODUCERS.get(repository);
  if (!producer) {
    throw new ConfigurationError(
      'WriteBehindDrainer: a repository given has no writeBehind option (or is not a BaseRepository)',
    );
  }
  return producer;
}
