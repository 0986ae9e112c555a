import { createClient } from 'redis';

/** A node-redis client as the node-redis store and coordination take it (not yet connected). */
export function createNodeRedisClient(url: string) {
  return createClient({ url });
}

export type NodeRedisClient = ReturnType<typeof createNodeRedisClient>;
