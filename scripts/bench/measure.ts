/**
 * Running scenarios and turning what they did into figures: load scenarios through autocannon (interleaved in
 * rounds), the sequential client directly, each with its upstream calls attributed to the requests that caused
 * them, and with the CPU time and peak memory of the server, the emulator and the load generator (this process)
 * over its measured runs.
 */
import type { BenchOptions } from './bench-args.js';
import type { BenchEmulator } from './emulator-process.js';
import { latencyStats, type LatencyStats } from './latency-stats.js';
import { mergeUsage, type ProcessUsage, type ProcessWatch, type WatchedProcess } from './process-usage.js';
import { progress } from './progress.js';
import { mergeOutcomes, runLoad, type LoadOutcome } from './run-load.js';
import { DASHBOARD_DISTINCT_CALLS, dashboardStoreIds, ID_BLOCKS, type BodyCheck } from './scenario-queries.js';
import { runSequentialClient } from './sequential-client.js';
import { attributeUpstreamCalls, mergeAttributions, waitForQuietUpstream, type UpstreamAttribution } from './upstream-calls.js';

/** This process, as a watched one: the load generator (autocannon, the sequential client, the outage's clients). */
export const LOAD_GENERATOR: WatchedProcess = { name: 'bench (load generator)', pid: process.pid };

/**
 * Where a scenario's CPU went, over its measured runs only (warm-ups excluded): each process's utime + stime
 * and its ms per completed request, and its VmHWM during them. The other servers idle meanwhile.
 */
export interface ScenarioResources {
  /** The server under load; null when there is none (the sequential client calls the emulator directly). */
  server: ProcessUsage | null;
  emulator: ProcessUsage | null;
  loadGenerator: ProcessUsage | null;
}

/** Everything measured for one scenario; printed as one table row and kept whole in the JSON line. */
export interface ScenarioFigures {
  name: string;
  /** What answered: the floor, the gateway, the naive gateway, or the emulator through a plain client. */
  target: string;
  connections: number;
  durationS: number;
  /** Completed requests (dashboards, for the sequential client). */
  requests: number;
  requestsPerSecond: number;
  /** req/s of each interleaved round, when the scenario ran in rounds. */
  roundsRequestsPerSecond?: number[];
  latencyMs: LatencyStats | null;
  errors: { total: number; non2xx: number; transport: number; timeouts: number; graphql: number; incomplete: number };
  upstreamCallsPerRequest: number | null;
  upstream: UpstreamAttribution | null;
  resources: ScenarioResources | null;
  firstProblem: string | null;
  /** One remark for the table, e.g. latency net of the emulator's. */
  note: string;
}

/** What names a scenario's row, and the remark it gets once its figures are known. */
interface ScenarioLabel {
  name: string;
  target: string;
  note: (figures: Omit<ScenarioFigures, 'note'>) => string;
}

/** A timed load of one GraphQL endpoint. */
export interface LoadScenario extends ScenarioLabel {
  url: string;
  /** The process serving `url`, whose CPU and memory the figures report (createBenchPlan finds it by URL). */
  server?: WatchedProcess;
  connections: number;
  nextBody: () => string;
  check: (body: string) => BodyCheck;
  /**
   * Seconds of unmeasured load first. On a small VM the first seconds of a node server run at a fraction of
   * its warm throughput (JIT), which would make whichever scenario runs first look slow. @default 0
   */
  warmUpS?: number;
}

/** The baseline without a gateway: `runs` dashboards fetched call by call through a plain signed client. */
export interface SequentialScenario extends ScenarioLabel {
  runs: number;
}

/**
 * Runs the scenarios in `rounds` alternating slices (A B A B …) of `durationS / rounds` seconds each, and pools
 * each scenario's slices. On a small shared VM throughput drifts by tens of percent from one ten-second window
 * to the next; alternating spreads that drift over both sides of a comparison instead of loading it on one.
 */
export async function measureInterleaved(
  upstream: BenchEmulator,
  watch: ProcessWatch,
  options: BenchOptions,
  scenarios: readonly LoadScenario[],
  rounds: number,
): Promise<ScenarioFigures[]> {
  const quietMs = Math.max(250, 4 * options.latencyMs);
  for (const scenario of scenarios) {
    if (!scenario.warmUpS) continue;
    progress(`${scenario.name}: warming up for ${scenario.warmUpS} s`);
    const warm = await runLoad({ ...scenario, title: `${scenario.name} warm-up`, durationS: scenario.warmUpS });
    if (warm.firstProblem !== null) progress(`${scenario.name}: warm-up problem: ${warm.firstProblem}`);
    await waitForQuietUpstream(upstream, quietMs, 15_000);
  }
  const sliceS = options.durationS / rounds;
  const outcomes = scenarios.map(() => [] as LoadOutcome[]);
  const attributions = scenarios.map(() => [] as UpstreamAttribution[]);
  const usages = scenarios.map(() => [] as ProcessUsage[][]);
  for (let round = 0; round < rounds; round++) {
    for (const [i, scenario] of scenarios.entries()) {
      progress(`${scenario.name}: ${scenario.connections} connections × ${sliceS} s${rounds > 1 ? ` (round ${round + 1}/${rounds})` : ''}`);
      await upstream.resetCalls();
      const meter = watch.begin([upstream, LOAD_GENERATOR, ...(scenario.server ? [scenario.server] : [])]);
      const outcome = await runLoad({ ...scenario, title: scenario.name, durationS: sliceS });
      // CPU up to the end of the run: the work of requests it cut off is partly in, as the work of its first
      // requests is wholly in (no request was in flight when it began).
      usages[i]?.push(meter.end(outcome.completed));
      // Requests cut off by the end of the run may still be making calls; count only once they have landed.
      await waitForQuietUpstream(upstream, quietMs, 15_000);
      attributions[i]?.push(await attributeUpstreamCalls(upstream, outcome.answeredStoreIds));
      outcomes[i]?.push(outcome);
    }
  }
  return scenarios.map((scenario, i) => {
    const slices = outcomes[i] ?? [];
    const outcome = mergeOutcomes(slices);
    const attribution = mergeAttributions(attributions[i] ?? []);
    const sliceUsages = usages[i] ?? [];
    const pooled = (p: number) => mergeUsage(sliceUsages.flatMap((usage) => usage[p] ?? []), outcome.completed);
    if (outcome.firstProblem !== null) progress(`${scenario.name}: first problem: ${outcome.firstProblem}`);
    const figures: Omit<ScenarioFigures, 'note'> = {
      name: scenario.name,
      target: scenario.target,
      connections: scenario.connections,
      durationS: outcome.durationS,
      requests: outcome.completed,
      requestsPerSecond: outcome.requestsPerSecond,
      roundsRequestsPerSecond: slices.map((slice) => slice.requestsPerSecond),
      latencyMs: latencyStats(outcome.latenciesMs),
      errors: outcome.errors,
      upstreamCallsPerRequest: attribution.perRequest,
      upstream: attribution,
      resources: { emulator: pooled(0), loadGenerator: pooled(1), server: pooled(2) },
      firstProblem: outcome.firstProblem,
    };
    return { ...figures, note: scenario.note(figures) };
  });
}

/** Runs the sequential client against the emulator; each dashboard counts as one request of one connection. */
export async function measureSequentialClient(
  upstream: BenchEmulator,
  watch: ProcessWatch,
  key: { key: string; secret: string },
  scenario: SequentialScenario,
): Promise<ScenarioFigures> {
  progress(`${scenario.name}: ${scenario.runs} dashboard(s) of ${DASHBOARD_DISTINCT_CALLS} awaited calls`);
  await upstream.resetCalls();
  const started = Date.now();
  const meter = watch.begin([upstream, LOAD_GENERATOR]);
  const sequential = await runSequentialClient({ baseUrl: upstream.url, appKey: key.key, appSecret: key.secret, runs: scenario.runs });
  const [emulatorUsage, clientUsage] = meter.end(sequential.dashboardsMs.length);
  const durationS = (Date.now() - started) / 1000;
  // The sequential client fetches its run-th dashboard for the stores of the run-th block of its own ids.
  const attribution = await attributeUpstreamCalls(
    upstream,
    sequential.dashboardsMs.map((_, run) => dashboardStoreIds(ID_BLOCKS.sequential, run)),
  );
  if (sequential.firstProblem !== null) progress(`${scenario.name}: first problem: ${sequential.firstProblem}`);
  const figures: Omit<ScenarioFigures, 'note'> = {
    name: scenario.name,
    target: scenario.target,
    connections: 1,
    durationS,
    requests: sequential.dashboardsMs.length,
    requestsPerSecond: durationS > 0 ? sequential.dashboardsMs.length / durationS : 0,
    latencyMs: latencyStats(sequential.dashboardsMs),
    errors: { total: sequential.errors, non2xx: 0, transport: 0, timeouts: 0, graphql: 0, incomplete: sequential.errors },
    upstreamCallsPerRequest: attribution.perRequest,
    upstream: attribution,
    resources: { server: null, emulator: emulatorUsage ?? null, loadGenerator: clientUsage ?? null },
    firstProblem: sequential.firstProblem,
  };
  return { ...figures, note: scenario.note(figures) };
}
