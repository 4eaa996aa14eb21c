import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RedisConnection } from './redis-connection.js';

/** A cap on calls per second: `acquire` waits for room, up to `maxWaitMs`; false when there was none in time. */
export interface RateLimiter {
  readonly perSecond: number;
  acquire(maxWaitMs: number, signal?: AbortSignal): Promise<boolean>;
}

const WINDOW_MS = 1000;

/**
 * A sliding one-second window in Redis, shared by every instance: the script drops calls older than a second,
 * admits this one if fewer than `limit` remain (stamped with Redis's own clock, so instances' clocks do not
 * matter) or answers how long until the oldest leaves the window. Admissions are also spaced by at least
 * 1000/limit ms: a call reaches the vendor some milliseconds after it is admitted (a new connection, a busy
 * event loop), so whole bursts admitted a second apart would land in the vendor's same second.
 */
const SLIDING_WINDOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local gap = window / limit
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local newest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if newest[2] ~= nil and now - tonumber(newest[2]) < gap then
  return math.max(1, math.ceil(gap - (now - tonumber(newest[2]))))
end
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now)
`;

/**
 * The deployment-wide limit: in Redis when it is there, else (no Redis configured, or Redis away right now)
 * the same sliding window in this process.
 */
export function createRateLimiter(perSecond: number, redis: RedisConnection | null, key: string, now: () => number = Date.now): RateLimiter {
  const local = createLocalWindow(perSecond, now);
  const tryRedis = async (): Promise<number | null> => {
    if (!redis?.available()) return null;
    try {
      return Number(await redis.client.eval(SLIDING_WINDOW, 1, key, perSecond, WINDOW_MS, randomUUID()));
    } catch {
      return null;
    }
  };
  return {
    perSecond,
    async acquire(maxWaitMs, signal) {
      const deadline = now() + maxWaitMs;
      for (;;) {
        const wait = (await tryRedis()) ?? local.tryAcquire();
        if (wait === 0) return true;
        const left = deadline - now();
        if (left <= 0 || signal?.aborted) return false;
        try {
          await sleep(Math.min(wait, left), undefined, signal ? { signal } : {});
        } catch {
          return false;
        }
      }
    },
  };
}

/** The same window in memory: timestamps of the admitted calls of the last second, oldest first. */
function createLocalWindow(perSecond: number, now: () => number) {
  const admitted: number[] = [];
  const gap = WINDOW_MS / perSecond;
  let head = 0;
  return {
    /** 0 when admitted, else the ms until there is room. */
    tryAcquire(): number {
      const at = now();
      while (head < admitted.length && admitted[head]! <= at - WINDOW_MS) head++;
      if (head > 1024) {
        admitted.splice(0, head);
        head = 0;
      }
      const newest = admitted[admitted.length - 1];
      if (head < admitted.length && newest !== undefined && at - newest < gap) return Math.max(1, Math.ceil(gap - (at - newest)));
      if (admitted.length - head < perSecond) {
        admitted.push(at);
        return 0;
      }
      return Math.max(1, admitted[head]! + WINDOW_MS - at);
    },
  };
}
