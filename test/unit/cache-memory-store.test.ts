import { describe, expect, it } from 'vitest';
import { cacheKey, keyPattern, storeOfKey, type CacheEntry } from '../../src/cache/cache-store.js';
import { createMemoryStore } from '../../src/cache/memory-store.js';

const METHOD = 'open.shopweb.passengerFlow.getPassengerIndicatorData';
const key = (storeId: string, params = '20260510000000|20260510235959|0', account = 'acc0123456789abc') => cacheKey(account, METHOD, storeId, params);
const entry = (value: unknown, at = 0, freshMs = 1000, staleMs = 1000): CacheEntry => ({ value, fetchedAt: at, freshUntil: at + freshMs, staleUntil: at + freshMs + staleMs });

describe('cache keys', () => {
  it('name the account, the method, the store and the parameters; the store is the fifth segment', () => {
    expect(key('174679')).toBe(`pfg:v1:acc0123456789abc:${METHOD}:174679:20260510000000|20260510235959|0`);
    expect(storeOfKey(key('174679'))).toBe('174679');
  });

  it('refuse a segment with ":", which would move the store id', () => {
    expect(() => cacheKey('a:b', METHOD, '1', 'p')).toThrow(TypeError);
    expect(() => cacheKey('a', METHOD, '1:2', 'p')).toThrow(TypeError);
    expect(() => cacheKey('a', METHOD, '1', 'p:q')).toThrow(TypeError);
  });

  it('purge patterns: one store’s keys (not a store whose id merely starts alike), or all', () => {
    expect(keyPattern('all')).toBe('pfg:v1:*');
    const pattern = new RegExp(`^${keyPattern({ storeId: '12' }).replace(/[|.]/g, '\\$&').replace(/\*/g, '.*')}$`);
    expect(pattern.test(key('12'))).toBe(true);
    expect(pattern.test(key('123'))).toBe(false);
    expect(pattern.test(key('312'))).toBe(false);
  });
});

describe('createMemoryStore', () => {
  const store = (options: { maxEntries?: number; maxBytes?: number; now?: () => number } = {}) =>
    createMemoryStore({ maxEntries: 1000, maxBytes: 1024 * 1024, ...options });

  it('keeps an entry until its staleUntil, then forgets it', async () => {
    let now = 0;
    const memory = store({ now: () => now });
    await memory.set(key('1'), entry({ inflow: 3 }));
    now = 1999;
    expect(await memory.get(key('1'))).toEqual(entry({ inflow: 3 }));
    now = 2000;
    expect(await memory.get(key('1'))).toBeUndefined();
    now = 0;
    // Gone for good, not merely hidden.
    expect(await memory.get(key('1'))).toBeUndefined();
    expect(await memory.get(key('2'))).toBeUndefined();
  });

  it('CACHE_MAX_ENTRIES: the least recently used entry goes first', async () => {
    const memory = store({ maxEntries: 2, now: () => 0 });
    await memory.set(key('1'), entry(1));
    await memory.set(key('2'), entry(2));
    await memory.get(key('1'));
    await memory.set(key('3'), entry(3));
    expect(await memory.get(key('1'))).toBeDefined();
    expect(await memory.get(key('2'))).toBeUndefined();
    expect(await memory.get(key('3'))).toBeDefined();
  });

  it('CACHE_MAX_BYTES bounds the cached JSON', async () => {
    // Each entry weighs a little over 1000 bytes: two fit in 2500, three do not.
    const big = 'x'.repeat(1000);
    const memory = store({ maxBytes: 2500, now: () => 0 });
    for (const id of ['1', '2', '3', '4']) await memory.set(key(id), entry(big));
    const kept = (await Promise.all(['1', '2', '3', '4'].map((id) => memory.get(key(id))))).filter(Boolean);
    expect(kept.length).toBe(2);
    expect(await memory.get(key('4'))).toBeDefined();
  });

  it('purges one store’s entries (all methods’ windows, every account), or all, and says how many', async () => {
    const memory = store({ now: () => 0 });
    await memory.set(key('12'), entry(1));
    await memory.set(key('12', '20260511000000|20260511235959|1'), entry(2));
    await memory.set(key('12', undefined, 'otheraccount0000'), entry(3));
    await memory.set(key('123'), entry(4));
    await memory.set(key('7'), entry(5));
    expect(await memory.purge({ storeId: '12' })).toBe(3);
    expect(await memory.get(key('12'))).toBeUndefined();
    expect(await memory.get(key('123'))).toBeDefined();
    expect(await memory.purge({ storeId: '12' })).toBe(0);
    expect(await memory.purge('all')).toBe(2);
    expect(await memory.get(key('7'))).toBeUndefined();
  });
});
