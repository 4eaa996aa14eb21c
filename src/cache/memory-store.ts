import { LRUCache } from 'lru-cache';
import { storeOfKey, type CacheEntry, type CacheStore } from './cache-store.js';

export interface MemoryStoreOptions {
  /** CACHE_MAX_ENTRIES. */
  maxEntries: number;
  /** CACHE_MAX_BYTES: an entry weighs its key plus its JSON. */
  maxBytes: number;
  now?: () => number;
}

/** The per-process backend: an LRU bounded by entries and bytes; entries expire at their `staleUntil`. */
export function createMemoryStore(options: MemoryStoreOptions): CacheStore {
  const now = options.now ?? Date.now;
  const lru = new LRUCache<string, CacheEntry, unknown>({
    max: options.maxEntries,
    maxSize: options.maxBytes,
    sizeCalculation: (entry, key) => key.length + JSON.stringify(entry.value).length + 48,
  });
  const peek = (key: string): CacheEntry | undefined => {
    const entry = lru.get(key);
    if (entry === undefined) return undefined;
    if (entry.staleUntil <= now()) {
      lru.delete(key);
      return undefined;
    }
    return entry;
  };
  return {
    backend: 'memory',
    peek,
    async get(key) {
      return peek(key);
    },
    async set(key, entry) {
      lru.set(key, entry);
    },
    async purge(scope) {
      if (scope === 'all') {
        const count = lru.size;
        lru.clear();
        return count;
      }
      let count = 0;
      for (const key of [...lru.keys()]) {
        if (storeOfKey(key) === scope.storeId && lru.delete(key)) count++;
      }
      return count;
    },
  };
}
