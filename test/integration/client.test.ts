import { createServer } from 'node:net';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { computePassengerIndicator, startEmulator, type Emulator } from '../../src/emulator/index.js';
import { testClientConfig } from '../fixtures/client-config.js';
import { createOpretailClient, MOBILE_LOGIN as LOGIN, type OpretailClientConfig, type UpstreamAttemptEvent } from '../../src/upstream/client.js';
import {
  UpstreamCancelledError,
  UpstreamBadResponseError,
  UpstreamCodeError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
} from '../../src/upstream/errors.js';
import { createPassengerFlowApi, GET_PASSENGER_INDICATOR_DATA } from '../../src/upstream/passenger-flow.js';

const SECRET = 'integration-secret-value';
const query = { depId: '174679', startTime: '2026-05-10 00:00:00', endTime: '2026-05-10 23:59:59', businessHoursOnly: false };

let emulator: Emulator;
const clients: Array<{ close(): Promise<void> }> = [];

beforeAll(async () => {
  emulator = await startEmulator({
    keys: [
      { key: 'k1', secret: SECRET },
      { key: 'expired', secret: 'expired-secret', expired: true },
      { key: 'other-aid', secret: 'aid-secret', aid: 'A-TENANT' },
      { key: 'no-grant', secret: 'grant-secret', methods: [LOGIN] },
    ],
  });
});
afterAll(async () => {
  await emulator.close();
});
afterEach(async () => {
  emulator.setFaults([]);
  emulator.resetCalls();
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

function client(overrides: Partial<OpretailClientConfig> = {}) {
  const c = createOpretailClient(testClientConfig({ baseUrl: emulator.url, appKey: 'k1', appSecret: SECRET, retries: 0, retryDelayMs: 1, ...overrides }));
  clients.push(c);
  return c;
}

function api(overrides: Partial<OpretailClientConfig> = {}) {
  return createPassengerFlowApi(client(overrides));
}

/**
 * Resolves once `condition()` holds, checking on every turn of the event loop. Nothing here measures time:
 * if it never holds, the test's timeout fails it.
 */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

/** Nothing secret may appear in what an error exposes. */
function expectNoSecrets(error: Error) {
  const exposed = JSON.stringify({ ...error, message: error.message, stack: error.stack });
  expect(exposed).not.toContain(SECRET);
  expect(exposed).not.toMatch(/[0-9A-F]{32}/);
  expect(exposed).not.toContain('_sig');
  expect(exposed).not.toContain('_timestamp');
}

describe('client ↔ emulator: success', () => {
  it.each(['md5', 'sha1'] as const)('a %s-signed call returns the emulator’s figures', async (signMethod) => {
    const figures = await api({ signMethod }).getPassengerIndicatorData(query);
    const expected = computePassengerIndicator(query, {});
    expect(figures.inflow).toBe(expected.passengerFlow);
    expect(figures.passBy).toBe(expected.passPassengerFlow);
    expect(figures.outsideFlow).toBe(figures.inflow + figures.passBy);
    expect(figures.inShopRate).toBe(expected.inShopRate);
    expect(emulator.callCount({ method: GET_PASSENGER_INDICATOR_DATA, code: 0 })).toBe(1);
  });

  it('sends every public parameter the vendor expects, a nonce per attempt, and Beijing time whatever TZ says', async () => {
    const saved = process.env.TZ;
    process.env.TZ = 'America/Los_Angeles';
    try {
      await api().getPassengerIndicatorData(query);
      await api().getPassengerIndicatorData(query);
    } finally {
      process.env.TZ = saved;
    }
    expect(emulator.callCount({ code: 0 })).toBe(2);
    expect(emulator.calls.map((c) => c.isOnBusinessTime)).toEqual(['0', '0']);
  });

  it('business-hours windows send isOnBusinessTime=1 and count less than the whole day', async () => {
    const passengerFlow = api();
    const day = await passengerFlow.getPassengerIndicatorData(query);
    const open = await passengerFlow.getPassengerIndicatorData({ ...query, businessHoursOnly: true });
    expect(emulator.calls.map((c) => c.isOnBusinessTime)).toEqual(['0', '1']);
    expect(open.inflow).toBe(computePassengerIndicator({ ...query, businessHoursOnly: true }, {}).passengerFlow);
    expect(open.inflow).toBeLessThanOrEqual(day.inflow);
  });

  it('property: awkward values (& = % +, spaces, CJK, emoji, empty) still verify at the emulator', async () => {
    const c = client();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ unit: 'grapheme' }), fc.constantFrom('a&b=c', '100%', '1+1=2', '  spaced  ', '门店 客流', '😀👍', '')),
        fc.string({ unit: 'grapheme' }),
        async (userName, password) => {
          const error = await rejection(c.call(LOGIN, { userName: `x${userName}`, password }));
          // USERNAME_ERROE proves the signature was accepted (a bad one would be SIGN_WRONG).
          expect(error).toBeInstanceOf(UpstreamCodeError);
          expect((error as UpstreamCodeError).upstreamCode).toBe(103094);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('client ↔ emulator: vendor return codes', () => {
  it('a wrong secret gives SIGN_WRONG without leaking the secret or the signature', async () => {
    const error = await rejection(api({ appSecret: 'wrong-secret' }).getPassengerIndicatorData(query));
    expect(error).toBeInstanceOf(UpstreamCodeError);
    expect(error).toMatchObject({ code: 'SIGN_WRONG', upstreamCode: 7, retryable: false, method: GET_PASSENGER_INDICATOR_DATA });
    expect((error as UpstreamCodeError).cid).toMatch(/\S+/);
    expectNoSecrets(error);
    expect(error.message).not.toContain('wrong-secret');
  });

  it.each([
    [{ appKey: 'nobody' }, 'KEY_UNLAWFUL', 2],
    [{ appKey: 'expired', appSecret: 'expired-secret' }, 'KEY_HAS_EXPIRED', 3],
    [{ appKey: 'other-aid', appSecret: 'aid-secret' }, 'APPLICATIONID_NOTSAME', 12],
    [{ appKey: 'no-grant', appSecret: 'grant-secret' }, 'METHOD_NOTEXIST_CODE', 9],
    [{ version: 'v2' }, 'METHOD_NOTEXIST_CODE', 9],
  ])('%j → %s', async (overrides, code, number) => {
    const error = await rejection(api(overrides).getPassengerIndicatorData(query));
    expect(error).toMatchObject({ code, upstreamCode: number });
    expectNoSecrets(error);
  });

  it('a configured _aid reaches a tenant whose key needs it', async () => {
    await api({ appKey: 'other-aid', appSecret: 'aid-secret', aid: 'A-TENANT' }).getPassengerIndicatorData(query);
    expect(emulator.callCount({ code: 0 })).toBe(1);
  });

  it('a 6-minute-slow host clock gives TIMESTAMP_OVERTIME, then one re-signed retry corrects the skew from stat.systime', async () => {
    const slow = () => Date.now() - 6 * 60_000;
    const error = await rejection(api({ now: slow }).getPassengerIndicatorData(query));
    expect(error).toMatchObject({ code: 'TIMESTAMP_OVERTIME', upstreamCode: 16, retryable: true });

    emulator.resetCalls();
    const figures = await api({ now: slow, retries: 1 }).getPassengerIndicatorData(query);
    expect(figures.inflow).toBeGreaterThan(0);
    expect(emulator.calls.map((c) => c.code)).toEqual([16, 0]);
  });

  it('without a nonce, the same call twice in one second is a replay; with the default nonce it is not', async () => {
    const fixed = Date.now();
    const noNonce = api({ nonce: false, now: () => fixed });
    await noNonce.getPassengerIndicatorData(query);
    const error = await rejection(noNonce.getPassengerIndicatorData(query));
    expect(error).toMatchObject({ code: 'API_CALL_REPEAT', upstreamCode: -100, retryable: true });

    emulator.resetCalls();
    const withNonce = api({ now: () => fixed });
    await withNonce.getPassengerIndicatorData(query);
    await withNonce.getPassengerIndicatorData(query);
    expect(emulator.callCount({ code: 0 })).toBe(2);
  });

  it('API_SYSTEM_CALL_ERROR is retried once (re-signed); a persistent one surfaces after exactly 2 attempts', async () => {
    emulator.setFaults([{ kind: 'code', code: -500, times: 1 }]);
    await api({ retries: 1 }).getPassengerIndicatorData(query);
    expect(emulator.calls.map((c) => c.code)).toEqual([-500, 0]);

    emulator.resetCalls();
    emulator.setFaults([{ kind: 'code', code: -500 }]);
    const events: UpstreamAttemptEvent[] = [];
    const error = await rejection(api({ retries: 1, onAttempt: (e) => events.push(e) }).getPassengerIndicatorData(query));
    expect(error).toMatchObject({ code: 'API_SYSTEM_CALL_ERROR', upstreamCode: -500, retryable: true });
    expect(emulator.callCount()).toBe(2);
    expect(events.map((e) => [e.attempt, e.outcome, e.upstreamCode])).toEqual([
      [1, 'API_SYSTEM_CALL_ERROR', -500],
      [2, 'API_SYSTEM_CALL_ERROR', -500],
    ]);
    expect(JSON.stringify(events)).not.toContain(SECRET);
  });

  it('a business code outside the table passes through as UPSTREAM_ERROR (token mode, 9990001)', async () => {
    const strict = await startEmulator({ keys: [{ key: 'k1', secret: SECRET }], requireToken: true, users: { alice: 'pw' } });
    try {
      const base = { baseUrl: strict.url, appKey: 'k1', appSecret: SECRET, retries: 0 };
      const error = await rejection(createPassengerFlowApi(client(base)).getPassengerIndicatorData(query));
      expect(error).toMatchObject({ code: 'UPSTREAM_ERROR', upstreamCode: 9990001, codename: 'TOKEN_NOT_EXIST', retryable: false });

      const login = (await client(base).call(LOGIN, { userName: 'alice', password: 'pw' })) as { token: string };
      expect(login.token).toMatch(/\S{8,}/);
      const figures = await createPassengerFlowApi(client({ ...base, auth: { kind: 'token', token: login.token } })).getPassengerIndicatorData(query);
      expect(figures.inflow).toBeGreaterThan(0);
      expect(strict.calls.map((c) => c.code)).toEqual([9990001, 0, 0]);
    } finally {
      await strict.close();
    }
  });
});

describe('client ↔ emulator: mobileLogin token', () => {
  let strict: Emulator;
  beforeAll(async () => {
    strict = await startEmulator({ keys: [{ key: 'k1', secret: SECRET }], requireToken: true, users: { alice: 'pw-alice' } });
  });
  afterAll(() => strict.close());
  afterEach(() => strict.resetCalls());

  const loginClient = (password = 'pw-alice') =>
    createPassengerFlowApi(client({ baseUrl: strict.url, auth: { kind: 'login', userName: 'alice', password } }));

  it('logs in once, reuses the token, and logs in again once after TOKEN_NOT_EXIST', async () => {
    const passengerFlow = loginClient();
    await Promise.all([passengerFlow.getPassengerIndicatorData(query), passengerFlow.getPassengerIndicatorData({ ...query, depId: '2' })]);
    await passengerFlow.getPassengerIndicatorData({ ...query, depId: '3' });
    strict.revokeTokens();
    await passengerFlow.getPassengerIndicatorData({ ...query, depId: '4' });
    expect(strict.calls.map((c) => [c.method === LOGIN ? 'login' : c.depId, c.code])).toEqual([
      ['login', 0],
      ['174679', 0],
      ['2', 0],
      ['3', 0],
      ['4', 9990001],
      ['login', 0],
      ['4', 0],
    ]);
    // Every business call carried the token of the login before it.
    expect(strict.calls.filter((c) => c.method !== LOGIN).every((c) => (c.headers.authenticator ?? '').length > 0)).toBe(true);
  });

  it('a wrong password fails the call with the vendor’s login code, never the password', async () => {
    const error = await rejection(loginClient('wrong-password-value').getPassengerIndicatorData(query));
    expect(error).toMatchObject({ code: 'UPSTREAM_ERROR', upstreamCode: 103095, codename: 'PASSWORD_ERROE', method: LOGIN });
    expect(JSON.stringify({ ...error, message: error.message })).not.toContain('wrong-password-value');
    expect(strict.callCount({ method: GET_PASSENGER_INDICATOR_DATA })).toBe(0);
  });
});

describe('client ↔ emulator: transport failures', () => {
  it.each([
    [{ kind: 'http', status: 502 } as const, UpstreamUnavailableError, 'UPSTREAM_UNAVAILABLE'],
    [{ kind: 'http', status: 404 } as const, UpstreamBadResponseError, 'UPSTREAM_BAD_RESPONSE'],
    [{ kind: 'html200' } as const, UpstreamBadResponseError, 'UPSTREAM_BAD_RESPONSE'],
    [{ kind: 'malformed-json' } as const, UpstreamBadResponseError, 'UPSTREAM_BAD_RESPONSE'],
    [{ kind: 'empty' } as const, UpstreamBadResponseError, 'UPSTREAM_BAD_RESPONSE'],
    [{ kind: 'reset' } as const, UpstreamUnavailableError, 'UPSTREAM_UNAVAILABLE'],
    [{ kind: 'data', data: { passengerFlow: 'lots' } } as const, UpstreamBadResponseError, 'UPSTREAM_BAD_RESPONSE'],
    [{ kind: 'data', data: null } as const, UpstreamBadResponseError, 'UPSTREAM_BAD_RESPONSE'],
  ])('fault %j → %o', async (fault, type, code) => {
    emulator.setFaults([fault]);
    const error = await rejection(api().getPassengerIndicatorData(query));
    expect(error).toBeInstanceOf(type);
    expect((error as UpstreamBadResponseError).code).toBe(code);
    expectNoSecrets(error);
    expect(error.message).not.toMatch(/<html|lots/i);
  });

  it('a hanging upstream gives UPSTREAM_TIMEOUT after the per-call timeout, and is not retried', async () => {
    emulator.setFaults([{ kind: 'hang' }]);
    const error = await rejection(api({ timeoutMs: 150, retries: 3 }).getPassengerIndicatorData(query));
    expect(error).toBeInstanceOf(UpstreamTimeoutError);
    expect(error).toMatchObject({ code: 'UPSTREAM_TIMEOUT', timeoutMs: 150 });
    expect(emulator.callCount()).toBe(1);
  });

  it('the caller’s AbortSignal cancels the call', async () => {
    emulator.setFaults([{ kind: 'hang' }]);
    const controller = new AbortController();
    const pending = api({ timeoutMs: 5_000 }).getPassengerIndicatorData(query, { signal: controller.signal });
    // Abort only once the call reached the emulator and hangs there, so this is a cancellation in flight.
    await until(() => emulator.callCount({ method: GET_PASSENGER_INDICATOR_DATA }) === 1);
    expect(emulator.calls[0]?.fault).toBe('hang');
    controller.abort();
    expect(await rejection(pending)).toBeInstanceOf(UpstreamCancelledError);
  });

  it('a call cancelled before it is sent reaches nobody and reports no attempt', async () => {
    const events: UpstreamAttemptEvent[] = [];
    const controller = new AbortController();
    controller.abort();
    const error = await rejection(api({ onAttempt: (e) => events.push(e) }).getPassengerIndicatorData(query, { signal: controller.signal }));
    expect(error).toBeInstanceOf(UpstreamCancelledError);
    expect(events).toEqual([]);
    expect(emulator.callCount()).toBe(0);
  });

  it('a port nobody listens on gives UPSTREAM_UNAVAILABLE', async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const error = await rejection(api({ baseUrl: `http://127.0.0.1:${port}/cloud.api` }).getPassengerIndicatorData(query));
    expect(error).toBeInstanceOf(UpstreamUnavailableError);
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('an over-large body is refused', async () => {
    emulator.setFaults([{ kind: 'data', data: { padding: 'x'.repeat(4096) } }]);
    const error = await rejection(api({ maxResponseBytes: 1024 }).getPassengerIndicatorData(query));
    expect(error).toBeInstanceOf(UpstreamBadResponseError);
    expect(error.message).toContain('exceeds 1024 bytes');
  });
});
