import DataLoader from 'dataloader';
import type { Answer, AnswerCache, AnswerSource, Lifetime } from '../cache/answer-cache.js';
import { cacheKeys } from '../cache/cache-store.js';
import { GatewayError, UpstreamCancelledError } from './errors.js';
import { GET_PASSENGER_INDICATOR_DATA, type PassengerFlowApi, type PassengerIndicatorFigures, type PassengerIndicatorQuery } from './passenger-flow.js';
import type { UpstreamRequestScope } from './request-scope.js';

/** Figures with where they came from: when the vendor gave them, and whether they are served stale. */
export interface LoadedFigures {
  figures: PassengerIndicatorFigures;
  /** When the vendor answered (epoch ms). */
  fetchedAt: number;
  /** Served from the cache because the vendor failed. */
  stale: boolean;
}

/** Loads one store window's figures; one instance per GraphQL request. */
export interface PassengerIndicatorLoader {
  load(query: PassengerIndicatorQuery): Promise<LoadedFigures>;
  /** The figures at once when the cache holds them fresh in memory (no call, no promise); else undefined. */
  peek(query: PassengerIndicatorQuery): LoadedFigures | undefined;
}

/** The request's view of the answer cache. */
export interface RequestCache {
  answers: AnswerCache;
  /** Hash of the upstream account (base URL, `_akey`, `_aid`): entries never cross tenants or environments. */
  account: string;
  /** The window's lifetime from its end time (settled or open). */
  lifetimeOf(endTime: string): Lifetime;
  /** The caller forces a refetch (a `cacheBypass` key sending `Cache-Control: no-cache`). */
  bypass: boolean;
}

export interface LoaderOptions {
  /**
   * Debug only (GATEWAY_DISABLE_LOADER): no batching, no de-duplication and no cache, one upstream call per
   * `load` (what a naive gateway does). Used by `npm run bench` to show what batching buys.
   */
  disableLoader: boolean;
  /** The cross-request answer cache; null when GATEWAY_CACHE=off. */
  cache: RequestCache | null;
  /** Told where each answer came from (the access log counts cache hits). */
  onAnswer?: (source: AnswerSource) => void;
  /**
   * Wraps every batch the loader dispatches (tracing: a span per batch). `run` performs it; the wrapper must
   * return its result or rethrow its error. It learns the batch's size, never its keys.
   */
  instrumentBatch?: <T>(size: number, run: () => Promise<T>) => Promise<T>;
}

/** A failure a stale cache entry may answer for: the vendor failing or unreachable (not a cancelled request). */
export function isStaleable(error: unknown): boolean {
  return error instanceof GatewayError && error.retryable && !(error instanceof UpstreamCancelledError);
}

/**
 * A DataLoader batch function in which each key answers as soon as its own promise does: the batch hands
 * DataLoader one promise per key (a promise as a value is adopted by the key's own promise), so a slow or hanging
 * key never holds back the others. The batch itself (its span, its metric) lasts until every key has settled.
 */
export function settlingEach<K, V>(answersOf: (keys: readonly K[]) => Array<Promise<V>>, instrumentBatch: LoaderOptions['instrumentBatch']): (keys: readonly K[]) => Promise<V[]> {
  return (keys) =>
    new Promise<V[]>((handOver) => {
      const run = () => {
        const answers = answersOf(keys);
        handOver(answers as unknown as V[]);
        return Promise.allSettled(answers);
      };
      if (instrumentBatch) void instrumentBatch(keys.length, run);
      else run();
    });
}

/** The key the vendor's answer depends on: the de-duplication identity. */
export function passengerIndicatorKey(query: PassengerIndicatorQuery): string {
  return `${query.depId}|${query.startTime}|${query.endTime}|${query.businessHoursOnly ? 1 : 0}`;
}

/** `yyyy-MM-dd HH:mm:ss` → `yyyyMMddHHmmss`; by position for that format (the only one the resolvers build). */
function compact(time: string): string {
  if (time.length !== 19) return time.replace(/\D/g, '');
  return time.slice(0, 4) + time.slice(5, 7) + time.slice(8, 10) + time.slice(11, 13) + time.slice(14, 16) + time.slice(17, 19);
}

/** The business parameters as one cache-key segment (no `:`): `yyyyMMddHHmmss|yyyyMMddHHmmss|0/1`. */
export function windowSegment(query: Omit<PassengerIndicatorQuery, 'depId'>): string {
  // Remembered by start and end (bounded): the resolvers hand the same few windows over and over.
  let pair = segments.get(query.startTime)?.get(query.endTime);
  if (pair === undefined) {
    // Bounded as a whole, whatever windows arrive.
    if (segmentCount >= MAX_SEGMENTS) {
      segments.clear();
      segmentCount = 0;
    }
    let byEnd = segments.get(query.startTime);
    if (byEnd === undefined) segments.set(query.startTime, (byEnd = new Map()));
    const base = `${compact(query.startTime)}|${compact(query.endTime)}|`;
    byEnd.set(query.endTime, (pair = [`${base}0`, `${base}1`]));
    segmentCount++;
  }
  return pair[query.businessHoursOnly ? 1 : 0];
}

const segments = new Map<string, Map<string, [string, string]>>();
let segmentCount = 0;
const MAX_SEGMENTS = 4096;

/**
 * Within one request, each distinct (store, startTime, endTime, businessHoursOnly) is loaded once however many
 * fields ask for it; across requests the answer cache serves it or shares one call. Only a call really sent
 * is charged to the request scope (bound, budget). One key's failure is that key's `Error` only.
 */
export function createPassengerIndicatorLoader(api: PassengerFlowApi, scope: UpstreamRequestScope, options: LoaderOptions): PassengerIndicatorLoader {
  const send = (query: PassengerIndicatorQuery) => scope.call((callOptions) => api.getPassengerIndicatorData(query, callOptions));
  if (options.disableLoader) {
    return { load: (query) => send(query).then((figures) => ({ figures, fetchedAt: Date.now(), stale: false })), peek: () => undefined };
  }
  const { cache } = options;
  const keyFor = cache ? cacheKeys(cache.account, GET_PASSENGER_INDICATOR_DATA) : null;
  const keyOf = (query: PassengerIndicatorQuery) => keyFor!(query.depId, windowSegment(query));
  const fetchOne = async (query: PassengerIndicatorQuery): Promise<LoadedFigures> => {
    if (!cache) return { figures: await send(query), fetchedAt: Date.now(), stale: false };
    let answer: Answer<PassengerIndicatorFigures>;
    try {
      answer = await cache.answers.fetch(
        {
          key: keyOf(query),
          lifetime: cache.lifetimeOf(query.endTime),
          bypass: cache.bypass,
          staleable: isStaleable,
          ...(scope.signal ? { signal: scope.signal } : {}),
        },
        () => send(query),
      );
    } catch (error) {
      // Waiting for another request's call ended because this request went away.
      if (!(error instanceof GatewayError) && scope.signal?.aborted) throw new UpstreamCancelledError(GET_PASSENGER_INDICATOR_DATA);
      throw error;
    }
    options.onAnswer?.(answer.source);
    return { figures: answer.value, fetchedAt: answer.fetchedAt, stale: answer.source === 'stale' };
  };
  const batch = settlingEach((queries: readonly PassengerIndicatorQuery[]) => queries.map((query) => fetchOne(query)), options.instrumentBatch);
  const loader = new DataLoader<PassengerIndicatorQuery, LoadedFigures, string>(batch, { cacheKeyFn: passengerIndicatorKey });
  return {
    load: (query) => loader.load(query),
    peek(query) {
      if (!cache || cache.bypass) return undefined;
      const answer = cache.answers.peek<PassengerIndicatorFigures>(keyOf(query));
      if (!answer) return undefined;
      options.onAnswer?.('hit');
      return { figures: answer.value, fetchedAt: answer.fetchedAt, stale: false };
    },
  };
}
