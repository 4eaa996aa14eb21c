import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { METRICS } from './metric-names.js';

/** What the gateway counts; every label value comes from a bounded set (codes, methods, backends). */
export interface GatewayMetrics {
  readonly registry: Registry;
  graphqlRequest(operation: string, outcome: string, seconds: number): void;
  upstreamAttempt(method: string, outcome: string, attempt: number, seconds: number): void;
  cacheLookup(backend: string, result: 'hit' | 'miss' | 'stale' | 'coalesced'): void;
  circuitOpen(open: boolean): void;
  loaderBatch(size: number): void;
  /** Reads the upstream calls in flight when scraped. */
  trackInflight(read: () => number): void;
}

/** Operation names are chosen by clients: the first this many become label values, later ones `other`. */
const MAX_OPERATION_NAMES = 100;

export function createMetrics(): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const graphqlRequests = new Counter({
    name: METRICS.graphqlRequests,
    help: 'GraphQL requests by operation name and outcome (SUCCESS or the first error code).',
    labelNames: ['operation', 'outcome'],
    registers: [registry],
  });
  const graphqlDuration = new Histogram({
    name: METRICS.graphqlRequestDuration,
    help: 'Time to answer a GraphQL request.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30],
    registers: [registry],
  });
  const upstreamCalls = new Counter({
    name: METRICS.upstreamCalls,
    help: 'Upstream attempts by vendor method and outcome (SUCCESS, a vendor codename or a gateway code).',
    labelNames: ['method', 'outcome'],
    registers: [registry],
  });
  const upstreamDuration = new Histogram({
    name: METRICS.upstreamCallDuration,
    help: 'Time of one upstream attempt.',
    labelNames: ['method'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const retries = new Counter({ name: METRICS.upstreamRetries, help: 'Upstream retries (attempts after the first).', labelNames: ['method'], registers: [registry] });
  const cacheLookups = new Counter({
    name: METRICS.cacheLookups,
    help: 'Answer-cache lookups by backend and result (hit, miss, stale).',
    labelNames: ['backend', 'result'],
    registers: [registry],
  });
  const coalesced = new Counter({ name: METRICS.upstreamCoalesced, help: 'Loads that waited for a call another request had under way.', registers: [registry] });
  let readInflight: () => number = () => 0;
  new Gauge({
    name: METRICS.upstreamInflight,
    help: 'Upstream calls sent or waiting for a connection.',
    registers: [registry],
    collect() {
      this.set(readInflight());
    },
  });
  const circuit = new Gauge({ name: METRICS.circuitOpen, help: '1 while the circuit breaker on the vendor is open (or half-open), else 0.', registers: [registry] });
  circuit.set(0);
  const batchSize = new Histogram({
    name: METRICS.loaderBatchSize,
    help: 'Keys per DataLoader batch.',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
    registers: [registry],
  });
  const operations = new Set<string>();
  const operationLabel = (name: string): string => {
    const clean = name.replace(/[^A-Za-z0-9_]/g, '').slice(0, 64) || 'anonymous';
    if (operations.has(clean)) return clean;
    if (operations.size >= MAX_OPERATION_NAMES) return 'other';
    operations.add(clean);
    return clean;
  };
  return {
    registry,
    graphqlRequest(operation, outcome, seconds) {
      graphqlRequests.inc({ operation: operationLabel(operation), outcome });
      graphqlDuration.observe(seconds);
    },
    upstreamAttempt(method, outcome, attempt, seconds) {
      upstreamCalls.inc({ method, outcome });
      upstreamDuration.observe({ method }, seconds);
      if (attempt > 1) retries.inc({ method });
    },
    cacheLookup(backend, result) {
      if (result === 'coalesced') coalesced.inc();
      else cacheLookups.inc({ backend, result });
    },
    circuitOpen(open) {
      circuit.set(open ? 1 : 0);
    },
    loaderBatch(size) {
      batchSize.observe(size);
    },
    trackInflight(read) {
      readInflight = read;
    },
  };
}
