/** Rendering: the markdown table of scenarios, the ratio table, the check list, and the JSON line's number format. */
import type { Check } from './checks.js';
import type { ScenarioFigures } from './measure.js';
import { OUTAGE_MAX_ATTEMPTS_PER_LOAD, type OutageRatios } from './outage.js';
import type { Ratios } from './ratios.js';

const fixed = (value: number | null | undefined, digits: number): string =>
  value === null || value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(digits);

/** Two decimals below 10, one below 1000, none above: enough to compare, not more than the noise. */
const adaptive = (value: number | null | undefined): string => {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return value.toFixed(Math.abs(value) < 10 ? 2 : Math.abs(value) < 1000 ? 1 : 0);
};

export function scenarioTable(rows: readonly ScenarioFigures[]): string {
  const header = '| scenario | target | conns | s | requests | req/s | p50 ms | p99 ms | errors | upstream calls/req | note |';
  const rule = '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|';
  const lines = rows.map(
    (row) =>
      `| ${row.name} | ${row.target} | ${row.connections} | ${fixed(row.durationS, 1)} | ${row.requests} | ${adaptive(row.requestsPerSecond)} | ${adaptive(row.latencyMs?.p50)} | ${adaptive(row.latencyMs?.p99)} | ${row.errors.total} | ${row.upstreamCallsPerRequest === null ? '—' : adaptive(row.upstreamCallsPerRequest)} | ${row.note} |`,
  );
  return [header, rule, ...lines].join('\n');
}

export function ratioTable(ratios: Ratios & OutageRatios): string {
  const rows: [string, string][] = [
    ['gateway / floor throughput ({ __typename })', fixed(ratios.gatewayOverFloorThroughput, 2)],
    ['one-store-day p50 − upstream latency (ms)', fixed(ratios.oneStoreDayP50NetMs, 2)],
    ['one-store-day p99 − upstream latency (ms)', fixed(ratios.oneStoreDayP99NetMs, 2)],
    ['direct signed call, mean (sequential client ÷ 160) (ms)', fixed(ratios.directCallMeanMs, 2)],
    ['one-store-day p50 − direct call (ms)', fixed(ratios.oneStoreDayP50OverDirectCallMs, 2)],
    ['dashboard ideal wall time (ms)', fixed(ratios.dashboardIdealMs, 0)],
    ['dashboard p50 / ideal', fixed(ratios.dashboardP50OverIdeal, 2)],
    ['naive / gateway upstream calls per dashboard', fixed(ratios.naiveOverGatewayCalls, 2)],
    ['naive / gateway dashboard p50', fixed(ratios.naiveOverGatewayP50, 2)],
    ['sequential client / gateway dashboard latency (p50)', fixed(ratios.sequentialOverGatewayLatency, 2)],
    ['dashboard warm / floor throughput (goal ≥ 0.8)', fixed(ratios.dashboardWarmOverFloorThroughput, 2)],
    ['dashboard warm / cold throughput', adaptive(ratios.dashboardWarmOverColdThroughput)],
    [`outage: upstream attempts / field loads (goal ≤ ${OUTAGE_MAX_ATTEMPTS_PER_LOAD})`, fixed(ratios.outageAttemptsPerLoad, 3)],
    ['outage: p99 of answers once the breaker is open (ms; goal < 5)', fixed(ratios.outageOpenP99Ms, 2)],
  ];
  return ['| ratio | value |', '|---|--:|', ...rows.map(([name, value]) => `| ${name} | ${value} |`)].join('\n');
}

export function checkList(checks: readonly Check[]): string {
  return checks.map((check) => `- ${check.ok ? 'PASS' : 'FAIL'} ${check.name}: ${check.detail}`).join('\n');
}

/** Rounds every float of the JSON line to 3 decimals: microseconds are below this bench's resolution. */
export function roundForJson(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isInteger(value) ? Math.round(value * 1000) / 1000 : value;
}
