/**
 * The bench's scenarios: what runs against which server, with which query, in which order, and how many
 * upstream calls each answered request must cause. The queries themselves and the verdict on an answer are in
 * scenario-queries.ts.
 */
import type { BenchOptions } from './bench-args.js';
import type { BenchServers } from './bench-servers.js';
import type { UpstreamCallsExpectation } from './checks.js';
import type { LoadScenario, ScenarioFigures, SequentialScenario } from './measure.js';
import {
  checkDashboard,
  checkOneStoreDay,
  checkTypename,
  DASHBOARD_DISTINCT_CALLS,
  DASHBOARD_FIELD_CALLS,
  DASHBOARD_QUERY,
  dashboardVariables,
  graphqlBody,
  ID_BLOCKS,
  ONE_STORE_DAY_50_CONNECTIONS,
  ONE_STORE_DAY_QUERY,
  oneStoreDayVariables,
  TYPENAME_QUERY,
  WARM_DASHBOARD_VARIABLES,
} from './scenario-queries.js';
import type { SmokeCheck } from './smoke-check.js';

/** Each scenario's name: its table row, its key in the JSON line, and what the ratios and checks look up. */
export const SCENARIO_NAMES = {
  floor: 'floor',
  introspectionLight: 'gateway-introspection-light',
  oneStoreDay: 'one-store-day',
  oneStoreDay50: 'one-store-day-50',
  oneStoreDay50Limit: 'one-store-day-50-limit',
  oneStoreDay50Yoga: 'one-store-day-50-yoga',
  dashboard: 'dashboard',
  dashboardWarm: 'dashboard-warm',
  dashboardFloor: 'dashboard-floor',
  naive: 'naive',
  sequential: 'sequential client',
} as const;


/** Load scenarios measured together, alternating in `rounds` slices. */
export interface InterleavedGroup {
  scenarios: LoadScenario[];
  rounds: number;
}

export interface BenchPlan {
  /** Sent one by one, in order for each server (the servers side by side), before any load. */
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

/**
 * The whole run against these servers. Each load scenario counts its own requests, so no two ask the same —
 * except dashboard-warm and dashboard-floor, which ask one fixed dashboard on purpose.
 */
export function createBenchPlan(options: BenchOptions, servers: BenchServers): BenchPlan {
  const plan = declareBenchPlan(options, servers);
  // Each load scenario's server process, found by the URL it loads, for its CPU and memory figures.
  const byUrl = new Map(Object.values(servers).map((server) => [server.url, server]));
  for (const group of plan.loadGroups) for (const scenario of group.scenarios) scenario.server ??= byUrl.get(scenario.url);
  return plan;
}

/** The scenarios as declared: each load scenario names the URL it loads (createBenchPlan adds its process). */
function declareBenchPlan(options: BenchOptions, servers: BenchServers): BenchPlan {
  const { floor, dashboardFloor, gateway, naive, limit, yogaClient } = servers;
  // Measured on a 2-vCPU VM: a fresh yoga process needs ~4 s of load to reach its warm throughput.
  const warmUpS = options.quick ? 2 : 5;
  // The limits are loaded only here; --quick keeps them brief (its figures are a smoke test, not a measurement).
  const freshWarmUpS = options.quick ? 1 : 5;
  const typename = graphqlBody(TYPENAME_QUERY);
  const warmDay = (i: number) => graphqlBody(ONE_STORE_DAY_QUERY, { id: String(ID_BLOCKS.warmUp + i), day: '2026-01-01' });
  const warmDashboard = (i: number) => graphqlBody(DASHBOARD_QUERY, dashboardVariables(ID_BLOCKS.warmUp + 1_000_000, i));
  // One body for every request of dashboard-warm and dashboard-floor: same document, same 20 stores.
  const cachedDashboard = graphqlBody(DASHBOARD_QUERY, WARM_DASHBOARD_VARIABLES);
  const idealMs = dashboardIdealMs(options);
  // One counter for every one-store-day scenario: no two requests ask the same store, whichever server answers.
  let oneStoreDaySeq = 0;
  const nextOneStoreDay = () => graphqlBody(ONE_STORE_DAY_QUERY, oneStoreDayVariables(oneStoreDaySeq++));
  const netOfUpstream = (f: Omit<ScenarioFigures, 'note'>) =>
    `net of ${options.latencyMs} ms upstream: p50 ${signedMs(f.latencyMs?.p50, options.latencyMs)}, p99 ${signedMs(f.latencyMs?.p99, options.latencyMs)}`;
  let dashboardSeq = 0;
  let naiveSeq = 0;

  return {
    smokeChecks: [
      { url: floor.url, bodies: Array.from({ length: 20 }, () => typename), check: checkTypename },
      { url: gateway.url, bodies: Array.from({ length: 20 }, () => typename), check: checkTypename },
      { url: gateway.url, bodies: Array.from({ length: 20 }, (_, i) => warmDay(i)), check: checkOneStoreDay },
      { url: limit.url, bodies: Array.from({ length: 5 }, (_, i) => warmDay(20 + i)), check: checkOneStoreDay },
      { url: yogaClient.url, bodies: Array.from({ length: 5 }, (_, i) => warmDay(40 + i)), check: checkOneStoreDay },
      { url: gateway.url, bodies: [warmDashboard(0), warmDashboard(1)], check: checkDashboard },
      { url: naive.url, bodies: [warmDashboard(2)], check: checkDashboard },
      // Fills the answer cache with dashboard-warm's 160 keys: fetched once, here, before any of its runs.
      { url: gateway.url, bodies: [cachedDashboard], check: checkDashboard },
      { url: dashboardFloor.url, bodies: [cachedDashboard], check: checkDashboard },
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
            nextBody: nextOneStoreDay,
            check: checkOneStoreDay,
            warmUpS: options.quick ? 1 : 3,
            note: netOfUpstream,
          },
        ],
      },
      {
        // The gateway against the limit of the same call (bare node:http) and bare yoga with the same client,
        // at 50 connections, alternating in 2-second rounds so drift favours none. CPU per request is the
        // steady figure here; latency adds the machine's noise.
        rounds: Math.max(1, Math.floor(options.durationS / 2)),
        scenarios: [
          {
            name: SCENARIO_NAMES.oneStoreDay50,
            target: 'gateway',
            url: gateway.url,
            connections: ONE_STORE_DAY_50_CONNECTIONS,
            nextBody: nextOneStoreDay,
            check: checkOneStoreDay,
            warmUpS: options.quick ? 1 : 3,
            note: (f) => `${netOfUpstream(f)}${spread(f.roundsRequestsPerSecond)}`,
          },
          {
            name: SCENARIO_NAMES.oneStoreDay50Limit,
            target: 'bare node:http + the signed client (the limit)',
            url: limit.url,
            connections: ONE_STORE_DAY_50_CONNECTIONS,
            nextBody: nextOneStoreDay,
            check: checkOneStoreDay,
            warmUpS: freshWarmUpS,
            note: (f) => `same call, same answer, no GraphQL: ${netOfUpstream(f)}${spread(f.roundsRequestsPerSecond)}`,
          },
          {
            name: SCENARIO_NAMES.oneStoreDay50Yoga,
            target: 'bare graphql-yoga + the signed client',
            url: yogaClient.url,
            connections: ONE_STORE_DAY_50_CONNECTIONS,
            nextBody: nextOneStoreDay,
            check: checkOneStoreDay,
            warmUpS: freshWarmUpS,
            note: (f) => `minimal schema, resolver calls the client: ${netOfUpstream(f)}${spread(f.roundsRequestsPerSecond)}`,
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
              `20 stores × (7 days + week), twice, every key a cache miss; ideal ${idealMs} ms; calls/req min ${f.upstream?.perRequestMin ?? '—'} max ${f.upstream?.perRequestMax ?? '—'}`,
          },
        ],
      },
      {
        // Warm gateway and its floor alternate in rounds too: their ratio is a throughput ratio, as drift-prone as
        // the `{ __typename }` one. Both are CPU-bound (no upstream latency), so they get the light scenarios'
        // connections; the cold dashboard's 2 already fill the upstream socket pool, its own ceiling.
        rounds: Math.max(1, Math.floor(options.durationS / 2)),
        scenarios: [
          {
            name: SCENARIO_NAMES.dashboardWarm,
            target: 'gateway, answer cache warm (memory)',
            url: gateway.url,
            connections: options.connections,
            nextBody: () => cachedDashboard,
            check: checkDashboard,
            note: (f) =>
              `the dashboard for 20 fixed stores, all ${DASHBOARD_DISTINCT_CALLS} keys cached before the run; ` +
              `${f.upstream?.total ?? '—'} upstream calls in the run${spread(f.roundsRequestsPerSecond)}`,
            warmUpS,
          },
          {
            name: SCENARIO_NAMES.dashboardFloor,
            target: 'bare graphql-yoga, dashboard schema',
            url: dashboardFloor.url,
            connections: options.connections,
            nextBody: () => cachedDashboard,
            check: checkDashboard,
            note: (f) => `same query and variables, answered from constants: the framework’s limit for it${spread(f.roundsRequestsPerSecond)}`,
            warmUpS,
          },
        ],
      },
      {
        rounds: 1,
        scenarios: [
          {
            name: SCENARIO_NAMES.naive,
            target: 'gateway, GATEWAY_DISABLE_LOADER=1, GATEWAY_CACHE=off',
            url: naive.url,
            connections: options.dashboardConnections,
            nextBody: () => graphqlBody(DASHBOARD_QUERY, dashboardVariables(ID_BLOCKS.naive, naiveSeq++)),
            check: checkDashboard,
            note: () => 'same dashboard, no batching, de-duplication or cache',
          },
        ],
      },
    ],
    sequential: {
      name: SCENARIO_NAMES.sequential,
      target: 'signed client (in the bench process) → emulator',
      runs: options.sequentialRuns,
      note: (f) => `${DASHBOARD_DISTINCT_CALLS} calls awaited one by one, per dashboard; ${f.requests} run(s)`,
    },
    upstreamCalls: [
      // Unique ids per request: the cache never answers, so each request is its one call.
      { scenario: SCENARIO_NAMES.oneStoreDay, exactly: 1 },
      { scenario: SCENARIO_NAMES.oneStoreDay50, exactly: 1 },
      { scenario: SCENARIO_NAMES.oneStoreDay50Limit, exactly: 1 },
      { scenario: SCENARIO_NAMES.oneStoreDay50Yoga, exactly: 1 },
      // De-duplication and batching: every answered dashboard costs exactly its distinct (store, window) keys,
      // each a cache miss (its store ids are its own).
      { scenario: SCENARIO_NAMES.dashboard, exactly: DASHBOARD_DISTINCT_CALLS },
      // Every key cached before the run: not one upstream call while it runs.
      { scenario: SCENARIO_NAMES.dashboardWarm, exactly: 0 },
      // Proves the comparison measures something: without loader and cache the aliases' duplicates reach upstream.
      { scenario: SCENARIO_NAMES.naive, exactly: DASHBOARD_FIELD_CALLS },
    ],
  };
}
