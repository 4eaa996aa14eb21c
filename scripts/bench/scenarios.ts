/**
 * The bench's scenarios: what runs against which server, with which query, in which order, and how many
 * upstream calls each answered request must cause. The queries themselves and the verdict on an answer are in
 * scenario-queries.ts.
 */
import type { BenchOptions } from './bench-args.js';
import type { BenchServers } from './bench-servers.js';
import type { UpstreamCallsExpectation } from './checks.js';
import type { LoadScenario, SequentialScenario } from './measure.js';
import {
  checkDashboard,
  checkOneStoreDay,
  checkTypename,
  DASHBOARD_DISTINCT_CALLS,
  DASHBOARD_QUERY,
  dashboardVariables,
  graphqlBody,
  ID_BLOCKS,
  ONE_STORE_DAY_QUERY,
  oneStoreDayVariables,
  TYPENAME_QUERY,
} from './scenario-queries.js';
import type { SmokeCheck } from './smoke-check.js';

/** Each scenario's name: its table row, its key in the JSON line, and what the ratios and checks look up. */
export const SCENARIO_NAMES = {
  floor: 'floor',
  introspectionLight: 'gateway-introspection-light',
  oneStoreDay: 'one-store-day',
  dashboard: 'dashboard',
  naive: 'naive',
  sequential: 'sequential client',
} as const;

/** Load scenarios measured together, alternating in `rounds` slices. */
export interface InterleavedGroup {
  scenarios: LoadScenario[];
  rounds: number;
}

export interface BenchPlan {
  /** Sent one by one, in order, before any load. */
  smokeChecks: SmokeCheck[];
  /** Measured in order, one group after the other. */
  loadGroups: InterleavedGroup[];
  /** Measured last, on its own. */
  sequential: SequentialScenario;
  /** Upstream calls per answered request, as the checks require them. */
  upstreamCalls: UpstreamCallsExpectation[];
}

/** A dashboard's wall time if the gateway did nothing but wait: ceil(distinct calls ÷ max concurrency) × upstream latency. */
export function dashboardIdealMs(options: Pick<BenchOptions, 'maxConcurrency' | 'latencyMs'>): number {
  return Math.ceil(DASHBOARD_DISTINCT_CALLS / options.maxConcurrency) * options.latencyMs;
}

/** The req/s range over interleaved rounds, as a visible measure of the machine's noise. */
const spread = (rounds: readonly number[] | undefined): string =>
  rounds === undefined || rounds.length < 2 ? '' : `; ${rounds.length} rounds, ${Math.round(Math.min(...rounds))}–${Math.round(Math.max(...rounds))} req/s`;

/** `value − base` as `+1.23 ms`. */
const signedMs = (value: number | undefined, base: number): string => {
  if (value === undefined) return '—';
  const net = value - base;
  return `${net >= 0 ? '+' : ''}${net.toFixed(2)} ms`;
};

/** The whole run against these servers. Each load scenario counts its own requests, so no two ask the same. */
export function createBenchPlan(options: BenchOptions, servers: BenchServers): BenchPlan {
  const { floor, gateway, naive } = servers;
  // Measured on a 2-vCPU VM: a fresh yoga process needs ~4 s of load to reach its warm throughput.
  const warmUpS = options.quick ? 2 : 5;
  const typename = graphqlBody(TYPENAME_QUERY);
  const warmDay = (i: number) => graphqlBody(ONE_STORE_DAY_QUERY, { id: String(ID_BLOCKS.warmUp + i), day: '2026-01-01' });
  const warmDashboard = (i: number) => graphqlBody(DASHBOARD_QUERY, dashboardVariables(ID_BLOCKS.warmUp + 1_000_000, i));
  const idealMs = dashboardIdealMs(options);
  let oneStoreDaySeq = 0;
  let dashboardSeq = 0;
  let naiveSeq = 0;

  return {
    smokeChecks: [
      { url: floor.url, bodies: Array.from({ length: 20 }, () => typename), check: checkTypename },
      { url: gateway.url, bodies: Array.from({ length: 20 }, () => typename), check: checkTypename },
      { url: gateway.url, bodies: Array.from({ length: 20 }, (_, i) => warmDay(i)), check: checkOneStoreDay },
      { url: gateway.url, bodies: [warmDashboard(0), warmDashboard(1)], check: checkDashboard },
      { url: naive.url, bodies: [warmDashboard(2)], check: checkDashboard },
    ],
    loadGroups: [
      {
        // Floor and gateway alternate in 2-second rounds, so machine drift cannot favour one side of their ratio.
        rounds: Math.max(1, Math.floor(options.durationS / 2)),
        scenarios: [
          {
            name: SCENARIO_NAMES.floor,
            target: 'bare graphql-yoga',
            url: floor.url,
            connections: options.connections,
            nextBody: () => typename,
            check: checkTypename,
            note: (f) => `\`{ __typename }\`: the framework’s limit${spread(f.roundsRequestsPerSecond)}`,
            warmUpS,
          },
          {
            name: SCENARIO_NAMES.introspectionLight,
            target: 'gateway',
            url: gateway.url,
            connections: options.connections,
            nextBody: () => typename,
            check: checkTypename,
            note: (f) => `\`{ __typename }\`: fixed overhead vs. floor${spread(f.roundsRequestsPerSecond)}`,
            warmUpS,
          },
        ],
      },
      {
        rounds: 1,
        scenarios: [
          {
            name: SCENARIO_NAMES.oneStoreDay,
            target: 'gateway',
            url: gateway.url,
            connections: options.connections,
            nextBody: () => graphqlBody(ONE_STORE_DAY_QUERY, oneStoreDayVariables(oneStoreDaySeq++)),
            check: checkOneStoreDay,
            warmUpS: options.quick ? 1 : 3,
            note: (f) => `net of ${options.latencyMs} ms upstream: p50 ${signedMs(f.latencyMs?.p50, options.latencyMs)}, p99 ${signedMs(f.latencyMs?.p99, options.latencyMs)}`,
          },
        ],
      },
      {
        rounds: 1,
        scenarios: [
          {
            name: SCENARIO_NAMES.dashboard,
            target: 'gateway',
            url: gateway.url,
            connections: options.dashboardConnections,
            nextBody: () => graphqlBody(DASHBOARD_QUERY, dashboardVariables(ID_BLOCKS.dashboard, dashboardSeq++)),
            check: checkDashboard,
            note: (f) =>
              `20 stores × (7 days + week), twice; ideal ${idealMs} ms; calls/req min ${f.upstream?.perRequestMin ?? '—'} max ${f.upstream?.perRequestMax ?? '—'}`,
          },
        ],
      },
      {
        rounds: 1,
        scenarios: [
          {
            name: SCENARIO_NAMES.naive,
            target: 'gateway, GATEWAY_DISABLE_LOADER=1',
            url: naive.url,
            connections: options.dashboardConnections,
            nextBody: () => graphqlBody(DASHBOARD_QUERY, dashboardVariables(ID_BLOCKS.naive, naiveSeq++)),
            check: checkDashboard,
            note: () => 'same dashboard, no batching or de-duplication',
          },
        ],
      },
    ],
    sequential: {
      name: SCENARIO_NAMES.sequential,
      target: 'signed client → emulator, in-process',
      runs: options.sequentialRuns,
      note: (f) => `${DASHBOARD_DISTINCT_CALLS} calls awaited one by one, per dashboard; ${f.requests} run(s)`,
    },
    upstreamCalls: [
      // De-duplication and batching: every answered dashboard costs exactly its distinct (store, window) keys.
      { scenario: SCENARIO_NAMES.dashboard, exactly: DASHBOARD_DISTINCT_CALLS },
      // Proves the comparison measures something: without the loader the aliases' duplicates reach upstream.
      { scenario: SCENARIO_NAMES.naive, moreThan: DASHBOARD_DISTINCT_CALLS },
    ],
  };
}
