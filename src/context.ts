import type { AnswerSource } from './cache/answer-cache.js';
import type { GatewayConfig } from './config.js';
import { effectiveMaxUpstreamCalls, mayReadStore } from './security/api-keys.js';
import type { Caller } from './security/request-gate.js';
import type { RequestDirectory, StoreDirectory } from './upstream/directory-loader.js';
import type { HourlyFlowApi } from './upstream/hourly-flow.js';
import { createHourlyIndicatorLoader, type HourlyIndicatorLoader } from './upstream/hourly-loader.js';
import { createPassengerIndicatorLoader, type LoaderOptions, type PassengerIndicatorLoader, type RequestCache } from './upstream/loaders.js';
import type { PassengerFlowApi } from './upstream/passenger-flow.js';
import { createRequestScope, type UpstreamRequestScope } from './upstream/request-scope.js';

/** Input limits checked before any upstream call. */
export type InputLimits = Pick<GatewayConfig, 'maxSpanDays' | 'maxDailyDays' | 'maxStoreIds' | 'maxHourlyDays'>;

/** The configuration one request's context is made from. */
export type ContextConfig = Pick<GatewayConfig, 'maxConcurrency' | 'disableLoader' | 'maxUpstreamCalls' | 'requestTimeoutMs' | 'hourlyBatchSize' | 'hourlyMethod'> &
  InputLimits;

/**
 * Per-request context: one upstream scope (bound, budget, signal) shared by fresh per-method loaders, so a
 * second method cannot double the request's limits; what crosses requests is only the answer cache.
 */
export interface GatewayContext {
  /** The client key that made the request, or null (anonymous access). */
  caller: Caller;
  /** Whether the caller may read a store's figures (its key's allow-list). */
  mayReadStore(storeId: string): boolean;
  /** The caller's limit of upstream calls per request (the gateway's, or the key's lower one). */
  maxUpstreamCalls: number;
  upstream: UpstreamRequestScope;
  passengerIndicators: PassengerIndicatorLoader;
  /**
   * The store directory (names, addresses…): fetched or read from the cache at most once per request. Methods,
   * not getters, for it and the hourly loader: yoga copies the context's own properties into its own context,
   * which would run a getter (and build what it builds) for every request.
   */
  storeDirectory(): RequestDirectory;
  /** Hours of many stores, batched into multi-store calls (shares the scope: a batch call is one call). */
  hourlyIndicators(): HourlyIndicatorLoader;
  limits: InputLimits;
  /** Fields answered from the cache because the vendor failed: reported in `extensions.stale`. */
  stale: StaleField[];
  /** What the request used, for the access log (an object: yoga copies the context's own properties). */
  counters: { cacheHits: number };
  /** The answer is complete: upstream work still under way for this request is cancelled. */
  finish(): void;
}

/** A field served stale: where it is in the response, and how old its data is. */
export interface StaleField {
  path: ReadonlyArray<string | number>;
  ageSeconds: number;
}

/** The answer cache as the gateway configured it, shared by all requests. */
export type SharedCache = Omit<RequestCache, 'bypass'>;

export interface ContextDeps {
  passengerFlow: PassengerFlowApi;
  /** The multi-store hourly method; without it `hourlyPassengerIndicators` fails (tests that never ask for hours omit it). */
  hourlyFlow?: HourlyFlowApi;
  config: ContextConfig;
  /** Wraps each loader batch (metrics, tracing). */
  instrumentBatch?: LoaderOptions['instrumentBatch'];
  /** Null: GATEWAY_CACHE=off. */
  cache?: SharedCache | null;
  /** The process's store directory; absent: the directory fields fail (a wiring error, masked). */
  storeDirectory?: StoreDirectory | null;
}

/** Stands in when no directory was wired: every directory field fails as an unexpected (masked) error. */
const NO_DIRECTORY: RequestDirectory = {
  get: () => Promise.reject(new Error('no store directory was given to the gateway')),
  isOpen: () => null,
};

export interface RequestFacts {
  signal?: AbortSignal;
  caller?: Caller;
  /** The request said `Cache-Control: no-cache`. */
  noCache?: boolean;
}

/** Why a request's signal ends once its answer is complete (built once: nothing reads its stack). */
const ANSWERED = new DOMException('The request has been answered.', 'AbortError');

export function createContext(deps: ContextDeps, request: RequestFacts = {}): GatewayContext {
  const { config } = deps;
  const { caller = { key: null } } = request;
  // One signal ends every upstream wait of the request (a slot, a connection, attempts, backoff): at its
  // deadline, when its client goes away, and when the answer is complete (a field that no longer matters, e.g.
  // a sibling nulled its list, stops waiting). One controller and one timer per request, made when the request
  // first waits for the vendor (a request answered from the cache, or `{ __typename }`, needs none), and no
  // exception built unless a deadline really passes: AbortSignal.timeout/any and abort() cost a visible share
  // of a small request's CPU.
  const startedAt = performance.now();
  const clientSignal = request.signal;
  let ending: AbortController | undefined;
  let deadline: NodeJS.Timeout | undefined;
  let answered = false;
  const onClientGone = () => ending?.abort(clientSignal?.reason);
  const signalOf = (): AbortSignal => {
    if (ending) return ending.signal;
    const controller = (ending = new AbortController());
    if (answered) controller.abort(ANSWERED);
    else if (clientSignal?.aborted) controller.abort(clientSignal.reason);
    else {
      // The deadline counts from the request's start, not from its first upstream wait.
      const left = Math.max(0, config.requestTimeoutMs - (performance.now() - startedAt));
      deadline = setTimeout(() => controller.abort(new DOMException('The request deadline passed.', 'TimeoutError')), left);
      deadline.unref();
      clientSignal?.addEventListener('abort', onClientGone, { once: true });
    }
    return controller.signal;
  };
  const { key } = caller;
  const maxUpstreamCalls = key ? effectiveMaxUpstreamCalls(key, config.maxUpstreamCalls) : config.maxUpstreamCalls;
  const upstream = createRequestScope({
    maxConcurrency: config.maxConcurrency,
    maxUpstreamCalls,
    signal: signalOf,
  });
  const bypass = Boolean(request.noCache && key?.cacheBypass);
  const countHit = (source: AnswerSource) => {
    if (source === 'hit' || source === 'stale') context.counters.cacheHits++;
  };
  const loaderOptions: LoaderOptions = {
    disableLoader: config.disableLoader,
    // Only a key allowed to (an operator's) may make the gateway refetch what it has.
    cache: deps.cache ? { ...deps.cache, bypass } : null,
    ...(deps.instrumentBatch ? { instrumentBatch: deps.instrumentBatch } : {}),
    onAnswer: countHit,
  };
  let hourlyIndicators: HourlyIndicatorLoader | undefined;
  let storeDirectory: RequestDirectory | undefined;
  const context: GatewayContext = {
    caller,
    mayReadStore: key ? (storeId) => mayReadStore(key, storeId) : () => true,
    maxUpstreamCalls,
    upstream,
    passengerIndicators: createPassengerIndicatorLoader(deps.passengerFlow, upstream, loaderOptions),
    // Built when a field first needs them: most requests ask neither hours nor the directory.
    hourlyIndicators() {
      return (hourlyIndicators ??= createHourlyIndicatorLoader(deps.hourlyFlow, upstream, {
        ...loaderOptions,
        method: config.hourlyMethod,
        batchSize: config.hourlyBatchSize,
      }));
    },
    storeDirectory() {
      return (storeDirectory ??= deps.storeDirectory
        ? deps.storeDirectory.forRequest(upstream, { bypass, onAnswer: countHit, onStale: (path, ageSeconds) => context.stale.push({ path, ageSeconds }) })
        : NO_DIRECTORY);
    },
    limits: { maxSpanDays: config.maxSpanDays, maxDailyDays: config.maxDailyDays, maxStoreIds: config.maxStoreIds, maxHourlyDays: config.maxHourlyDays },
    stale: [],
    counters: { cacheHits: 0 },
    finish: () => {
      answered = true;
      if (ending === undefined) return;
      clearTimeout(deadline);
      clientSignal?.removeEventListener('abort', onClientGone);
      if (!ending.signal.aborted) ending.abort(ANSWERED);
    },
  };
  return context;
}
