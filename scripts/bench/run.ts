/**
 * `npm run bench`: what the gateway costs and what it saves, measured on loopback against the emulator.
 *
 * Every server runs as its own process, so none shares this process's event loop (the load generator's) or
 * another's: the emulator (emulator-process.ts; the bench reads and resets its call log over IPC), the two floor
 * servers (bare yoga: `{ __typename }`, and the dashboard's schema answering from memory), two gateways (loader
 * and answer cache on; `GATEWAY_DISABLE_LOADER=1` with `GATEWAY_CACHE=off`), and the two limits of a
 * one-store-day request with the gateway's signed client (bare node:http, bare yoga). Each scenario reports, besides
 * latency, the CPU per request of its server, of the emulator and of this process, and its server's peak RSS
 * (process-usage.ts, from /proc). Last, the outage scenario (outage.ts) runs on its own emulator process, which
 * fails every call, and its own gateway, so its open breaker touches nothing else. Prints a markdown table, the
 * ratios with their goals, each process's peak memory, the checks and then one JSON line with every figure.
 * Exits non-zero when a scenario had errors or the upstream call counts are wrong — never because of a timing.
 *
 * This file only orchestrates: scenarios.ts says what runs, measure.ts runs it, ratios.ts and checks.ts
 * judge the figures, report.ts renders them.
 */
import { randomBytes } from 'node:crypto';
import { BENCH_USAGE, BenchUsageError, parseBenchArgs, type BenchOptions } from './bench-args.js';
import { startBenchServers } from './bench-servers.js';
import { evaluateChecks } from './checks.js';
import { killAllChildrenNow, runToCompletion, type ChildServer } from './child-server.js';
import { startEmulatorProcess, type BenchEmulator } from './emulator-process.js';
import { gitDescription, machineDescription } from './environment.js';
import { HOURLY_UPSTREAM_CALLS, measureHourly } from './hourly.js';
import { LOAD_GENERATOR, measureInterleaved, measureSequentialClient, type ScenarioFigures } from './measure.js';
import { measureOutage, outageChecks, outageRatios } from './outage.js';
import { ProcessWatch } from './process-usage.js';
import { progress } from './progress.js';
import { measureResilienceOverhead } from './resilience-overhead.js';
import { computeRatios } from './ratios.js';
import { REPO_ROOT } from './repo-root.js';
import { checkList, memoryTable, ratioTable, roundForJson, scenarioTable, type MemoryFigures } from './report.js';
import { createBenchPlan } from './scenarios.js';
import { smokeCheck } from './smoke-check.js';

// Everything this run started, so every way out (normal end, failure, Ctrl-C) stops it.
const emulators: BenchEmulator[] = [];
const servers: ChildServer[] = [];
let cleaning: Promise<void> | null = null;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await Promise.allSettled(servers.map((server) => server.stop()));
    await Promise.allSettled(emulators.map((emulator) => emulator.stop()));
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
  const upstream = await startEmulatorProcess({ name: 'emulator', keys: [key], latencyMs: options.latencyMs });
  emulators.push(upstream);
  progress(`emulator at ${upstream.url} (pid ${upstream.pid}), +${options.latencyMs} ms per call`);
  const started = await startBenchServers(upstream.url, key, options, (server) => servers.push(server));
  progress(Object.values(started).map((server) => `${server.name} ${server.url} (pid ${server.pid})`).join(', '));

  const watch = new ProcessWatch();
  const plan = createBenchPlan(options, started);
  progress('checking every server answers correctly');
  // Each server's checks in their order, the servers side by side.
  const smokedUrls = [...new Set(plan.smokeChecks.map((check) => check.url))];
  await Promise.all(
    smokedUrls.map(async (url) => {
      for (const check of plan.smokeChecks) if (check.url === url) await smokeCheck(check);
    }),
  );
  const rows: ScenarioFigures[] = [];
  for (const group of plan.loadGroups) rows.push(...(await measureInterleaved(upstream, watch, options, group.scenarios, group.rounds)));
  rows.push(...(await measureHourly(upstream, watch, options, started)));
  rows.push(await measureSequentialClient(upstream, watch, key, plan.sequential));
  // Peaks of the processes that are done now, before anything stops them.
  for (const child of [upstream, ...Object.values(started), LOAD_GENERATOR]) watch.observe(child);
  const outage = await measureOutage(options, key, started.floor, watch, (started) => {
    if (started.emulator) emulators.push(started.emulator);
    if (started.server) servers.push(started.server);
  });
  rows.push(outage.closedLoop, outage.fixedRate);
  watch.observe(LOAD_GENERATOR);

  progress('resilience overhead: a healthy call awaited directly and through the breaker and retry budget');
  const resilience = await measureResilienceOverhead(options.quick);
  const ratios = { ...computeRatios(rows, options), ...outageRatios(outage.closedLoop), breakerAndBudgetNsPerCall: resilience.overheadNs };
  const peaks = watch.peaksMiB();
  const memory: MemoryFigures = { gatewayPeakRssMiB: peaks[started.gateway.name] ?? null, peakRssMiB: peaks, peakPerScenario: !watch.peakSinceStart };
  const checks = [...evaluateChecks(rows, [...plan.upstreamCalls, ...HOURLY_UPSTREAM_CALLS]), ...outageChecks(outage.closedLoop)];
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
    memory,
    checks,
    ok,
    totalSeconds: totalS,
  };

  process.stdout.write(`\n${scenarioTable(rows)}\n\n${ratioTable(ratios, memory)}\n\n${memoryTable(memory)}\n\n${checkList(checks)}\n\n`);
  process.stdout.write(`${JSON.stringify(report, roundForJson)}\n`);
  progress(`${ok ? 'all checks passed' : 'CHECKS FAILED'} in ${totalS.toFixed(1)} s`);
  return ok ? 0 : 1;
}

main()
  .catch((error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    for (const child of [...emulators, ...servers]) process.stderr.write(`--- ${child.name} output ---\n${child.tail()}\n`);
    return 1;
  })
  .then(async (status) => {
    await cleanup();
    process.exit(status);
  });
