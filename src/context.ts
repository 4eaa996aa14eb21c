import type { GatewayConfig } from './config.js';
import { createPassengerIndicatorLoader, type PassengerIndicatorLoader } from './upstream/loaders.js';
import type { PassengerFlowApi } from './upstream/passenger-flow.js';
import { createRequestScope, type UpstreamRequestScope } from './upstream/request-scope.js';

/** Input limits checked before any upstream call. */
export type InputLimits = Pick<GatewayConfig, 'maxSpanDays' | 'maxDailyDays' | 'maxStoreIds'>;

/** The configuration one request's context is made from. */
export type ContextConfig = Pick<GatewayConfig, 'maxConcurrency' | 'disableLoader' | 'maxUpstreamCalls'> & InputLimits;

/**
 * Per-request context: one upstream scope (bound, budget, signal) shared by fresh per-method loaders, so
 * nothing is cached across requests or callers and a second method cannot double the request's limits.
 */
export interface GatewayContext {
  upstream: UpstreamRequestScope;
  passengerIndicators: PassengerIndicatorLoader;
  limits: InputLimits;
}

export interface ContextDeps {
  passengerFlow: PassengerFlowApi;
  config: ContextConfig;
}

export function createContext(deps: ContextDeps, signal?: AbortSignal): GatewayContext {
  const { config } = deps;
  const upstream = createRequestScope({
    maxConcurrency: config.maxConcurrency,
    maxUpstreamCalls: config.maxUpstreamCalls,
    ...(signal ? { signal } : {}),
  });
  return {
    upstream,
    passengerIndicators: createPassengerIndicatorLoader(deps.passengerFlow, upstream, { disableLoader: config.disableLoader }),
    limits: { maxSpanDays: config.maxSpanDays, maxDailyDays: config.maxDailyDays, maxStoreIds: config.maxStoreIds },
  };
}
