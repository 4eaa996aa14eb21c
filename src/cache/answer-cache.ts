import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CacheEntry, CacheStore, PurgeScope } from './cache-store.js';
import type { RedisConnection } from './redis-connection.js';

/** How long an answer is served: fresh, then (only when the vendor fails) stale. */
export interface Lifetime {
  freshMs: number;
  staleMs: number;
}

export interface AnswerRequest {
  key: string;
  lifetime: Lifetime;
  /** Do not read the cache (an operator's forced refetch); the new answer is still stored. */
  bypass: boolean;
  /** Whether this failure may be answered with a stale entry (the vendor is failing or unreachable). */
  staleable(error: unknown): boolean;
  /** The waiting request's signal: waiting for another request's call ends with it. */
  signal?: AbortSignal;
}

/** Where an answer came from. */
export type AnswerSource = 'hit' | 'miss' | 'stale' | 'coalesced';

export interface Answer<T> {
  value: T;
  /** When the vendor gave this answer (epoch ms). */
  fetchedAt: number;
  source: AnswerSource;
}

/** The cache seam in front of the vendor: answers from the cache, or from one call shared by all who need it. */
export interface AnswerCache {
  /** `off` when GATEWAY_CACHE=off: every request asks the vendor. */
  readonly backend: CacheStore['backend'] | 'off';
  fetch<T>(request: AnswerRequest, load: () => Promise<T>): Promise<Answer<T>>;
  /**
   * Many keys that one upstream call can answer together (a multi-store method). Every key is looked up first;
   * hits are answered from the cache, keys another caller is already fetching wait for that call, and all the
   * other keys go to ONE `loadMany` (called at most once, and only when some key needs it), which returns a
   * promise per key it was given. One promise per request, same order; each key keeps `fetch`'s semantics
   * (coalescing, the Redis lock, stale-if-error, errors never stored).
   */
  fetchMany<T>(requests: readonly AnswerRequest[], loadMany: (keys: readonly string[]) => ReadonlyMap<string, Promise<T>>): Array<Promise<Answer<T>>>;
  /**
   * A fresh answer, synchronously, when the backend can tell at once (memory); else undefined, and the caller
   * goes through `fetch`. Lets a warm dashboard resolve its fields without a promise per field.
   */
  peek<T>(key: string): Answer<T> | undefined;
  purge(scope: PurgeScope): Promise<number>;
}

export interface AnswerCacheOptions {
  /** null: caching off. */
  store: CacheStore | null;
  /** Redis, for the cross-instance fetch lock (best effort); null: coalescing within this process only. */
  redis: RedisConnection | null;
  /** How long an instance holds a key's fetch lock (CACHE_LOCK_MS); others wait up to that for its answer. */
  lockMs: number;
  /** A failure that only says "the request that owned the call went away". */
  isCancellation(error: unknown): boolean;
  /** Observer of every lookup (metrics). */
  onLookup?: (source: AnswerSource, backend: CacheStore['backend']) => void;
  now?: () => number;
}

const POLL_MS = 25;

/**
 * - A fresh entry is the answer (no upstream call, no slot, no budget).
 * - Otherwise one call per key at a time in this process: concurrent requests wait for it (`coalesced`); with
 *   Redis, instances also take a short lock per key and the others wait for the holder's entry (best effort:
 *   after CACHE_LOCK_MS, or when Redis is away, they call themselves).
 * - A failure the request says is staleable is answered with the stale entry while it lasts (`stale`).
 * - Errors are never stored.
 */
export function createAnswerCache(options: AnswerCacheOptions): AnswerCache {
  const { store, redis } = options;
  const now = options.now ?? Date.now;
  const inFlight = new Map<string, Promise<Answer<unknown>>>();
  const instance = randomUUID();
  const observe = (source: AnswerSource) => {
    if (store) options.onLookup?.(source, store.backend);
  };

  async function callOnce<T>(request: AnswerRequest, load: () => Promise<T>, previous: CacheEntry | undefined): Promise<Answer<T>> {
    const lockKey = `${request.key}:lock`;
    const locked = await tryLock(lockKey);
    try {
      if (locked === 'held-elsewhere') {
        const shared = await waitForEntry(request.key, now(), request.signal);
        if (shared) return { value: shared.value as T, fetchedAt: shared.fetchedAt, source: 'coalesced' };
      }
      let value: T;
      try {
        value = await load();
      } catch (error) {
        if (previous && previous.staleUntil > now() && request.staleable(error)) {
          return { value: previous.value as T, fetchedAt: previous.fetchedAt, source: 'stale' };
        }
        throw error;
      }
      const fetchedAt = now();
      await store!.set(request.key, {
        value,
        fetchedAt,
        freshUntil: fetchedAt + request.lifetime.freshMs,
        staleUntil: fetchedAt + request.lifetime.freshMs + request.lifetime.staleMs,
      });
      return { value, fetchedAt, source: 'miss' };
    } finally {
      if (locked === 'ours') void unlock(lockKey);
    }
  }

  async function tryLock(lockKey: string): Promise<'ours' | 'held-elsewhere' | 'none'> {
    if (!redis?.available()) return 'none';
    try {
      return (await redis.client.set(lockKey, instance, 'PX', options.lockMs, 'NX')) === 'OK' ? 'ours' : 'held-elsewhere';
    } catch {
      return 'none';
    }
  }

  async function unlock(lockKey: string): Promise<void> {
    try {
      await redis!.client.eval("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0", 1, lockKey, instance);
    } catch {
      // The lock expires by itself.
    }
  }

  /** Another instance holds the key's lock: wait (up to the lock's life) for the entry it will store. */
  async function waitForEntry(key: string, since: number, signal: AbortSignal | undefined): Promise<CacheEntry | undefined> {
    const until = since + options.lockMs;
    while (now() < until && !signal?.aborted && redis?.available()) {
      await sleep(POLL_MS);
      const entry = await store!.get(key);
      if (entry && entry.fetchedAt >= since - POLL_MS && entry.freshUntil > now()) return entry;
    }
    return undefined;
  }

  /** A fresh entry is the answer (unless the request bypasses the cache); else undefined. */
  function isFresh<T>(request: AnswerRequest, entry: CacheEntry | undefined): Promise<Answer<T>> | undefined {
    if (!entry || request.bypass || entry.freshUntil <= now()) return undefined;
    observe('hit');
    return Promise.resolve({ value: entry.value as T, fetchedAt: entry.fetchedAt, source: 'hit' });
  }

  /** Another caller's call for the key is under way: its answer (if that caller goes away, a call of our own). */
  function joinInFlight<T>(request: AnswerRequest, load: () => Promise<T>): Promise<Answer<T>> | undefined {
    const pending = inFlight.get(request.key) as Promise<Answer<T>> | undefined;
    if (!pending || request.bypass) return undefined;
    return (async () => {
      try {
        const shared = await abortable(pending, request.signal);
        observe('coalesced');
        return { ...shared, source: shared.source === 'stale' ? 'stale' : 'coalesced' };
      } catch (error) {
        // The request that owned the call went away; this one has not: make its own call.
        if (!options.isCancellation(error) || request.signal?.aborted) throw error;
        return ownCall(request, load, await store!.get(request.key));
      }
    })();
  }

  /** This caller's own call for the key, which later callers join while it runs. */
  async function ownCall<T>(request: AnswerRequest, load: () => Promise<T>, entry: CacheEntry | undefined): Promise<Answer<T>> {
    const own = callOnce(request, load, entry);
    inFlight.set(request.key, own);
    try {
      const answer = await own;
      observe(answer.source);
      return answer;
    } catch (error) {
      // A miss whose call failed (and had nothing stale to fall back on) is still a lookup.
      observe('miss');
      throw error;
    } finally {
      if (inFlight.get(request.key) === own) inFlight.delete(request.key);
    }
  }

  return {
    backend: store?.backend ?? 'off',
    async fetch<T>(request: AnswerRequest, load: () => Promise<T>): Promise<Answer<T>> {
      if (!store) return { value: await load(), fetchedAt: now(), source: 'miss' };
      const entry = await store.get(request.key);
      return (isFresh(request, entry) ?? joinInFlight<T>(request, load)) ?? ownCall(request, load, entry);
    },
    fetchMany<T>(requests: readonly AnswerRequest[], loadMany: (keys: readonly string[]) => ReadonlyMap<string, Promise<T>>): Array<Promise<Answer<T>>> {
      const keys: string[] = [];
      let loaded: ReadonlyMap<string, Promise<T>> | undefined;
      // Called lazily, by the first key whose own call starts; by then `keys` holds every key that needs the vendor.
      const loadOne = (key: string) => () => {
        loaded ??= loadMany(keys);
        return loaded.get(key) ?? Promise.reject(new Error(`loadMany gave no answer for a key it was given`));
      };
      if (!store) {
        keys.push(...requests.map((request) => request.key));
        return requests.map(async (request) => ({ value: await loadOne(request.key)(), fetchedAt: now(), source: 'miss' as const }));
      }
      const lookups = Promise.all(requests.map((request) => store.get(request.key)));
      // Every key is classified synchronously once all lookups are in, so the one batch sees all the misses.
      const classified = lookups.then((entries) =>
        requests.map((request, index) => {
          const entry = entries[index];
          const decided = isFresh<T>(request, entry) ?? joinInFlight<T>(request, () => loadMany([request.key]).get(request.key)!);
          if (decided) return decided;
          keys.push(request.key);
          return ownCall(request, loadOne(request.key), entry);
        }),
      );
      return requests.map((_, index) => classified.then((answers) => answers[index]!));
    },
    peek<T>(key: string): Answer<T> | undefined {
      const entry = store?.peek?.(key);
      if (!entry || entry.freshUntil <= now()) return undefined;
      observe('hit');
      return { value: entry.value as T, fetchedAt: entry.fetchedAt, source: 'hit' };
    },
    purge: (scope) => (store ? store.purge(scope) : Promise.resolve(0)),
  };
}

/** Waits for `promise`, but rejects as soon as `signal` aborts (the shared call goes on for the others). */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
