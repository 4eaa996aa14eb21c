/**
 * `npm run bench`: what the gateway costs and what it saves, measured on loopback against the emulator.
 *
 * The emulator runs in this process (only in-process can it report its call log); the two floor servers (bare
 * yoga: `{ __typename }`, and the dashboard's schema answering from memory) and two gateways (loader and answer
 * cache on; `GATEWAY_DISABLE_LOADER=1` with `GATEWAY_CACHE=off`) run as child processes so they do not share this
 * process's event loop with the load generator. Last, the outage scenario (outage.ts) runs on its own emulator,
 * which fails every call, and its own gateway, so its open breaker touches nothing else. Prints a markdown
 * table, the ratios, the checks and then one JSON line with every figure. Exits non-zero when a scenario had
 * errors or the upstream call counts are wrong — never because of a timing.
 *
 * This file only orchestrates: scenarios.ts says what runs, measure.ts runs it, ratios.ts and checks.ts
 * judge the figures, report.ts renders them.
 */
import { randomBytes } from 'node:crypto';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { BENCH_USAGE, BenchUsageError, parseBenchArgs, type BenchOptions } from './bench-args.js';
import { startBenchServers } from './bench-servers.js';
import { evaluateChecks } from './checks.js';
import { killAllChildrenNow, runToCompletion, type ChildServer } from './child-server.js';
import { gitDescription, machineDescription } from './environment.js';
import { HOURLY_UPSTREAM_CALLS, measureHourly } from './hourly.js';
import { measureInterleaved, measureSequentialClient, type ScenarioFigures } from './measure.js';
import { measureOutage, outageChecks, outageRatios } from './outage.js';
import { progress } from './progress.js';
import { computeRatios } from './ratios.js';
import { REPO_ROOT } from './repo-root.js';
import { checkList, ratioTable, roundForJson, scenarioTable } from './report.js';
import { createBenchPlan } from './scenarios.js';
import { smokeCheck } from './smoke-check.js';

// Everything this run started, so every way out (normal end, failure, Ctrl-C) stops it.
let emulator: Emulator | null = null;
let outageEmulator: Emulator | null = null;
const servers: ChildServer[] = [];
let cleaning: Promise<void> | null = null;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await Promise.allSettled(servers.map((server) => server.stop()));
    await Promise.allSettled([emulator?.close(), outageEmulator?.close()]);
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
    const build = await runToCompletion('npm', ['run', 'build'], REPO_ROOT, 180_000);
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
  const started = await startBenchServers(upstream.url, key, options, (server) => servers.push(server));
  progress(Object.values(started).map((server) => `${server.name} ${server.url} (pid ${server.pid})`).join(', '));

  const plan = createBenchPlan(options, started);
  progress('checking every server answers correctly');
  for (const check of plan.smokeChecks) await smokeCheck(check);
  const rows: ScenarioFigures[] = [];
  for (const group of plan.loadGroups) rows.push(...(await measureInterleaved(upstream, options, group.scenarios, group.rounds)));
  rows.push(...(await measureHourly(upstream, options, started)));
  rows.push(await measureSequentialClient(upstream, key, plan.sequential));
  const outage = await measureOutage(options, key, (started) => {
    if (started.emulator) outageEmulator = started.emulator;
    if (started.server) servers.push(started.server);
  });
  rows.push(outage);

  const ratios = { ...computeRatios(rows, options), ...outageRatios(outage) };
  const checks = [...evaluateChecks(rows, [...plan.upstreamCalls, ...HOURLY_UPSTREAM_CALLS]), ...outageChecks(outage)];
  const ok = checks.every((check) => check.ok);
  const totalS = (Date.now() - startedAt) / 1000;
  const report = {
    bench: 'passenger-flow-gateway',
    date: new Date(startedAt).toISOString(),
    git: gitDescription(),
    machine: machineDescription(),
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
