import DataLoader from 'dataloader';
import type { AnswerRequest } from '../cache/answer-cache.js';
import { cacheKeys } from '../cache/cache-store.js';
import { GatewayError, UpstreamCancelledError } from './errors.js';
import type { HourlyEntry, HourlyFlowApi, HourlyWindow, StoreHours } from './hourly-flow.js';
import { isStaleable, settlingEach, windowSegment, type LoaderOptions } from './loaders.js';
import type { UpstreamRequestScope } from './request-scope.js';

/** One store's hours over one window. */
export interface HourlyQuery extends HourlyWindow {
  /** The opretail store id (`depId`). */
  depId: string;
}

/** A store's hours with where they came from (as {@link LoadedFigures} for the indicator). */
export interface LoadedHours {
  hours: HourlyEntry[];
  /** When the vendor answered (epoch ms). */
  fetchedAt: number;
  /** Served from the cache because the vendor failed. */
  stale: boolean;
}

/** Loads stores' hours; one instance per GraphQL request. */
export interface HourlyIndicatorLoader {
  load(query: HourlyQuery): Promise<LoadedHours>;
  /** The hours at once when the cache holds them fresh in memory (no call, no promise); else undefined. */
  peek(query: HourlyQuery): LoadedHours | undefined;
}

export interface HourlyLoaderOptions extends LoaderOptions {
  /** The multi-store method's `_mt` (OPRETAIL_HOURLY_METHOD). */
  method: string;
  /** Most stores per call (OPRETAIL_HOURLY_BATCH_SIZE). */
  batchSize: number;
}

/** The de-duplication identity of a store's window. */
const queryKey = (query: HourlyQuery): string => `${query.depId}|${windowSegment(query)}`;

/**
 * True batching: within one request, every store asking for the same window (`startTime`, `endTime`,
 * `businessHoursOnly`) goes into calls of at most `batchSize` stores — ⌈N / batchSize⌉ calls for N distinct
 * stores, each charged to the request scope as one call. With the answer cache, each store's hours are cached
 * on their own (key: account + method + that store's business parameters), and only the stores the cache cannot
 * answer go into the calls. A failing call fails its own stores only; a store the answer leaves out or garbles
 * fails alone.
 */
export function createHourlyIndicatorLoader(api: HourlyFlowApi | undefined, scope: UpstreamRequestScope, options: HourlyLoaderOptions): HourlyIndicatorLoader {
  const { method, batchSize, cache } = options;
  /** One call for `depIds` (≤ batchSize), as a promise per store that settles with that store's part. */
  const sendChunk = (depIds: readonly string[], window: HourlyWindow): Map<string, Promise<HourlyEntry[]>> => {
    const answer = api
      ? scope.call((callOptions) => api.getManyShopsPassengerIndicatorData(method, depIds, window, callOptions))
      : Promise.reject(new Error('no hourly upstream API was given to the gateway'));
    return new Map(
      depIds.map((depId) => {
        const part = answer.then((parts) => storePart(parts, depId));
        // A store whose part nobody awaits (another instance's entry answered it) must not surface as unhandled.
        part.catch(() => undefined);
        return [depId, part];
      }),
    );
  };
  /** Any number of stores of one window: chunks of `batchSize`, each its own call. */
  const send = (depIds: readonly string[], window: HourlyWindow): Map<string, Promise<HourlyEntry[]>> => {
    const parts = new Map<string, Promise<HourlyEntry[]>>();
    for (let start = 0; start < depIds.length; start += batchSize) {
      for (const [depId, part] of sendChunk(depIds.slice(start, start + batchSize), window)) parts.set(depId, part);
    }
    return parts;
  };
  const fresh = (hours: HourlyEntry[]): LoadedHours => ({ hours, fetchedAt: Date.now(), stale: false });

  if (options.disableLoader) {
    // What a naive gateway does: one call per field, one store per call.
    return { load: (query) => sendChunk([query.depId], query).get(query.depId)!.then(fresh), peek: () => undefined };
  }

  const keyFor = cache ? cacheKeys(cache.account, method) : null;
  const keyOf = (query: HourlyQuery) => keyFor!(query.depId, `${windowSegment(query)}|1`);
  const requestOf = (query: HourlyQuery): AnswerRequest => ({
    key: keyOf(query),
    lifetime: cache!.lifetimeOf(query.endTime),
    bypass: cache!.bypass,
    staleable: isStaleable,
    ...(scope.signal ? { signal: scope.signal } : {}),
  });

  /** The queries of one window (distinct stores): one promise per query, same order. */
  const loadWindow = (queries: readonly HourlyQuery[]): Array<Promise<LoadedHours>> => {
    const window: HourlyWindow = queries[0]!;
    if (!cache) {
      const parts = send(queries.map((query) => query.depId), window);
      return queries.map((query) => parts.get(query.depId)!.then(fresh));
    }
    const depIdOfKey = new Map(queries.map((query) => [keyOf(query), query.depId]));
    const answers = cache.answers.fetchMany(queries.map(requestOf), (keys) => {
      const parts = send(keys.map((key) => depIdOfKey.get(key)!), window);
      return new Map(keys.map((key) => [key, parts.get(depIdOfKey.get(key)!)!]));
    });
    return answers.map((answer) =>
      answer.then(
        (found) => {
          options.onAnswer?.(found.source);
          return { hours: found.value, fetchedAt: found.fetchedAt, stale: found.source === 'stale' };
        },
        (error: unknown) => {
          // Waiting for another request's call ended because this request went away.
          if (!(error instanceof GatewayError) && scope.signal?.aborted) throw new UpstreamCancelledError(method);
          throw error;
        },
      ),
    );
  };

  // Stores of one window go together; each key still answers as soon as its own call does.
  const batch = settlingEach((queries: readonly HourlyQuery[]) => {
    const byWindow = new Map<string, number[]>();
    queries.forEach((query, index) => {
      const segment = windowSegment(query);
      const indexes = byWindow.get(segment);
      if (indexes) indexes.push(index);
      else byWindow.set(segment, [index]);
    });
    const answers = new Array<Promise<LoadedHours>>(queries.length);
    for (const indexes of byWindow.values()) {
      loadWindow(indexes.map((index) => queries[index]!)).forEach((answer, i) => {
        answers[indexes[i]!] = answer;
      });
    }
    return answers;
  }, options.instrumentBatch);
  const loader = new DataLoader<HourlyQuery, LoadedHours, string>(batch, { cacheKeyFn: queryKey });
  return {
    load: (query) => loader.load(query),
    peek(query) {
      if (!cache || cache.bypass) return undefined;
      const answer = cache.answers.peek<HourlyEntry[]>(keyOf(query));
      if (!answer) return undefined;
      options.onAnswer?.('hit');
      return { hours: answer.value, fetchedAt: answer.fetchedAt, stale: false };
    },
  };
}

function storePart(parts: ReadonlyMap<string, StoreHours>, depId: string): HourlyEntry[] {
  const part = parts.get(depId);
  if (part === undefined) throw new Error(`the hourly answer has no part for store ${depId}`);
  if (part instanceof Error) throw part;
  return part;
}
