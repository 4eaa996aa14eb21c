import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from '../../src/config.js';

const vendor = { OPRETAIL_BASE_URL: 'https://openapi.opretail.com/cloud.api', OPRETAIL_APP_KEY: 'k', OPRETAIL_APP_SECRET: 'super-secret', GATEWAY_API_KEYS_FILE: '/etc/gateway/keys.json' };

function configError(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a configuration error');
}

describe('loadConfig', () => {
  it('defaults to demo mode on 127.0.0.1:4000 with the documented limits', () => {
    expect(loadConfig({})).toEqual({
      host: '127.0.0.1',
      port: 4000,
      upstream: { mode: 'demo', signMethod: 'md5', aid: 'S107', timeZone: 'Asia/Shanghai', nonce: true },
      timeoutMs: 10_000,
      retries: 1,
      maxConcurrency: 8,
      maxConnections: 16,
      maxSpanDays: 366,
      maxDailyDays: 93,
      maxStoreIds: 500,
      maxUpstreamCalls: 2000,
      disableLoader: false,
      logLevel: 'info',
      logFormat: 'json',
      graphiql: 'inline',
      production: false,
      apiKeysFile: undefined,
      allowAnonymous: false,
      maxBodyBytes: 102_400,
      maxTokens: 5000,
      maxDepth: 12,
      maxAliases: 200,
      maxDirectives: 50,
      corsOrigins: [],
      introspection: true,
      trustedDocumentsFile: undefined,
      unknownVariables: [],
      cache: 'on',
      redisUrl: undefined,
      cacheMaxEntries: 50_000,
      cacheMaxBytes: 64 * 1024 * 1024,
      cacheSettleMinutes: 120,
      cacheSettledTtlS: 7 * 86_400,
      cacheOpenTtlS: 60,
      cacheMaxStaleS: 3600,
      cacheLockMs: 3000,
      maxCallsPerSecond: undefined,
      requestTimeoutMs: 15_000,
      retryBudgetPercent: 20,
      retryBudgetMin: 3,
      breakerFailurePercent: 50,
      breakerMinCalls: 20,
      breakerWindowMs: 10_000,
      breakerCooldownMs: 5000,
      maxQueued: 500,
      shutdownGraceMs: 10_000,
      clientTimeoutMs: 30_000,
      headersTimeoutMs: 10_000,
      heapGrowingPercent: 50,
      metricsPort: 9464,
      metricsHost: '127.0.0.1',
      otelEndpoint: undefined,
      otelServiceName: 'passenger-flow-gateway',
      directoryPageSize: 100,
      directoryMaxPages: 50,
      directoryOpenStatuses: ['1'],
      cacheDirectoryTtlS: 3600,
      maxHourlyDays: 7,
      hourlyBatchSize: 20,
      hourlyMethod: 'open.shopwebpassengerflow.customerflow.getManyShopsPassengerIndicatorData',
    });
  });

  it('reads the store directory knobs; an empty open-status list is refused', () => {
    const config = loadConfig({ OPRETAIL_DIRECTORY_PAGE_SIZE: '10', OPRETAIL_DIRECTORY_MAX_PAGES: '7', OPRETAIL_DIRECTORY_OPEN_STATUSES: ' 1, open ,营业', CACHE_DIRECTORY_TTL_S: '60' });
    expect(config).toMatchObject({ directoryPageSize: 10, directoryMaxPages: 7, directoryOpenStatuses: ['1', 'open', '营业'], cacheDirectoryTtlS: 60 });
    expect(configError({ OPRETAIL_DIRECTORY_PAGE_SIZE: '101' })).toContain('OPRETAIL_DIRECTORY_PAGE_SIZE must be an integer from 1 to 100');
    expect(configError({ OPRETAIL_DIRECTORY_OPEN_STATUSES: ' , ' })).toContain('OPRETAIL_DIRECTORY_OPEN_STATUSES must list');
  });

  it('takes the heap growing factor; 0 leaves V8 its own', () => {
    expect(loadConfig({ GATEWAY_HEAP_GROWING_PERCENT: '0' }).heapGrowingPercent).toBe(0);
    expect(loadConfig({ GATEWAY_HEAP_GROWING_PERCENT: '200' }).heapGrowingPercent).toBe(200);
    expect(configError({ GATEWAY_HEAP_GROWING_PERCENT: '-1' })).toContain('GATEWAY_HEAP_GROWING_PERCENT must be an integer from 0 to 1000');
  });

  it('takes the hourly knobs and refuses a method name that could not be a `_mt` or a cache-key segment', () => {
    const config = loadConfig({ OPRETAIL_MAX_HOURLY_DAYS: '14', OPRETAIL_HOURLY_BATCH_SIZE: '50', OPRETAIL_HOURLY_METHOD: 'open.passengerflow.getManyShopsPassengerIndicatorData' });
    expect([config.maxHourlyDays, config.hourlyBatchSize, config.hourlyMethod]).toEqual([14, 50, 'open.passengerflow.getManyShopsPassengerIndicatorData']);
    expect(configError({ OPRETAIL_HOURLY_METHOD: 'open:evil' })).toContain('OPRETAIL_HOURLY_METHOD must be a method name');
    expect(configError({ OPRETAIL_HOURLY_BATCH_SIZE: '0' })).toContain('OPRETAIL_HOURLY_BATCH_SIZE must be an integer from 1 to 100');
    expect(configError({ OPRETAIL_MAX_HOURLY_DAYS: '32' })).toContain('OPRETAIL_MAX_HOURLY_DAYS must be an integer from 1 to 31');
  });

  it('refuses upstream mode without client keys unless anonymous access is asked for, naming both variables', () => {
    const { GATEWAY_API_KEYS_FILE: _file, ...open } = vendor;
    const message = configError(open);
    expect(message).toContain('GATEWAY_API_KEYS_FILE is required when OPRETAIL_BASE_URL is set');
    expect(message).toContain('GATEWAY_ALLOW_ANONYMOUS=true');
    expect(loadConfig({ ...open, GATEWAY_ALLOW_ANONYMOUS: 'true' }).allowAnonymous).toBe(true);
    expect(loadConfig({}).apiKeysFile).toBeUndefined(); // demo mode: open without a key file
  });

  it('production: introspection and GraphiQL off unless asked for explicitly', () => {
    expect(loadConfig({ NODE_ENV: 'production' })).toMatchObject({ production: true, introspection: false, graphiql: 'off' });
    expect(loadConfig({ NODE_ENV: 'production', GATEWAY_INTROSPECTION: 'true', GATEWAY_GRAPHIQL: 'cdn' })).toMatchObject({ introspection: true, graphiql: 'cdn' });
  });

  it('names unknown GATEWAY_*/OPRETAIL_* variables (likely typos) and ignores others', () => {
    expect(loadConfig({ GATEWAY_API_KEYS: 'x', OPRETAIL_TIMEOUT: '5', HOME: '/root', GATEWAY_MAX_DEPTH: '9' }).unknownVariables).toEqual(['GATEWAY_API_KEYS', 'OPRETAIL_TIMEOUT']);
  });

  it('validates CORS origins', () => {
    expect(loadConfig({ GATEWAY_CORS_ORIGINS: 'https://a.example, http://localhost:5173' }).corsOrigins).toEqual(['https://a.example', 'http://localhost:5173']);
    expect(configError({ GATEWAY_CORS_ORIGINS: 'https://a.example/path' })).toContain('GATEWAY_CORS_ORIGINS must be');
  });

  it('documents every variable it reads in the README table and .env.example', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const example = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8');
    for (const name of CONFIG_VARIABLES) {
      expect(readme, name).toMatch(new RegExp(`\\| [^|]*\`${name}\``));
      expect(example, name).toContain(name);
    }
  });

  it('reads vendor mode with its optional settings', () => {
    const config = loadConfig({ ...vendor, OPRETAIL_SIGN_METHOD: 'SHA1', OPRETAIL_AID: 'A1', OPRETAIL_TIMEZONE: 'UTC', OPRETAIL_AUTHENTICATOR: 'tok', OPRETAIL_MAX_CONCURRENCY: '4' });
    expect(config.upstream).toEqual({
      mode: 'vendor',
      baseUrl: vendor.OPRETAIL_BASE_URL,
      appKey: 'k',
      appSecret: 'super-secret',
      signMethod: 'sha1',
      aid: 'A1',
      timeZone: 'UTC',
      auth: { kind: 'token', token: 'tok' },
      nonce: true,
    });
    expect(config.maxConcurrency).toBe(4);
  });

  it('reads mobileLogin credentials, which go together and exclude a static token', () => {
    expect(loadConfig({ ...vendor, OPRETAIL_USERNAME: 'alice', OPRETAIL_PASSWORD: 'pw' }).upstream).toMatchObject({
      auth: { kind: 'login', userName: 'alice', password: 'pw' },
    });
    expect(configError({ ...vendor, OPRETAIL_USERNAME: 'alice' })).toContain('OPRETAIL_USERNAME and OPRETAIL_PASSWORD go together');
    const both = configError({ ...vendor, OPRETAIL_USERNAME: 'alice', OPRETAIL_PASSWORD: 'pw-value', OPRETAIL_AUTHENTICATOR: 't' });
    expect(both).toContain('exclusive');
    expect(both).not.toContain('pw-value');
  });

  it('turns the nonce off only when asked', () => {
    expect(loadConfig({ ...vendor, OPRETAIL_NONCE: '0' }).upstream).toMatchObject({ nonce: false });
    expect(loadConfig({ ...vendor, OPRETAIL_NONCE: 'true' }).upstream).toMatchObject({ nonce: true });
  });

  it('names each missing credential', () => {
    expect(configError({ OPRETAIL_BASE_URL: vendor.OPRETAIL_BASE_URL })).toMatch(/OPRETAIL_APP_KEY is required[\s\S]*OPRETAIL_APP_SECRET is required/);
  });

  it('names each bad value and never echoes the secret', () => {
    const message = configError({
      ...vendor,
      OPRETAIL_BASE_URL: 'ftp://x',
      OPRETAIL_SIGN_METHOD: 'sha256',
      OPRETAIL_TIMEZONE: 'Mars/Base',
      OPRETAIL_MAX_CONCURRENCY: '0',
      PORT: 'eighty',
      GATEWAY_DISABLE_LOADER: 'maybe',
    });
    for (const name of ['OPRETAIL_BASE_URL', 'OPRETAIL_SIGN_METHOD', 'OPRETAIL_TIMEZONE', 'OPRETAIL_MAX_CONCURRENCY', 'PORT', 'GATEWAY_DISABLE_LOADER']) {
      expect(message).toContain(name);
    }
    expect(message).not.toContain('super-secret');
  });
});
