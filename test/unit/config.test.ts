import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const vendor = { OPRETAIL_BASE_URL: 'https://openapi.opretail.com/cloud.api', OPRETAIL_APP_KEY: 'k', OPRETAIL_APP_SECRET: 'super-secret' };

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
      graphiql: 'inline',
    });
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
