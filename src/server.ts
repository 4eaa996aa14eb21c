import { createServer, type Server } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { clientKnobs, ConfigError, loadConfig, type GatewayConfig } from './config.js';
import { createCaching, upstreamAccount } from './caching.js';
import { createGatewayDirectory } from './directory.js';
import { EnvFileError, loadEnvFile } from './env-file.js';
import { createLogger, type Logger } from './logger.js';
import { createHealthHandler } from './observability/health.js';
import { createMetricsServer, METRICS_PATH } from './observability/metrics-server.js';
import { createMetrics, type GatewayMetrics } from './observability/metrics.js';
import { startTracingFromEnv } from './telemetry/start.js';
import { ApiKeysFileError, loadApiKeysFile, type ApiKeyRegistry } from './security/api-keys.js';
import { limitRequestBodies } from './security/body-limit.js';
import { loadTrustedDocuments, TrustedDocumentsError, type TrustedDocuments } from './security/trusted-documents.js';
import type { BreakerState } from './upstream/circuit-breaker.js';
import { createOpretailClient, type OpretailClientConfig, type UpstreamAttemptEvent } from './upstream/client.js';
import { createHourlyFlowApi } from './upstream/hourly-flow.js';
import { createPassengerFlowApi } from './upstream/passenger-flow.js';
import { createGatewayYoga, GRAPHIQL_PATH, GRAPHQL_PATH } from './yoga.js';

/** Demo credentials of the embedded emulator; they only ever travel over loopback. */
const DEMO_KEY = { key: 'demo-key', secret: 'demo-secret' };

/** Logs (and counts) what an upstream attempt was, never what it carried. */
function observeAttempt(logger: Logger, metrics: GatewayMetrics | null) {
  return (event: UpstreamAttemptEvent) => {
    metrics?.upstreamAttempt(event.method, event.outcome, event.attempt, event.durationMs / 1000);
    const fields = { method: event.method, attempt: event.attempt, outcome: event.outcome, ms: event.durationMs, cid: event.cid, httpStatus: event.httpStatus };
    const line = `upstream ${event.method} attempt=${event.attempt} outcome=${event.outcome}${event.cancelled ? ' (cancelled)' : ''} ms=${event.durationMs}${event.cid ? ` cid=${event.cid}` : ''}`;
    // A cancelled request (the caller went away) is routine, not an upstream failure.
    if (event.outcome === 'SUCCESS' || event.cancelled) logger.debug(line, fields);
    else logger.warn(line, fields);
  };
}

async function resolveUpstream(
  config: GatewayConfig,
  logger: Logger,
  metrics: GatewayMetrics | null,
): Promise<{ client: OpretailClientConfig; stop(): Promise<void> }> {
  const knobs = {
    ...clientKnobs(config),
    onAttempt: observeAttempt(logger, metrics),
    onBreakerStateChange: (state: BreakerState) => {
      metrics?.circuitOpen(state !== 'closed');
      if (state === 'open') logger.warn('circuit breaker open: the vendor is failing; calls fail fast (or are served stale) until a probe succeeds', { breaker: state });
      else logger.notice(`circuit breaker ${state}`, { breaker: state });
    },
  };
  if (config.upstream.mode === 'vendor') {
    const { baseUrl, appKey, appSecret, auth, signMethod, aid, timeZone } = config.upstream;
    const authText = auth.kind === 'login' ? `, login as ${auth.userName}` : auth.kind === 'token' ? ', static token' : '';
    logger.notice(`upstream: ${baseUrl} (key ${appKey}, ${signMethod}, aid ${aid}, zone ${timeZone}${authText})`);
    return { client: { ...knobs, baseUrl, appKey, appSecret, auth }, stop: async () => {} };
  }
  // The emulator is loaded only in demo mode, so a production start never pulls it in.
  const { startEmulator } = await import('./emulator/index.js');
  // A bounded call log: nobody reads it in demo mode, and the process may run for days.
  const emulator = await startEmulator({ keys: [{ ...DEMO_KEY, aid: config.upstream.aid }], host: '127.0.0.1', port: 0, callLogLimit: 100 });
  logger.notice(`DEMO MODE: OPRETAIL_BASE_URL is not set, so the built-in opretail emulator serves synthetic data at ${emulator.url}`);
  return {
    client: { ...knobs, baseUrl: emulator.url, appKey: DEMO_KEY.key, appSecret: DEMO_KEY.secret, auth: { kind: 'none' } },
    stop: () => emulator.close(),
  };
}

async function main(): Promise<void> {
  let config: GatewayConfig;
  let envFile: { loaded: boolean; path: string };
  try {
    // .env in the working directory fills in what the real environment leaves unset.
    envFile = loadEnvFile();
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError || error instanceof EnvFileError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  // Before anything big is allocated. V8 reads the factor at each full collection, so it takes effect now.
  if (config.heapGrowingPercent > 0) setFlagsFromString(`--heap-growing-percent=${config.heapGrowingPercent}`);
  const logger = createLogger({ level: config.logLevel, format: config.logFormat });
  if (envFile.loaded) logger.notice(`configuration: read ${envFile.path} (the real environment wins over it)`);
  for (const name of config.unknownVariables) logger.warn(`unknown configuration variable ${name} is ignored (a typo?)`);
  let apiKeys: ApiKeyRegistry | null = null;
  let trustedDocuments: TrustedDocuments | null = null;
  try {
    if (config.apiKeysFile !== undefined) apiKeys = loadApiKeysFile(config.apiKeysFile);
    if (config.trustedDocumentsFile !== undefined) trustedDocuments = loadTrustedDocuments(config.trustedDocumentsFile);
  } catch (error) {
    if (error instanceof ApiKeysFileError || error instanceof TrustedDocumentsError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  if (apiKeys) logger.notice(`client keys: ${apiKeys.size} from GATEWAY_API_KEYS_FILE${config.allowAnonymous ? '; requests without a key are served too (GATEWAY_ALLOW_ANONYMOUS)' : '; every request needs one'}`);
  else if (config.upstream.mode === 'vendor') logger.notice('client keys: none; GATEWAY_ALLOW_ANONYMOUS=true serves anyone who can reach the gateway');
  if (trustedDocuments) logger.notice(`trusted documents: ${trustedDocuments.size} from GATEWAY_TRUSTED_DOCUMENTS`);

  const metrics = config.metricsPort === null ? null : createMetrics();
  const tracing = await startTracingFromEnv(config, logger);
  const upstream = await resolveUpstream(config, logger, metrics);
  const caching = await createCaching(
    config,
    upstreamAccount(upstream.client.baseUrl, upstream.client.appKey, upstream.client.aid),
    logger,
    metrics ? (source, backend) => metrics.cacheLookup(backend, source) : undefined,
  );
  const client = createOpretailClient({
    ...upstream.client,
    ...(caching.limiter ? { limiter: caching.limiter } : {}),
    ...(tracing ? { instrumentAttempt: tracing.instrumentAttempt } : {}),
  });
  metrics?.trackInflight(() => client.inFlight);
  const yoga = createGatewayYoga({
    passengerFlow: createPassengerFlowApi(client),
    hourlyFlow: createHourlyFlowApi(client),
    config,
    logger,
    apiKeys,
    trustedDocuments,
    cache: caching.cache,
    storeDirectory: createGatewayDirectory(client, config, caching.cache),
    ...(metrics ? { onAnswered: (record, _status, seconds) => metrics.graphqlRequest(record.operation, record.errorCodes[0] ?? 'SUCCESS', seconds) } : {}),
    ...(tracing ? { plugins: [tracing.yogaPlugin()] } : {}),
    ...(metrics || tracing
      ? {
          instrumentBatch: <T>(size: number, run: () => Promise<T>) => {
            metrics?.loaderBatch(size);
            return tracing ? tracing.instrumentBatch(size, run) : run();
          },
        }
      : {}),
  });
  let stopping = false;
  const health = createHealthHandler([
    { name: 'circuit-breaker', ok: () => client.breakerState === 'closed', state: () => client.breakerState },
    ...(caching.redis ? [{ name: 'redis', ok: () => caching.redis!.available(), state: () => (caching.redis!.available() ? 'reachable' : 'unreachable') }] : []),
    { name: 'draining', ok: () => !stopping, state: () => (stopping ? 'shutting down' : 'serving') },
  ]);
  const handle = limitRequestBodies({ handleNode: yoga.handleNode, fetch: (url, init) => yoga.fetch(url, init as RequestInit) }, config.maxBodyBytes);
  const server = createServer(
    {
      // A client must send its whole request in GATEWAY_CLIENT_TIMEOUT_MS and its headers sooner: slow-body
      // clients are cut off (checked every second, not Node's default 30 s).
      requestTimeout: config.clientTimeoutMs,
      headersTimeout: config.headersTimeoutMs,
      connectionsCheckingInterval: 1000,
    },
    (req, res) => {
      // While shutting down, every answer closes its connection, so keep-alive clients let go.
      if (stopping) res.setHeader('connection', 'close');
      if (health(req, res)) return;
      handle(req, res);
    },
  );
  await listen(server, config.port, config.host);
  const port = portOf(server, config.port);
  let metricsServer: Server | null = null;
  if (metrics && config.metricsPort !== null) {
    metricsServer = createMetricsServer(metrics.registry);
    await listen(metricsServer, config.metricsPort, config.metricsHost);
  }
  logger.notice(
    `Passenger Flow Gateway listening on http://${config.host}:${port}${GRAPHQL_PATH}${config.graphiql === 'off' ? '' : ` (GraphiQL at http://${config.host}:${port}${GRAPHIQL_PATH})`}` +
      (metricsServer ? `; metrics on http://${config.metricsHost}:${portOf(metricsServer, config.metricsPort ?? 0)}${METRICS_PATH}` : '') +
      `; cache ${caching.backend}${caching.limiter ? `, vendor calls capped at ${caching.limiter.perSecond}/s` : ''}${tracing ? '; tracing to OTEL_EXPORTER_OTLP_ENDPOINT' : ''}`,
  );

  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const grace = config.shutdownGraceMs;
    logger.notice(`${signal}: shutting down (in-flight requests have up to ${grace} ms)`);
    // Whatever clients or the vendor do, the process ends: the grace period, then a last second to clean up.
    setTimeout(() => {
      logger.notice('shut down (grace period over)');
      process.exit(0);
    }, grace + 1000).unref();
    // Stop accepting; idle keep-alive sockets go now, busy ones as soon as their answer is out (answers begun
    // before the signal still said keep-alive, so their sockets are closed once idle), the rest at the deadline.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const idleSweep = setInterval(() => server.closeIdleConnections(), 50);
    idleSweep.unref();
    const deadline = setTimeout(() => server.closeAllConnections(), grace);
    deadline.unref();
    await closed;
    clearTimeout(deadline);
    clearInterval(idleSweep);
    metricsServer?.closeAllConnections();
    metricsServer?.close();
    await Promise.allSettled([client.close(), caching.close(), upstream.stop(), tracing?.shutdown()]);
    logger.notice('shut down');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function portOf(server: Server, fallback: number): number {
  const address = server.address();
  return typeof address === 'object' && address ? address.port : fallback;
}

main().catch((error: unknown) => {
  process.stderr.write(`start-up failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
