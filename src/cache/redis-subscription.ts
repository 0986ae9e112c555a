import type { RedisClient } from './redis-client';
import type { TierSubscriber, TierSubscription } from './cache-tiers';

/**
 * Subscribes to `channel` on a second connection (`redis.duplicate()`: a subscribed connection
 * can send nothing else), and subscribes again each time it is ready after a drop.
 */
export function subscribeRedis(
  redis: RedisClient,
  channel: string,
  subscriber: TierSubscriber,
): TierSubscription {
  const connection = redis.duplicate();
  const subscribe = async () => {
    try {
      await connection.subscribe(channel);
      subscriber.up();
    } catch {
      subscriber.down();
    }
  };
  connection.on('message', (_channel: string, text: string) => subscriber.message(text));
  connection.on('ready', () => void subscribe());
  connection.on('close', () => subscriber.down());
  connection.on('error', () => undefined); // counted through the store's commands; reconnects by itself
  // A lazy client's duplicate is lazy too; L1 waits for the subscription, so connect it now.
  if (connection.status === 'wait') connection.connect().catch(() => undefined);
  return {
    close: async () => {
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
