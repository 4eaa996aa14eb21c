/** Command-line flags of `npm run bench`. */
export interface BenchOptions {
  /** Seconds each load scenario runs. @default 10 (2 with --quick) */
  durationS: number;
  /**
   * Connections of the scenarios bound by CPU or by one call: floor, gateway-introspection-light, one-store-day,
   * dashboard-warm and dashboard-floor (one-store-day-50 and its two baselines always use 50). @default 10
   */
  connections: number;
  /**
   * Connections of the dashboard and naive scenarios. Each dashboard keeps OPRETAIL_MAX_CONCURRENCY upstream
   * calls in flight and the naive gateway's upstream pool has 2 × that many sockets, so 2 connections fill it
   * exactly; more would queue on sockets and measure the pool instead of the loader. @default 2
   */
  dashboardConnections: number;
  /** Latency the emulator adds to every upstream answer, ms. @default 25 */
  latencyMs: number;
  /** OPRETAIL_MAX_CONCURRENCY of both gateways, and the divisor of the ideal dashboard time. @default 8 */
  maxConcurrency: number;
  /** Dashboards fetched by the sequential client. @default 3 (1 with --quick) */
  sequentialRuns: number;
  /**
   * Requests per second the outage's second phase offers once the breaker is open, over its 20 connections: well
   * below what the gateway can answer on this machine, so its latency is failing fast, not queueing. @default 200
   */
  outageRate: number;
  /** Every scenario briefly: a smoke run that finishes in well under a minute. @default false */
  quick: boolean;
  /** Use the existing dist/ instead of running `npm run build` first. @default false */
  skipBuild: boolean;
  help: boolean;
}

export const BENCH_USAGE = `Usage: npm run bench -- [flags]
  --duration <s>              seconds per load scenario (default 10; 2 with --quick)
  --connections <n>           connections for floor, gateway-introspection-light, one-store-day,
                              dashboard-warm, dashboard-floor (default 10; one-store-day-50
                              and its baselines always use 50)
  --dashboard-connections <n> connections for dashboard and naive (default 2)
  --latency-ms <ms>           latency the emulator adds to every upstream call (default 25)
  --max-concurrency <n>       OPRETAIL_MAX_CONCURRENCY of the gateways (default 8)
  --sequential-runs <n>       dashboards fetched by the sequential client (default 3; 1 with --quick)
  --outage-rate <req/s>       offered rate of the outage's second phase, once the breaker is open (default 200)
  --quick                     every scenario briefly (about a minute in all)
  --skip-build                do not run \`npm run build\`; use the existing dist/
  --help                      this text`;

export class BenchUsageError extends Error {
  override readonly name = 'BenchUsageError';
  readonly code = 'BENCH_USAGE';
}

type NumericFlag = 'durationS' | 'connections' | 'dashboardConnections' | 'latencyMs' | 'maxConcurrency' | 'sequentialRuns' | 'outageRate';

/** Flag → option, with the bounds that keep every loop of the bench finite and loopback-sized. */
const NUMERIC_FLAGS: Record<string, { key: NumericFlag; min: number; max: number; integer: boolean }> = {
  '--duration': { key: 'durationS', min: 1, max: 600, integer: true },
  '--connections': { key: 'connections', min: 1, max: 1000, integer: true },
  '--dashboard-connections': { key: 'dashboardConnections', min: 1, max: 100, integer: true },
  '--latency-ms': { key: 'latencyMs', min: 0, max: 5000, integer: false },
  '--max-concurrency': { key: 'maxConcurrency', min: 1, max: 256, integer: true },
  '--sequential-runs': { key: 'sequentialRuns', min: 1, max: 100, integer: true },
  '--outage-rate': { key: 'outageRate', min: 1, max: 10_000, integer: false },
};

/** Parses `--flag value` and `--flag=value`; explicit flags win over what --quick implies. */
export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const explicit: Partial<Record<NumericFlag, number>> = {};
  let quick = false;
  let skipBuild = false;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    if (name === '--quick' || name === '--skip-build' || name === '--help' || name === '-h') {
      if (eq !== -1) throw new BenchUsageError(`${name} takes no value`);
      if (name === '--quick') quick = true;
      else if (name === '--skip-build') skipBuild = true;
      else help = true;
      continue;
    }
    const spec = NUMERIC_FLAGS[name];
    if (spec === undefined) throw new BenchUsageError(`unknown flag ${arg}`);
    const raw = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (raw === undefined || raw === '') throw new BenchUsageError(`${name} needs a value`);
    const value = Number(raw);
    if (!Number.isFinite(value) || (spec.integer && !Number.isInteger(value)) || value < spec.min || value > spec.max) {
      throw new BenchUsageError(`${name} must be ${spec.integer ? 'an integer' : 'a number'} from ${spec.min} to ${spec.max} (got "${raw}")`);
    }
    explicit[spec.key] = value;
  }
  return {
    durationS: explicit.durationS ?? (quick ? 2 : 10),
    connections: explicit.connections ?? 10,
    dashboardConnections: explicit.dashboardConnections ?? 2,
    latencyMs: explicit.latencyMs ?? 25,
    maxConcurrency: explicit.maxConcurrency ?? 8,
    sequentialRuns: explicit.sequentialRuns ?? (quick ? 1 : 3),
    outageRate: explicit.outageRate ?? 200,
    quick,
    skipBuild,
    help,
  };
}
