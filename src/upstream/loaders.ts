import DataLoader from 'dataloader';
import type { PassengerFlowApi, PassengerIndicatorFigures, PassengerIndicatorQuery } from './passenger-flow.js';
import type { UpstreamRequestScope } from './request-scope.js';

/** Loads one store window's figures; one instance per GraphQL request. */
export interface PassengerIndicatorLoader {
  load(query: PassengerIndicatorQuery): Promise<PassengerIndicatorFigures>;
}

export interface LoaderOptions {
  /**
   * Debug only (GATEWAY_DISABLE_LOADER): no batching and no de-duplication, one upstream call per `load`
   * (what a naive gateway does). Used by `npm run bench` to show what batching buys.
   */
  disableLoader: boolean;
}

/** The key the vendor's answer depends on: the de-duplication identity. */
export function passengerIndicatorKey(query: PassengerIndicatorQuery): string {
  return `${query.depId}|${query.startTime}|${query.endTime}|${query.businessHoursOnly ? 1 : 0}`;
}

/**
 * Within one request, each distinct (store, startTime, endTime, businessHoursOnly) costs exactly one upstream
 * call however many fields ask for it. A batch's distinct keys are fetched in parallel within the request
 * scope's bound and budget; one key's failure is that key's `Error` only.
 */
export function createPassengerIndicatorLoader(api: PassengerFlowApi, scope: UpstreamRequestScope, options: LoaderOptions): PassengerIndicatorLoader {
  const fetchOne = (query: PassengerIndicatorQuery) => scope.call((callOptions) => api.getPassengerIndicatorData(query, callOptions));
  if (options.disableLoader) return { load: fetchOne };

  const loader = new DataLoader<PassengerIndicatorQuery, PassengerIndicatorFigures, string>(
    (queries) => Promise.all(queries.map((query) => fetchOne(query).catch((error: unknown) => toError(error)))),
    { cacheKeyFn: passengerIndicatorKey },
  );
  return { load: (query) => loader.load(query) };
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
