/**
 * The ratios the bench exists for, derived from the measured figures, and the goals they are read against (printed
 * beside them, never checked: none of them is judged pass/fail).
 */
import type { BenchOptions } from './bench-args.js';
import type { ScenarioFigures } from './measure.js';
import { DASHBOARD_DISTINCT_CALLS } from './scenario-queries.js';
import { dashboardIdealMs, SCENARIO_NAMES } from './scenarios.js';

export interface Ratios {
  /** gateway-introspection-light req/s ÷ floor req/s: the share of the framework's throughput we keep. */
  gatewayOverFloorThroughput: number | null;
  /** one-store-day p50/p99 minus the emulator's added latency: the gateway's own cost on a real query. */
  oneStoreDayP50NetMs: number | null;
  oneStoreDayP99NetMs: number | null;
  /**
   * The sequential client's mean time per call: what one emulator call really costs end to end (the added
   * latency plus timer slack, signing, HTTP and the emulator's own work), without the gateway.
   */
  directCallMeanMs: number | null;
  /** one-store-day p50 minus a direct call: the gateway's own share of a one-call query. */
  oneStoreDayP50OverDirectCallMs: number | null;
  /** ceil(distinct calls ÷ max concurrency) × upstream latency. */
  dashboardIdealMs: number;
  dashboardP50OverIdeal: number | null;
  naiveOverGatewayCalls: number | null;
  naiveOverGatewayP50: number | null;
  sequentialOverGatewayLatency: number | null;
  /**
   * dashboard-warm req/s ÷ dashboard-floor req/s: the share of the framework's limit for the dashboard query
   * that the gateway keeps when every key is cached (goal ≥ 0.8).
   */
  dashboardWarmOverFloorThroughput: number | null;
  /**
   * dashboard-warm req/s ÷ dashboard (cold) req/s: what the answer cache buys. Each side at its own ceiling:
   * the warm one CPU-bound, the cold one bound by the upstream socket pool its 2 connections fill.
   */
  dashboardWarmOverColdThroughput: number | null;
  /**
   * The gateway's CPU per one-store-day request ÷ the bare node:http limit's, both at 50 connections (server
   * process utime + stime over the measured runs ÷ requests completed): what the gateway's work costs beyond
   * the one signed call it must make. Goal ≤ {@link GOALS.cpuPerRequestOverLimit}.
   */
  cpuPerRequestOverLimit: number | null;
  /** The same for bare graphql-yoga with the same client: what the GraphQL framework alone costs. */
  bareYogaCpuPerRequestOverLimit: number | null;
  /** one-store-day p50 of the gateway − of the limit, at 50 connections, ms. Goal ≤ {@link GOALS.oneStoreDay50P50OverLimitMs}. */
  oneStoreDay50P50OverLimitMs: number | null;
  /** The same for bare graphql-yoga with the same client, ms. */
  bareYogaOneStoreDay50P50OverLimitMs: number | null;
}

/** The performance goals (issue 14), printed beside their figures; benchmarks never fail on timing. */
export const GOALS = {
  cpuPerRequestOverLimit: 2.0,
  oneStoreDay50P50OverLimitMs: 1.0,
  dashboardP50OverIdeal: 1.1,
  gatewayPeakRssMiB: 150,
} as const;

/** `numerator ÷ denominator`, or null when either is missing or the denominator is 0. */
const ratio = (numerator: number | null | undefined, denominator: number | null | undefined): number | null =>
  numerator === null || numerator === undefined || denominator === null || denominator === undefined || denominator === 0 ? null : numerator / denominator;

/** Every ratio from the scenarios' rows; a ratio whose scenario is missing or unmeasured is null. */
export function computeRatios(rows: readonly ScenarioFigures[], options: Pick<BenchOptions, 'latencyMs' | 'maxConcurrency'>): Ratios {
  const byName = (name: string): ScenarioFigures | undefined => rows.find((row) => row.name === name);
  const floorRow = byName(SCENARIO_NAMES.floor);
  const lightRow = byName(SCENARIO_NAMES.introspectionLight);
  const dayRow = byName(SCENARIO_NAMES.oneStoreDay);
  const dashboardRow = byName(SCENARIO_NAMES.dashboard);
  const warmRow = byName(SCENARIO_NAMES.dashboardWarm);
  const dashboardFloorRow = byName(SCENARIO_NAMES.dashboardFloor);
  const naiveRow = byName(SCENARIO_NAMES.naive);
  const sequentialRow = byName(SCENARIO_NAMES.sequential);
  const day50Row = byName(SCENARIO_NAMES.oneStoreDay50);
  const limitRow = byName(SCENARIO_NAMES.oneStoreDay50Limit);
  const yogaRow = byName(SCENARIO_NAMES.oneStoreDay50Yoga);
  const serverCpu = (row: ScenarioFigures | undefined) => row?.resources?.server?.cpuMsPerRequest;
  const p50Minus = (row: ScenarioFigures | undefined, base: ScenarioFigures | undefined): number | null =>
    row?.latencyMs && base?.latencyMs ? row.latencyMs.p50 - base.latencyMs.p50 : null;
  const idealMs = dashboardIdealMs(options);
  const directCallMs = sequentialRow?.latencyMs ? sequentialRow.latencyMs.mean / DASHBOARD_DISTINCT_CALLS : null;
  const netOf = (value: number | undefined): number | null => (value === undefined ? null : value - options.latencyMs);
  return {
    gatewayOverFloorThroughput: ratio(lightRow?.requestsPerSecond, floorRow?.requestsPerSecond),
    oneStoreDayP50NetMs: netOf(dayRow?.latencyMs?.p50),
    oneStoreDayP99NetMs: netOf(dayRow?.latencyMs?.p99),
    directCallMeanMs: directCallMs,
    oneStoreDayP50OverDirectCallMs: dayRow?.latencyMs && directCallMs !== null ? dayRow.latencyMs.p50 - directCallMs : null,
    dashboardIdealMs: idealMs,
    dashboardP50OverIdeal: ratio(dashboardRow?.latencyMs?.p50, idealMs),
    naiveOverGatewayCalls: ratio(naiveRow?.upstreamCallsPerRequest, dashboardRow?.upstreamCallsPerRequest),
    naiveOverGatewayP50: ratio(naiveRow?.latencyMs?.p50, dashboardRow?.latencyMs?.p50),
    sequentialOverGatewayLatency: ratio(sequentialRow?.latencyMs?.p50, dashboardRow?.latencyMs?.p50),
    dashboardWarmOverFloorThroughput: ratio(warmRow?.requestsPerSecond, dashboardFloorRow?.requestsPerSecond),
    dashboardWarmOverColdThroughput: ratio(warmRow?.requestsPerSecond, dashboardRow?.requestsPerSecond),
    cpuPerRequestOverLimit: ratio(serverCpu(day50Row), serverCpu(limitRow)),
    bareYogaCpuPerRequestOverLimit: ratio(serverCpu(yogaRow), serverCpu(limitRow)),
    oneStoreDay50P50OverLimitMs: p50Minus(day50Row, limitRow),
    bareYogaOneStoreDay50P50OverLimitMs: p50Minus(yogaRow, limitRow),
  };
}
