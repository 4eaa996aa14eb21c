/**
 * The bench's `hourly` scenario: 20 stores × one week of hours (`hourlyPassengerIndicators`), answered by the
 * gateway in one multi-store call per request, against the naive gateway (GATEWAY_DISABLE_LOADER=1,
 * GATEWAY_CACHE=off), which makes one call per store: 20. Self-contained (its query, its check, its call
 * attribution), so run.ts only adds its rows and checks.
 *
 * Batch calls carry many stores in `id`, not one `depId`; the shared attribution (upstream-calls.ts) reads the
 * store ids the emulator logs for each call (`storeIds`), so a call counts once for the request whose stores it
 * carried. Every request asks about store ids no other request uses, so the cache never answers.
 */
import type { BenchOptions } from './bench-args.js';
import type { BenchServers } from './bench-servers.js';
import { latencyStats } from './latency-stats.js';
import { LOAD_GENERATOR, type LoadScenario, type ScenarioFigures } from './measure.js';
import type { ProcessWatch } from './process-usage.js';
import { progress } from './progress.js';
import { runLoad } from './run-load.js';
import { graphqlBody, type BodyCheck } from './scenario-queries.js';
import { smokeCheck } from './smoke-check.js';
import { attributeUpstreamCalls, waitForQuietUpstream, type UpstreamLog } from './upstream-calls.js';

export const HOURLY_SCENARIOS = { gateway: 'hourly', naive: 'hourly-naive' } as const;

const STORES = 20;
const WEEK = { from: '2026-05-04', to: '2026-05-10' } as const;
const HOURS_PER_STORE = 7 * 24;
/** Id blocks of their own (the other scenarios use 1e9–6e9). */
const BLOCKS = { gateway: 7_000_000_000, naive: 8_000_000_000, smoke: 9_000_000_000 } as const;

const HOURLY_QUERY = `query Hourly($ids: [ID!]!, $from: LocalDate!, $to: LocalDate!) {
  stores(ids: $ids) { id hourlyPassengerIndicators(from: $from, to: $to) { date hour inflow inShopRate } }
}`;

const bodyFor = (block: number, seq: number) =>
  graphqlBody(HOURLY_QUERY, { ids: Array.from({ length: STORES }, (_, i) => String(block + seq * STORES + i)), ...WEEK });

/** 20 stores in order, each with 168 hours of the week in order, every figure a number (the week has passed). */
export function checkHourly(body: string): BodyCheck {
  let json: { data?: { stores?: unknown }; errors?: Array<{ message?: string; extensions?: { code?: string } }> };
  try {
    json = JSON.parse(body) as typeof json;
  } catch {
    return { ok: false, kind: 'incomplete', problem: `body is not JSON: ${body.slice(0, 120)}` };
  }
  if (json.errors?.length) return { ok: false, kind: 'graphql-errors', problem: `errors[0]: ${json.errors[0]?.extensions?.code ?? ''} ${json.errors[0]?.message ?? ''}` };
  const stores = json.data?.stores;
  if (!Array.isArray(stores) || stores.length !== STORES) return { ok: false, kind: 'incomplete', problem: `expected ${STORES} stores` };
  const storeIds: string[] = [];
  for (const [i, store] of (stores as Array<{ id?: unknown; hourlyPassengerIndicators?: unknown }>).entries()) {
    const hours = store.hourlyPassengerIndicators;
    if (typeof store.id !== 'string' || !Array.isArray(hours) || hours.length !== HOURS_PER_STORE) {
      return { ok: false, kind: 'incomplete', problem: `stores[${i}] has no id or not ${HOURS_PER_STORE} hours` };
    }
    for (const [h, entry] of (hours as Array<{ hour?: unknown; inflow?: unknown }>).entries()) {
      if (entry.hour !== h % 24 || !Number.isSafeInteger(entry.inflow)) return { ok: false, kind: 'incomplete', problem: `stores[${i}].hours[${h}] is not hour ${h % 24} with a figure` };
    }
    storeIds.push(store.id);
  }
  return { ok: true, storeIds };
}

/** Runs both hourly scenarios, one after the other, on the bench's gateway and naive gateway. */
export async function measureHourly(
  upstream: UpstreamLog & { name: string; pid: number | undefined },
  watch: ProcessWatch,
  options: BenchOptions,
  servers: Pick<BenchServers, 'gateway' | 'naive'>,
): Promise<ScenarioFigures[]> {
  const quietMs = Math.max(250, 4 * options.latencyMs);
  const rows: ScenarioFigures[] = [];
  for (const [name, server, block, target, calls] of [
    [HOURLY_SCENARIOS.gateway, servers.gateway, BLOCKS.gateway, 'gateway', 'one multi-store call per request'],
    [HOURLY_SCENARIOS.naive, servers.naive, BLOCKS.naive, 'gateway, GATEWAY_DISABLE_LOADER=1, GATEWAY_CACHE=off', 'one call per store'],
  ] as const) {
    let seq = 0;
    await smokeCheck({ url: server.url, bodies: [bodyFor(BLOCKS.smoke + (name === HOURLY_SCENARIOS.naive ? 1_000_000 : 0), 0)], check: checkHourly });
    const scenario: LoadScenario = {
      name,
      target,
      url: server.url,
      connections: options.dashboardConnections,
      nextBody: () => bodyFor(block, seq++),
      check: checkHourly,
      note: (f) => `${STORES} stores × ${HOURS_PER_STORE} hours (${WEEK.from} to ${WEEK.to}), every store a cache miss: ${calls}; calls/req min ${f.upstream?.perRequestMin ?? '—'} max ${f.upstream?.perRequestMax ?? '—'}`,
    };
    await waitForQuietUpstream(upstream, quietMs, 15_000);
    await upstream.resetCalls();
    progress(`${name}: ${scenario.connections} connections × ${options.durationS} s`);
    const meter = watch.begin([server, upstream, LOAD_GENERATOR]);
    const outcome = await runLoad({ ...scenario, title: name, durationS: options.durationS });
    const [serverUsage, emulatorUsage, clientUsage] = meter.end(outcome.completed);
    await waitForQuietUpstream(upstream, quietMs, 15_000);
    const attribution = await attributeUpstreamCalls(upstream, outcome.answeredStoreIds);
    if (outcome.firstProblem !== null) progress(`${name}: first problem: ${outcome.firstProblem}`);
    const figures: Omit<ScenarioFigures, 'note'> = {
      name,
      target,
      connections: scenario.connections,
      durationS: outcome.durationS,
      requests: outcome.completed,
      requestsPerSecond: outcome.requestsPerSecond,
      latencyMs: latencyStats(outcome.latenciesMs),
      errors: outcome.errors,
      upstreamCallsPerRequest: attribution.perRequest,
      upstream: attribution,
      resources: { server: serverUsage ?? null, emulator: emulatorUsage ?? null, loadGenerator: clientUsage ?? null },
      firstProblem: outcome.firstProblem,
    };
    rows.push({ ...figures, note: scenario.note(figures) });
  }
  return rows;
}

/** The hourly scenarios' expectations: exactly 1 call per request with batching, exactly 20 without. */
export const HOURLY_UPSTREAM_CALLS = [
  { scenario: HOURLY_SCENARIOS.gateway, exactly: 1 },
  { scenario: HOURLY_SCENARIOS.naive, exactly: STORES },
] as const;
