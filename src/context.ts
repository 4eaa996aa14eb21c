import type { GatewayConfig } from './config.js';
import { createPassengerIndicatorLoader, type PassengerIndicatorLoader } from './upstream/loaders.js';
import type { PassengerFlowApi } from './upstream/passenger-flow.js';

/** Input limits checked before any upstream call. */
export type InputLimits = Pick<GatewayConfig, 'maxSpanDays' | 'maxDailyDays' | 'maxStoreIds'>;

/** Per-request context: fresh loaders, so nothing is cached across requests or callers. */
export interface GatewayContext {
  passengerIndicators: PassengerIndicatorLoader;
  limits: InputLimits;
}

export interface ContextDeps {
  passengerFlow: PassengerFlowApi;
  config: Pick<GatewayConfig, 'maxConcurrency' | 'disableLoader' | 'maxUpstreamCalls'> & InputLimits;
}

export function createContext(deps: ContextDeps, signal?: AbortSignal): GatewayContext {
  const { config } = deps;
  return {
    passengerIndicators: createPassengerIndicatorLoader(deps.passengerFlow, {
      maxConcurrency: config.maxConcurrency,
      disabled: config.disableLoader,
      maxCalls: config.maxUpstreamCalls,
      ...(signal ? { signal } : {}),
    }),
    limits: { maxSpanDays: config.maxSpanDays, maxDailyDays: config.maxDailyDays, maxStoreIds: config.maxStoreIds },
  };
}
