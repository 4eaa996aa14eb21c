import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCaching } from '../../src/caching.js';
import { clientKnobs, loadConfig } from '../../src/config.js';
import { startEmulator, type Emulator, type Fault } from '../../src/emulator/index.js';
import { silentLogger } from '../../src/logger.js';
import type { BreakerState } from '../../src/upstream/circuit-breaker.js';
import { createOpretailClient, MOBILE_LOGIN, type OpretailClientConfig, type UpstreamAttemptEvent } from '../../src/upstream/client.js';
import type { ErrorCode } from '../../src/upstream/gateway-codes.js';
import { createPassengerFlowApi, GET_PASSENGER_INDICATOR_DATA } from '../../src/upstream/passenger-flow.js';
import { FAILURE_CODES } from '../../src/upstream/return-codes.js';
import { createGatewayYoga } from '../../src/yoga.js';
import { testClientConfig } from '../fixtures/client-config.js';

/**
 * Fault injection through `yoga.fetch` against the strict emulator: for each fault, the typed error (or the
 * successful retry), the exact number of upstream attempts, and an answer within the request's deadline; then
 * the retry budget, the circuit breaker, stale answers behind an open breaker, the request deadline and the
 * bounded connection queue. Counts come from the emulator's call log (and, where nothing listens, from the
 * client's attempt observer); the only clock readings are "within the deadline" bounds.
 */

const SECRET = 'resilience-test-secret';
const EXPIRED_SECRET = 'expired-key-secret';
const DAY = '2026-05-10';

interface GraphQLError {
  message: string;
  path?: Array<string | number>;
  extensions: { code: ErrorCode; retryable: boolean; retryAfterMs?: number; upstream?: { code: number; codename: string } };
}
interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: GraphQLError[];
  extensions?: Record<string, unknown>;
}
interface Timed {
  body: GraphQLBody;
  /** From sending the request to having its whole answer. */
  ms: number;
}

let emulator: Emulator;
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  emulator = await startEmulator({
    keys: [
      { key: 'gw', secret: SECRET },
      { key: 'expired', secret: EXPIRED_SECRET, expired: true },
    ],
  });
});
afterAll(() => emulator.close());
beforeEach(() => {
  emulator.setFaults([]);
  emulator.resetCalls();
});
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

interface GatewayOptions {
  /** Environment the gateway's config is loaded from (knobs keep their names from there to the client). */
  env?: Record<string, string>;
  /** Client overrides on top of the knobs from `env`. */
  client?: Partial<OpretailClientConfig>;
  /** Another upstream than the file's emulator. */
  baseUrl?: string;
  /** With the in-memory answer cache (createCaching, as server.ts wires it). */
  cache?: boolean;
}

/** A gateway on the emulator: each has its own client, so its own retry budget, breaker and token. */
async function gateway(options: GatewayOptions = {}) {
  const config = loadConfig({ GATEWAY_REQUEST_TIMEOUT_MS: '2000', ...options.env });
  const attempts: UpstreamAttemptEvent[] = [];
  const states: BreakerState[] = [];
  const client = createOpretailClient(
    testClientConfig({
      ...clientKnobs(config),
      baseUrl: options.baseUrl ?? emulator.url,
      appKey: 'gw',
      appSecret: SECRET,
      retryDelayMs: 1,
      onAttempt: (event) => attempts.push(event),
      onBreakerStateChange: (state) => states.push(state),
      ...options.client,
    }),
  );
  const caching = options.cache ? await createCaching(config, `resilience-${Math.random()}`, silentLogger) : null;
  closers.push(async () => {
    await client.close();
    await caching?.close();
  });
  const yoga = createGatewayYoga({ passengerFlow: createPassengerFlowApi(client), config, cache: caching?.cache ?? null });
  const query = async (document: string): Promise<Timed> => {
    const started = performance.now();
    const response = await yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: document }),
    });
    const body = (await response.json()) as GraphQLBody;
    const ms = performance.now() - started;
    expect(JSON.stringify(body)).not.toContain(SECRET);
    return { body, ms };
  };
  return { query, config, attempts, states };
}

const indicator = (store: string, day = DAY) => `{ store(id: "${store}") { passengerIndicator(from: "${day}", to: "${day}") { inflow fetchedAt } } }`;
const figuresOf = (body: GraphQLBody) => (body.data?.store as { passengerIndicator: { inflow: number; fetchedAt: string } | null } | null)?.passengerIndicator;
const codesOf = (body: GraphQLBody) => (body.errors ?? []).map((error) => error.extensions.code);
/** Calls of the business method the emulator recorded. */
const businessCalls = (e: Emulator = emulator) => e.callCount({ method: GET_PASSENGER_INDICATOR_DATA });

/** A port nobody listens on: connection refused. */
async function closedPort(): Promise<number> {
  return new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Waits (never asserts) until `condition()` holds; the test's timeout fails it if it never does. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await sleep(5);
}

/** `Date.now()` is past `epochMs` (to let a cache entry go stale): a wait, not an assertion. */
async function untilPast(epochMs: number): Promise<void> {
  while (Date.now() <= epochMs) await sleep(Math.min(50, epochMs - Date.now() + 1));
}

describe('one field per fault (OPRETAIL_RETRIES=1, OPRETAIL_TIMEOUT_MS=300, GATEWAY_REQUEST_TIMEOUT_MS=2000)', () => {
  const env = { OPRETAIL_RETRIES: '1', OPRETAIL_TIMEOUT_MS: '300', GATEWAY_REQUEST_TIMEOUT_MS: '2000' };

  /** `code: null`: the field succeeds (after `attempts` attempts). */
  interface Row {
    fault: Fault | 'refused';
    code: ErrorCode | null;
    retryable?: boolean;
    attempts: number;
    /** The vendor's `stat.code`, for errors that came from an envelope. */
    upstream?: number;
  }

  const TRANSPORT: Array<[string, Row]> = [
    ['hang before headers', { fault: { kind: 'hang' }, code: 'UPSTREAM_TIMEOUT', retryable: true, attempts: 1 }],
    // A timeout is never retried within the request, even when the next attempt would have succeeded.
    ['hang before headers, once', { fault: { kind: 'hang', times: 1 }, code: 'UPSTREAM_TIMEOUT', retryable: true, attempts: 1 }],
    ['stalled body (headers sent)', { fault: { kind: 'stall' }, code: 'UPSTREAM_TIMEOUT', retryable: true, attempts: 1 }],
    ['stalled body, once', { fault: { kind: 'stall', times: 1 }, code: 'UPSTREAM_TIMEOUT', retryable: true, attempts: 1 }],
    ['connection reset', { fault: { kind: 'reset' }, code: 'UPSTREAM_UNAVAILABLE', retryable: true, attempts: 2 }],
    ['connection reset, once', { fault: { kind: 'reset', times: 1 }, code: null, attempts: 2 }],
    ['connection refused (closed port)', { fault: 'refused', code: 'UPSTREAM_UNAVAILABLE', retryable: true, attempts: 2 }],
    ['HTTP 502 HTML page', { fault: { kind: 'http', status: 502 }, code: 'UPSTREAM_UNAVAILABLE', retryable: true, attempts: 2 }],
    ['HTTP 502 HTML page, once', { fault: { kind: 'http', status: 502, times: 1 }, code: null, attempts: 2 }],
    ['HTTP 503 HTML page', { fault: { kind: 'http', status: 503 }, code: 'UPSTREAM_UNAVAILABLE', retryable: true, attempts: 2 }],
    ['HTTP 504 HTML page', { fault: { kind: 'http', status: 504 }, code: 'UPSTREAM_UNAVAILABLE', retryable: true, attempts: 2 }],
    ['HTTP 404 HTML page', { fault: { kind: 'http', status: 404 }, code: 'UPSTREAM_BAD_RESPONSE', retryable: false, attempts: 1 }],
    ['HTML page with HTTP 200', { fault: { kind: 'html200' }, code: 'UPSTREAM_BAD_RESPONSE', retryable: false, attempts: 1 }],
    ['truncated JSON', { fault: { kind: 'malformed-json' }, code: 'UPSTREAM_BAD_RESPONSE', retryable: false, attempts: 1 }],
    ['empty body', { fault: { kind: 'empty' }, code: 'UPSTREAM_BAD_RESPONSE', retryable: false, attempts: 1 }],
    ['data breaking the contract', { fault: { kind: 'data', data: { passengerFlow: 'lots' } }, code: 'UPSTREAM_BAD_RESPONSE', retryable: false, attempts: 1 }],
  ];

  const TRANSIENT_CODES = FAILURE_CODES.filter((row) => row.retry !== 'never');
  const PERMANENT_CODES = FAILURE_CODES.filter((row) => row.retry === 'never');

  it('the vendor table has 4 transient and 16 permanent failure codes', () => {
    expect(TRANSIENT_CODES.map((row) => row.code)).toEqual([16, -100, -500, -999]);
    expect(PERMANENT_CODES.map((row) => row.code)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 17]);
  });

  const CODES: Array<[string, Row]> = [
    ...TRANSIENT_CODES.flatMap((row): Array<[string, Row]> => [
      [`${row.code} ${row.codename}`, { fault: { kind: 'code', code: row.code }, code: row.codename as ErrorCode, retryable: true, attempts: 2, upstream: row.code }],
      [`${row.code} ${row.codename}, once`, { fault: { kind: 'code', code: row.code, times: 1 }, code: null, attempts: 2 }],
    ]),
    ...PERMANENT_CODES.map((row): [string, Row] => [
      `${row.code} ${row.codename}`,
      { fault: { kind: 'code', code: row.code }, code: row.codename as ErrorCode, retryable: false, attempts: 1, upstream: row.code },
    ]),
  ];

  it.each([...TRANSPORT, ...CODES])('%s', async (_, row) => {
    const baseUrl = row.fault === 'refused' ? `http://127.0.0.1:${await closedPort()}/cloud.api` : emulator.url;
    if (row.fault !== 'refused') emulator.setFaults([row.fault]);
    const gw = await gateway({ env, baseUrl });
    const { body, ms } = await gw.query(indicator('174679'));

    if (row.code === null) {
      expect(body.errors).toBeUndefined();
      expect(figuresOf(body)?.inflow).toEqual(expect.any(Number));
    } else {
      expect(body.data).toEqual({ store: { passengerIndicator: null } });
      expect(body.errors).toHaveLength(1);
      const [error] = body.errors!;
      expect(error!.path).toEqual(['store', 'passengerIndicator']);
      expect(error!.extensions).toMatchObject({ code: row.code, retryable: row.retryable });
      expect(error!.extensions.upstream?.code).toBe(row.upstream);
      expect(error!.extensions.retryAfterMs).toBeUndefined();
    }
    // Every attempt is one the vendor saw (none where nothing listens, where the observer counts them).
    expect(gw.attempts).toHaveLength(row.attempts);
    expect(businessCalls()).toBe(row.fault === 'refused' ? 0 : row.attempts);
    expect(gw.attempts.map((event) => event.attempt)).toEqual(Array.from({ length: row.attempts }, (__, index) => index + 1));
    expect(ms).toBeLessThanOrEqual(gw.config.requestTimeoutMs);
  });

  it.each([
    ['10 min fast', 10 * 60_000],
    ['10 min slow', -10 * 60_000],
  ])('a vendor clock %s → TIMESTAMP_OVERTIME, corrected from stat.systime, and the re-signed retry succeeds (2 attempts)', async (_, clockOffsetMs) => {
    const skewed = await startEmulator({ keys: [{ key: 'gw', secret: SECRET }], clockOffsetMs });
    closers.push(() => skewed.close());
    const gw = await gateway({ env, baseUrl: skewed.url });
    const { body, ms } = await gw.query(indicator('174679'));
    expect(body.errors).toBeUndefined();
    expect(figuresOf(body)?.inflow).toEqual(expect.any(Number));
    expect(skewed.calls.map((call) => call.code)).toEqual([16, 0]);
    expect(gw.attempts.map((event) => event.outcome)).toEqual(['TIMESTAMP_OVERTIME', 'SUCCESS']);
    // The offset is kept: the next call is signed right the first time.
    expect(codesOf((await gw.query(indicator('174680'))).body)).toEqual([]);
    expect(skewed.calls.map((call) => call.code)).toEqual([16, 0, 0]);
    expect(ms).toBeLessThanOrEqual(gw.config.requestTimeoutMs);
  });

  it('an expired token (TOKEN_NOT_EXIST) → one new login, and the call succeeds', async () => {
    const tokenMode = await startEmulator({ keys: [{ key: 'gw', secret: SECRET }], requireToken: true, users: { alice: 'pw-alice' } });
    closers.push(() => tokenMode.close());
    const gw = await gateway({ env, baseUrl: tokenMode.url, client: { auth: { kind: 'login', userName: 'alice', password: 'pw-alice' } } });
    expect(codesOf((await gw.query(indicator('174679'))).body)).toEqual([]);
    tokenMode.revokeTokens();
    tokenMode.resetCalls();
    const { body, ms } = await gw.query(indicator('174680'));
    expect(body.errors).toBeUndefined();
    expect(figuresOf(body)?.inflow).toEqual(expect.any(Number));
    expect(tokenMode.calls.map((call) => [call.method === MOBILE_LOGIN ? 'login' : 'indicator', call.code])).toEqual([
      ['indicator', 9990001],
      ['login', 0],
      ['indicator', 0],
    ]);
    expect(ms).toBeLessThanOrEqual(gw.config.requestTimeoutMs);
  });
});

describe('retry budget (OPRETAIL_RETRY_BUDGET_PERCENT=20, OPRETAIL_RETRY_BUDGET_MIN=3)', () => {
  it('a vendor failing every call, 20 concurrent clients, 200 field loads → attempts ≤ 1.2 × loads + the floor (exactly 240)', async () => {
    emulator.setFaults([{ kind: 'code', code: -500 }]);
    // The breaker never opens here, so the budget alone is measured.
    const gw = await gateway({ env: { OPRETAIL_RETRIES: '1', OPRETAIL_BREAKER_MIN_CALLS: '100000' } });
    const { retryBudgetPercent, retryBudgetMin } = gw.config;
    const clients = 20;
    const requestsPerClient = 5;
    // Two distinct stores per request: two field loads, two upstream keys.
    const twoStores = (n: number) =>
      `{ a: store(id: "${1000 + 2 * n}") { passengerIndicator(from: "${DAY}", to: "${DAY}") { inflow } } ` +
      `b: store(id: "${1001 + 2 * n}") { passengerIndicator(from: "${DAY}", to: "${DAY}") { inflow } } }`;
    const bodies = (
      await Promise.all(
        Array.from({ length: clients }, async (_, client) => {
          const mine: GraphQLBody[] = [];
          for (let request = 0; request < requestsPerClient; request++) mine.push((await gw.query(twoStores(client * requestsPerClient + request))).body);
          return mine;
        }),
      )
    ).flat();
    const loads = bodies.reduce((sum, body) => sum + (body.errors?.length ?? 0), 0);
    expect(loads).toBe(clients * requestsPerClient * 2);
    expect(new Set(bodies.flatMap(codesOf))).toEqual(new Set(['API_SYSTEM_CALL_ERROR']));

    const attempts = businessCalls();
    const retries = attempts - loads;
    expect(gw.attempts).toHaveLength(attempts);
    expect(gw.states).toEqual([]);
    // The acceptance bound, with the floor a lone request may always use.
    expect(attempts).toBeLessThanOrEqual(1.2 * loads + retryBudgetMin);
    // Exactly: every load failed and asked for a retry, so the budget was spent to its last retry.
    expect(retries).toBe(Math.max(retryBudgetMin, Math.floor((loads * retryBudgetPercent) / 100)));
    expect(attempts).toBe(240); // 200 first attempts + 20 % of them
  });
});

describe('circuit breaker (50 %, 20 calls, 10 s window, 500 ms cooldown)', () => {
  const env = { OPRETAIL_RETRIES: '0', OPRETAIL_BREAKER_COOLDOWN_MS: '500' };

  it('opens after 20 failing calls: 0 upstream calls until exactly one half-open probe; a successful probe closes it', async () => {
    // Retries off, so each field load is exactly one call the breaker counts.
    const gw = await gateway({ env });
    const { breakerMinCalls, breakerCooldownMs } = gw.config;
    emulator.setFaults([{ kind: 'code', code: -500 }]);
    const failing = await Promise.all(Array.from({ length: breakerMinCalls }, (_, n) => gw.query(indicator(String(2000 + n)))));
    expect(failing.flatMap(({ body }) => codesOf(body))).toEqual(Array(breakerMinCalls).fill('API_SYSTEM_CALL_ERROR'));
    expect(businessCalls()).toBe(breakerMinCalls);
    expect(gw.states).toEqual(['open']);

    // Open: fail fast, with a hint, and the vendor sees nothing.
    const refused = await Promise.all(Array.from({ length: 5 }, (_, n) => gw.query(indicator(String(2100 + n)))));
    for (const { body, ms } of refused) {
      expect(body.errors?.map((error) => error.extensions)).toEqual([{ code: 'UPSTREAM_UNAVAILABLE', retryable: true, retryAfterMs: expect.any(Number) }]);
      const { retryAfterMs } = body.errors![0]!.extensions;
      expect(retryAfterMs).toBeGreaterThan(0);
      expect(retryAfterMs).toBeLessThanOrEqual(breakerCooldownMs);
      expect(ms).toBeLessThanOrEqual(gw.config.requestTimeoutMs);
    }
    expect(businessCalls()).toBe(breakerMinCalls);

    // After the cooldown, of 5 concurrent requests exactly one is sent: the probe. It fails: open again.
    await until(() => gw.states.at(-1) === 'half-open');
    const probing = await Promise.all(Array.from({ length: 5 }, (_, n) => gw.query(indicator(String(2200 + n)))));
    expect(businessCalls()).toBe(breakerMinCalls + 1);
    expect(probing.flatMap(({ body }) => codesOf(body)).sort()).toEqual(['API_SYSTEM_CALL_ERROR', ...Array(4).fill('UPSTREAM_UNAVAILABLE')].sort());
    expect(gw.states).toEqual(['open', 'half-open', 'open']);

    // The vendor recovers: the next probe succeeds, the breaker closes, and calls flow again.
    await until(() => gw.states.at(-1) === 'half-open');
    emulator.setFaults([]);
    const probe = await gw.query(indicator('2300'));
    expect(probe.body.errors).toBeUndefined();
    expect(gw.states).toEqual(['open', 'half-open', 'open', 'half-open', 'closed']);
    expect(businessCalls()).toBe(breakerMinCalls + 2);
    const flowing = await Promise.all(Array.from({ length: 10 }, (_, n) => gw.query(indicator(String(2400 + n)))));
    expect(flowing.every(({ body }) => body.errors === undefined)).toBe(true);
    expect(businessCalls()).toBe(breakerMinCalls + 12);
  });

  it.each([
    ['SIGN_WRONG (a wrong secret)', { appSecret: 'not-the-secret' }, 'SIGN_WRONG'],
    ['KEY_HAS_EXPIRED', { appKey: 'expired', appSecret: EXPIRED_SECRET }, 'KEY_HAS_EXPIRED'],
  ] as const)('permanent codes never open it: 40 × %s → 40 calls reach the vendor, the breaker stays closed', async (_, client, code) => {
    const gw = await gateway({ env: { ...env, OPRETAIL_RETRIES: '1' }, client });
    const calls = 2 * gw.config.breakerMinCalls;
    const bodies = await Promise.all(Array.from({ length: calls }, (__, n) => gw.query(indicator(String(3000 + n)))));
    expect(bodies.flatMap(({ body }) => codesOf(body))).toEqual(Array(calls).fill(code));
    // One attempt each (never retried), every one sent.
    expect(emulator.callCount()).toBe(calls);
    expect(gw.states).toEqual([]);
    expect(codesOf((await gw.query(indicator('3100'))).body)).toEqual([code]);
    expect(emulator.callCount()).toBe(calls + 1);
  });

  it('an open window cached before: with the vendor failing and the breaker open, it is served stale, not as an error', async () => {
    const openDay = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(Date.now());
    const gw = await gateway({ env: { ...env, OPRETAIL_BREAKER_COOLDOWN_MS: '60000', CACHE_OPEN_TTL_S: '1' }, cache: true });
    const fresh = await gw.query(indicator('4000', openDay));
    expect(fresh.body.errors).toBeUndefined();
    const { fetchedAt } = figuresOf(fresh.body)!;

    emulator.setFaults([{ kind: 'code', code: -500 }]);
    await Promise.all(Array.from({ length: gw.config.breakerMinCalls }, (_, n) => gw.query(indicator(String(4100 + n), openDay))));
    expect(gw.states).toEqual(['open']);
    const callsWhenOpened = businessCalls();
    // The entry is no longer fresh (CACHE_OPEN_TTL_S=1), so only the vendor could answer it.
    await untilPast(Date.parse(fetchedAt) + 1000);

    const stale = await gw.query(indicator('4000', openDay));
    expect(stale.body.errors).toBeUndefined();
    expect(stale.body.data).toEqual(fresh.body.data);
    expect(stale.body.extensions?.stale).toEqual([{ path: ['store', 'passengerIndicator'], ageSeconds: expect.any(Number) }]);
    expect((stale.body.extensions!.stale as [{ ageSeconds: number }])[0].ageSeconds).toBeGreaterThanOrEqual(1);
    // A window never cached has nothing to fall back on: the breaker's typed error.
    const uncached = await gw.query(indicator('4200', openDay));
    expect(uncached.body.errors?.map((error) => error.extensions)).toEqual([{ code: 'UPSTREAM_UNAVAILABLE', retryable: true, retryAfterMs: expect.any(Number) }]);
    expect(businessCalls()).toBe(callsWhenOpened);
    expect(stale.ms).toBeLessThanOrEqual(gw.config.requestTimeoutMs);
  });
});

describe('deadline and bounded queue', () => {
  const DEADLINE_ENV = { OPRETAIL_TIMEOUT_MS: '1000', GATEWAY_REQUEST_TIMEOUT_MS: '3000' };
  /** 2026-04-01 … 2026-05-10. */
  const FORTY_DAYS = Array.from({ length: 40 }, (_, index) => new Date(Date.UTC(2026, 3, 1 + index)).toISOString().slice(0, 10));

  it.each([
    // With the default breaker the series trips it part-way (the days after that fail fast), which alone would
    // end the answer in time; with the breaker out of the way only the deadline can.
    ['default breaker', {}],
    ['breaker out of the way', { OPRETAIL_BREAKER_MIN_CALLS: '100000' }],
  ])(
    'a 40-day series over a hanging store (OPRETAIL_TIMEOUT_MS=1000, GATEWAY_REQUEST_TIMEOUT_MS=3000, %s) → UPSTREAM_TIMEOUT in ≤ 3.3 s',
    async (_, breakerEnv) => {
      emulator.setFaults([{ kind: 'hang', depId: '5000' }]);
      const gw = await gateway({ env: { ...DEADLINE_ENV, ...breakerEnv } });
      const { body, ms } = await gw.query(`{ store(id: "5000") { dailyPassengerIndicators(from: "${FORTY_DAYS[0]}", to: "${FORTY_DAYS.at(-1)}") { inflow } } }`);
      // The series' items are non-null, so the failing series is null with the error of its first day.
      expect(body.data).toEqual({ store: { dailyPassengerIndicators: null } });
      // Days answer on their own (a hanging day holds back no other): the first to time out null the list.
      expect(body.errors!.length).toBeGreaterThanOrEqual(1);
      for (const error of body.errors!) {
        expect(error).toEqual(expect.objectContaining({ path: ['store', 'dailyPassengerIndicators', expect.any(Number)], extensions: { code: 'UPSTREAM_TIMEOUT', retryable: true } }));
      }
      // The deadline + 10 %: the one clock bound of this file.
      expect(ms).toBeLessThanOrEqual(1.1 * gw.config.requestTimeoutMs);
      // Every call that was sent timed out (per attempt, or at the deadline) and none was retried; at most
      // OPRETAIL_MAX_CONCURRENCY at a time, and none after the deadline.
      // Once the answer is complete the request's remaining calls are cancelled; each reports its attempt.
      await until(() => gw.attempts.length === businessCalls());
      expect(gw.attempts.length).toBeGreaterThan(0);
      expect(gw.attempts.every((event) => event.outcome === 'UPSTREAM_TIMEOUT' && event.attempt === 1)).toBe(true);
      expect(businessCalls()).toBeLessThanOrEqual(3 * gw.config.maxConcurrency);
    },
    10_000,
  );

  it(
    '40 one-day fields over a hanging store (breaker out of the way) → 40 UPSTREAM_TIMEOUT errors, each at its field, in ≤ 3.3 s',
    async () => {
      emulator.setFaults([{ kind: 'hang', depId: '5001' }]);
      const gw = await gateway({ env: { ...DEADLINE_ENV, OPRETAIL_BREAKER_MIN_CALLS: '100000' } });
      const fields = FORTY_DAYS.map((day, index) => `d${index}: passengerIndicator(from: "${day}", to: "${day}") { inflow }`);
      const { body, ms } = await gw.query(`{ store(id: "5001") { ${fields.join(' ')} } }`);
      expect(body.errors?.map((error) => [error.path?.[1], error.extensions.code, error.extensions.retryable]).sort()).toEqual(
        FORTY_DAYS.map((_, index) => [`d${index}`, 'UPSTREAM_TIMEOUT', true]).sort(),
      );
      expect(ms).toBeLessThanOrEqual(1.1 * gw.config.requestTimeoutMs);
      // Three rounds of OPRETAIL_MAX_CONCURRENCY calls fit in the deadline; the rest were never sent.
      expect(businessCalls()).toBe(gw.attempts.length);
      expect(businessCalls()).toBeLessThanOrEqual(3 * gw.config.maxConcurrency);
    },
    10_000,
  );

  it('maxConnections 1 + maxQueued 2: of 10 concurrent calls to a hanging store, 3 are sent or wait, 7 fail fast with UPSTREAM_UNAVAILABLE', async () => {
    emulator.setFaults([{ kind: 'hang', depId: '6000' }]);
    const gw = await gateway({ env: { OPRETAIL_MAX_CONNECTIONS: '1', OPRETAIL_MAX_QUEUED: '2', OPRETAIL_TIMEOUT_MS: '1000', GATEWAY_REQUEST_TIMEOUT_MS: '3000' } });
    expect([gw.config.maxConnections, gw.config.maxQueued]).toEqual([1, 2]);
    const settled: Timed[] = [];
    const all = Array.from({ length: 10 }, () => gw.query(indicator('6000')).then((answer) => (settled.push(answer), answer)));
    await until(() => settled.length === 7);
    // The 7 refused answers are in while the other 3 still wait: one holds the only connection, two are queued.
    expect(settled.map(({ body }) => body.errors?.map((error) => error.extensions))).toEqual(Array(7).fill([{ code: 'UPSTREAM_UNAVAILABLE', retryable: true }]));
    await Promise.all(all);
    expect(settled.slice(7).map(({ body }) => codesOf(body))).toEqual(Array(3).fill(['UPSTREAM_TIMEOUT']));
    // Attempts: only the 3 that were sent or queued; the 7 refused ones never were.
    expect(gw.attempts.map((event) => event.outcome)).toEqual(Array(3).fill('UPSTREAM_TIMEOUT'));
    // Of those, only what got a connection reached the vendor (undici's queue holds the rest).
    expect(businessCalls()).toBeGreaterThanOrEqual(1);
    expect(businessCalls()).toBeLessThanOrEqual(3);
    for (const { ms } of settled) expect(ms).toBeLessThanOrEqual(gw.config.requestTimeoutMs);
  });
});
