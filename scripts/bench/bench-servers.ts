import type { BenchOptions } from './bench-args.js';
import { startChildServer, type ChildServer } from './child-server.js';
import { REPO_ROOT } from './repo-root.js';

const GATEWAY_READY = /Passenger Flow Gateway listening on (http:\/\/127\.0\.0\.1:\d+\/graphql)/;
const FLOOR_READY = /floor listening on (http:\/\/127\.0\.0\.1:\d+\/graphql)/;

/** The servers under load: the bare-yoga floor, the gateway, and the gateway with `GATEWAY_DISABLE_LOADER=1`. */
export interface BenchServers {
  floor: ChildServer;
  gateway: ChildServer;
  naive: ChildServer;
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
 * Starts the three servers as child processes, so none shares the load generator's event loop. `onStarted`
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
  const [floor, gateway, naive] = await Promise.all([
    start({ name: 'floor', command: process.execPath, args: ['--import', 'tsx', 'scripts/bench/floor-server.ts'], cwd: REPO_ROOT, env: process.env, ready: FLOOR_READY }),
    start({ name: 'gateway', command: process.execPath, args: ['dist/server.js'], cwd: REPO_ROOT, env: gatewayEnv(upstreamUrl, key, options, false), ready: GATEWAY_READY }),
    start({ name: 'naive gateway', command: process.execPath, args: ['dist/server.js'], cwd: REPO_ROOT, env: gatewayEnv(upstreamUrl, key, options, true), ready: GATEWAY_READY }),
  ]);
  return { floor, gateway, naive };
}
