import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCaching } from '../../src/caching.js';
import { loadConfig } from '../../src/config.js';
import { startEmulator, type Emulator, type Fault } from '../../src/emulator/index.js';
import { createApiKeyRegistry, generateApiKey, type ApiKeyRegistry } from '../../src/security/api-keys.js';
import { createOpretailClient } from '../../src/upstream/client.js';
import { createPassengerFlowApi } from '../../src/upstream/passenger-flow.js';
import { createGatewayYoga } from '../../src/yoga.js';
import { storedKey } from '../fixtures/api-keys.js';
import { testClientConfig } from '../fixtures/client-config.js';
import { startRedis, type TestRedis } from '../fixtures/redis-server.js';

/**
 * The answer cache through `yoga.fetch`, on both backends: every test counts the calls the strict emulator
 * received. Redis is a private `redis-server` (test/fixtures/redis-server.ts); each gateway gets its own
 * upstream account, so tests never share entries unless they mean to.
 */

const SECRET = 'cache-test-secret';
const root = fileURLToPath(new URL('../..', import.meta.url));

type Backend = 'memory' | 'redis';
const BACKENDS: Backend[] = ['memory', 'redis'];

interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions: Record<string, unknown> }>;
  extensions?: Record<string, unknown>;
}

/** `yyyy-MM-dd` in the platform's zone, `days` from today: today is an open window, a week ago is settled. */
function platformDay(days: number): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(Date.now() + days * 86_400_000);
}
const SETTLED_DAY = platformDay(-7);
const OTHER_SETTLED_DAY = platformDay(-8);
const OPEN_DAY = platformDay(0);

const indicator = (store: string, day: string) => `{ store(id: "${store}") { passengerIndicator(from: "${day}", to: "${day}") { inflow fetchedAt } } }`;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

const operator = generateApiKey();
const viewer = generateApiKey();
const KEYS = createApiKeyRegistry([storedKey('operator', operator, { cacheBypass: true }), storedKey('viewer', viewer, {})]);
const bearer = (generated: { key: string }) => ({ authorization: `Bearer ${generated.key}` });

let emulator: Emulator;
let redis: TestRedis;
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  [emulator, redis] = await Promise.all([startEmulator({ keys: [{ key: 'gw', secret: SECRET }] }), startRedis()]);
});
afterAll(async () => {
  await Promise.all([emulator?.close(), redis?.stop()]);
});
beforeEach(() => {
  emulator.setFaults([]);
  emulator.resetCalls();
});
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** A fresh upstream account (what `upstreamAccount` hashes to): entries of different gateways never meet. */
const newAccount = () => randomBytes(8).toString('hex');

interface GatewayOptions {
  env?: Record<string, string>;
  /** Another Redis than the file's. */
  redisUrl?: string;
  /** Gateways given the same account share entries (one deployment, several instances). */
  account?: string;
  apiKeys?: ApiKeyRegistry;
}

type Gateway = Awaited<ReturnType<typeof gateway>>;

/** A gateway as server.ts wires it: createCaching, a client with its limiter, the yoga with its cache; closed after the test (or with `owner`). */
async function gateway(backend: Backend, options: GatewayOptions = {}, owner = closers) {
  const config = loadConfig({ ...(backend === 'redis' ? { REDIS_URL: options.redisUrl ?? redis.url } : {}), ...options.env });
  const logged = { warn: [] as string[], notice: [] as string[] };
  const caching = await createCaching(config, options.account ?? newAccount(), {
    warn: (...args: unknown[]) => logged.warn.push(args.join(' ')),
    notice: (...args: unknown[]) => logged.notice.push(args.join(' ')),
  });
  const client = createOpretailClient(
    testClientConfig({ baseUrl: emulator.url, appKey: 'gw', appSecret: SECRET, retries: 0, ...(caching.limiter ? { limiter: caching.limiter } : {}) }),
  );
  owner.push(async () => {
    await client.close();
    await caching.close();
  });
  expect(caching.backend).toBe(backend);
  const yoga = createGatewayYoga({ passengerFlow: createPassengerFlowApi(client), config, cache: caching.cache, apiKeys: options.apiKeys ?? null });
  const query = async (document: string, headers: Record<string, string> = {}): Promise<GraphQLBody> => {
    const response = await yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body: JSON.stringify({ query: document }),
    });
    return (await response.json()) as GraphQLBody;
  };
  return { query, logged, caching };
}

/** The upstream calls `action` causes. */
async function callsOf(action: () => Promise<unknown>): Promise<number> {
  const before = emulator.callCount();
  await action();
  return emulator.callCount() - before;
}

const figuresOf = (body: GraphQLBody) => (body.data?.store as { passengerIndicator: { inflow: number; fetchedAt: string } } | null)?.passengerIndicator;

/** Waits (does not assert) until the clock is past `epochMs`. */
async function until(epochMs: number): Promise<void> {
  while (Date.now() <= epochMs) await sleep(Math.min(50, epochMs - Date.now() + 1));
}

describe.each(BACKENDS)('%s backend', (backend) => {
  it('the same settled window twice → 1 upstream call, then 0', async () => {
    const gw = await gateway(backend);
    const first = await gw.query(indicator('174679', SETTLED_DAY));
    expect(first.errors).toBeUndefined();
    expect(emulator.callCount()).toBe(1);
    const second = await gw.query(indicator('174679', SETTLED_DAY));
    expect(emulator.callCount()).toBe(1);
    expect(second).toEqual(first);
  });

  it('a warm window asked under several aliases and as a day of a series → 0 calls, the same figures everywhere', async () => {
    const gw = await gateway(backend);
    const day = `passengerIndicator(from: "${SETTLED_DAY}", to: "${SETTLED_DAY}") { inflow passBy fetchedAt }`;
    const series = `dailyPassengerIndicators(from: "${SETTLED_DAY}", to: "${SETTLED_DAY}") { inflow passBy fetchedAt }`;
    const document = `{ a: store(id: "174690") { ${day} } b: store(id: "174690") { ${day} ${series} } c: stores(ids: ["174690", "174690"]) { ${day} } }`;
    const cold = await gw.query(document);
    expect(cold.errors).toBeUndefined();
    expect(emulator.callCount()).toBe(1);
    const warm = await gw.query(document);
    expect(emulator.callCount()).toBe(1);
    expect(warm).toEqual(cold);
    const data = warm.data as { a: { passengerIndicator: unknown }; b: { passengerIndicator: unknown; dailyPassengerIndicators: unknown[] }; c: Array<{ passengerIndicator: unknown }> };
    for (const figures of [data.b.passengerIndicator, data.b.dailyPassengerIndicators[0], data.c[0]!.passengerIndicator, data.c[1]!.passengerIndicator]) {
      expect(figures).toEqual(data.a.passengerIndicator);
    }
  });

  it('fetchedAt is an ISO date-time of the vendor’s answer, unchanged on a cache hit', async () => {
    const gw = await gateway(backend);
    const before = Date.now();
    const first = figuresOf(await gw.query(indicator('174680', SETTLED_DAY)))!;
    const after = Date.now();
    expect(first.fetchedAt).toMatch(ISO_DATE_TIME);
    expect(Date.parse(first.fetchedAt)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(first.fetchedAt)).toBeLessThanOrEqual(after);
    await until(Date.parse(first.fetchedAt) + 5);
    const hit = figuresOf(await gw.query(indicator('174680', SETTLED_DAY)))!;
    expect(hit.fetchedAt).toBe(first.fetchedAt);
    expect(emulator.callCount()).toBe(1);
  });

  it('an open window is fresh for CACHE_OPEN_TTL_S: no call before it ends, exactly 1 after', async () => {
    const gw = await gateway(backend, { env: { CACHE_OPEN_TTL_S: '1' } });
    const first = figuresOf(await gw.query(indicator('174681', OPEN_DAY)))!;
    expect(emulator.callCount()).toBe(1);
    const freshUntil = Date.parse(first.fetchedAt) + 1000;
    // Ask again and again: every answer that came back while the entry was fresh cost no call; the first
    // request sent after it went stale costs exactly one.
    const polls: Array<{ sentAt: number; doneAt: number; calls: number; fetchedAt: string }> = [];
    for (let refetched = false; !refetched; ) {
      expect(Date.now(), 'still no refetch 2 s after the TTL').toBeLessThan(freshUntil + 2000);
      const sentAt = Date.now();
      let body: GraphQLBody = {};
      const calls = await callsOf(async () => (body = await gw.query(indicator('174681', OPEN_DAY))));
      polls.push({ sentAt, doneAt: Date.now(), calls, fetchedAt: figuresOf(body)!.fetchedAt });
      refetched = calls > 0;
      if (!refetched) await sleep(20);
    }
    const last = polls.at(-1)!;
    expect(last.calls).toBe(1);
    expect(last.doneAt).toBeGreaterThanOrEqual(freshUntil);
    expect(Date.parse(last.fetchedAt)).toBeGreaterThanOrEqual(freshUntil);
    for (const poll of polls.slice(0, -1)) {
      expect(poll.calls).toBe(0);
      expect(poll.fetchedAt).toBe(first.fetchedAt);
    }
    expect(polls.filter((poll) => poll.doneAt < freshUntil).length, 'no answer came back while the entry was fresh').toBeGreaterThan(0);
    // The refetched answer is the new entry.
    expect(await callsOf(() => gw.query(indicator('174681', OPEN_DAY)))).toBe(0);
  });

  it('100 concurrent identical cold requests → exactly 1 upstream call, the same answer for all', async () => {
    const gw = await gateway(backend);
    const bodies = await Promise.all(Array.from({ length: 100 }, () => gw.query(indicator('174682', SETTLED_DAY))));
    expect(emulator.callCount()).toBe(1);
    for (const body of bodies) {
      expect(body.errors).toBeUndefined();
      expect(body).toEqual(bodies[0]);
    }
  });

  it('100 concurrent cold requests over 4 keys → exactly 1 upstream call per key', async () => {
    const gw = await gateway(backend);
    const keys: Array<[string, string]> = [
      ['174683', SETTLED_DAY],
      ['174683', OTHER_SETTLED_DAY],
      ['174684', SETTLED_DAY],
      ['174685', OPEN_DAY],
    ];
    const bodies = await Promise.all(Array.from({ length: 100 }, (_, index) => gw.query(indicator(...keys[index % keys.length]!))));
    expect(bodies.every((body) => body.errors === undefined)).toBe(true);
    expect(emulator.calls.map((call) => `${call.depId} ${call.startTime}`).sort()).toEqual(keys.map(([store, day]) => `${store} ${day} 00:00:00`).sort());
  });

  it('errors are never cached: a failed call, then the vendor recovers → the next request calls and succeeds', async () => {
    const gw = await gateway(backend);
    emulator.setFaults([{ kind: 'code', code: -500, times: 1 }]);
    const failed = await gw.query(indicator('174686', SETTLED_DAY));
    expect(failed.errors?.map((error) => error.extensions.code)).toEqual(['API_SYSTEM_CALL_ERROR']);
    expect(emulator.callCount()).toBe(1);
    const recovered = await gw.query(indicator('174686', SETTLED_DAY));
    expect(recovered.errors).toBeUndefined();
    expect(figuresOf(recovered)?.inflow).toEqual(expect.any(Number));
    expect(emulator.callCount()).toBe(2);
    expect(await callsOf(() => gw.query(indicator('174686', SETTLED_DAY)))).toBe(0);
  });

  describe('stale-if-error (CACHE_OPEN_TTL_S=1)', () => {
    /** Gateways that fetched an open window each, then waited until it was no longer fresh (once for all tests). */
    const setup = { lenient: null as Gateway | null, strict: null as Gateway | null, fresh: new Map<string, GraphQLBody>() };
    const own: Array<() => Promise<void>> = [];
    const STORES = { lenient500: '174687', lenient503: '174688', signWrong: '174689', strict500: '174710', strict503: '174711' };

    beforeAll(async () => {
      setup.lenient = await gateway(backend, { env: { CACHE_OPEN_TTL_S: '1', CACHE_MAX_STALE_S: '60' } }, own);
      setup.strict = await gateway(backend, { env: { CACHE_OPEN_TTL_S: '1', CACHE_MAX_STALE_S: '0' } }, own);
      const lenient = [STORES.lenient500, STORES.lenient503, STORES.signWrong].map(async (store) => [store, await setup.lenient!.query(indicator(store, OPEN_DAY))] as const);
      const strict = [STORES.strict500, STORES.strict503].map(async (store) => [store, await setup.strict!.query(indicator(store, OPEN_DAY))] as const);
      setup.fresh = new Map(await Promise.all([...lenient, ...strict]));
      for (const body of setup.fresh.values()) {
        expect(body.errors).toBeUndefined();
        // A fresh answer is never marked stale.
        expect(body.extensions?.stale).toBeUndefined();
      }
      await until(Math.max(...[...setup.fresh.values()].map((body) => Date.parse(figuresOf(body)!.fetchedAt))) + 1000);
    });
    afterAll(async () => {
      await Promise.all(own.splice(0).map((close) => close()));
    });

    const RETRYABLE: Array<[string, Fault, string, keyof typeof STORES, keyof typeof STORES]> = [
      ['-500 API_SYSTEM_CALL_ERROR', { kind: 'code', code: -500 }, 'API_SYSTEM_CALL_ERROR', 'lenient500', 'strict500'],
      ['HTTP 503', { kind: 'http', status: 503 }, 'UPSTREAM_UNAVAILABLE', 'lenient503', 'strict503'],
    ];

    it.each(RETRYABLE)('%s → the old answer, listed in extensions.stale (CACHE_MAX_STALE_S=60)', async (_, fault, __, storeName) => {
      const store = STORES[storeName];
      const fresh = setup.fresh.get(store)!;
      const { fetchedAt } = figuresOf(fresh)!;
      emulator.setFaults([fault]);
      let stale: GraphQLBody = {};
      expect(await callsOf(async () => (stale = await setup.lenient!.query(indicator(store, OPEN_DAY))))).toBe(1);
      const ageBound = Math.ceil((Date.now() - Date.parse(fetchedAt)) / 1000);
      expect(stale.errors).toBeUndefined();
      expect(stale.data).toEqual(fresh.data);
      expect(stale.extensions?.stale).toEqual([{ path: ['store', 'passengerIndicator'], ageSeconds: expect.any(Number) }]);
      const [{ ageSeconds }] = stale.extensions!.stale as [{ ageSeconds: number }];
      expect(Number.isInteger(ageSeconds)).toBe(true);
      expect(ageSeconds).toBeGreaterThanOrEqual(1);
      expect(ageSeconds).toBeLessThanOrEqual(ageBound);
    });

    it.each(RETRYABLE)('%s with CACHE_MAX_STALE_S=0 → the usual typed error', async (_, fault, code, __, storeName) => {
      const store = STORES[storeName];
      emulator.setFaults([fault]);
      let failed: GraphQLBody = {};
      expect(await callsOf(async () => (failed = await setup.strict!.query(indicator(store, OPEN_DAY))))).toBe(1);
      expect(failed.errors?.map((error) => [error.extensions.code, error.path])).toEqual([[code, ['store', 'passengerIndicator']]]);
      expect(failed.extensions?.stale).toBeUndefined();
    });

    it('a non-retryable failure (SIGN_WRONG) is never answered stale', async () => {
      emulator.setFaults([{ kind: 'code', code: 7 }]);
      let failed: GraphQLBody = {};
      expect(await callsOf(async () => (failed = await setup.lenient!.query(indicator(STORES.signWrong, OPEN_DAY))))).toBe(1);
      expect(failed.errors?.map((error) => error.extensions.code)).toEqual(['SIGN_WRONG']);
      expect(failed.data).toEqual({ store: { passengerIndicator: null } });
      expect(failed.extensions?.stale).toBeUndefined();
    });
  });

  describe('Cache-Control: no-cache', () => {
    it('from a cacheBypass key → 1 more call, and its answer becomes the entry', async () => {
      const gw = await gateway(backend, { apiKeys: KEYS });
      const first = figuresOf(await gw.query(indicator('174700', SETTLED_DAY), bearer(operator)))!;
      expect(emulator.callCount()).toBe(1);
      await until(Date.parse(first.fetchedAt) + 5);
      let refetched: GraphQLBody = {};
      expect(await callsOf(async () => (refetched = await gw.query(indicator('174700', SETTLED_DAY), { ...bearer(operator), 'cache-control': 'no-cache' })))).toBe(1);
      const { fetchedAt } = figuresOf(refetched)!;
      expect(Date.parse(fetchedAt)).toBeGreaterThan(Date.parse(first.fetchedAt));
      // Stored: the next plain request is a hit on the new answer.
      let next: GraphQLBody = {};
      expect(await callsOf(async () => (next = await gw.query(indicator('174700', SETTLED_DAY), bearer(viewer))))).toBe(0);
      expect(figuresOf(next)!.fetchedAt).toBe(fetchedAt);
    });

    it('from a key without cacheBypass → no call', async () => {
      const gw = await gateway(backend, { apiKeys: KEYS });
      const first = await gw.query(indicator('174701', SETTLED_DAY), bearer(viewer));
      expect(emulator.callCount()).toBe(1);
      let again: GraphQLBody = {};
      expect(await callsOf(async () => (again = await gw.query(indicator('174701', SETTLED_DAY), { ...bearer(viewer), 'cache-control': 'no-cache' })))).toBe(0);
      expect(again).toEqual(first);
    });
  });
});

describe('Redis', () => {
  it('killed mid-run: answers go on from the vendor, one warning; restarted: caching is shared again', async () => {
    const own = await startRedis();
    closers.push(() => own.stop());
    const gw = await gateway('redis', { redisUrl: own.url });
    expect(await callsOf(() => gw.query(indicator('174692', SETTLED_DAY)))).toBe(1);
    expect(await callsOf(() => gw.query(indicator('174692', SETTLED_DAY)))).toBe(0);

    await own.kill();
    for (const store of ['174692', '174693', '174693']) {
      let body: GraphQLBody = {};
      // Nothing can be read or stored while Redis is away: every request asks the vendor, and gets its answer.
      expect(await callsOf(async () => (body = await gw.query(indicator(store, SETTLED_DAY))))).toBe(1);
      expect(body.errors).toBeUndefined();
      expect(figuresOf(body)?.inflow).toEqual(expect.any(Number));
    }
    await vi.waitFor(() => expect(gw.logged.warn).toHaveLength(1), { timeout: 5_000, interval: 20 });

    await own.restart();
    await vi.waitFor(() => expect(gw.logged.notice.join('\n')).toMatch(/Redis is back/), { timeout: 10_000, interval: 20 });
    expect(await callsOf(() => gw.query(indicator('174694', SETTLED_DAY)))).toBe(1);
    expect(await callsOf(() => gw.query(indicator('174694', SETTLED_DAY)))).toBe(0);
    // The outage was reported once however many reconnection attempts failed.
    expect(gw.logged.warn).toHaveLength(1);
    expect(gw.logged.warn[0]).not.toContain(own.url);
  });

  it('two instances on one Redis share entries: the second makes 0 calls for what the first fetched', async () => {
    const account = newAccount();
    const [first, second] = await Promise.all([gateway('redis', { account }), gateway('redis', { account })]);
    const document = `{ a: store(id: "174695") { passengerIndicator(from: "${SETTLED_DAY}", to: "${SETTLED_DAY}") { inflow fetchedAt } }
      b: store(id: "174696") { passengerIndicator(from: "${OPEN_DAY}", to: "${OPEN_DAY}") { inflow fetchedAt } } }`;
    let fetched: GraphQLBody = {};
    expect(await callsOf(async () => (fetched = await first.query(document)))).toBe(2);
    let shared: GraphQLBody = {};
    expect(await callsOf(async () => (shared = await second.query(document)))).toBe(0);
    expect(shared).toEqual(fetched);
    // Another account (another tenant or environment) shares nothing.
    const other = await gateway('redis');
    expect(await callsOf(() => other.query(document))).toBe(2);
  });

  it('100 concurrent identical cold requests over two instances → exactly 1 upstream call', async () => {
    const account = newAccount();
    const [first, second] = await Promise.all([gateway('redis', { account }), gateway('redis', { account })]);
    const bodies = await Promise.all(Array.from({ length: 100 }, (_, index) => (index % 2 ? second : first).query(indicator('174697', SETTLED_DAY))));
    expect(emulator.callCount()).toBe(1);
    for (const body of bodies) expect(body).toEqual(bodies[0]);
  });

  it('OPRETAIL_MAX_CALLS_PER_SECOND=20 holds for two instances together: ≤ 21 calls reach the vendor in any sliding second', async () => {
    const account = newAccount();
    const env = { OPRETAIL_MAX_CALLS_PER_SECOND: '20' };
    const instances = await Promise.all([gateway('redis', { account, env }), gateway('redis', { account, env })]);
    const stores = Array.from({ length: 80 }, (_, index) => String(8_000_001 + index));
    const bodies = await Promise.all(stores.map((store, index) => instances[index % 2]!.query(indicator(store, SETTLED_DAY))));
    // With the default OPRETAIL_TIMEOUT_MS every call finds room in time.
    for (const body of bodies) expect(body.errors).toBeUndefined();
    expect(emulator.callCount()).toBe(80);
    const arrivals = emulator.calls.map((call) => call.at);
    // One budget for both: the opening burst is 20 calls in all, not 20 per instance.
    const first = Math.min(...arrivals);
    expect(arrivals.filter((at) => at < first + 500).length).toBeLessThanOrEqual(21);
    // What the vendor sees: any one-second window of arrivals.
    expect(maxCallsInOneSecond(arrivals)).toBeLessThanOrEqual(21);
  }, 15_000);

  it('npm run cache -- purge --store <id> removes that store’s entries and no other’s', async () => {
    const gw = await gateway('redis');
    const [purged, kept] = ['9100001', '9100002'];
    const documents = [indicator(purged!, SETTLED_DAY), indicator(purged!, OTHER_SETTLED_DAY), indicator(kept!, SETTLED_DAY)];
    for (const document of documents) expect(await callsOf(() => gw.query(document))).toBe(1);
    for (const document of documents) expect(await callsOf(() => gw.query(document))).toBe(0);

    const output = await purge(['--store', purged!], redis.url);
    expect(output).toContain(`removed 2 cached answer(s) of store ${purged}`);
    expect(await callsOf(() => gw.query(documents[0]!))).toBe(1);
    expect(await callsOf(() => gw.query(documents[1]!))).toBe(1);
    expect(await callsOf(() => gw.query(documents[2]!))).toBe(0);
  }, 15_000);
});

/** The most calls whose arrival times fall within one sliding second. */
function maxCallsInOneSecond(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let start = 0, end = 0; start < sorted.length; start++) {
    while (end < sorted.length && sorted[end]! < sorted[start]! + 1000) end++;
    most = Math.max(most, end - start);
  }
  return most;
}

/** Runs the operator's script as documented, and resolves with its output (rejects on a non-zero exit). */
function purge(args: string[], redisUrl: string): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, REDIS_URL: redisUrl };
  for (const name of Object.keys(env)) if (/^(OPRETAIL|GATEWAY|CACHE)_/.test(name)) delete env[name];
  return new Promise((resolve, reject) => {
    execFile('npm', ['run', '-s', 'cache', '--', 'purge', ...args], { cwd: root, env, timeout: 15_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`npm run cache failed: ${error.message}\n${stdout}${stderr}`));
      else resolve(`${stdout}${stderr}`);
    });
  });
}
