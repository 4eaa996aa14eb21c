import { getNamedType, GraphQLEnumType } from 'graphql';
import { loadConfig } from '../../src/config.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { computePassengerIndicator, startEmulator, type Emulator } from '../../src/emulator/index.js';
import { schema } from '../../src/schema/index.js';
import { testClientConfig } from '../fixtures/client-config.js';
import { createOpretailClient, type OpretailClientConfig } from '../../src/upstream/client.js';
import { createPassengerFlowApi, GET_PASSENGER_INDICATOR_DATA, type PassengerFlowApi } from '../../src/upstream/passenger-flow.js';
import { createGatewayYoga } from '../../src/yoga.js';

const SECRET = 'graphql-test-secret';
/** The documented defaults, as the server loads them with no environment. */
const LIMITS = loadConfig({});
const ERROR_CODES = new Set((getNamedType(schema.getType('ErrorCode')) as GraphQLEnumType).getValues().map((v) => v.name));

interface GraphQLResponse {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; locations?: Array<{ line: number; column: number }>; path?: Array<string | number>; extensions: Record<string, unknown> }>;
}

let emulator: Emulator;
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  emulator = await startEmulator({
    keys: [
      { key: 'gw', secret: SECRET },
      { key: 'expired', secret: 'expired-secret', expired: true },
    ],
  });
});
afterAll(() => emulator.close());
afterEach(async () => {
  emulator.setFaults([]);
  emulator.resetCalls();
  await Promise.all(closers.splice(0).map((close) => close()));
});

function gateway(clientOverrides: Partial<OpretailClientConfig> = {}, limits: Partial<typeof LIMITS> = {}, api?: PassengerFlowApi) {
  const client = createOpretailClient(testClientConfig({ baseUrl: emulator.url, appKey: 'gw', appSecret: SECRET, retries: 0, ...clientOverrides }));
  closers.push(() => client.close());
  const yoga = createGatewayYoga({ passengerFlow: api ?? createPassengerFlowApi(client), config: { ...LIMITS, ...limits } });
  return async (query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse> => {
    const response = await yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as GraphQLResponse;
    for (const error of body.errors ?? []) {
      // Every error carries a code of the schema's ErrorCode enum and a retryable flag.
      expect(ERROR_CODES.has(error.extensions.code as string), `code ${String(error.extensions.code)}`).toBe(true);
      expect(typeof error.extensions.retryable).toBe('boolean');
    }
    expect(JSON.stringify(body)).not.toContain(SECRET);
    return body;
  };
}

const day = (date: string, businessHoursOnly = false) =>
  computePassengerIndicator({ depId: '174679', startTime: `${date} 00:00:00`, endTime: `${date} 23:59:59`, businessHoursOnly }, {});

describe('values', () => {
  it('one store, one day: every field maps from the vendor answer', async () => {
    const gql = gateway();
    const body = await gql(`{
      store(id: "174679") {
        id
        passengerIndicator(from: "2026-05-10", to: "2026-05-10") {
          storeId from to businessHoursOnly inflow passBy outsideFlow inShopRate outflow fittingRoomFlow fittingRoomRate
        }
      }
    }`);
    const expected = day('2026-05-10');
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({
      store: {
        id: '174679',
        passengerIndicator: {
          storeId: '174679',
          from: '2026-05-10',
          to: '2026-05-10',
          businessHoursOnly: false,
          inflow: expected.passengerFlow,
          passBy: expected.passPassengerFlow,
          outsideFlow: expected.outsidePassengerFlow,
          inShopRate: expected.inShopRate,
          outflow: expected.outFlowCount ?? null,
          fittingRoomFlow: expected.dressingPassengerFlow ?? null,
          fittingRoomRate: expected.dressingRate ?? null,
        },
      },
    });
    expect(emulator.calls.map((c) => [c.depId, c.startTime, c.endTime, c.isOnBusinessTime])).toEqual([
      ['174679', '2026-05-10 00:00:00', '2026-05-10 23:59:59', '0'],
    ]);
  });

  it('a business-hours window sends isOnBusinessTime=1 and returns the business-hours figures', async () => {
    const body = await gateway()(`{ store(id: "174679") {
      passengerIndicator(from: "2026-05-10", to: "2026-05-10", businessHoursOnly: true) { businessHoursOnly inflow passBy inShopRate }
    } }`);
    const expected = day('2026-05-10', true);
    expect(body.data).toEqual({
      store: { passengerIndicator: { businessHoursOnly: true, inflow: expected.passengerFlow, passBy: expected.passPassengerFlow, inShopRate: expected.inShopRate } },
    });
    expect(expected.passengerFlow).toBeLessThan(day('2026-05-10').passengerFlow);
    expect(emulator.calls.map((c) => c.isOnBusinessTime)).toEqual(['1']);
  });

  it('a store without indicator fields costs no upstream call; stores() keeps order and duplicates', async () => {
    const body = await gateway()(`{ store(id: "7") { id } stores(ids: ["3", "1", "3"]) { id } }`);
    expect(body.data).toEqual({ store: { id: '7' }, stores: [{ id: '3' }, { id: '1' }, { id: '3' }] });
    expect(emulator.callCount()).toBe(0);
  });
});

describe('batching and de-duplication', () => {
  it('3 aliases of one key → exactly 1 upstream call', async () => {
    const body = await gateway()(`{
      a: store(id: "174679") { passengerIndicator(from: "2026-05-10", to: "2026-05-10") { inflow } }
      b: store(id: "174679") { passengerIndicator(from: "2026-05-10", to: "2026-05-10") { passBy } }
      c: stores(ids: ["174679"]) { x: passengerIndicator(from: "2026-05-10", to: "2026-05-10") { inShopRate } }
    }`);
    expect(body.errors).toBeUndefined();
    expect(emulator.callCount()).toBe(1);
  });

  it('a 7-day daily series plus the same week’s total for 5 stores → exactly 40 calls', async () => {
    const ids = ['101', '102', '103', '104', '105'];
    const body = await gateway()(`query Dashboard($ids: [ID!]!) {
      stores(ids: $ids) {
        id
        week: passengerIndicator(from: "2026-05-04", to: "2026-05-10") { inflow }
        days: dailyPassengerIndicators(from: "2026-05-04", to: "2026-05-10") { from to inflow }
        sunday: passengerIndicator(from: "2026-05-10", to: "2026-05-10") { inflow }
        ...Again
      }
    }
    fragment Again on Store { days2: dailyPassengerIndicators(from: "2026-05-04", to: "2026-05-10") { inflow } }`, { ids });
    expect(body.errors).toBeUndefined();
    expect(emulator.callCount({ method: GET_PASSENGER_INDICATOR_DATA })).toBe(40);
    const stores = body.data!.stores as Array<{ days: Array<{ from: string; to: string; inflow: number }>; sunday: { inflow: number } }>;
    expect(stores).toHaveLength(5);
    for (const store of stores) {
      expect(store.days.map((d) => d.from)).toEqual(['2026-05-04', '2026-05-05', '2026-05-06', '2026-05-07', '2026-05-08', '2026-05-09', '2026-05-10']);
      expect(store.days.every((d) => d.from === d.to)).toBe(true);
      // The one-day total and the same day in the series are one call, hence one answer.
      expect(store.days[6]!.inflow).toBe(store.sunday.inflow);
    }
    // Each distinct key exactly once.
    const keys = emulator.calls.map((c) => `${c.depId}|${c.startTime}|${c.endTime}|${c.isOnBusinessTime}`);
    expect(new Set(keys).size).toBe(40);
  });

  it('loaders are per request: the same query twice costs twice', async () => {
    const gql = gateway();
    const query = `{ store(id: "5") { passengerIndicator(from: "2026-05-10", to: "2026-05-10") { inflow } } }`;
    await gql(query);
    await gql(query);
    expect(emulator.callCount()).toBe(2);
  });
});

describe('typed errors', () => {
  it('one failing store among healthy ones → its field null with a typed error at its path, the others intact', async () => {
    emulator.setFaults([{ kind: 'code', code: -500, depId: '202' }]);
    const body = await gateway()(`{ stores(ids: ["201", "202", "203"]) { id passengerIndicator(from: "2026-05-10", to: "2026-05-10") { inflow } } }`);
    const stores = body.data!.stores as Array<{ id: string; passengerIndicator: { inflow: number } | null }>;
    expect(stores.map((s) => s.id)).toEqual(['201', '202', '203']);
    expect(stores[0]!.passengerIndicator!.inflow).toBeGreaterThan(0);
    expect(stores[1]!.passengerIndicator).toBeNull();
    expect(stores[2]!.passengerIndicator!.inflow).toBeGreaterThan(0);
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]!.path).toEqual(['stores', 1, 'passengerIndicator']);
    // Located at its field in the query, and nothing but the four public members.
    expect(Object.keys(body.errors![0]!)).toEqual(['message', 'locations', 'path', 'extensions']);
    expect(body.errors![0]!.locations).toEqual([{ line: 1, column: 43 }]);
    expect(body.errors![0]!.extensions).toEqual({
      code: 'API_SYSTEM_CALL_ERROR',
      retryable: true,
      upstream: { code: -500, codename: 'API_SYSTEM_CALL_ERROR', cid: expect.any(String), method: GET_PASSENGER_INDICATOR_DATA },
    });
  });

  it('a failing day in a daily series is reported at its index', async () => {
    emulator.setFaults([{ kind: 'http', status: 503, depId: '9', times: 1 }]);
    const body = await gateway()(`{ store(id: "9") { dailyPassengerIndicators(from: "2026-05-09", to: "2026-05-10") { inflow } } }`);
    expect(body.data).toEqual({ store: { dailyPassengerIndicators: null } });
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]!.path).toEqual(['store', 'dailyPassengerIndicators', 0]);
    expect(body.errors![0]!.locations).toEqual([{ line: 1, column: 20 }]);
    expect(body.errors![0]!.extensions).toEqual({ code: 'UPSTREAM_UNAVAILABLE', retryable: true });
  });

  const one = `{ store(id: "174679") { passengerIndicator(from: "2026-05-10", to: "2026-05-10") { inflow } } }`;

  it.each([
    ['a wrong secret', { appSecret: 'not-the-secret' }, [], 'SIGN_WRONG', 7, false],
    ['an expired key', { appKey: 'expired', appSecret: 'expired-secret' }, [], 'KEY_HAS_EXPIRED', 3, false],
    ['a platform failure', {}, [{ kind: 'code', code: -500 }], 'API_SYSTEM_CALL_ERROR', -500, true],
    ['a token error', {}, [{ kind: 'code', code: 9990001, codename: 'TOKEN_NOT_EXIST' }], 'UPSTREAM_ERROR', 9990001, false],
  ] as const)('%s → the documented extensions', async (_name, overrides, faults, code, number, retryable) => {
    emulator.setFaults([...faults]);
    const body = await gateway(overrides)(one);
    expect(body.data).toEqual({ store: { passengerIndicator: null } });
    expect(body.errors).toHaveLength(1);
    const [error] = body.errors!;
    expect(error!.path).toEqual(['store', 'passengerIndicator']);
    const codename = code === 'UPSTREAM_ERROR' ? 'TOKEN_NOT_EXIST' : code;
    expect(error!.extensions).toEqual({
      code,
      retryable,
      upstream: { code: number, codename, cid: expect.stringMatching(/\S/), method: GET_PASSENGER_INDICATOR_DATA },
    });
    expect(error!.message).toContain(codename);
    expect(error!.message).not.toMatch(/[0-9A-F]{32}|_sig|_timestamp|not-the-secret/);
  });

  it('unexpected failures are masked as INTERNAL_SERVER_ERROR', async () => {
    const broken: PassengerFlowApi = {
      getPassengerIndicatorData: () => Promise.reject(new Error('database password is hunter2')),
    };
    const body = await gateway({}, {}, broken)(one);
    expect(body.errors).toEqual([
      expect.objectContaining({ message: 'Unexpected error.', path: ['store', 'passengerIndicator'], extensions: { code: 'INTERNAL_SERVER_ERROR', retryable: false } }),
    ]);
    expect(JSON.stringify(body)).not.toContain('hunter2');
  });
});

describe('input rules: BAD_USER_INPUT before any upstream call', () => {
  const ids501 = Array.from({ length: 501 }, (_, i) => String(i + 1));
  it.each([
    ['a non-numeric store id', `{ store(id: "abc") { passengerIndicator(from: "2026-05-10", to: "2026-05-10") { inflow } } }`, undefined],
    ['a 12-digit store id', `{ store(id: "123456789012") { id } }`, undefined],
    ['a zero / leading-zero store id', `{ stores(ids: ["1", "0123"]) { id } }`, undefined],
    ['from after to', `{ store(id: "1") { passengerIndicator(from: "2026-05-11", to: "2026-05-10") { inflow } } }`, undefined],
    ['a window over 366 days', `{ store(id: "1") { passengerIndicator(from: "2025-01-01", to: "2026-01-02") { inflow } } }`, undefined],
    ['a daily series over 93 days', `{ store(id: "1") { dailyPassengerIndicators(from: "2026-01-01", to: "2026-04-04") { inflow } } }`, undefined],
    ['more than 500 ids', `query($ids: [ID!]!) { stores(ids: $ids) { passengerIndicator(from: "2026-05-10", to: "2026-05-10") { inflow } } }`, { ids: ids501 }],
    ['an impossible date literal', `{ store(id: "1") { passengerIndicator(from: "2026-02-30", to: "2026-03-01") { inflow } } }`, undefined],
    ['an impossible date variable', `query($d: LocalDate!) { store(id: "1") { passengerIndicator(from: $d, to: "2026-03-01") { inflow } } }`, { d: '2026-02-30' }],
  ])('%s', async (_name, query, variables) => {
    const body = await gateway()(query, variables);
    expect(body.errors?.length).toBeGreaterThanOrEqual(1);
    expect(body.errors!.map((e) => e.extensions.code)).toEqual(body.errors!.map(() => 'BAD_USER_INPUT'));
    expect(emulator.callCount()).toBe(0);
  });

  it('the limits are configurable and the boundaries themselves are allowed', async () => {
    const gql = gateway({}, { maxSpanDays: 7, maxDailyDays: 2, maxStoreIds: 2 });
    const ok = await gql(`{ stores(ids: ["1", "2"]) {
      passengerIndicator(from: "2026-05-04", to: "2026-05-10") { inflow }
      dailyPassengerIndicators(from: "2026-05-09", to: "2026-05-10") { inflow }
    } }`);
    expect(ok.errors).toBeUndefined();
    expect(emulator.callCount()).toBe(6);
    const tooLong = await gql(`{ store(id: "1") { passengerIndicator(from: "2026-05-03", to: "2026-05-10") { inflow } } }`);
    expect(tooLong.errors![0]!.message).toBe('passengerIndicator: the window spans 8 days; the limit is 7.');
    const tooMany = await gql(`{ stores(ids: ["1", "2", "3"]) { id } }`);
    expect(tooMany.errors![0]!.message).toBe('stores(ids:) takes at most 2 ids; got 3.');
    expect(emulator.callCount()).toBe(6);
  });

  it('a request whose cost estimate is over the limit is refused whole before execution: QUERY_TOO_COMPLEX, 0 calls', async () => {
    const body = await gateway({}, { maxUpstreamCalls: 3 })(
      `{ stores(ids: ["1", "2", "3", "4", "5"]) { passengerIndicator(from: "2026-05-10", to: "2026-05-10") { inflow } } }`,
    );
    expect(body.data).toBeUndefined();
    expect(body.errors!.map((e) => e.extensions.code)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(body.errors![0]!.message).toBe('This query may cause up to 5 upstream calls; the limit is 3. Ask for fewer stores or days, or split it.');
    expect((body as { extensions?: unknown }).extensions).toEqual({ cost: { estimated: 5, limit: 3 } });
    expect(emulator.callCount()).toBe(0);
  });

  it('syntax and validation errors carry their own codes', async () => {
    const gql = gateway();
    expect((await gql(`{ store(id: "1") {`)).errors![0]!.extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    expect((await gql(`{ store(id: "1") { nope } }`)).errors![0]!.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});
