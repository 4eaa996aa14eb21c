import { createTimestampFormatter } from './upstream/timestamp.js';
import type { OpretailAuth, OpretailClientConfig } from './upstream/client.js';
import { SIGN_METHODS, type SignMethod } from './upstream/sign.js';

/** How the gateway signs and stamps its calls: the same in both modes. */
export interface SigningConfig {
  signMethod: SignMethod;
  /** `_aid` (OPRETAIL_AID). */
  aid: string;
  /** Zone of the platform clock used for `_timestamp` (OPRETAIL_TIMEZONE). */
  timeZone: string;
  /** Send a random `_nonce` per attempt (newer official SDKs do); off for tenants that refuse it. */
  nonce: boolean;
}

/** Where upstream calls go: the real vendor, or the embedded emulator (demo mode). */
export type UpstreamConfig =
  | (SigningConfig & {
      mode: 'vendor';
      baseUrl: string;
      appKey: string;
      appSecret: string;
      /** A static token, a mobileLogin the gateway performs itself, or neither. */
      auth: OpretailAuth;
    })
  | (SigningConfig & { mode: 'demo' });

/** The whole validated configuration; built from the environment in one place. */
export interface GatewayConfig {
  host: string;
  port: number;
  upstream: UpstreamConfig;
  /** Per-attempt upstream timeout. */
  timeoutMs: number;
  /** Further attempts after a retryable upstream failure. */
  retries: number;
  /** Upstream calls in flight at once for one GraphQL request. */
  maxConcurrency: number;
  /** Keep-alive connections to the upstream, shared by all requests: the process-wide cap on calls in flight. */
  maxConnections: number;
  /** Longest `passengerIndicator` window, in days. */
  maxSpanDays: number;
  /** Longest `dailyPassengerIndicators` series, in days. */
  maxDailyDays: number;
  /** Most ids `stores(ids:)` accepts. */
  maxStoreIds: number;
  /** Most upstream calls one GraphQL request may cause. */
  maxUpstreamCalls: number;
  /** Debug only: no batching/de-duplication (one upstream call per resolved field). */
  disableLoader: boolean;
  logLevel: LogLevel;
  /** `json` lines on stdout (for machines), or `pretty` (for a terminal). */
  logFormat: LogFormat;
  /** GraphiQL at /graphql for browsers: assets inlined, from the unpkg CDN, or not served. */
  graphiql: (typeof GRAPHIQL_MODES)[number];
  /** `NODE_ENV=production`: safer defaults (no introspection, suggestions, GraphiQL or traces for anyone). */
  production: boolean;
  /** JSON file of client keys (hashes, store allow-lists, per-key flags); unset = no keys. */
  apiKeysFile: string | undefined;
  /** Upstream mode without a key file: serve anyone anyway (an explicit, logged choice). */
  allowAnonymous: boolean;
  /** Largest request body, in bytes; larger ones get HTTP 413 before yoga reads them. */
  maxBodyBytes: number;
  /** Most tokens a document may have; parsing stops there, so a huge document costs no memory. */
  maxTokens: number;
  /** Deepest selection nesting a document may have (introspection excepted). */
  maxDepth: number;
  /** Most aliases one operation may use. */
  maxAliases: number;
  /** Most directives one document may use. */
  maxDirectives: number;
  /** Origins allowed to call from a browser (CORS); empty = none (demo mode: any origin, no credentials). */
  corsOrigins: string[];
  /** Schema introspection (`__schema`, `__type`); federation's `_service` is not introspection. */
  introspection: boolean;
  /** JSON map `{ "<sha256>": "<document>" }` of trusted documents; unset = none. */
  trustedDocumentsFile: string | undefined;
  /** Variables that look like ours but are unknown (likely typos), to warn about at start-up. */
  unknownVariables: string[];
  /** The upstream answer cache: `on` (memory, or Redis with REDIS_URL) or `off`. */
  cache: 'on' | 'off';
  /** Redis for the cache, coalescing and the rate limit across instances; unset = per process. */
  redisUrl: string | undefined;
  /** In-memory cache bound: entries. */
  cacheMaxEntries: number;
  /** In-memory cache bound: bytes of cached JSON. */
  cacheMaxBytes: number;
  /** A window that ended longer ago than this is settled (devices upload late). */
  cacheSettleMinutes: number;
  /** How long a settled window's answer is kept. */
  cacheSettledTtlS: number;
  /** How long an open, future or recently ended window's answer is fresh. */
  cacheOpenTtlS: number;
  /** How long after it stops being fresh an open window's answer may still be served when the vendor fails. */
  cacheMaxStaleS: number;
  /** Cross-instance coalescing: how long one instance holds the fetch lock of a key (Redis). */
  cacheLockMs: number;
  /** Calls to the vendor per second for the whole deployment (per process without Redis); unset = no cap. */
  maxCallsPerSecond: number | undefined;
  /** Deadline of one GraphQL request: every upstream wait of it ends by then. */
  requestTimeoutMs: number;
  /** Retries may add at most this percentage of first attempts (sliding window)… */
  retryBudgetPercent: number;
  /** …but at least this many retries per window, so a lone request can still retry. */
  retryBudgetMin: number;
  /** The breaker opens when at least this percentage of recent calls failed for unhealthy reasons… */
  breakerFailurePercent: number;
  /** …among at least this many calls… */
  breakerMinCalls: number;
  /** …in this sliding window. */
  breakerWindowMs: number;
  /** How long the breaker stays open before one probe call is let through. */
  breakerCooldownMs: number;
  /** Calls that may wait for one of OPRETAIL_MAX_CONNECTIONS; beyond, fail fast. */
  maxQueued: number;
  /** On SIGTERM/SIGINT, how long in-flight requests may take to finish. */
  shutdownGraceMs: number;
  /** A client must send its whole request (headers and body) within this. */
  clientTimeoutMs: number;
  /** …and its headers within this. */
  headersTimeoutMs: number;
  /**
   * V8's heap growing factor, in percent over the live heap after a full GC (`--heap-growing-percent`); 0 leaves
   * V8's own (which lets the heap grow up to 4× between collections).
   */
  heapGrowingPercent: number;
  /** Port of the Prometheus listener (`/metrics`); null = off. */
  metricsPort: number | null;
  /** Interface of the Prometheus listener. */
  metricsHost: string;
  /** Stores per getDepartments page when the store directory is fetched (the vendor takes at most 100). */
  directoryPageSize: number;
  /** Most pages one directory fetch may take: a larger directory, or a vendor that never ends, is an error. */
  directoryMaxPages: number;
  /** openStatus values that mean a store is open (the vendor does not document them). */
  directoryOpenStatuses: string[];
  /** How long the fetched store directory is the answer for every request. */
  cacheDirectoryTtlS: number;
  /** Longest `hourlyPassengerIndicators` window, in days (OPRETAIL_MAX_HOURLY_DAYS). */
  maxHourlyDays: number;
  /** Most stores in one call of the multi-store hourly method (OPRETAIL_HOURLY_BATCH_SIZE). */
  hourlyBatchSize: number;
  /** `_mt` of the multi-store hourly method (OPRETAIL_HOURLY_METHOD); deployments name it differently. */
  hourlyMethod: string;
  /** OTLP/HTTP endpoint for traces (OTEL_EXPORTER_OTLP_ENDPOINT); unset = no tracing, nothing of it loaded. */
  otelEndpoint: string | undefined;
  /** `service.name` of the spans (OTEL_SERVICE_NAME). */
  otelServiceName: string;
}

/**
 * Every variable `loadConfig` reads. A `GATEWAY_*`/`OPRETAIL_*` variable outside this list is a likely typo
 * and is warned about at start-up; the README table and `.env.example` document each one (a test checks).
 */
export const CONFIG_VARIABLES = [
  'HOST',
  'PORT',
  'LOG_LEVEL',
  'LOG_FORMAT',
  'NODE_ENV',
  'OPRETAIL_BASE_URL',
  'OPRETAIL_APP_KEY',
  'OPRETAIL_APP_SECRET',
  'OPRETAIL_SIGN_METHOD',
  'OPRETAIL_AID',
  'OPRETAIL_TIMEZONE',
  'OPRETAIL_AUTHENTICATOR',
  'OPRETAIL_USERNAME',
  'OPRETAIL_PASSWORD',
  'OPRETAIL_NONCE',
  'OPRETAIL_TIMEOUT_MS',
  'OPRETAIL_RETRIES',
  'OPRETAIL_MAX_CONCURRENCY',
  'OPRETAIL_MAX_CONNECTIONS',
  'OPRETAIL_MAX_SPAN_DAYS',
  'OPRETAIL_MAX_DAILY_DAYS',
  'GATEWAY_MAX_STORE_IDS',
  'GATEWAY_MAX_UPSTREAM_CALLS',
  'GATEWAY_GRAPHIQL',
  'GATEWAY_DISABLE_LOADER',
  'GATEWAY_API_KEYS_FILE',
  'GATEWAY_ALLOW_ANONYMOUS',
  'GATEWAY_MAX_BODY_BYTES',
  'GATEWAY_MAX_TOKENS',
  'GATEWAY_MAX_DEPTH',
  'GATEWAY_MAX_ALIASES',
  'GATEWAY_MAX_DIRECTIVES',
  'GATEWAY_CORS_ORIGINS',
  'GATEWAY_INTROSPECTION',
  'GATEWAY_TRUSTED_DOCUMENTS',
  'GATEWAY_CACHE',
  'REDIS_URL',
  'CACHE_MAX_ENTRIES',
  'CACHE_MAX_BYTES',
  'CACHE_SETTLE_MINUTES',
  'CACHE_SETTLED_TTL_S',
  'CACHE_OPEN_TTL_S',
  'CACHE_MAX_STALE_S',
  'CACHE_LOCK_MS',
  'OPRETAIL_MAX_CALLS_PER_SECOND',
  'GATEWAY_REQUEST_TIMEOUT_MS',
  'OPRETAIL_RETRY_BUDGET_PERCENT',
  'OPRETAIL_RETRY_BUDGET_MIN',
  'OPRETAIL_BREAKER_FAILURE_PERCENT',
  'OPRETAIL_BREAKER_MIN_CALLS',
  'OPRETAIL_BREAKER_WINDOW_MS',
  'OPRETAIL_BREAKER_COOLDOWN_MS',
  'OPRETAIL_MAX_QUEUED',
  'SHUTDOWN_GRACE_MS',
  'GATEWAY_CLIENT_TIMEOUT_MS',
  'GATEWAY_HEADERS_TIMEOUT_MS',
  'GATEWAY_HEAP_GROWING_PERCENT',
  'METRICS_PORT',
  'METRICS_HOST',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_SERVICE_NAME',
  'OPRETAIL_DIRECTORY_PAGE_SIZE',
  'OPRETAIL_DIRECTORY_MAX_PAGES',
  'OPRETAIL_DIRECTORY_OPEN_STATUSES',
  'CACHE_DIRECTORY_TTL_S',
  'OPRETAIL_MAX_HOURLY_DAYS',
  'OPRETAIL_HOURLY_BATCH_SIZE',
  'OPRETAIL_HOURLY_METHOD',
] as const;

export const GRAPHIQL_MODES = ['inline', 'cdn', 'off'] as const;

export const LOG_LEVELS = ['debug', 'info', 'notice', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** A configuration problem; the message names the variable and never echoes a secret's value. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'CONFIG_INVALID';
}

type Env = Record<string, string | undefined>;

/**
 * Reads and validates the environment. Every variable is documented in the README's configuration table
 * and in `.env.example`.
 */
export function loadConfig(env: Env = process.env): GatewayConfig {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      problems.push(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return Number(raw);
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const raw = read(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(raw)) {
      problems.push(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
      return fallback;
    }
    return raw as T;
  };
  const flag = (name: string, fallback: boolean): boolean => {
    const raw = read(name)?.toLowerCase();
    if (raw === undefined) return fallback;
    if (raw === '0' || raw === 'false') return false;
    if (raw === '1' || raw === 'true') return true;
    problems.push(`${name} must be 1/true or 0/false (got "${raw}")`);
    return fallback;
  };

  /** Whether a URL variable's value has one of `protocols`; never echoes the value (a URL may carry a password). */
  const validUrl = (name: string, value: string, protocols: readonly string[], shape: string): boolean => {
    try {
      if (protocols.includes(new URL(value).protocol)) return true;
    } catch {
      // reported below
    }
    problems.push(`${name} must be ${shape}`);
    return false;
  };
  const optionalUrl = (name: string, protocols: readonly string[], shape: string): string | undefined => {
    const value = read(name);
    return value !== undefined && validUrl(name, value, protocols, shape) ? value : undefined;
  };

  const signMethod = oneOf('OPRETAIL_SIGN_METHOD', SIGN_METHODS, 'md5');
  const timeZone = read('OPRETAIL_TIMEZONE') ?? 'Asia/Shanghai';
  try {
    createTimestampFormatter(timeZone);
  } catch {
    problems.push(`OPRETAIL_TIMEZONE must be an IANA time zone such as Asia/Shanghai (got "${timeZone}")`);
  }

  const signing: SigningConfig = {
    signMethod,
    aid: read('OPRETAIL_AID') ?? 'S107',
    timeZone,
    nonce: flag('OPRETAIL_NONCE', true),
  };
  let upstream: UpstreamConfig;
  const baseUrl = read('OPRETAIL_BASE_URL');
  if (baseUrl === undefined) {
    upstream = { mode: 'demo', ...signing };
  } else {
    validUrl('OPRETAIL_BASE_URL', baseUrl, ['http:', 'https:'], 'an http(s) URL such as https://openapi.opretail.com/cloud.api');
    const appKey = read('OPRETAIL_APP_KEY');
    const appSecret = env.OPRETAIL_APP_SECRET; // secrets are used verbatim: whitespace may be part of them
    if (appKey === undefined) problems.push('OPRETAIL_APP_KEY is required when OPRETAIL_BASE_URL is set');
    if (appSecret === undefined || appSecret === '') {
      problems.push('OPRETAIL_APP_SECRET is required when OPRETAIL_BASE_URL is set');
    }
    const userName = read('OPRETAIL_USERNAME');
    const password = env.OPRETAIL_PASSWORD; // a secret: used verbatim
    const token = read('OPRETAIL_AUTHENTICATOR');
    if ((userName === undefined) !== (password === undefined || password === '')) {
      problems.push('OPRETAIL_USERNAME and OPRETAIL_PASSWORD go together: set both or neither');
    }
    if (userName !== undefined && token !== undefined) {
      problems.push('OPRETAIL_AUTHENTICATOR and OPRETAIL_USERNAME/OPRETAIL_PASSWORD are exclusive: a static token or a login');
    }
    const auth: OpretailAuth =
      userName !== undefined && password ? { kind: 'login', userName, password } : token !== undefined ? { kind: 'token', token } : { kind: 'none' };
    upstream = { mode: 'vendor', ...signing, baseUrl, appKey: appKey ?? '', appSecret: appSecret ?? '', auth };
  }

  const production = read('NODE_ENV') === 'production';
  const apiKeysFile = read('GATEWAY_API_KEYS_FILE');
  const allowAnonymous = flag('GATEWAY_ALLOW_ANONYMOUS', false);
  if (upstream.mode === 'vendor' && apiKeysFile === undefined && !allowAnonymous) {
    problems.push(
      'GATEWAY_API_KEYS_FILE is required when OPRETAIL_BASE_URL is set, so that nobody without a key reads the tenant’s stores; ' +
        'set GATEWAY_ALLOW_ANONYMOUS=true to serve anyone who can reach the gateway',
    );
  }
  const corsOrigins = (read('GATEWAY_CORS_ORIGINS') ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
  for (const origin of corsOrigins) {
    let valid = false;
    try {
      valid = new URL(origin).origin === origin;
    } catch {
      valid = false;
    }
    if (!valid) problems.push(`GATEWAY_CORS_ORIGINS must be a comma-separated list of origins such as https://dashboard.example.com (got "${origin}")`);
  }
  const directoryOpenStatuses = (read('OPRETAIL_DIRECTORY_OPEN_STATUSES') ?? '1')
    .split(',')
    .map((status) => status.trim())
    .filter((status) => status !== '');
  if (directoryOpenStatuses.length === 0) problems.push('OPRETAIL_DIRECTORY_OPEN_STATUSES must list at least one openStatus value, e.g. 1');
  const unknownVariables = Object.keys(env)
    .filter((name) => /^(GATEWAY|OPRETAIL|CACHE)_/.test(name) && !(CONFIG_VARIABLES as readonly string[]).includes(name))
    .sort();

  const config: GatewayConfig = {
    host: read('HOST') ?? '127.0.0.1',
    port: integer('PORT', 4000, 0, 65535),
    upstream,
    timeoutMs: integer('OPRETAIL_TIMEOUT_MS', 10_000, 1, 600_000),
    retries: integer('OPRETAIL_RETRIES', 1, 0, 5),
    maxConcurrency: integer('OPRETAIL_MAX_CONCURRENCY', 8, 1, 256),
    maxConnections: integer('OPRETAIL_MAX_CONNECTIONS', 16, 1, 1024),
    maxSpanDays: integer('OPRETAIL_MAX_SPAN_DAYS', 366, 1, 3660),
    maxDailyDays: integer('OPRETAIL_MAX_DAILY_DAYS', 93, 1, 3660),
    maxStoreIds: integer('GATEWAY_MAX_STORE_IDS', 500, 1, 10_000),
    maxUpstreamCalls: integer('GATEWAY_MAX_UPSTREAM_CALLS', 2000, 1, 1_000_000),
    disableLoader: flag('GATEWAY_DISABLE_LOADER', false),
    logLevel: oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    logFormat: oneOf('LOG_FORMAT', LOG_FORMATS, 'json'),
    graphiql: oneOf('GATEWAY_GRAPHIQL', GRAPHIQL_MODES, production ? 'off' : 'inline'),
    production,
    apiKeysFile,
    allowAnonymous,
    maxBodyBytes: integer('GATEWAY_MAX_BODY_BYTES', 102_400, 1024, 100 * 1024 * 1024),
    maxTokens: integer('GATEWAY_MAX_TOKENS', 5000, 100, 1_000_000),
    maxDepth: integer('GATEWAY_MAX_DEPTH', 12, 2, 1000),
    maxAliases: integer('GATEWAY_MAX_ALIASES', 200, 0, 100_000),
    maxDirectives: integer('GATEWAY_MAX_DIRECTIVES', 50, 0, 100_000),
    corsOrigins,
    introspection: flag('GATEWAY_INTROSPECTION', !production),
    trustedDocumentsFile: read('GATEWAY_TRUSTED_DOCUMENTS'),
    unknownVariables,
    cache: oneOf('GATEWAY_CACHE', ['on', 'off'] as const, 'on'),
    redisUrl: optionalUrl('REDIS_URL', ['redis:', 'rediss:'], 'a redis:// or rediss:// URL such as redis://127.0.0.1:6379/0'),
    cacheMaxEntries: integer('CACHE_MAX_ENTRIES', 50_000, 1, 10_000_000),
    cacheMaxBytes: integer('CACHE_MAX_BYTES', 64 * 1024 * 1024, 1024, 16 * 1024 * 1024 * 1024),
    cacheSettleMinutes: integer('CACHE_SETTLE_MINUTES', 120, 0, 10_080),
    cacheSettledTtlS: integer('CACHE_SETTLED_TTL_S', 7 * 86_400, 1, 366 * 86_400),
    cacheOpenTtlS: integer('CACHE_OPEN_TTL_S', 60, 1, 86_400),
    cacheMaxStaleS: integer('CACHE_MAX_STALE_S', 3600, 0, 30 * 86_400),
    cacheLockMs: integer('CACHE_LOCK_MS', 3000, 50, 60_000),
    maxCallsPerSecond: read('OPRETAIL_MAX_CALLS_PER_SECOND') === undefined ? undefined : integer('OPRETAIL_MAX_CALLS_PER_SECOND', 0, 1, 100_000),
    requestTimeoutMs: integer('GATEWAY_REQUEST_TIMEOUT_MS', 15_000, 100, 600_000),
    retryBudgetPercent: integer('OPRETAIL_RETRY_BUDGET_PERCENT', 20, 0, 100),
    retryBudgetMin: integer('OPRETAIL_RETRY_BUDGET_MIN', 3, 0, 10_000),
    breakerFailurePercent: integer('OPRETAIL_BREAKER_FAILURE_PERCENT', 50, 1, 100),
    breakerMinCalls: integer('OPRETAIL_BREAKER_MIN_CALLS', 20, 1, 100_000),
    breakerWindowMs: integer('OPRETAIL_BREAKER_WINDOW_MS', 10_000, 100, 600_000),
    breakerCooldownMs: integer('OPRETAIL_BREAKER_COOLDOWN_MS', 5000, 10, 600_000),
    maxQueued: integer('OPRETAIL_MAX_QUEUED', 500, 0, 1_000_000),
    shutdownGraceMs: integer('SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
    clientTimeoutMs: integer('GATEWAY_CLIENT_TIMEOUT_MS', 30_000, 1000, 3_600_000),
    headersTimeoutMs: integer('GATEWAY_HEADERS_TIMEOUT_MS', 10_000, 1000, 3_600_000),
    heapGrowingPercent: integer('GATEWAY_HEAP_GROWING_PERCENT', 50, 0, 1000),
    metricsPort: read('METRICS_PORT')?.toLowerCase() === 'off' ? null : integer('METRICS_PORT', 9464, 0, 65535),
    metricsHost: read('METRICS_HOST') ?? '127.0.0.1',
    otelEndpoint: optionalUrl('OTEL_EXPORTER_OTLP_ENDPOINT', ['http:', 'https:'], 'an http(s) URL such as http://127.0.0.1:4318'),
    otelServiceName: read('OTEL_SERVICE_NAME') ?? 'passenger-flow-gateway',
    directoryPageSize: integer('OPRETAIL_DIRECTORY_PAGE_SIZE', 100, 1, 100),
    directoryMaxPages: integer('OPRETAIL_DIRECTORY_MAX_PAGES', 50, 1, 10_000),
    directoryOpenStatuses,
    cacheDirectoryTtlS: integer('CACHE_DIRECTORY_TTL_S', 3600, 1, 30 * 86_400),
    // Hours of many stores in one call (issue 13).
    maxHourlyDays: integer('OPRETAIL_MAX_HOURLY_DAYS', 7, 1, 31),
    hourlyBatchSize: integer('OPRETAIL_HOURLY_BATCH_SIZE', 20, 1, 100),
    hourlyMethod: read('OPRETAIL_HOURLY_METHOD') ?? 'open.shopwebpassengerflow.customerflow.getManyShopsPassengerIndicatorData',
  };
  // A method name travels in `_mt` and is a segment of cache keys: letters, digits, `.` and `_` only.
  if (!/^[A-Za-z][A-Za-z0-9_.]*$/.test(config.hourlyMethod)) {
    problems.push(`OPRETAIL_HOURLY_METHOD must be a method name such as open.passengerflow.getManyShopsPassengerIndicatorData (got "${config.hourlyMethod}")`);
  }
  if (config.headersTimeoutMs > config.clientTimeoutMs) {
    problems.push('GATEWAY_HEADERS_TIMEOUT_MS must not exceed GATEWAY_CLIENT_TIMEOUT_MS');
  }
  if (problems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
  return config;
}

/** The upstream knobs of a validated configuration, as the client takes them (same names, no second default). */
export type ClientKnobs = Pick<
  OpretailClientConfig,
  'signMethod' | 'aid' | 'timeZone' | 'nonce' | 'timeoutMs' | 'retries' | 'maxConnections' | 'maxQueued' | 'retryBudget' | 'breaker'
>;

export function clientKnobs(config: GatewayConfig): ClientKnobs {
  const { signMethod, aid, timeZone, nonce } = config.upstream;
  return {
    signMethod,
    aid,
    timeZone,
    nonce,
    timeoutMs: config.timeoutMs,
    retries: config.retries,
    maxConnections: config.maxConnections,
    maxQueued: config.maxQueued,
    retryBudget: { percent: config.retryBudgetPercent, min: config.retryBudgetMin, windowMs: config.breakerWindowMs },
    breaker: {
      failurePercent: config.breakerFailurePercent,
      minCalls: config.breakerMinCalls,
      windowMs: config.breakerWindowMs,
      cooldownMs: config.breakerCooldownMs,
    },
  };
}
