import type { Answer, AnswerSource } from '../cache/answer-cache.js';
import { cacheKey } from '../cache/cache-store.js';
import { GatewayError, UpstreamCancelledError } from './errors.js';
import { isStaleable, type RequestCache } from './loaders.js';
import type { UpstreamRequestScope } from './request-scope.js';
import { fetchWholeDirectory, GET_DEPARTMENTS, type DirectoryPaging, type DirectoryStore, type StoreDirectoryApi, type WholeDirectory } from './store-directory.js';

/** The directory as one request sees it: one snapshot for all its fields. */
export interface LoadedDirectory {
  /** Every store, ordered by id (numerically). */
  stores: readonly DirectoryStore[];
  byId: ReadonlyMap<string, DirectoryStore>;
  /** When the vendor gave it (epoch ms). */
  fetchedAt: number;
  /** Served from the cache because the vendor failed. */
  stale: boolean;
}

/** The request's handle on the directory: fetched (or read from the cache) at most once per request. */
export interface RequestDirectory {
  /**
   * The directory, at once when this request already has it or a fresh copy is in memory, else a promise.
   * `path` says where the first field that needed it is (for `extensions.stale`).
   */
  get(path: () => ReadonlyArray<string | number>): LoadedDirectory | Promise<LoadedDirectory>;
  /** Whether a store is open, from its openStatus and OPRETAIL_DIRECTORY_OPEN_STATUSES; null when unknown. */
  isOpen(store: DirectoryStore): boolean | null;
}

export interface StoreDirectoryOptions extends DirectoryPaging {
  api: StoreDirectoryApi;
  /** The process's answer cache; null when GATEWAY_CACHE=off (each request then fetches the directory). */
  cache: Pick<RequestCache, 'answers' | 'account'> | null;
  /** CACHE_DIRECTORY_TTL_S: how long a fetched directory is the answer. */
  ttlS: number;
  /** CACHE_MAX_STALE_S: after that, how long it may still be served when the vendor fails. */
  maxStaleS: number;
  /** OPRETAIL_DIRECTORY_OPEN_STATUSES: the openStatus values that mean "open" (compared case-insensitively). */
  openStatuses: readonly string[];
  now?: () => number;
}

export interface RequestDirectoryOptions {
  /** The caller forces a refetch (a `cacheBypass` key sending `Cache-Control: no-cache`). */
  bypass: boolean;
  onAnswer?: (source: AnswerSource) => void;
  /** The directory was served stale: where, and how old. */
  onStale?: (path: ReadonlyArray<string | number>, ageSeconds: number) => void;
}

/** The store directory of the process: what is shared by every request (the cache entry, the cost hints). */
export interface StoreDirectory {
  forRequest(scope: UpstreamRequestScope, options: RequestDirectoryOptions): RequestDirectory;
  /** For the cost estimate, before execution: what fetching the directory would cost, and its size. */
  readonly costHints: { calls(): number; stores(): number; known(): boolean };
}

/** What is cached: the whole directory, and the pages it took. */
type CachedDirectory = WholeDirectory;

/**
 * The directory (`getDepartments`, every page) is one cache entry per upstream account, fresh for
 * CACHE_DIRECTORY_TTL_S and shared by every request: concurrent requests that find it missing share one fetch
 * (the answer cache's coalescing; across instances with Redis, best effort). A failed fetch serves the previous
 * directory while CACHE_MAX_STALE_S allows (a retryable failure only, as for indicators), else the directory's
 * fields fail with the fetch's typed error. Only calls really sent are charged to the request that sends them.
 */
export function createStoreDirectory(options: StoreDirectoryOptions): StoreDirectory {
  const { api, cache, pageSize, maxPages } = options;
  const now = options.now ?? Date.now;
  const key = cache ? cacheKey(cache.account, GET_DEPARTMENTS, 'directory', 'all') : '';
  const lifetime = { freshMs: options.ttlS * 1000, staleMs: options.maxStaleS * 1000 };
  const openStatuses = new Set(options.openStatuses.map((status) => status.trim().toLowerCase()));
  // What this process last saw: the estimate's inputs.
  let known: { pages: number; stores: number; freshUntil: number } | null = null;
  // The index of a cached directory object, built once per object (the memory backend hands out the same one).
  const indexes = new WeakMap<CachedDirectory, ReadonlyMap<string, DirectoryStore>>();

  const toLoaded = (value: CachedDirectory, fetchedAt: number, stale: boolean): LoadedDirectory => {
    let byId = indexes.get(value);
    if (!byId) {
      byId = new Map(value.stores.map((store) => [store.id, store]));
      indexes.set(value, byId);
    }
    known = { pages: value.pages, stores: value.stores.length, freshUntil: stale ? 0 : fetchedAt + lifetime.freshMs };
    return { stores: value.stores, byId, fetchedAt, stale };
  };

  const isOpen = (store: DirectoryStore): boolean | null => (store.openStatus === null ? null : openStatuses.has(store.openStatus.toLowerCase()));

  return {
    costHints: {
      calls: () => (cache && known && known.freshUntil > now() ? 0 : (known?.pages ?? maxPages)),
      stores: () => known?.stores ?? maxPages * pageSize,
      known: () => known !== null,
    },
    forRequest(scope, requestOptions) {
      const { bypass, onAnswer, onStale } = requestOptions;
      let loaded: LoadedDirectory | undefined;
      let pending: Promise<LoadedDirectory> | undefined;
      const sendPage = (pageNumber: number) => scope.call((callOptions) => api.getDepartments({ pageNumber, pageSize }, callOptions));
      const fetchAll = () => fetchWholeDirectory(sendPage, { pageSize, maxPages });

      const load = async (path: () => ReadonlyArray<string | number>): Promise<LoadedDirectory> => {
        if (!cache) return toLoaded(await fetchAll(), now(), false);
        let answer: Answer<CachedDirectory>;
        try {
          answer = await cache.answers.fetch<CachedDirectory>(
            { key, lifetime, bypass, staleable: isStaleable, ...(scope.signal ? { signal: scope.signal } : {}) },
            fetchAll,
          );
        } catch (error) {
          // Waiting for another request's fetch ended because this request went away.
          if (!(error instanceof GatewayError) && scope.signal?.aborted) throw new UpstreamCancelledError(GET_DEPARTMENTS);
          throw error;
        }
        onAnswer?.(answer.source);
        const stale = answer.source === 'stale';
        if (stale) onStale?.(path(), Math.max(0, Math.round((now() - answer.fetchedAt) / 1000)));
        return toLoaded(answer.value, answer.fetchedAt, stale);
      };

      return {
        isOpen,
        get(path) {
          if (loaded) return loaded;
          if (pending) return pending;
          // A warm cache answers at once: the fields of a directory listing complete without a promise each.
          const cached = cache && !bypass ? cache.answers.peek<CachedDirectory>(key) : undefined;
          if (cached) {
            onAnswer?.('hit');
            return (loaded = toLoaded(cached.value, cached.fetchedAt, false));
          }
          // One load per request; a failure is shared by every field of the request that needs the directory.
          pending = load(path).then((directory) => (loaded = directory));
          return pending;
        },
      };
    },
  };
}
