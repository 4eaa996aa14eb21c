/**
 * Rendering: the markdown table of scenarios, the ratio table (with the goals), the processes' peak memory, the
 * check list, and the JSON line's number format.
 */
import type { Check } from './checks.js';
import type { ScenarioFigures } from './measure.js';
import { OUTAGE_MAX_ATTEMPTS_PER_LOAD, type OutageRatios } from './outage.js';
import { GOALS, type Ratios } from './ratios.js';
import type { ResilienceRatios } from './resilience-overhead.js';

/** The JSON line's `memory`: VmHWM of each process over the whole bench. */
export interface MemoryFigures {
  /** The gateway's (answer cache on, the one most scenarios load) peak RSS over the whole bench, MiB. */
  gatewayPeakRssMiB: number | null;
  /** Every process's, by name, MiB. */
  peakRssMiB: Record<string, number | null>;
  /**
   * False when the kernel refused to reset peaks between runs: each scenario's peak is then its server's peak
   * since it started (the whole-bench peaks are right either way).
   */
  peakPerScenario: boolean;
}

const fixed = (value: number | null | undefined, digits: number): string =>
  value === null || value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(digits);

/** Two decimals below 10, one below 1000, none above: enough to compare, not more than the noise. */
const adaptive = (value: number | null | undefined): string => {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return value.toFixed(Math.abs(value) < 10 ? 2 : Math.abs(value) < 1000 ? 1 : 0);
};

export function scenarioTable(rows: readonly ScenarioFigures[]): string {
  const header =
    '| scenario | target | conns | s | requests | req/s | p50 ms | p99 ms | errors | upstream calls/req | server CPU ms/req | emulator CPU ms/req | bench CPU ms/req | server peak RSS MiB | note |';
  const rule = '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|';
  const cpu = (usage: { cpuMsPerRequest: number | null } | null | undefined): string => fixed(usage?.cpuMsPerRequest, 3);
  const lines = rows.map(
    (row) =>
      `| ${row.name} | ${row.target} | ${row.connections} | ${fixed(row.durationS, 1)} | ${row.requests} | ${adaptive(row.requestsPerSecond)} | ${adaptive(row.latencyMs?.p50)} | ${adaptive(row.latencyMs?.p99)} | ${row.errors.total} | ${row.upstreamCallsPerRequest === null ? '—' : adaptive(row.upstreamCallsPerRequest)} | ` +
      `${cpu(row.resources?.server)} | ${cpu(row.resources?.emulator)} | ${cpu(row.resources?.loadGenerator)} | ${fixed(row.resources?.server?.peakRssMiB, 0)} | ${row.note} |`,
  );
  return [header, rule, ...lines].join('\n');
}

export function ratioTable(ratios: Ratios & OutageRatios & ResilienceRatios, memory: MemoryFigures): string {
  const rows: [string, string, string][] = [
    ['gateway / floor throughput ({ __typename })', fixed(ratios.gatewayOverFloorThroughput, 2), ''],
    ['one-store-day p50 − upstream latency (ms)', fixed(ratios.oneStoreDayP50NetMs, 2), ''],
    ['one-store-day p99 − upstream latency (ms)', fixed(ratios.oneStoreDayP99NetMs, 2), ''],
    ['direct signed call, mean (sequential client ÷ 160) (ms)', fixed(ratios.directCallMeanMs, 2), ''],
    ['one-store-day p50 − direct call (ms)', fixed(ratios.oneStoreDayP50OverDirectCallMs, 2), ''],
    ['one-store-day at 50 connections, CPU per request: gateway / bare node:http limit', fixed(ratios.cpuPerRequestOverLimit, 2), `≤ ${GOALS.cpuPerRequestOverLimit.toFixed(1)}`],
    ['one-store-day at 50 connections, CPU per request: bare yoga + client / limit', fixed(ratios.bareYogaCpuPerRequestOverLimit, 2), ''],
    ['one-store-day at 50 connections, p50: gateway − limit (ms)', fixed(ratios.oneStoreDay50P50OverLimitMs, 2), `≤ ${GOALS.oneStoreDay50P50OverLimitMs.toFixed(1)} ms`],
    ['one-store-day at 50 connections, p50: bare yoga + client − limit (ms)', fixed(ratios.bareYogaOneStoreDay50P50OverLimitMs, 2), ''],
    ['dashboard ideal wall time (ms)', fixed(ratios.dashboardIdealMs, 0), ''],
    ['dashboard p50 / ideal', fixed(ratios.dashboardP50OverIdeal, 2), `≤ ${GOALS.dashboardP50OverIdeal.toFixed(2)}`],
    ['naive / gateway upstream calls per dashboard', fixed(ratios.naiveOverGatewayCalls, 2), ''],
    ['naive / gateway dashboard p50', fixed(ratios.naiveOverGatewayP50, 2), ''],
    ['sequential client / gateway dashboard latency (p50)', fixed(ratios.sequentialOverGatewayLatency, 2), ''],
    ['dashboard warm / floor throughput', fixed(ratios.dashboardWarmOverFloorThroughput, 2), '≥ 0.8'],
    ['dashboard warm / cold throughput', adaptive(ratios.dashboardWarmOverColdThroughput), ''],
    ['gateway peak RSS over the whole bench (MiB, VmHWM)', fixed(memory.gatewayPeakRssMiB, 1), `≤ ${GOALS.gatewayPeakRssMiB} MiB`],
    ['breaker + retry budget: CPU added to a healthy upstream call (ns)', fixed(ratios.breakerAndBudgetNsPerCall, 0), ''],
    ['outage: upstream attempts / field loads', fixed(ratios.outageAttemptsPerLoad, 3), `≤ ${OUTAGE_MAX_ATTEMPTS_PER_LOAD}`],
    ['outage: p99 of answers once the breaker is open, closed loop, saturated (ms)', fixed(ratios.outageOpenP99Ms, 2), ''],
    [`outage: answers once open at ${fixed(ratios.outageFixedRatePerSecond, 0)} req/s, p50 (ms)`, fixed(ratios.outageOpenFixedRateP50Ms, 2), ''],
    [`outage: answers once open at ${fixed(ratios.outageFixedRatePerSecond, 0)} req/s, p99 (ms)`, fixed(ratios.outageOpenFixedRateP99Ms, 2), '< 5 ms'],
    [`for reference: bare yoga's { __typename } at the same rate, p99 (ms)`, fixed(ratios.floorTypenameFixedRateP99Ms, 2), ''],
  ];
  return ['| ratio | value | goal (never checked) |', '|---|--:|---|', ...rows.map(([name, value, goal]) => `| ${name} | ${value} | ${goal} |`)].join('\n');
}

/** Each process's peak RSS over the whole bench. */
export function memoryTable(memory: MemoryFigures): string {
  return [
    '| process | peak RSS over the bench (MiB, VmHWM) |',
    '|---|--:|',
    ...Object.entries(memory.peakRssMiB).map(([name, mib]) => `| ${name} | ${fixed(mib, 1)} |`),
  ].join('\n');
}

export function checkList(checks: readonly Check[]): string {
  return checks.map((check) => `- ${check.ok ? 'PASS' : 'FAIL'} ${check.name}: ${check.detail}`).join('\n');
}

/** Rounds every float of the JSON line to 3 decimals: microseconds are below this bench's resolution. */
export function roundForJson(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isInteger(value) ? Math.round(value * 1000) / 1000 : value;
}
