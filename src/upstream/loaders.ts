import DataLoader from 'dataloader';
import { UpstreamCallBudgetError } from './errors.js';
import { GET_PASSENGER_INDICATOR_DATA, type PassengerFlowApi, type PassengerIndicatorFigures, type PassengerIndicatorQuery } from './passenger-flow.js';

/** Loads one store window's figures; one instance per GraphQL request. */
export interface PassengerIndicatorLoader {
  load(query: PassengerIndicatorQuery): Promise<PassengerIndicatorFigures>;
}

export interface LoaderOptions {
  /** Upstream calls in flight at once for the request that owns the loader. @default 8 */
  maxConcurrency?: number;
  /** Cancels the request's upstream calls (the GraphQL request's own signal). */
  signal?: AbortSignal;
  /**
   * Debug only: no batching and no de-duplication, one upstream call per `load` (what a naive gateway
   * does). Used by `npm run bench` to show what batching buys. @default false
   */
  disabled?: boolean;
  /**
   * Most upstream calls one request may cause; loads beyond it fail with {@link UpstreamCallBudgetError}
   * without calling the vendor, so one query cannot burn the tenant's quota. @default Infinity
   */
  maxCalls?: number;
}

/** The key the vendor's answer depends on: the de-duplication identity. */
export function passengerIndicatorKey(query: PassengerIndicatorQuery): string {
  return `${query.depId}|${query.startTime}|${query.endTime}|${query.businessHoursOnly ? 1 : 0}`;
}

/**
 * Within one request, each distinct (store, startTime, endTime, businessHoursOnly) costs exactly one upstream
 * call however many fields ask for it. A batch's distinct keys are fetched in parallel, at most
 * `maxConcurrency` at a time across all batches of the request; one key's failure is that key's `Error` only.
 */
export function createPassengerIndicatorLoader(api: PassengerFlowApi, options: LoaderOptions = {}): PassengerIndicatorLoader {
  const limit = createConcurrencyLimit(options.maxConcurrency ?? 8);
  const maxCalls = options.maxCalls ?? Infinity;
  let calls = 0;
  const fetchOne = (query: PassengerIndicatorQuery) => {
    if (++calls > maxCalls) return Promise.reject(new UpstreamCallBudgetError(GET_PASSENGER_INDICATOR_DATA, maxCalls));
    return limit(() => api.getPassengerIndicatorData(query, options.signal ? { signal: options.signal } : {}));
  };
  if (options.disabled) return { load: fetchOne };

  const loader = new DataLoader<PassengerIndicatorQuery, PassengerIndicatorFigures, string>(
    (queries) =>
      Promise.all(queries.map((query) => fetchOne(query).catch((error: unknown) => toError(error)))),
    { cacheKeyFn: passengerIndicatorKey },
  );
  return { load: (query) => loader.load(query) };
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/** Runs at most `max` tasks at once, in arrival order. */
export function createConcurrencyLimit(max: number): <T>(task: () => Promise<T>) => Promise<T> {
  if (!Number.isInteger(max) || max < 1) throw new RangeError('maxConcurrency must be a positive integer');
  let active = 0;
  const waiting: Array<() => void> = [];
  // A finished task hands its slot straight to the next waiter, so a newcomer can never slip in between.
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else active--;
  };
  return async (task) => {
    if (active >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    else active++;
    try {
      return await task();
    } finally {
      release();
    }
  };
}
