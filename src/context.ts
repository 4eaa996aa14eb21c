import type { GatewayConfig } from './config.js';
import { effectiveMaxUpstreamCalls, mayReadStore } from './security/api-keys.js';
import type { Caller } from './security/request-gate.js';
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
  /** The client key that made the request, or null (anonymous access). */
  caller: Caller;
  /** Whether the caller may read a store's figures (its key's allow-list). */
  mayReadStore(storeId: string): boolean;
  /** The caller's limit of upstream calls per request (the gateway's, or the key's lower one). */
  maxUpstreamCalls: number;
  upstream: UpstreamRequestScope;
  passengerIndicators: PassengerIndicatorLoader;
  limits: InputLimits;
}

export interface ContextDeps {
  passengerFlow: PassengerFlowApi;
  config: ContextConfig;
}

export function createContext(deps: ContextDeps, signal?: AbortSignal, caller: Caller = { key: null }): GatewayContext {
  const { config } = deps;
  const { key } = caller;
  const maxUpstreamCalls = key ? effectiveMaxUpstreamCalls(key, config.maxUpstreamCalls) : config.maxUpstreamCalls;
  const upstream = createRequestScope({
    maxConcurrency: config.maxConcurrency,
    maxUpstreamCalls,
    ...(signal ? { signal } : {}),
  });
  return {
    caller,
    mayReadStore: key ? (storeId) => mayReadStore(key, storeId) : () => true,
    maxUpstreamCalls,
    upstream,
    passengerIndicators: createPassengerIndicatorLoader(deps.passengerFlow, upstream, { disableLoader: config.disableLoader }),
    limits: { maxSpanDays: config.maxSpanDays, maxDailyDays: config.maxDailyDays, maxStoreIds: config.maxStoreIds },
  };
}
