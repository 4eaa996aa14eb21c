import type { BenchOptions } from './bench-args.js';
import { startChildServer, type ChildServer } from './child-server.js';
import { REPO_ROOT } from './repo-root.js';
import { ONE_STORE_DAY_50_CONNECTIONS } from './scenario-queries.js';
import { benchServerReadyLine } from './serve-loopback.js';

const GATEWAY_READY = /Passenger Flow Gateway listening on (http:\/\/127\.0\.0\.1:\d+\/graphql)/;

/**
 * The servers under load, each its own process: the two bare-yoga floors (`{ __typename }`, and the dashboard's
 * schema answering from memory), the gateway (answer cache on, in memory), the naive gateway (no loader, no
 * cache), and the two limits of a one-store-day request with the gateway's signed client — bare `node:http`
 * (limit-server.ts) and bare yoga (bare-yoga-client-server.ts).
 */
export interface BenchServers {
  floor: ChildServer;
  dashboardFloor: ChildServer;
  gateway: ChildServer;
  naive: ChildServer;
  limit: ChildServer;
  yogaClient: ChildServer;
}

/** How a gateway under test is configured beyond the common settings. */
interface GatewayVariant {
  /** GATEWAY_DISABLE_LOADER: one upstream call per resolved field, no batching, de-duplication or cache. */
  disableLoader: boolean;
  /** GATEWAY_CACHE: the cross-request answer cache (in memory: REDIS_URL is never passed on). */
  cache: 'on' | 'off';
}

/**
 * A bench gateway's environment: inherited, minus anything that would change what is measured (a developer's
 * OPRETAIL_RETRIES, GATEWAY_MAX_STORE_IDS, CACHE_* bounds, breaker or shutdown settings, a REDIS_URL that would
 * share entries between gateways and across runs, a metrics port or tracing endpoint), plus the emulator.
 * LOG_LEVEL is `notice`: nothing per request is logged, and the "listening on" line the bench waits for is a
 * notice. GATEWAY_ALLOW_ANONYMOUS: the upstream mode needs client keys or this explicit choice, and the bench's
 * gateways listen on loopback only. No metrics listener: the gateways would all want its one port.
 */
export function benchGatewayEnv(upstreamUrl: string, key: { key: string; secret: string }, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const inherited = Object.entries(process.env).filter(
    ([name]) => !/^(OPRETAIL_|GATEWAY_|CACHE_|METRICS_|OTEL_)/.test(name) && !['HOST', 'PORT', 'LOG_LEVEL', 'REDIS_URL', 'SHUTDOWN_GRACE_MS'].includes(name),
  );
  return {
    ...Object.fromEntries(inherited),
    HOST: '127.0.0.1',
    PORT: '0',
    OPRETAIL_BASE_URL: upstreamUrl,
    OPRETAIL_APP_KEY: key.key,
    OPRETAIL_APP_SECRET: key.secret,
    GATEWAY_ALLOW_ANONYMOUS: 'true',
    LOG_LEVEL: 'notice',
    METRICS_PORT: 'off',
    ...extra,
  };
}

/**
 * Upstream sockets (OPRETAIL_MAX_CONNECTIONS) of a server whose scenarios use at most `connections` connections:
 * at least one per connection, so no one-call request waits for a socket (16 sockets under 50 connections made
 * one-store-day queue: +67 ms p50, Little's law, not gateway overhead), and at least two dashboards' worth
 * (2 × OPRETAIL_MAX_CONCURRENCY), so `--dashboard-connections 2` measures the loader rather than socket queueing.
 */
function upstreamSockets(options: BenchOptions, connections: number): number {
  return Math.max(2 * options.maxConcurrency, connections);
}

/** The environment of a server calling upstream: the bench gateway's, with these sockets and the variant. */
function upstreamEnv(upstreamUrl: string, key: { key: string; secret: string }, options: BenchOptions, connections: number, variant: GatewayVariant): NodeJS.ProcessEnv {
  return benchGatewayEnv(upstreamUrl, key, {
    OPRETAIL_MAX_CONCURRENCY: String(options.maxConcurrency),
    OPRETAIL_MAX_CONNECTIONS: String(upstreamSockets(options, connections)),
    GATEWAY_DISABLE_LOADER: variant.disableLoader ? '1' : '0',
    GATEWAY_CACHE: variant.cache,
  });
}

/**
 * Starts the six servers as child processes, so none shares the load generator's event loop. `onStarted`
 * sees each server as soon as it is up, so a sibling's failed start still gets it stopped.
 */
export async function startBenchServers(
  upstreamUrl: string,
  key: { key: string; secret: string },
  options: BenchOptions,
  onStarted: (server: ChildServer) => void,
): Promise<BenchServers> {
  const start = (spec: Parameters<typeof startChildServer>[0]) =>
    startChildServer(spec).then((server) => {
      onStarted(server);
      return server;
    });
  const benchServer = (name: string, script: string, env: NodeJS.ProcessEnv = process.env) =>
    start({ name, command: process.execPath, args: ['--import', 'tsx', script], cwd: REPO_ROOT, env, ready: benchServerReadyLine(name) });
  const gatewayServer = (name: string, env: NodeJS.ProcessEnv) =>
    start({ name, command: process.execPath, args: ['dist/server.js'], cwd: REPO_ROOT, env, ready: GATEWAY_READY });
  const fullFeatured: GatewayVariant = { disableLoader: false, cache: 'on' };
  // The limits get the gateway's environment: their client reads the same OPRETAIL_* settings.
  const limitEnv = upstreamEnv(upstreamUrl, key, options, ONE_STORE_DAY_50_CONNECTIONS, fullFeatured);
  const [floor, dashboardFloor, gateway, naive, limit, yogaClient] = await Promise.all([
    benchServer('floor', 'scripts/bench/floor-server.ts'),
    benchServer('dashboard-floor', 'scripts/bench/dashboard-floor-server.ts'),
    gatewayServer('gateway', upstreamEnv(upstreamUrl, key, options, Math.max(options.connections, ONE_STORE_DAY_50_CONNECTIONS), fullFeatured)),
    // The naive gateway measures a gateway without batching or de-duplication: no cache either, whatever the
    // loader switch implies about it, so every dashboard is all its fields' calls.
    gatewayServer('naive gateway', upstreamEnv(upstreamUrl, key, options, options.dashboardConnections, { disableLoader: true, cache: 'off' })),
    benchServer('limit', 'scripts/bench/limit-server.ts', limitEnv),
    benchServer('yoga-client', 'scripts/bench/bare-yoga-client-server.ts', limitEnv),
  ]);
  return { floor, dashboardFloor, gateway, naive, limit, yogaClient };
}
