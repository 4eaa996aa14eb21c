/**
 * The Prometheus metrics the gateway exposes (besides prom-client's default process metrics). Dashboards and
 * alert rules in `ops/` use exactly these names; a test checks them against this list.
 */
export const METRICS = {
  graphqlRequests: 'gateway_graphql_requests_total',
  graphqlRequestDuration: 'gateway_graphql_request_duration_seconds',
  upstreamCalls: 'gateway_upstream_calls_total',
  upstreamCallDuration: 'gateway_upstream_call_duration_seconds',
  upstreamRetries: 'gateway_upstream_retries_total',
  cacheLookups: 'gateway_cache_lookups_total',
  upstreamCoalesced: 'gateway_upstream_coalesced_total',
  upstreamInflight: 'gateway_upstream_inflight',
  circuitOpen: 'gateway_circuit_open',
  loaderBatchSize: 'gateway_loader_batch_size',
} as const;

/** Label names per metric; labels never carry store ids, keys or anything unbounded. */
export const METRIC_LABELS = {
  gateway_graphql_requests_total: ['operation', 'outcome'],
  gateway_graphql_request_duration_seconds: [],
  gateway_upstream_calls_total: ['method', 'outcome'],
  gateway_upstream_call_duration_seconds: ['method'],
  gateway_upstream_retries_total: ['method'],
  gateway_cache_lookups_total: ['backend', 'result'],
  gateway_upstream_coalesced_total: [],
  gateway_upstream_inflight: [],
  gateway_circuit_open: [],
  gateway_loader_batch_size: [],
} as const satisfies Record<(typeof METRICS)[keyof typeof METRICS], readonly string[]>;

/** Histograms expose `_bucket`, `_sum` and `_count` series besides their name. */
export const HISTOGRAMS: ReadonlySet<string> = new Set([METRICS.graphqlRequestDuration, METRICS.upstreamCallDuration, METRICS.loaderBatchSize]);
