export { createOpretailClient } from './client.js';
export type { OpretailClient, OpretailClientConfig, UpstreamAttemptEvent, CallOptions } from './client.js';
export { createPassengerFlowApi, GET_PASSENGER_INDICATOR_DATA } from './passenger-flow.js';
export type { PassengerFlowApi, PassengerIndicatorFigures, PassengerIndicatorQuery } from './passenger-flow.js';
