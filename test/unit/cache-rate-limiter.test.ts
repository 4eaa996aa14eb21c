import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../../src/cache/rate-limiter.js';
import type { RedisConnection } from '../../src/cache/redis-connection.js';

/** A stand-in for the Redis connection: only what the limiter uses. */
function fakeRedis(available: boolean, evaluate: () => Promise<unknown>): RedisConnection & { evals: number } {
  const fake = {
    evals: 0,
    available: () => available,
    client: {
      eval: () => {
        fake.evals++;
        return evaluate();
      },
    },
  };
  return fake as unknown as RedisConnection & { evals: number };
}

/** How many of `count` acquisitions without waiting are admitted. */
async function admitted(limiter: ReturnType<typeof createRateLimiter>, count: number): Promise<number> {
  let yes = 0;
  for (let i = 0; i < count; i++) if (await limiter.acquire(0)) yes++;
  return yes;
}

describe('createRateLimiter without Redis (this process)', () => {
  it('admits at most perSecond calls in any sliding second, spaced by 1000/perSecond ms', async () => {
    let now = 10_000;
    const limiter = createRateLimiter(4, null, 'k', () => now); // gap 250 ms
    expect(await admitted(limiter, 3)).toBe(1); // a burst: only the first
    now += 249;
    expect(await admitted(limiter, 1)).toBe(0); // too close to the last one
    now += 1;
    expect(await admitted(limiter, 3)).toBe(1);
    now += 250;
    expect(await admitted(limiter, 1)).toBe(1);
    now += 250;
    expect(await admitted(limiter, 1)).toBe(1); // 4 within 750 ms
    now += 249; // 999 ms after the first: the window is full
    expect(await admitted(limiter, 1)).toBe(0);
    now += 1; // the first leaves the window
    expect(await admitted(limiter, 1)).toBe(1);
  });

  it('keeps counting right over many windows (its log is trimmed, not lost)', async () => {
    let now = 0;
    const limiter = createRateLimiter(5, null, 'k', () => now);
    let admittedInAll = 0;
    for (let tick = 0; tick < 600 * 10; tick++) {
      now = tick * 100; // ten tries a second for ten minutes
      admittedInAll += await admitted(limiter, 1);
    }
    expect(admittedInAll).toBe(600 * 5);
  });

  it('waits for room up to maxWaitMs, then gives up', async () => {
    const limiter = createRateLimiter(1, null, 'k');
    expect(await limiter.acquire(0)).toBe(true);
    // The next room is ~1 s away: not within 30 ms.
    expect(await limiter.acquire(30)).toBe(false);
  });

  it('stops waiting when the caller’s request goes away', async () => {
    const limiter = createRateLimiter(1, null, 'k');
    expect(await limiter.acquire(0)).toBe(true);
    const controller = new AbortController();
    const waiting = limiter.acquire(60_000, controller.signal);
    controller.abort();
    expect(await waiting).toBe(false);
    expect(await limiter.acquire(0, AbortSignal.abort())).toBe(false);
  });
});

describe('createRateLimiter with Redis', () => {
  it('Redis decides while it is there: the process’s own window is not consulted', async () => {
    const redis = fakeRedis(true, async () => 0);
    const limiter = createRateLimiter(2, redis, 'k', () => 0);
    expect(await admitted(limiter, 5)).toBe(5);
    expect(redis.evals).toBe(5);
  });

  it('a wait answered by Redis is a refusal without waiting time', async () => {
    const redis = fakeRedis(true, async () => 700);
    const limiter = createRateLimiter(2, redis, 'k', () => 0);
    expect(await admitted(limiter, 3)).toBe(0);
  });

  it.each([
    ['away', fakeRedis(false, async () => 0)],
    ['failing', fakeRedis(true, async () => Promise.reject(new Error('Connection is closed.')))],
  ])('Redis %s: the same limit in this process', async (_, redis) => {
    let now = 0;
    const limiter = createRateLimiter(2, redis, 'k', () => now);
    expect(await admitted(limiter, 5)).toBe(1);
    now = 500;
    expect(await admitted(limiter, 5)).toBe(1);
    now = 999;
    expect(await admitted(limiter, 5)).toBe(0);
  });
});
