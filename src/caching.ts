import { createHash } from 'node:crypto';
import { createAnswerCache, type AnswerCacheOptions } from './cache/answer-cache.js';
import type { CacheStore } from './cache/cache-store.js';
import { createMemoryStore } from './cache/memory-store.js';
import { createRateLimiter, type RateLimiter } from './cache/rate-limiter.js';
import type { RedisConnection } from './cache/redis-connection.js';
import { createRedisStore } from './cache/redis-store.js';
import { createWindowLifetime } from './cache/window-lifetime.js';
import type { GatewayConfig } from './config.js';
import type { SharedCache } from './context.js';
import type { Logger } from './logger.js';
import { UpstreamCancelledError } from './upstream/errors.js';

/** What the cache, the coalescing and the vendor rate limit are built from, once per process. */
export interface Caching {
  /** Null when GATEWAY_CACHE=off. */
  cache: SharedCache | null;
  /** Null when OPRETAIL_MAX_CALLS_PER_SECOND is unset. */
  limiter: RateLimiter | null;
  /** Where entries live: `memory`, `redis` or `off`. */
  backend: 'memory' | 'redis' | 'off';
  /** Redis, when configured: readiness reports whether it is reachable. */
  redis: RedisConnection | null;
  close(): Promise<void>;
}

export type CachingConfig = Pick<
  GatewayConfig,
  | 'cache'
  | 'redisUrl'
  | 'cacheMaxEntries'
  | 'cacheMaxBytes'
  | 'cacheSettleMinutes'
  | 'cacheSettledTtlS'
  | 'cacheOpenTtlS'
  | 'cacheMaxStaleS'
  | 'cacheLockMs'
  | 'maxCallsPerSecond'
> & { upstream: Pick<GatewayConfig['upstream'], 'timeZone'> };

/** The upstream account entries belong to: a hash, so keys carry no key material and never cross tenants. */
export function upstreamAccount(baseUrl: string, appKey: string, aid: string): string {
  return createHash('sha256').update(`${baseUrl}\n${appKey}\n${aid}`).digest('hex').slice(0, 16);
}

/**
 * Builds the cache (memory, or Redis with REDIS_URL), its coalescing and the vendor rate limit. A Redis that
 * is absent at start-up or goes away later never stops the gateway: it logs one warning per outage, falls back
 * to this process, and picks Redis up again by itself.
 */
export async function createCaching(
  config: CachingConfig,
  account: string,
  logger: Pick<Logger, 'warn' | 'notice'>,
  onLookup?: AnswerCacheOptions['onLookup'],
): Promise<Caching> {
  let redis: RedisConnection | null = null;
  if (config.redisUrl !== undefined && (config.cache === 'on' || config.maxCallsPerSecond !== undefined)) {
    // Imported only when Redis is configured: a memory-only gateway never loads the Redis client.
    const { connectRedis } = await import('./cache/redis-connection.js');
    redis = connectRedis(config.redisUrl, {
      down: (reason) => logger.warn(`Redis unavailable (${reason}): cache, coalescing and the vendor rate limit fall back to this process until it is back`),
      up: () => logger.notice('Redis is back: cache, coalescing and the vendor rate limit are shared again'),
    });
    await redis.ready(2000);
  }
  let store: CacheStore | null = null;
  if (config.cache === 'on') {
    store = redis ? createRedisStore(redis) : createMemoryStore({ maxEntries: config.cacheMaxEntries, maxBytes: config.cacheMaxBytes });
  }
  const answers = createAnswerCache({
    store,
    redis,
    lockMs: config.cacheLockMs,
    isCancellation: (error) => error instanceof UpstreamCancelledError,
    ...(onLookup ? { onLookup } : {}),
  });
  const limiter = config.maxCallsPerSecond === undefined ? null : createRateLimiter(config.maxCallsPerSecond, redis, `pfg:v1:${account}:rate`);
  return {
    cache: store
      ? {
          answers,
          account,
          lifetimeOf: createWindowLifetime({
            timeZone: config.upstream.timeZone,
            settleMinutes: config.cacheSettleMinutes,
            settledTtlS: config.cacheSettledTtlS,
            openTtlS: config.cacheOpenTtlS,
            maxStaleS: config.cacheMaxStaleS,
          }),
        }
      : null,
    limiter,
    backend: store?.backend ?? 'off',
    redis,
    close: async () => {
      await redis?.close();
    },
  };
}
