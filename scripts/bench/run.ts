/**
 * `npm run bench`: what the gateway costs and what it saves, measured on loopback against the emulator.
 *
 * The emulator runs in this process (only in-process can it report its call log); the floor server and two
 * gateways (batching on, and `GATEWAY_DISABLE_LOADER=1`) run as child processes so they do not share this
 * process's event loop with the load generator. Prints a markdown table, the ratios, the checks and then one
 * JSON line with every figure. Exits non-zero when a scenario had errors or the upstream call counts are
 * wrong — never because of a timing.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { BENCH_USAGE, BenchUsageError, parseBenchArgs, type BenchOptions } from './bench-args.js';
import { killAllChildrenNow, runToCompletion, startChildServer, type ChildServer } from './child-server.js';
import { latencyStats } from './latency-stats.js';
import { checkList, ratioTable, roundForJson, scenarioTable, type Check, type Ratios, type ScenarioFigures } from './report.js';
import { mergeOutcomes, runLoad, type LoadOutcome } from './run-load.js';
import {
  checkDashboard,
  checkOneStoreDay,
  checkTypename,
  DASHBOARD_DISTINCT_CALLS,
  DASHBOARD_QUERY,
  dashboardStoreIds,
  dashboardVariables,
  graphqlBody,
  ID_BLOCKS,
  ONE_STORE_DAY_QUERY,
  oneStoreDayVariables,
  TYPENAME_QUERY,
  type BodyCheck,
} from './scenario-queries.js';
import { runSequentialClient } from './sequential-client.js';
import { attributeUpstreamCalls, mergeAttributions, waitForQuietUpstream, type UpstreamAttribution } from './upstream-calls.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const GATEWAY_READY = /Passenger Flow Gateway listening on (http:\/\/127\.0\.0\.1:\d+\/graphql)/;
const FLOOR_READY = /floor listening on (http:\/\/127\.0\.0\.1:\d+\/graphql)/;

/** Progress goes to stderr, so stdout holds only the report and the JSON line. */
const progress = (line: string): void => void process.stderr.write(`[bench] ${line}\n`);

// Everything this run started, so every way out (normal end, failure, Ctrl-C) stops it.
let emulator: Emulator | null = null;
const servers: ChildServer[] = [];
let cleaning: Promise<void> | null = null;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await Promise.allSettled(servers.map((server) => server.stop()));
    await emulator?.close();
  })();
  return cleaning;
}
process.on('exit', killAllChildrenNow);
for (const [signal, status] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  process.once(signal, () => {
    progress(`${signal}: stopping child processes and the emulator`);
    void cleanup().finally(() => process.exit(status));
  });
}

/**
 * The gateway's environment: inherited, minus anything that would change what is measured (a developer's
 * OPRETAIL_RETRIES or GATEWAY_MAX_STORE_IDS), plus the emulator. LOG_LEVEL is `warn`: nothing per request is
 * logged, and the "listening on" line the bench waits for is a notice, written at every level.
 */
function gatewayEnv(upstreamUrl: string, key: { key: string; secret: string }, options: BenchOptions, disableLoader: boolean): NodeJS.ProcessEnv {
  const inherited = Object.entries(process.env).filter(([name]) => !/^(OPRETAIL_|GATEWAY_)/.test(name) && !['HOST', 'PORT', 'LOG_LEVEL'].includes(name));
  return {
    ...Object.fromEntries(inherited),
    HOST: '127.0.0.1',
    PORT: '0',
    OPRETAIL_BASE_URL: upstreamUrl,
    OPRETAIL_APP_KEY: key.key,
    OPRETAIL_APP_SECRET: key.secret,
    OPRETAIL_MAX_CONCURRENCY: String(options.maxConcurrency),
    // Two dashboards' worth of sockets (the default 16 at the default concurrency 8), so `--dashboard-connections 2`
    // measures the loader rather than socket queueing whatever `--max-concurrency` is.
    OPRETAIL_MAX_CONNECTIONS: String(2 * options.maxConcurrency),
    GATEWAY_DISABLE_LOADER: disableLoader ? '1' : '0',
    LOG_LEVEL: 'warn',
  };
}

/**
 * A few sequential requests before any load: a misconfigured server (wrong key, stale dist/) fails here in a
 * second with its answer, instead of as thousands of errors in a table. Warms connection pools on the way.
 */
async function smokeCheck(url: string, bodies: string[], check: (body: string) => BodyCheck): Promise<void> {
  for (const body of bodies) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    const verdict = check(text);
    if (!response.ok || !verdict.ok) {
      throw new Error(`smoke check against ${url} failed: HTTP ${response.status}, ${verdict.ok ? 'body ok' : verdict.problem}`);
    }
  }
}

interface LoadScenario {
  name: string;
  target: string;
  url: string;
  connections: number;
  nextBody: () => string;
  check: (body: string) => BodyCheck;
  note: (figures: Omit<ScenarioFigures, 'note'>) => string;
  /**
   * Seconds of unmeasured load first. On a small VM the first seconds of a node server run at a fraction of
   * its warm throughput (JIT), which would make whichever scenario runs first look slow. @default 0
   */
  warmUpS?: number;
}

/**
 * Runs the scenarios in `rounds` alternating slices (A B A B …) of `durationS / rounds` seconds each, and pools
 * each scenario's slices. On a small shared VM throughput drifts by tens of percent from one ten-second window
 * to the next; alternating spreads that drift over both sides of a comparison instead of loading it on one.
 */
async function measureInterleaved(upstream: Emulator, options: BenchOptions, scenarios: readonly LoadScenario[], rounds: number): Promise<ScenarioFigures[]> {
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
  for (let round = 0; round < rounds; round++) {
    for (const [i, scenario] of scenarios.entries()) {
      progress(`${scenario.name}: ${scenario.connections} connections × ${sliceS} s${rounds > 1 ? ` (round ${round + 1}/${rounds})` : ''}`);
      upstream.resetCalls();
      const outcome = await runLoad({ ...scenario, title: scenario.name, durationS: sliceS });
      // Requests cut off by the end of the run may still be making calls; count only once they have landed.
      await waitForQuietUpstream(upstream, quietMs, 15_000);
      attributions[i]?.push(attributeUpstreamCalls(upstream, outcome.answeredStoreIds));
      outcomes[i]?.push(outcome);
    }
  }
  return scenarios.map((scenario, i) => {
    const slices = outcomes[i] ?? [];
    const outcome = mergeOutcomes(slices);
    const attribution = mergeAttributions(attributions[i] ?? []);
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
      firstProblem: outcome.firstProblem,
    };
    return { ...figures, note: scenario.note(figures) };
  });
}

async function measure(upstream: Emulator, options: BenchOptions, scenario: LoadScenario): Promise<ScenarioFigures> {
  const [figures] = await measureInterleaved(upstream, options, [scenario], 1);
  if (figures === undefined) throw new Error(`${scenario.name}: no figures`);
  return figures;
}

function gitDescription(): { commit: string | null; dirty: boolean | null } {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, timeout: 5_000, encoding: 'utf8' }).trim();
    const status = execFileSync('git', ['status', '--porcelain'], { cwd: ROOT, timeout: 5_000, encoding: 'utf8' });
    return { commit, dirty: status.trim() !== '' };
  } catch {
    return { commit: null, dirty: null };
  }
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

const ratio = (numerator: number | null | undefined, denominator: number | null | undefined): number | null =>
  numerator === null || numerator === undefined || denominator === null || denominator === undefined || denominator === 0 ? null : numerator / denominator;

async function main(): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseBenchArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof BenchUsageError)) throw error;
    process.stderr.write(`${error.message}\n${BENCH_USAGE}\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`${BENCH_USAGE}\n`);
    return 0;
  }
  const startedAt = Date.now();

  if (!options.skipBuild) {
    progress('npm run build');
    const build = await runToCompletion('npm', ['run', 'build'], ROOT, 180_000);
    if (build.code !== 0) {
      process.stderr.write(`npm run build failed (exit ${build.code}):\n${build.output}\n`);
      return 1;
    }
  }

  // A throwaway key per run: it only ever travels over loopback, to our own emulator.
  const key = { key: 'bench-key', secret: randomBytes(16).toString('hex') };
  emulator = await startEmulator({ keys: [key], latencyMs: options.latencyMs, port: 0, host: '127.0.0.1' });
  const upstream = emulator;
  progress(`emulator at ${upstream.url}, +${options.latencyMs} ms per call`);

  // Each server is registered as soon as it is up, so a sibling's failed start still gets it stopped.
  const start = (options: Parameters<typeof startChildServer>[0]) =>
    startChildServer(options).then((server) => {
      servers.push(server);
      return server;
    });
  const [floor, gateway, naive] = await Promise.all([
    start({ name: 'floor', command: process.execPath, args: ['--import', 'tsx', 'scripts/bench/floor-server.ts'], cwd: ROOT, env: process.env, ready: FLOOR_READY }),
    start({ name: 'gateway', command: process.execPath, args: ['dist/server.js'], cwd: ROOT, env: gatewayEnv(upstream.url, key, options, false), ready: GATEWAY_READY }),
    start({ name: 'naive gateway', command: process.execPath, args: ['dist/server.js'], cwd: ROOT, env: gatewayEnv(upstream.url, key, options, true), ready: GATEWAY_READY }),
  ]);
  progress(`floor ${floor.url} (pid ${floor.pid}), gateway ${gateway.url} (pid ${gateway.pid}), naive gateway ${naive.url} (pid ${naive.pid})`);

  // Measured on a 2-vCPU VM: a fresh yoga process needs ~4 s of load to reach its warm throughput.
  const warmUpS = options.quick ? 2 : 5;
  const typename = graphqlBody(TYPENAME_QUERY);
  const warmDay = (i: number) => graphqlBody(ONE_STORE_DAY_QUERY, { id: String(ID_BLOCKS.warmUp + i), day: '2026-01-01' });
  const warmDashboard = (i: number) => graphqlBody(DASHBOARD_QUERY, dashboardVariables(ID_BLOCKS.warmUp + 1_000_000, i));
  progress('checking every server answers correctly');
  await smokeCheck(floor.url, Array.from({ length: 20 }, () => typename), checkTypename);
  await smokeCheck(gateway.url, Array.from({ length: 20 }, () => typename), checkTypename);
  await smokeCheck(gateway.url, Array.from({ length: 20 }, (_, i) => warmDay(i)), checkOneStoreDay);
  await smokeCheck(gateway.url, [warmDashboard(0), warmDashboard(1)], checkDashboard);
  await smokeCheck(naive.url, [warmDashboard(2)], checkDashboard);

  const idealMs = Math.ceil(DASHBOARD_DISTINCT_CALLS / options.maxConcurrency) * options.latencyMs;
  let oneStoreDaySeq = 0;
  let dashboardSeq = 0;
  let naiveSeq = 0;
  const rows: ScenarioFigures[] = [];

  // Floor and gateway alternate in 2-second rounds, so machine drift cannot favour one side of their ratio.
  const lightRounds = Math.max(1, Math.floor(options.durationS / 2));
  rows.push(
    ...(await measureInterleaved(
      upstream,
      options,
      [
        {
          name: 'floor',
          target: 'bare graphql-yoga',
          url: floor.url,
          connections: options.connections,
          nextBody: () => typename,
          check: checkTypename,
          note: (f) => `\`{ __typename }\`: the framework’s limit${spread(f.roundsRequestsPerSecond)}`,
          warmUpS,
        },
        {
          name: 'gateway-introspection-light',
          target: 'gateway',
          url: gateway.url,
          connections: options.connections,
          nextBody: () => typename,
          check: checkTypename,
          note: (f) => `\`{ __typename }\`: fixed overhead vs. floor${spread(f.roundsRequestsPerSecond)}`,
          warmUpS,
        },
      ],
      lightRounds,
    )),
  );
  rows.push(
    await measure(upstream, options, {
      name: 'one-store-day',
      target: 'gateway',
      url: gateway.url,
      connections: options.connections,
      nextBody: () => graphqlBody(ONE_STORE_DAY_QUERY, oneStoreDayVariables(oneStoreDaySeq++)),
      check: checkOneStoreDay,
      warmUpS: options.quick ? 1 : 3,
      note: (f) => `net of ${options.latencyMs} ms upstream: p50 ${signedMs(f.latencyMs?.p50, options.latencyMs)}, p99 ${signedMs(f.latencyMs?.p99, options.latencyMs)}`,
    }),
  );
  rows.push(
    await measure(upstream, options, {
      name: 'dashboard',
      target: 'gateway',
      url: gateway.url,
      connections: options.dashboardConnections,
      nextBody: () => graphqlBody(DASHBOARD_QUERY, dashboardVariables(ID_BLOCKS.dashboard, dashboardSeq++)),
      check: checkDashboard,
      note: (f) =>
        `20 stores × (7 days + week), twice; ideal ${idealMs} ms; calls/req min ${f.upstream?.perRequestMin ?? '—'} max ${f.upstream?.perRequestMax ?? '—'}`,
    }),
  );
  rows.push(
    await measure(upstream, options, {
      name: 'naive',
      target: 'gateway, GATEWAY_DISABLE_LOADER=1',
      url: naive.url,
      connections: options.dashboardConnections,
      nextBody: () => graphqlBody(DASHBOARD_QUERY, dashboardVariables(ID_BLOCKS.naive, naiveSeq++)),
      check: checkDashboard,
      note: () => 'same dashboard, no batching or de-duplication',
    }),
  );

  progress(`sequential client: ${options.sequentialRuns} dashboard(s) of ${DASHBOARD_DISTINCT_CALLS} awaited calls`);
  upstream.resetCalls();
  const sequentialStarted = Date.now();
  const sequential = await runSequentialClient({ baseUrl: upstream.url, appKey: key.key, appSecret: key.secret, runs: options.sequentialRuns });
  const sequentialS = (Date.now() - sequentialStarted) / 1000;
  const sequentialAttribution = attributeUpstreamCalls(
    upstream,
    sequential.dashboardsMs.map((_, run) => dashboardStoreIds(ID_BLOCKS.sequential, run)),
  );
  if (sequential.firstProblem !== null) progress(`sequential: first problem: ${sequential.firstProblem}`);
  rows.push({
    name: 'sequential client',
    target: 'signed client → emulator, in-process',
    connections: 1,
    durationS: sequentialS,
    requests: sequential.dashboardsMs.length,
    requestsPerSecond: sequentialS > 0 ? sequential.dashboardsMs.length / sequentialS : 0,
    latencyMs: latencyStats(sequential.dashboardsMs),
    errors: { total: sequential.errors, non2xx: 0, transport: 0, timeouts: 0, graphql: 0, incomplete: sequential.errors },
    upstreamCallsPerRequest: sequentialAttribution.perRequest,
    upstream: sequentialAttribution,
    firstProblem: sequential.firstProblem,
    note: `${DASHBOARD_DISTINCT_CALLS} calls awaited one by one, per dashboard; ${sequential.dashboardsMs.length} run(s)`,
  });

  const byName = (name: string): ScenarioFigures | undefined => rows.find((row) => row.name === name);
  const floorRow = byName('floor');
  const lightRow = byName('gateway-introspection-light');
  const dayRow = byName('one-store-day');
  const dashboardRow = byName('dashboard');
  const naiveRow = byName('naive');
  const sequentialRow = byName('sequential client');
  const directCallMs = sequentialRow?.latencyMs ? sequentialRow.latencyMs.mean / DASHBOARD_DISTINCT_CALLS : null;
  const netOf = (value: number | undefined): number | null => (value === undefined ? null : value - options.latencyMs);
  const ratios: Ratios = {
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
  };

  // The pass/fail rules: correctness and call counts only. Timings vary by machine and are never judged.
  const checks: Check[] = rows.map((row) => ({
    name: `${row.name}: no errors`,
    ok: row.errors.total === 0,
    detail: row.errors.total === 0 ? '0 errors' : `${row.errors.total} errors (${JSON.stringify(row.errors)}); first: ${row.firstProblem ?? '?'}`,
  }));
  const dash = dashboardRow?.upstream;
  checks.push({
    name: `dashboard: exactly ${DASHBOARD_DISTINCT_CALLS} upstream calls per request`,
    ok: dash !== undefined && dash !== null && !dash.ambiguous && dash.perRequestMin === DASHBOARD_DISTINCT_CALLS && dash.perRequestMax === DASHBOARD_DISTINCT_CALLS,
    detail: dash ? `min ${dash.perRequestMin ?? '—'}, max ${dash.perRequestMax ?? '—'} over ${dashboardRow?.requests ?? 0} requests${dash.ambiguous ? ', attribution ambiguous' : ''}` : 'not measured',
  });
  const naiveCalls = naiveRow?.upstreamCallsPerRequest ?? null;
  checks.push({
    name: `naive: more than ${DASHBOARD_DISTINCT_CALLS} upstream calls per request`,
    ok: naiveCalls !== null && naiveCalls > DASHBOARD_DISTINCT_CALLS,
    detail: naiveCalls === null ? 'no answered request' : `${naiveCalls} per request`,
  });
  const ok = checks.every((check) => check.ok);

  const totalS = (Date.now() - startedAt) / 1000;
  const git = gitDescription();
  const cpus = os.cpus();
  const report = {
    bench: 'passenger-flow-gateway',
    date: new Date(startedAt).toISOString(),
    git,
    machine: { node: process.version, cpus: cpus.length, cpuModel: cpus[0]?.model ?? null, totalMemGiB: os.totalmem() / 2 ** 30 },
    options: { ...options, help: undefined },
    scenarios: Object.fromEntries(rows.map((row) => [row.name, row])),
    ratios,
    checks,
    ok,
    totalSeconds: totalS,
  };

  process.stdout.write(`\n${scenarioTable(rows)}\n\n${ratioTable(ratios)}\n\n${checkList(checks)}\n\n`);
  process.stdout.write(`${JSON.stringify(report, roundForJson)}\n`);
  progress(`${ok ? 'all checks passed' : 'CHECKS FAILED'} in ${totalS.toFixed(1)} s`);
  return ok ? 0 : 1;
}

main()
  .catch((error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    for (const server of servers) process.stderr.write(`--- ${server.name} output ---\n${server.tail()}\n`);
    return 1;
  })
  .then(async (status) => {
    await cleanup();
    process.exit(status);
  });
