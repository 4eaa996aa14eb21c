/** One cached upstream answer: the data, when the vendor gave it, and until when it may be served. */
export interface CacheEntry<T = unknown> {
  value: T;
  /** When the vendor answered (epoch ms). */
  fetchedAt: number;
  /** Until then the entry is served as the answer (epoch ms). */
  freshUntil: number;
  /** Until then the entry may be served when the vendor fails (epoch ms); it is gone after. */
  staleUntil: number;
}

/** Which entries a purge removes: one store's, or all of this deployment's. */
export type PurgeScope = { storeId: string } | 'all';

/** Where entries live: this process's memory, or Redis shared by every instance. */
export interface CacheStore {
  readonly backend: 'memory' | 'redis';
  /** The entry, or undefined (a miss, an expired entry, or a backend that is unreachable right now). */
  get(key: string): Promise<CacheEntry | undefined>;
  /** The same, synchronously, where the backend can (memory): the fast path of a warm cache. */
  peek?(key: string): CacheEntry | undefined;
  /** Stores an entry until its `staleUntil`; a failure is swallowed (the answer is still served). */
  set(key: string, entry: CacheEntry): Promise<void>;
  /** Removes entries; resolves with how many. */
  purge(scope: PurgeScope): Promise<number>;
}

/**
 * Keys name the upstream account (base URL, `_akey`, `_aid`, as a hash), the method and the business parameters,
 * so tenants and environments never share entries; no secret is part of a key. Its segments are separated by
 * `:` and contain none, so the store id is always the fifth: `pfg:v1:<account>:<method>:<storeId>:<params>`.
 */
export const CACHE_KEY_PREFIX = 'pfg:v1:';

export function cacheKey(account: string, method: string, storeId: string, params: string): string {
  return cacheKeys(account, method)(storeId, params);
}

/**
 * The keys of one account and method: their common part checked and built once (loaders make a key for every
 * field they read), the store id and parameters checked per key.
 */
export function cacheKeys(account: string, method: string): (storeId: string, params: string) => string {
  checkSegment(account);
  checkSegment(method);
  const prefix = `${CACHE_KEY_PREFIX}${account}:${method}:`;
  return (storeId, params) => {
    checkSegment(storeId);
    checkSegment(params);
    return `${prefix}${storeId}:${params}`;
  };
}

function checkSegment(segment: string): void {
  if (segment.includes(':')) throw new TypeError('cache key segments must not contain ":"');
}

/** The store id of a key (its fifth segment). */
export function storeOfKey(key: string): string | undefined {
  return key.split(':')[4];
}

/** A Redis `SCAN MATCH` pattern for one store's keys, or all keys. */
export function keyPattern(scope: PurgeScope): string {
  return scope === 'all' ? `${CACHE_KEY_PREFIX}*` : `${CACHE_KEY_PREFIX}*:*:${scope.storeId}:*`;
}
