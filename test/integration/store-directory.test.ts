import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCaching } from '../../src/caching.js';
import { loadConfig } from '../../src/config.js';
import { createGatewayDirectory } from '../../src/directory.js';
import { DEPARTMENTS_METHOD, EMULATOR_DIRECTORY, startEmulator, type Emulator } from '../../src/emulator/index.js';
import { createApiKeyRegistry, generateApiKey } from '../../src/security/api-keys.js';
import { createOpretailClient } from '../../src/upstream/client.js';
import { createPassengerFlowApi, GET_PASSENGER_INDICATOR_DATA } from '../../src/upstream/passenger-flow.js';
import { createGatewayYoga } from '../../src/yoga.js';
import { storedKey } from '../fixtures/api-keys.js';
import { testClientConfig } from '../fixtures/client-config.js';
import { startRedis, type TestRedis } from '../fixtures/redis-server.js';

/**
 * The store directory (`getDepartments`, every page, cached for the process) through `yoga.fetch` against the
 * strict emulator, whose tenant lists 64 stores (ids 174679–174742). Every test counts the directory calls the
 * emulator received; each gateway has its own upstream account, so no two tests share a cached directory.
 */

const SECRET = 'directory-test-secret';

interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions: Record<string, unknown> }>;
  extensions?: Record<string, unknown>;
}

const operator = generateApiKey();
const regional = generateApiKey();
/** `regional` may read two listed stores and one the directory does not list. */
const REGIONAL_STORES = ['174700', '174679', '999'];
const KEYS = createApiKeyRegistry([
  storedKey('operator', operator, { cacheBypass: true }),
  storedKey('regional', regional, { stores: new Set(REGIONAL_STORES) }),
]);
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

type Backend = 'memory' | 'redis' | 'off';

/** A gateway as server.ts wires it (createCaching, the client, the directory, the yoga), on its own upstream account. */
async function gateway(backend: Backend = 'memory', env: Record<string, string> = {}) {
  const config = loadConfig({ ...(backend === 'redis' ? { REDIS_URL: redis.url } : backend === 'off' ? { GATEWAY_CACHE: 'off' } : {}), ...env });
  const caching = await createCaching(config, randomBytes(8).toString('hex'), { warn: () => {}, notice: () => {} });
  const client = createOpretailClient(testClientConfig({ baseUrl: emulator.url, appKey: 'gw', appSecret: SECRET, retries: 0 }));
  closers.push(async () => {
    await client.close();
    await caching.close();
  });
  const yoga = createGatewayYoga({
    passengerFlow: createPassengerFlowApi(client),
    storeDirectory: createGatewayDirectory(client, config, caching.cache),
    config: { ...config, allowAnonymous: true },
    cache: caching.cache,
    apiKeys: KEYS,
  });
  return async (query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}): Promise<GraphQLBody> => {
    const response = await yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as GraphQLBody;
    expect(JSON.stringify(body)).not.toContain(SECRET);
    return body;
  };
}

const directoryCalls = () => emulator.callCount({ method: DEPARTMENTS_METHOD });
const pagesAsked = () => emulator.calls.filter((call) => call.method === DEPARTMENTS_METHOD).map((call) => call.pageNumber);

const LISTING = '{ storeDirectory { id name address region location { latitude longitude } isOpen } }';
type Listed = { id: string; name: string | null; address: string | null; region: string | null; location: { latitude: number; longitude: number } | null; isOpen: boolean | null };

/** What the gateway must make of an emulator store (openStatus 1 = open, the default assumption). */
const expected = (store: (typeof EMULATOR_DIRECTORY)[number]): Listed => ({
  id: String(store.id),
  name: store.name,
  address: store.address,
  region: store.organizeName,
  location: store.latitude === null || store.longitude === null ? null : { latitude: store.latitude, longitude: store.longitude },
  isOpen: store.openStatus === null ? null : store.openStatus === 1,
});
const byId = (id: number) => EMULATOR_DIRECTORY.find((store) => store.id === id)!;

describe.each(['memory', 'redis'] as const)('%s backend', (backend) => {
  it('a 64-store tenant with pageSize 100 → 1 upstream call, then 0 for the next requests', async () => {
    const gql = await gateway(backend);
    const first = await gql(LISTING);
    expect(first.errors).toBeUndefined();
    expect(directoryCalls()).toBe(1);
    expect(pagesAsked()).toEqual(['1']);
    const listed = first.data!.storeDirectory as Listed[];
    expect(listed).toHaveLength(64);
    expect(listed).toEqual(EMULATOR_DIRECTORY.map(expected));

    for (let i = 0; i < 3; i++) expect((await gql(LISTING)).data).toEqual(first.data);
    expect((await gql('{ store(id: "174700") { name } }')).data).toEqual({ store: { name: byId(174700).name } });
    expect(directoryCalls()).toBe(1);
    expect(emulator.callCount()).toBe(1);
  });

  it('100 concurrent cold requests → 1 directory fetch', async () => {
    const gql = await gateway(backend);
    const bodies = await Promise.all(Array.from({ length: 100 }, (_, i) => gql(`{ store(id: "${174679 + (i % 64)}") { name } }`)));
    expect(directoryCalls()).toBe(1);
    bodies.forEach((body, i) => expect(body.data).toEqual({ store: { name: EMULATOR_DIRECTORY[i % 64]!.name } }));
  });
});

describe('paging, shapes and what costs a call', () => {
  it('pageSize 10 → 7 calls, pages 1–7 once each, the same 64 stores in id order', async () => {
    const gql = await gateway('memory', { OPRETAIL_DIRECTORY_PAGE_SIZE: '10' });
    const body = await gql('{ storeDirectory { id name } }');
    expect(body.errors).toBeUndefined();
    expect(directoryCalls()).toBe(7);
    expect(pagesAsked().sort()).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    expect(body.data!.storeDirectory).toEqual(EMULATOR_DIRECTORY.map((store) => ({ id: String(store.id), name: store.name })));
  });

  it('names and addresses keep their CJK characters intact (UTF-8 both ways)', async () => {
    const gql = await gateway();
    const body = await gql('{ store(id: "174679") { name region address } }');
    expect(body.data).toEqual({ store: { name: '上海万达广场店', region: '华东区', address: byId(174679).address } });
    expect(byId(174679).address).toMatch(/^上海市.+号万达广场$/);
  });

  it('store(id:) { name … } resolves from the directory; a store it does not list → nulls, no error', async () => {
    const gql = await gateway();
    const body = await gql(`{
      listed: store(id: "174690") { id name address region location { latitude longitude } isOpen }
      closed: store(id: "174684") { isOpen }
      unlisted: store(id: "999") { id name address region location { latitude } isOpen }
    }`);
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({
      listed: expected(byId(174690)),
      closed: { isOpen: false },
      unlisted: { id: '999', name: null, address: null, region: null, location: null, isOpen: null },
    });
    expect(directoryCalls()).toBe(1);
  });

  it('missing optional fields are tolerated: no address or position → null; no openStatus → isOpen null; openStatus 2 → false', async () => {
    const gql = await gateway();
    const body = await gql('{ a: store(id: "174741") { name address location { latitude } } b: store(id: "174742") { isOpen } c: store(id: "174690") { isOpen } }');
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ a: { name: byId(174741).name, address: null, location: null }, b: { isOpen: null }, c: { isOpen: false } });
    expect(byId(174690).openStatus).toBe(2);
  });

  it('OPRETAIL_DIRECTORY_OPEN_STATUSES decides which openStatus means open', async () => {
    const gql = await gateway('memory', { OPRETAIL_DIRECTORY_OPEN_STATUSES: '1,2' });
    const body = await gql('{ a: store(id: "174690") { isOpen } b: store(id: "174684") { isOpen } c: store(id: "174679") { isOpen } }');
    expect(body.data).toEqual({ a: { isOpen: true }, b: { isOpen: false }, c: { isOpen: true } });
  });

  it('selecting id or indicators costs 0 directory calls', async () => {
    const gql = await gateway();
    const body = await gql(`{
      store(id: "174679") { id passengerIndicator(from: "2026-05-10", to: "2026-05-10") { inflow } }
      stores(ids: ["174680", "999"]) { id }
    }`);
    expect(body.errors).toBeUndefined();
    expect(directoryCalls()).toBe(0);
    expect(emulator.callCount({ method: GET_PASSENGER_INDICATOR_DATA })).toBe(1);
  });

  it('_entities resolve name and region from the same cached directory: 1 fetch for all, nulls for an unlisted store', async () => {
    const gql = await gateway();
    const query = `query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Store { id name region } } }`;
    const representations = ['174680', '999', '174742', '174680'].map((id) => ({ __typename: 'Store', id }));
    const body = await gql(query, { representations });
    expect(body.errors).toBeUndefined();
    expect(body.data!._entities).toEqual([
      { id: '174680', name: byId(174680).name, region: byId(174680).organizeName },
      { id: '999', name: null, region: null },
      { id: '174742', name: byId(174742).name, region: byId(174742).organizeName },
      { id: '174680', name: byId(174680).name, region: byId(174680).organizeName },
    ]);
    expect(directoryCalls()).toBe(1);
    await gql(query, { representations });
    expect(directoryCalls()).toBe(1);
  });
});

describe('allow-lists', () => {
  it('a key with an allow-list sees only its listed stores, in id order; other stores’ names are FORBIDDEN', async () => {
    const gql = await gateway();
    const body = await gql('{ storeDirectory { id name } other: store(id: "174681") { name } }', undefined, bearer(regional));
    expect(body.data!.storeDirectory).toEqual([
      { id: '174679', name: byId(174679).name },
      { id: '174700', name: byId(174700).name },
    ]);
    expect(body.data!.other).toEqual({ name: null });
    expect(body.errors?.map((error) => [error.path, error.extensions.code])).toEqual([[['other', 'name'], 'FORBIDDEN']]);
    // The same directory, fetched once, serves every key.
    const all = await gql('{ storeDirectory { id } }', undefined, bearer(operator));
    expect(all.data!.storeDirectory).toHaveLength(64);
    expect(directoryCalls()).toBe(1);
  });
});

describe('failures', () => {
  it('a failing directory fetch → a typed error on the directory fields only (indicators answer); storeDirectory → no data, the same typed error', async () => {
    const gql = await gateway();
    emulator.setFaults([{ kind: 'code', code: -500, method: DEPARTMENTS_METHOD }]);
    const body = await gql(`{
      store(id: "174679") { id name region passengerIndicator(from: "2026-05-10", to: "2026-05-10") { inflow } }
    }`);
    const store = body.data!.store as { id: string; name: unknown; region: unknown; passengerIndicator: { inflow: number } | null };
    expect(store).toMatchObject({ id: '174679', name: null, region: null });
    expect(store.passengerIndicator?.inflow).toEqual(expect.any(Number));
    expect(body.errors?.map((error) => [error.path, error.extensions.code]).sort()).toEqual(
      [[['store', 'name'], 'API_SYSTEM_CALL_ERROR'], [['store', 'region'], 'API_SYSTEM_CALL_ERROR']].sort(),
    );
    expect(body.errors![0]!.extensions.upstream).toMatchObject({ method: DEPARTMENTS_METHOD, code: -500 });
    // One fetch for the whole request, failure included.
    expect(directoryCalls()).toBe(1);
    // `storeDirectory: [Store!]!`: its error leaves no data, typed as for the fields.
    const listing = await gql('{ storeDirectory { id } }');
    expect(listing.data).toBeNull();
    expect(listing.errors?.map((error) => [error.path, error.extensions.code])).toEqual([[['storeDirectory'], 'API_SYSTEM_CALL_ERROR']]);
    // Errors are not cached: each request tries again.
    expect(directoryCalls()).toBe(2);
    emulator.setFaults([]);
    expect((await gql('{ store(id: "174679") { name } }')).data).toEqual({ store: { name: byId(174679).name } });
    expect(directoryCalls()).toBe(3);
  });

  it('the vendor failing with a stale directory in the cache → the stale one is served and listed in extensions.stale', async () => {
    const gql = await gateway();
    await gql('{ store(id: "174679") { name } }');
    emulator.setFaults([{ kind: 'code', code: -500, method: DEPARTMENTS_METHOD }]);
    // An operator's forced refetch meets the failing vendor: the cached directory answers instead.
    const body = await gql('{ store(id: "174679") { name } }', undefined, { ...bearer(operator), 'cache-control': 'no-cache' });
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ store: { name: byId(174679).name } });
    expect(body.extensions!.stale).toEqual([{ path: ['store', 'name'], ageSeconds: expect.any(Number) }]);
    expect(directoryCalls()).toBe(2);
  });

  it('garbage from the vendor → UPSTREAM_BAD_RESPONSE on the directory fields, nothing cached', async () => {
    const gql = await gateway();
    emulator.setFaults([{ kind: 'data', method: DEPARTMENTS_METHOD, data: { total: 1, rows: [{ id: 'abc', name: '坏店' }] }, times: 1 }]);
    const body = await gql('{ store(id: "174679") { name } }');
    expect(body.data).toEqual({ store: { name: null } });
    expect(body.errors?.map((error) => error.extensions.code)).toEqual(['UPSTREAM_BAD_RESPONSE']);
    expect(body.errors![0]!.message).not.toContain('abc');
    expect((await gql('{ store(id: "174679") { name } }')).data).toEqual({ store: { name: byId(174679).name } });
  });

  it('`records` instead of `rows`, numeric strings, a vendor total of 1: accepted as they come', async () => {
    const gql = await gateway();
    emulator.setFaults([
      { kind: 'data', method: DEPARTMENTS_METHOD, data: { total: '1', records: [{ id: '174679', name: '测试店', latitude: '31.5', longitude: '121.25', openStatus: '1' }] } },
    ]);
    const body = await gql('{ storeDirectory { id name location { latitude longitude } isOpen } }');
    expect(body.errors).toBeUndefined();
    expect(body.data!.storeDirectory).toEqual([{ id: '174679', name: '测试店', location: { latitude: 31.5, longitude: 121.25 }, isOpen: true }]);
  });

  it('with GATEWAY_CACHE=off each request fetches the directory once, however many fields need it', async () => {
    const gql = await gateway('off');
    await gql('{ storeDirectory { name region } a: store(id: "174679") { name } }');
    expect(directoryCalls()).toBe(1);
    await gql('{ store(id: "174679") { name } }');
    expect(directoryCalls()).toBe(2);
  });
});

describe('cost estimate', () => {
  const costOf = (body: GraphQLBody) => (body.extensions!.cost as { estimated: number }).estimated;

  it('before the first fetch: OPRETAIL_DIRECTORY_MAX_PAGES; while a fresh directory is known: 0; stores listed count as the directory’s size', async () => {
    const gql = await gateway('memory', { OPRETAIL_DIRECTORY_MAX_PAGES: '5' });
    expect(costOf(await gql('{ store(id: "174679") { name } }'))).toBe(5);
    expect(costOf(await gql('{ store(id: "174679") { name address } storeDirectory { id } }'))).toBe(0);
    expect(costOf(await gql('{ store(id: "174679") { id } }'))).toBe(0);
    const body = await gql('{ storeDirectory { passengerIndicator(from: "2026-05-10", to: "2026-05-10") { inflow } } }');
    expect(costOf(body)).toBe(64);
    expect(emulator.callCount({ method: GET_PASSENGER_INDICATOR_DATA })).toBe(64);
  });

  it('a cold process: a query over the limit on the bound fetches the directory first and is estimated with its real size', async () => {
    const gql = await gateway('memory');
    const query = '{ storeDirectory { id passengerIndicator(from: "2026-05-10", to: "2026-05-10") { inflow } } }';
    const body = await gql(query);
    expect(body.errors).toBeUndefined();
    expect(costOf(body)).toBe(64);
    expect((body.data!.storeDirectory as unknown[]).length).toBe(64);
    // One directory fetch, shared by the estimate and the fields; one indicator call per store.
    expect(directoryCalls()).toBe(1);
    expect(emulator.callCount({ method: GET_PASSENGER_INDICATOR_DATA })).toBe(64);
  });

  it('a directory larger than OPRETAIL_DIRECTORY_MAX_PAGES pages is refused as a bad response after 1 call', async () => {
    const gql = await gateway('memory', { OPRETAIL_DIRECTORY_PAGE_SIZE: '10', OPRETAIL_DIRECTORY_MAX_PAGES: '6' });
    const body = await gql('{ store(id: "174679") { name } }');
    expect(body.errors?.map((error) => error.extensions.code)).toEqual(['UPSTREAM_BAD_RESPONSE']);
    expect(body.errors![0]!.message).toContain('OPRETAIL_DIRECTORY_MAX_PAGES');
    expect(directoryCalls()).toBe(1);
  });
});
