import { keyPattern, type CacheEntry, type CacheStore } from './cache-store.js';
import type { RedisConnection } from './redis-connection.js';

/**
 * The shared backend: entries as JSON with a Redis TTL at their `staleUntil`. Any Redis failure is a miss
 * (or a skipped write): the gateway then simply asks the vendor.
 */
export function createRedisStore(redis: RedisConnection, now: () => number = Date.now): CacheStore {
  const { client } = redis;
  return {
    backend: 'redis',
    async get(key) {
      if (!redis.available()) return undefined;
      try {
        const text = await client.get(key);
        return text === null ? undefined : parseEntry(text);
      } catch {
        return undefined;
      }
    },
    async set(key, entry) {
      const ttlMs = entry.staleUntil - now();
      if (ttlMs <= 0 || !redis.available()) return;
      try {
        await client.set(key, JSON.stringify(entry), 'PX', ttlMs);
      } catch {
        // The answer is served anyway; the next request asks the vendor again.
      }
    },
    async purge(scope) {
      let count = 0;
      let cursor = '0';
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', keyPattern(scope), 'COUNT', 500);
        cursor = next;
        if (keys.length > 0) count += await client.unlink(...keys);
      } while (cursor !== '0');
      return count;
    },
  };
}

function parseEntry(text: string): CacheEntry | undefined {
  try {
    const entry = JSON.parse(text) as Partial<CacheEntry>;
    if (typeof entry.fetchedAt !== 'number' || typeof entry.freshUntil !== 'number' || typeof entry.staleUntil !== 'number' || !('value' in entry)) {
      return undefined;
    }
    return entry as CacheEntry;
  } catch {
    return undefined;
  }
}
