import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCaching } from '../../src/caching.js';
import { loadConfig } from '../../src/config.js';
import { computeHourlyIndicators, computePassengerIndicator, MANY_SHOPS_METHOD, MANY_SHOPS_METHOD_ALIAS, startEmulator, storeProfile, type Emulator } from '../../src/emulator/index.js';
import { createApiKeyRegistry, generateApiKey } from '../../src/security/api-keys.js';
import { createOpretailClient } from '../../src/upstream/client.js';
import { createHourlyFlowApi } from '../../src/upstream/hourly-flow.js';
import { createPassengerFlowApi } from '../../src/upstream/passenger-flow.js';
import { createGatewayYoga } from '../../src/yoga.js';
import { storedKey } from '../fixtures/api-keys.js';
import { testClientConfig } from '../fixtures/client-config.js';
import { startRedis, type TestRedis } from '../fixtures/redis-server.js';

/**
 * `Store.hourlyPassengerIndicators` through `yoga.fetch` against the strict emulator: every test counts the
 * multi-store calls the emulator received and reads the ids each one carried from its call log. Each gateway
 * has its own upstream account, so no two tests share cache entries.
 */

const SECRET = 'hourly-test-secret';
const DAY = '2026-05-10';
const ids = (count: number, first = 174_679): string[] => Array.from({ length: count }, (_, i) => String(first + i));

interface Body {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions: Record<string, unknown> }>;
  extensions?: Record<string, unknown>;
}
type Hour = { date?: string; hour: number; inflow: number | null; passBy?: number | null; outsideFlow?: number | null; inShopRate?: number | null };
type StoreHours = { id: string; hourlyPassengerIndicators: Hour[] | null };

const viewer = generateApiKey();
const KEYS = createApiKeyRegistry([storedKey('viewer', viewer, { stores: new Set(ids(3)) })]);

let emulator: Emulator;
let stringEmulator: Emulator;
let redis: TestRedis;
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  [emulator, stringEmulator, redis] = await Promise.all([
    startEmulator({ keys: [{ key: 'gw', secret: SECRET }], numberStyle: 'number' }),
    startEmulator({ keys: [{ key: 'gw', secret: SECRET }], numberStyle: 'string' }),
    startRedis(),
  ]);
});
afterAll(async () => {
  await Promise.all([emulator?.close(), stringEmulator?.close(), redis?.stop()]);
});
beforeEach(() => {
  for (const upstream of [emulator, stringEmulator]) {
    upstream.setFaults([]);
    upstream.resetCalls();
  }
});
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

interface GatewayOptions {
  env?: Record<string, string>;
  upstream?: Emulator;
  keys?: boolean;
  redis?: boolean;
}

async function gateway(options: GatewayOptions = {}) {
  const upstream = options.upstream ?? emulator;
  const config = loadConfig({ ...(options.keys ? { GATEWAY_API_KEYS_FILE: '/unused' } : {}), ...(options.redis ? { REDIS_URL: redis.url } : {}), ...options.env });
  const caching = await createCaching(config, randomBytes(8).toString('hex'), { warn: () => undefined, notice: () => undefined });
  const client = createOpretailClient(testClientConfig({ baseUrl: upstream.url, appKey: 'gw', appSecret: SECRET, retries: 0 }));
  closers.push(async () => {
    await client.close();
    await caching.close();
  });
  const yoga = createGatewayYoga({
    passengerFlow: createPassengerFlowApi(client),
    hourlyFlow: createHourlyFlowApi(client),
    config,
    cache: caching.cache,
    apiKeys: options.keys ? KEYS : null,
  });
  return async (query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<Body> => {
    const response = await yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as Body;
  };
}

const HOURS_OF = `query Hours($ids: [ID!]!, $from: LocalDate!, $to: LocalDate!, $open: Boolean! = false) {
  stores(ids: $ids) { id hourlyPassengerIndicators(from: $from, to: $to, businessHoursOnly: $open) { date hour inflow passBy outsideFlow inShopRate } }
}`;
const hoursOf = (storeIds: string[], from = DAY, to = DAY, open = false) => [HOURS_OF, { ids: storeIds, from, to, open }] as const;

/** What the emulator answers for one store, as the gateway must show it (its own rule, computed independently of the call). */
function vendorHours(depId: string, from = DAY, to = DAY): Hour[] {
  return computeHourlyIndicators({ depId, startTime: `${from} 00:00:00`, endTime: `${to} 23:59:59` }).map((entry) => ({
    date: entry.time.slice(0, 10),
    hour: Number(entry.time.slice(11, 13)),
    inflow: entry.passengerFlow,
    passBy: entry.passPassengerFlow,
    outsideFlow: entry.outSidePassengerFlow,
    inShopRate: entry.inShopRate,
  }));
}

const storesOf = (body: Body) => body.data?.stores as StoreHours[];
const hourlyCalls = (upstream: Emulator = emulator) => upstream.calls.filter((call) => call.method === MANY_SHOPS_METHOD);

describe('hourlyPassengerIndicators: batching', () => {
  it('20 stores → exactly 1 upstream call carrying all 20 ids; each store’s 24 hours are what the vendor answered for it', async () => {
    const gql = await gateway();
    const storeIds = ids(20);
    const body = await gql(...hoursOf(storeIds));
    expect(body.errors).toBeUndefined();
    expect(emulator.callCount()).toBe(1);
    const [call] = hourlyCalls();
    expect(call?.storeIds).toEqual(storeIds);
    expect(call?.code).toBe(0);
    const stores = storesOf(body);
    expect(stores.map((store) => store.id)).toEqual(storeIds);
    for (const store of stores) {
      expect(store.hourlyPassengerIndicators).toHaveLength(24);
      expect(store.hourlyPassengerIndicators, store.id).toEqual(vendorHours(store.id));
    }
    // Stores differ, so matching by position would have shown: the emulator answers in ascending id order.
    expect(new Set(stores.map((store) => JSON.stringify(store.hourlyPassengerIndicators))).size).toBe(20);
  });

  it('45 stores → 3 calls of 20, 20 and 5 ids, every store answered with its own hours; the cost estimate says 3', async () => {
    const gql = await gateway();
    const storeIds = ids(45);
    // Sent out of order: the answer is still matched to stores by depId.
    const shuffled = [...storeIds.slice(30), ...storeIds.slice(0, 30)];
    const body = await gql(...hoursOf(shuffled));
    expect(body.errors).toBeUndefined();
    expect(body.extensions?.cost).toEqual({ estimated: 3, limit: 2000 });
    expect(emulator.callCount()).toBe(3);
    expect(hourlyCalls().map((call) => call.storeIds?.length)).toEqual([20, 20, 5]);
    expect(hourlyCalls().flatMap((call) => call.storeIds).sort()).toEqual([...storeIds].sort());
    for (const store of storesOf(body)) expect(store.hourlyPassengerIndicators, store.id).toEqual(vendorHours(store.id));
  });

  it('figures sent as numeric strings are read as numbers', async () => {
    const gql = await gateway({ upstream: stringEmulator });
    const storeIds = ids(20, 200_001);
    const client = createOpretailClient(testClientConfig({ baseUrl: stringEmulator.url, appKey: 'gw', appSecret: SECRET, retries: 0 }));
    closers.push(() => client.close());
    // The wire really carries strings (depId included).
    const raw = (await client.call(MANY_SHOPS_METHOD, { id: `S_${storeIds[0]}`, startTime: `${DAY} 00:00:00`, endTime: `${DAY} 23:59:59`, timeType: 1, isOnBusinessTime: 0 })) as Array<Record<string, unknown>>;
    expect(typeof raw[0]?.depId).toBe('string');
    expect(typeof (raw[0]?.dataList as Array<Record<string, unknown>>)[12]?.passengerFlow).toBe('string');
    stringEmulator.resetCalls();
    const body = await gql(...hoursOf(storeIds));
    expect(body.errors).toBeUndefined();
    expect(stringEmulator.callCount()).toBe(1);
    for (const store of storesOf(body)) expect(store.hourlyPassengerIndicators, store.id).toEqual(vendorHours(store.id));
  });

  it('stores of another window (or business hours only) batch apart; aliases of the same window share the call', async () => {
    const gql = await gateway();
    const body = await gql(`{ stores(ids: ${JSON.stringify(ids(3))}) {
      a: hourlyPassengerIndicators(from: "${DAY}", to: "${DAY}") { hour }
      b: hourlyPassengerIndicators(from: "${DAY}", to: "${DAY}") { hour }
      c: hourlyPassengerIndicators(from: "${DAY}", to: "${DAY}", businessHoursOnly: true) { hour }
      d: hourlyPassengerIndicators(from: "2026-05-04", to: "${DAY}") { hour }
    } }`);
    expect(body.errors).toBeUndefined();
    expect(emulator.callCount()).toBe(3);
    expect(hourlyCalls().map((call) => [call.startTime, call.endTime, call.isOnBusinessTime, call.storeIds?.length]).sort()).toEqual(
      [
        [`${DAY} 00:00:00`, `${DAY} 23:59:59`, '0', 3],
        [`${DAY} 00:00:00`, `${DAY} 23:59:59`, '1', 3],
        [`2026-05-04 00:00:00`, `${DAY} 23:59:59`, '0', 3],
      ].sort(),
    );
    const store = (body.data?.stores as Array<Record<string, Hour[]>>)[0]!;
    expect(store.d).toHaveLength(7 * 24);
  });

  it('a batch call is ONE call of the request’s budget: 45 stores fit a limit of 3; a limit of 2 refuses them before any call', async () => {
    const fits = await (await gateway({ env: { GATEWAY_MAX_UPSTREAM_CALLS: '3' } }))(...hoursOf(ids(45)));
    expect(fits.errors).toBeUndefined();
    expect(fits.extensions?.cost).toEqual({ estimated: 3, limit: 3 });
    expect(emulator.callCount()).toBe(3);
    emulator.resetCalls();
    const refused = await (await gateway({ env: { GATEWAY_MAX_UPSTREAM_CALLS: '2' } }))(...hoursOf(ids(45)));
    expect(refused.errors?.map((error) => error.extensions.code)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(emulator.callCount()).toBe(0);
  });

    it('OPRETAIL_HOURLY_BATCH_SIZE and OPRETAIL_HOURLY_METHOD are honoured: 7 stores at 3 per call → 3 calls of the other name', async () => {
    const gql = await gateway({ env: { OPRETAIL_HOURLY_BATCH_SIZE: '3', OPRETAIL_HOURLY_METHOD: MANY_SHOPS_METHOD_ALIAS } });
    const body = await gql(...hoursOf(ids(7)));
    expect(body.errors).toBeUndefined();
    expect(body.extensions?.cost).toEqual({ estimated: 3, limit: 2000 });
    expect(emulator.calls.map((call) => [call.method, call.storeIds?.length])).toEqual([
      [MANY_SHOPS_METHOD_ALIAS, 3],
      [MANY_SHOPS_METHOD_ALIAS, 3],
      [MANY_SHOPS_METHOD_ALIAS, 1],
    ]);
  });
});

describe('hourlyPassengerIndicators: the answer cache', () => {
  it('a second request for 10 of the stores costs 0 calls; one for 10 cached + 25 new costs ⌈25 / 20⌉ = 2 (misses only)', async () => {
    const gql = await gateway();
    const storeIds = ids(20);
    const first = await gql(...hoursOf(storeIds));
    expect(emulator.callCount()).toBe(1);
    const subset = await gql(...hoursOf(storeIds.slice(5, 15)));
    expect(subset.errors).toBeUndefined();
    expect(emulator.callCount()).toBe(1);
    expect(storesOf(subset)).toEqual(storesOf(first).slice(5, 15));
    emulator.resetCalls();
    const mixed = await gql(...hoursOf([...storeIds.slice(0, 10), ...ids(25, 300_001)]));
    expect(mixed.errors).toBeUndefined();
    expect(hourlyCalls().map((call) => call.storeIds?.length)).toEqual([20, 5]);
    expect(hourlyCalls().flatMap((call) => call.storeIds)).not.toContain(storeIds[0]);
  });

  it('with Redis too (every lookup asynchronous): 25 stores → 2 calls, any subset → 0, 10 cached + 25 new → 20 + 5', async () => {
    const gql = await gateway({ redis: true });
    const storeIds = ids(25, 400_001);
    expect((await gql(...hoursOf(storeIds))).errors).toBeUndefined();
    expect(hourlyCalls().map((call) => call.storeIds?.length)).toEqual([20, 5]);
    const again = await gql(...hoursOf(storeIds.slice(18, 23)));
    expect(again.errors).toBeUndefined();
    expect(emulator.callCount()).toBe(2);
    for (const store of storesOf(again)) expect(store.hourlyPassengerIndicators).toEqual(vendorHours(store.id));
    emulator.resetCalls();
    const fresh = ids(25, 500_001);
    const mixed = await gql(...hoursOf([...storeIds.slice(0, 10), ...fresh]));
    expect(mixed.errors).toBeUndefined();
    expect(hourlyCalls().map((call) => call.storeIds)).toEqual([fresh.slice(0, 20), fresh.slice(20)]);
    for (const store of storesOf(mixed)) expect(store.hourlyPassengerIndicators).toEqual(vendorHours(store.id));
  });
});

describe('hourlyPassengerIndicators: failures stay with their stores', () => {
  it('a failing batch call → typed errors for its 20 stores only; the other batches’ 25 stores are answered', async () => {
    const gql = await gateway();
    const storeIds = ids(45);
    // Any call carrying store #25 fails: that is the second batch (stores 20–39).
    emulator.setFaults([{ kind: 'http', status: 502, depId: storeIds[25] }]);
    const body = await gql(...hoursOf(storeIds));
    expect(emulator.callCount()).toBe(3);
    const failed = (body.errors ?? []).map((error) => error.path?.[1]);
    expect(failed).toEqual(Array.from({ length: 20 }, (_, i) => 20 + i));
    for (const error of body.errors ?? []) {
      expect(error.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', retryable: true });
      expect(error.path).toEqual(['stores', error.path?.[1], 'hourlyPassengerIndicators']);
    }
    storesOf(body).forEach((store, index) => {
      if (index >= 20 && index < 40) expect(store.hourlyPassengerIndicators).toBeNull();
      else expect(store.hourlyPassengerIndicators, store.id).toEqual(vendorHours(store.id));
    });
    // Errors are never cached: the failed stores are asked again (in one call), the answered ones are not.
    emulator.setFaults([]);
    emulator.resetCalls();
    expect((await gql(...hoursOf(storeIds))).errors).toBeUndefined();
    expect(hourlyCalls().map((call) => call.storeIds)).toEqual([storeIds.slice(20, 40)]);
  });

  it('a store the vendor leaves out gets UPSTREAM_BAD_RESPONSE; hours it does not report are null, never 0', async () => {
    const gql = await gateway();
    const [a, b] = ids(2);
    const reported = [
      { time: `${DAY} 09:00`, passengerFlow: '5', passPassengerFlow: 50, outSidePassengerFlow: '55', inShopRate: '9.09' },
      { time: 10, passengerFlow: 6, passPassengerFlow: 60, outSidePassengerFlow: 66, inShopRate: 9.09 },
    ];
    emulator.setFaults([{ kind: 'data', depId: a, data: [{ name: '门店', depId: Number(a), shopId: '', dataList: reported }] }]);
    const body = await gql(...hoursOf([a!, b!]));
    expect(emulator.callCount()).toBe(1);
    expect(body.errors).toHaveLength(1);
    expect(body.errors?.[0]).toMatchObject({ path: ['stores', 1, 'hourlyPassengerIndicators'], extensions: { code: 'UPSTREAM_BAD_RESPONSE', retryable: false } });
    expect(body.errors?.[0]?.message).toContain(`no element for store ${b}`);
    const hours = storesOf(body)[0]!.hourlyPassengerIndicators!;
    expect(hours).toHaveLength(24);
    expect(hours.filter((hour) => hour.inflow !== null)).toEqual([
      { date: DAY, hour: 9, inflow: 5, passBy: 50, outsideFlow: 55, inShopRate: 9.09 },
      { date: DAY, hour: 10, inflow: 6, passBy: 60, outsideFlow: 66, inShopRate: 9.09 },
    ]);
    expect(hours[0]).toEqual({ date: DAY, hour: 0, inflow: null, passBy: null, outsideFlow: null, inShopRate: null });
  });

  it('business hours only: the hours the vendor leaves out are null, the others are its figures', async () => {
    const gql = await gateway();
    const [store] = ids(1);
    const body = await gql(...hoursOf([store!], DAY, DAY, true));
    expect(body.errors).toBeUndefined();
    const open = new Map(vendorHours(store!).map((hour) => [hour.hour, hour]));
    for (const hour of storesOf(body)[0]!.hourlyPassengerIndicators!) {
      // The emulator's default business hours are 10:00–22:00.
      expect(hour).toEqual(hour.hour >= 10 && hour.hour < 22 ? open.get(hour.hour) : { date: DAY, hour: hour.hour, inflow: null, passBy: null, outsideFlow: null, inShopRate: null });
    }
  });
});

describe('hourlyPassengerIndicators: input rules and allow-lists, before any call', () => {
  it('a window over OPRETAIL_MAX_HOURLY_DAYS (7) → BAD_USER_INPUT, 0 calls, cost 0', async () => {
    const gql = await gateway();
    const body = await gql(...hoursOf(ids(3), '2026-05-03', DAY));
    expect(emulator.callCount()).toBe(0);
    expect(body.extensions?.cost).toEqual({ estimated: 0, limit: 2000 });
    expect(body.errors?.map((error) => [error.extensions.code, error.path])).toEqual([0, 1, 2].map((i) => ['BAD_USER_INPUT', ['stores', i, 'hourlyPassengerIndicators']]));
    expect(body.errors?.[0]?.message).toContain('the window spans 8 days; the limit is 7');
    const eight = await (await gateway({ env: { OPRETAIL_MAX_HOURLY_DAYS: '8' } }))(...hoursOf(ids(1), '2026-05-03', DAY));
    expect(eight.errors).toBeUndefined();
  });

  it('a store outside the key’s list → FORBIDDEN with nothing fetched for it; the allowed stores share one call', async () => {
    const gql = await gateway({ keys: true });
    const [allowed1, allowed2] = ids(2);
    const body = await gql(...hoursOf([allowed1!, '999', allowed2!]), { authorization: `Bearer ${viewer.key}` });
    expect(body.errors?.map((error) => [error.extensions.code, error.path])).toEqual([['FORBIDDEN', ['stores', 1, 'hourlyPassengerIndicators']]]);
    expect(hourlyCalls().map((call) => call.storeIds)).toEqual([[allowed1, allowed2]]);
    emulator.resetCalls();
    const none = await gql(...hoursOf(['999']), { authorization: `Bearer ${viewer.key}` });
    expect(none.errors?.[0]?.extensions.code).toBe('FORBIDDEN');
    expect(emulator.callCount()).toBe(0);
  });
});

describe('hourlyPassengerIndicators: figures are the vendor’s, never derived', () => {
  it('a face-device store’s hours add up to more than its day, and the gateway shows both as the vendor gave them', async () => {
    const store = ids(200).find((id) => storeProfile(id).faceDevices)!;
    const gql = await gateway();
    const body = await gql(`{ store(id: "${store}") { passengerIndicator(from: "${DAY}", to: "${DAY}") { inflow } hourlyPassengerIndicators(from: "${DAY}", to: "${DAY}") { inflow } } }`);
    expect(body.errors).toBeUndefined();
    const result = body.data?.store as { passengerIndicator: { inflow: number }; hourlyPassengerIndicators: Hour[] };
    const hoursSum = result.hourlyPassengerIndicators.reduce((sum, hour) => sum + (hour.inflow ?? 0), 0);
    expect(result.passengerIndicator.inflow).toBe(computePassengerIndicator({ depId: store, startTime: `${DAY} 00:00:00`, endTime: `${DAY} 23:59:59` }).passengerFlow);
    expect(hoursSum).toBeGreaterThan(result.passengerIndicator.inflow);
    // One call each: the day's indicator and the store's batch.
    expect(emulator.callCount()).toBe(2);
  });
});
