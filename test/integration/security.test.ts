import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type GatewayConfig } from '../../src/config.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { createApiKeyRegistry, generateApiKey, type StoredApiKey } from '../../src/security/api-keys.js';
import { createOpretailClient, type OpretailClient } from '../../src/upstream/client.js';
import { createPassengerFlowApi } from '../../src/upstream/passenger-flow.js';
import { createGatewayYoga } from '../../src/yoga.js';
import { DASHBOARD_QUERY, dashboardVariables, ID_BLOCKS } from '../../scripts/bench/scenario-queries.js';
import { storedKey } from '../fixtures/api-keys.js';
import { testClientConfig } from '../fixtures/client-config.js';

const SECRET = 'security-test-secret';
const dash = generateApiKey();
const router = generateApiKey();
const capped = generateApiKey();
const publicSite = generateApiKey();
const key = (name: string, generated: { sha256: string }, stores: string[] | '*', flags: Partial<StoredApiKey['apiKey']> = {}): StoredApiKey =>
  storedKey(name, generated, { stores: stores === '*' ? '*' : new Set(stores), ...flags });
const KEYS = createApiKeyRegistry([
  key('dash', dash, ['174679', '174680']),
  key('router', router, '*', { traces: true }),
  key('capped', capped, '*', { maxUpstreamCalls: 2 }),
  key('public-site', publicSite, ['174679'], { trustedDocumentsOnly: true }),
]);
const TRUSTED = `query Trusted($id: ID!) { store(id: $id) { passengerIndicator(from: "2026-05-10", to: "2026-05-10") { inflow } } }`;
const TRUSTED_ID = createHash('sha256').update(TRUSTED).digest('hex');

let emulator: Emulator;
let client: OpretailClient;
beforeAll(async () => {
  emulator = await startEmulator({ keys: [{ key: 'gw', secret: SECRET }] });
  client = createOpretailClient(testClientConfig({ baseUrl: emulator.url, appKey: 'gw', appSecret: SECRET, retries: 0 }));
});
afterAll(async () => {
  await client.close();
  await emulator.close();
});
afterEach(() => emulator.resetCalls());

/** A gateway in upstream mode (as far as security is concerned) with the test's keys and trusted documents. */
function gateway(env: Record<string, string> = {}, options: { keys?: boolean } = {}) {
  const config: GatewayConfig = loadConfig({
    OPRETAIL_BASE_URL: 'https://vendor.invalid/cloud.api',
    OPRETAIL_APP_KEY: 'gw',
    OPRETAIL_APP_SECRET: SECRET,
    GATEWAY_API_KEYS_FILE: '/unused',
    ...env,
  });
  const yoga = createGatewayYoga({
    passengerFlow: createPassengerFlowApi(client),
    config,
    apiKeys: options.keys === false ? null : KEYS,
    trustedDocuments: new Map([[TRUSTED_ID, TRUSTED]]),
  });
  return async (body: unknown, headers: Record<string, string> = {}, init: RequestInit = {}) => {
    const response = await yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
      ...init,
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, json: (text ? JSON.parse(text) : null) as GraphQLBody };
  };
}
type GraphQLBody = {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions: Record<string, unknown> }>;
  extensions?: Record<string, unknown>;
};
const bearer = (generated: { key: string }) => ({ authorization: `Bearer ${generated.key}` });
const day = (id: string) => `{ store(id: "${id}") { id passengerIndicator(from: "2026-05-10", to: "2026-05-10") { inflow } } }`;

describe('client keys', () => {
  it.each([
    ['no Authorization header', {}],
    ['a wrong key', { authorization: `Bearer ${generateApiKey().key}` }],
    ['a Basic credential', { authorization: 'Basic dXNlcjpwYXNz' }],
    ['an empty Bearer', { authorization: 'Bearer ' }],
  ])('%s → HTTP 401 UNAUTHENTICATED, nothing executed, 0 upstream calls', async (_name, headers) => {
    const answer = await gateway()({ query: day('174679') }, headers);
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toBe('Bearer');
    expect(answer.json.errors!.map((e) => e.extensions)).toEqual([{ code: 'UNAUTHENTICATED', retryable: false }]);
    expect(answer.json.data).toBeUndefined();
    expect(emulator.callCount()).toBe(0);
  });

  it('a valid key gets data; its allow-list decides which stores (FORBIDDEN, 0 calls for the others)', async () => {
    const answer = await gateway()(
      { query: `{ stores(ids: ["174679", "999", "174680"]) { id passengerIndicator(from: "2026-05-10", to: "2026-05-10") { inflow } dailyPassengerIndicators(from: "2026-05-09", to: "2026-05-10") { inflow } } }` },
      bearer(dash),
    );
    expect(answer.status).toBe(200);
    const stores = answer.json.data!.stores as Array<{ id: string; passengerIndicator: unknown; dailyPassengerIndicators: unknown }>;
    expect(stores.map((s) => s.id)).toEqual(['174679', '999', '174680']);
    expect(stores[1]).toEqual({ id: '999', passengerIndicator: null, dailyPassengerIndicators: null });
    expect(stores[0]!.passengerIndicator).not.toBeNull();
    expect(stores[2]!.passengerIndicator).not.toBeNull();
    expect(answer.json.errors!.map((e) => [e.path, e.extensions.code])).toEqual([
      [['stores', 1, 'passengerIndicator'], 'FORBIDDEN'],
      [['stores', 1, 'dailyPassengerIndicators'], 'FORBIDDEN'],
    ]);
    expect(emulator.callCount({ depId: '999' })).toBe(0);
    expect(emulator.callCount()).toBe(4); // 2 allowed stores × (the day, and the day before; the day is shared)
  });

  it('federation _entities obeys the allow-list too', async () => {
    const answer = await gateway()(
      {
        query: `query($r: [_Any!]!) { _entities(representations: $r) { ... on Store { id passengerIndicator(from: "2026-05-10", to: "2026-05-10") { inflow } } } }`,
        variables: { r: [{ __typename: 'Store', id: '174680' }, { __typename: 'Store', id: '42' }] },
      },
      bearer(dash),
    );
    const entities = answer.json.data!._entities as Array<{ passengerIndicator: unknown } | null>;
    expect(entities[0]!.passengerIndicator).not.toBeNull();
    expect(entities[1]).toEqual({ id: '42', passengerIndicator: null });
    expect(answer.json.errors!.map((e) => [e.path, e.extensions.code])).toEqual([[['_entities', 1, 'passengerIndicator'], 'FORBIDDEN']]);
    expect(emulator.callCount()).toBe(1);
  });

  it('_entities with a missing or unknown __typename, or a bad id: a typed error at that index only', async () => {
    const answer = await gateway()(
      {
        query: `query($r: [_Any!]!) { _entities(representations: $r) { ... on Store { id } } }`,
        variables: { r: [{ __typename: 'Store', id: '174679' }, { id: '1' }, { __typename: 'Nope', id: '1' }, 'x', { __typename: 'PassengerIndicator' }, { __typename: 'Store', id: 'abc' }] },
      },
      bearer(router),
    );
    expect(answer.json.data!._entities).toEqual([{ id: '174679' }, null, null, null, null, null]);
    expect(answer.json.errors!.map((e) => [e.path![1], e.extensions.code]).sort()).toEqual([
      [1, 'BAD_USER_INPUT'],
      [2, 'BAD_USER_INPUT'],
      [3, 'BAD_USER_INPUT'],
      [4, 'BAD_USER_INPUT'],
      [5, 'BAD_USER_INPUT'],
    ]);
  });

  it('demo mode without a key file is open; a key file closes it', async () => {
    const open = createGatewayYoga({ passengerFlow: createPassengerFlowApi(client), config: loadConfig({}) });
    const response = await open.fetch('http://gateway.test/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(response.status).toBe(200);
    const closed = createGatewayYoga({ passengerFlow: createPassengerFlowApi(client), config: loadConfig({ GATEWAY_API_KEYS_FILE: '/unused' }), apiKeys: KEYS });
    const refused = await closed.fetch('http://gateway.test/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(refused.status).toBe(401);
  });

  it('GATEWAY_ALLOW_ANONYMOUS serves requests without a key, but a wrong key is still refused', async () => {
    const gql = gateway({ GATEWAY_ALLOW_ANONYMOUS: 'true' });
    expect((await gql({ query: '{ __typename }' })).status).toBe(200);
    expect((await gql({ query: '{ __typename }' }, { authorization: 'Bearer not-a-valid-key-000' })).status).toBe(401);
  });
});

describe('cost before execution', () => {
  it('1000 aliases over distinct stores → QUERY_TOO_COMPLEX, 0 upstream calls', async () => {
    const fields = Array.from({ length: 1000 }, (_, i) => `s${i}: store(id: "${i + 1}") { passengerIndicator(from: "2026-05-10", to: "2026-05-10") { inflow } }`);
    const answer = await gateway({ GATEWAY_MAX_BODY_BYTES: String(1024 * 1024), GATEWAY_MAX_TOKENS: '100000' })({ query: `{ ${fields.join(' ')} }` }, bearer(router));
    expect(answer.json.errors!.map((e) => e.extensions.code)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(answer.json.errors![0]!.message).toBe('Aliases limit of 200 exceeded, found 1000.');
    expect(emulator.callCount()).toBe(0);
  });

  it('a query worth 2001 calls → QUERY_TOO_COMPLEX stating the estimate and the limit, 0 upstream calls', async () => {
    const ids = Array.from({ length: 667 }, (_, i) => String(i + 1));
    const answer = await gateway()(
      {
        query: `query($ids: [ID!]!) { stores(ids: $ids) { week: passengerIndicator(from: "2026-05-04", to: "2026-05-10") { inflow } dailyPassengerIndicators(from: "2026-05-09", to: "2026-05-10") { inflow } } }`,
        variables: { ids },
      },
      bearer(router),
    );
    expect(answer.json.errors!.map((e) => [e.extensions.code, e.message])).toEqual([
      ['QUERY_TOO_COMPLEX', 'This query may cause up to 2001 upstream calls; the limit is 2000. Ask for fewer stores or days, or split it.'],
    ]);
    expect(answer.json.extensions).toEqual({ cost: { estimated: 2001, limit: 2000 } });
    expect(emulator.callCount()).toBe(0);
  });

  it('a key’s maxUpstreamCalls lowers the limit', async () => {
    const answer = await gateway()({ query: `{ stores(ids: ["1", "2", "3"]) { passengerIndicator(from: "2026-05-10", to: "2026-05-10") { inflow } } }` }, bearer(capped));
    expect(answer.json.errors!.map((e) => e.extensions.code)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(answer.json.extensions).toEqual({ cost: { estimated: 3, limit: 2 } });
    expect(emulator.callCount()).toBe(0);
  });

  it('the bench dashboard still runs, and every answer carries extensions.cost', async () => {
    const answer = await gateway()({ query: DASHBOARD_QUERY, variables: dashboardVariables(ID_BLOCKS.dashboard, 1) }, bearer(router));
    expect(answer.json.errors).toBeUndefined();
    expect(answer.json.extensions).toEqual({ cost: { estimated: 320, limit: 2000 } });
    expect(emulator.callCount()).toBe(160);
  });

  it('a 100-alias dashboard and GraphiQL’s introspection query pass the document limits', async () => {
    const fields = Array.from({ length: 100 }, (_, i) => `s${i}: store(id: "${i + 1}") { id }`);
    const gql = gateway();
    expect((await gql({ query: `{ ${fields.join(' ')} }` }, bearer(router))).json.errors).toBeUndefined();
    const { getIntrospectionQuery } = await import('graphql');
    const introspection = await gql({ query: getIntrospectionQuery() }, bearer(router));
    expect(introspection.json.errors).toBeUndefined();
    expect(introspection.json.data).toHaveProperty('__schema');
  });

  it.each([
    ['depth', `{ store(id: "1") { id ${'... on Store { '.repeat(20)}id${' }'.repeat(20)} } }`, 'GATEWAY_MAX_DEPTH', '2'],
    ['directives', `{ ${Array.from({ length: 60 }, (_, i) => `t${i}: __typename @include(if: true)`).join(' ')} }`, 'GATEWAY_MAX_DIRECTIVES', '50'],
    ['tokens', `{ ${'__typename '.repeat(6000)} }`, 'GATEWAY_MAX_TOKENS', '5000'],
    ['nesting', `{ store(id: "1") { id passengerIndicator(from: ${'['.repeat(5000)}"2026-05-10"${']'.repeat(5000)}, to: "2026-05-10") { inflow } } }`, 'GATEWAY_MAX_TOKENS', '100000'],
  ])('%s over its limit → QUERY_TOO_COMPLEX, 0 calls', async (_name, query, variable, value) => {
    const answer = await gateway({ [variable]: value, GATEWAY_MAX_BODY_BYTES: String(1024 * 1024) })({ query }, bearer(router));
    expect(answer.json.errors!.length).toBeGreaterThanOrEqual(1);
    expect(new Set(answer.json.errors!.map((e) => e.extensions.code))).toEqual(new Set(['QUERY_TOO_COMPLEX']));
    expect(emulator.callCount()).toBe(0);
  });
});

describe('trusted documents', () => {
  it('runs a document by documentId or Apollo persistedQuery hash; an unknown id → PERSISTED_QUERY_NOT_FOUND, 0 calls', async () => {
    const gql = gateway();
    const byId = await gql({ documentId: TRUSTED_ID, variables: { id: '174679' } }, bearer(publicSite));
    expect(byId.json.errors).toBeUndefined();
    expect(byId.json.data).toEqual({ store: { passengerIndicator: { inflow: expect.any(Number) } } });
    const apollo = await gql({ extensions: { persistedQuery: { version: 1, sha256Hash: TRUSTED_ID } }, variables: { id: '174679' } }, bearer(router));
    expect(apollo.json.errors).toBeUndefined();
    expect(emulator.callCount()).toBe(2); // one call per request
  });

  it('an unknown id → PERSISTED_QUERY_NOT_FOUND with 0 calls; a trusted-documents-only key may not send a query', async () => {
    const gql = gateway();
    const unknown = await gql({ documentId: 'f'.repeat(64), variables: { id: '174679' } }, bearer(publicSite));
    expect(unknown.json.errors!.map((e) => e.extensions)).toEqual([{ code: 'PERSISTED_QUERY_NOT_FOUND', retryable: false }]);
    const arbitrary = await gql({ query: day('174679') }, bearer(publicSite));
    expect(arbitrary.json.errors!.map((e) => e.extensions)).toEqual([{ code: 'TRUSTED_DOCUMENTS_ONLY', retryable: false }]);
    expect(emulator.callCount()).toBe(0);
  });
});

describe('browser safety', () => {
  it.each([
    ['a form body', 'application/x-www-form-urlencoded', 'query=%7B__typename%7D', 415],
    ['a multipart body', 'multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{"query":"{ __typename }"}\r\n--x--', 415],
    ['a text body', 'text/plain', JSON.stringify({ query: day('174679') }), 415],
  ])('%s is not executed (HTTP %#), 0 calls', async (_name, type, body, status) => {
    const answer = await gateway({}, { keys: false })(body, { 'content-type': type, ...bearer(router) });
    expect(answer.status).toBe(status);
    expect(answer.json.errors!.map((e) => e.extensions.code)).toEqual(['BAD_REQUEST']);
    expect(emulator.callCount()).toBe(0);
  });

  it('a plain GET is refused (403); a GET with a preflighted header runs', async () => {
    const gql = gateway({ GATEWAY_ALLOW_ANONYMOUS: 'true' }, { keys: false });
    const url = `?query=${encodeURIComponent(day('174679'))}`;
    const plain = await gql('', { accept: 'application/json' }, { method: 'GET', body: null, ...{} });
    expect(plain.status).toBe(403);
    const yoga = createGatewayYoga({ passengerFlow: createPassengerFlowApi(client), config: loadConfig({}) });
    const refused = await yoga.fetch(`http://gateway.test/graphql${url}`, { headers: { accept: 'application/json' } });
    expect(refused.status).toBe(403);
    expect(emulator.callCount()).toBe(0);
    const allowed = await yoga.fetch(`http://gateway.test/graphql${url}`, { headers: { accept: 'application/json', 'apollo-require-preflight': 'true' } });
    expect(allowed.status).toBe(200);
    expect(emulator.callCount()).toBe(1);
  });

  it('CORS: a foreign Origin is not reflected; a listed one is, never with credentials', async () => {
    const foreign = await gateway()({ query: '{ __typename }' }, { ...bearer(router), origin: 'https://evil.example' });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    expect(foreign.headers.get('access-control-allow-credentials')).toBeNull();
    const listed = await gateway({ GATEWAY_CORS_ORIGINS: 'https://dash.example' })({ query: '{ __typename }' }, { ...bearer(router), origin: 'https://dash.example' });
    expect(listed.headers.get('access-control-allow-origin')).toBe('https://dash.example');
    expect(listed.headers.get('access-control-allow-credentials')).toBeNull();
    const other = await gateway({ GATEWAY_CORS_ORIGINS: 'https://dash.example' })({ query: '{ __typename }' }, { ...bearer(router), origin: 'https://evil.example' });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers carry nosniff, no-referrer and no-store; no originalError or stack', async () => {
    const answer = await gateway()('{"query": ', bearer(router));
    expect(answer.status).toBe(400);
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    expect(answer.headers.get('referrer-policy')).toBe('no-referrer');
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.text).not.toMatch(/originalError|stack|SyntaxError/);
  });
});

describe('production defaults', () => {
  const production = { NODE_ENV: 'production' };

  it('introspection is refused; _service { sdl } still works', async () => {
    const gql = gateway(production);
    const introspection = await gql({ query: '{ __schema { types { name } } }' }, bearer(router));
    expect(new Set(introspection.json.errors!.map((e) => e.extensions.code))).toEqual(new Set(['GRAPHQL_VALIDATION_FAILED']));
    expect(introspection.json.data).toBeUndefined();
    const service = await gql({ query: '{ _service { sdl } }' }, bearer(router));
    expect(service.json.errors).toBeUndefined();
    expect((service.json.data!._service as { sdl: string }).sdl).toContain('type Store');
  });

  it('no "Did you mean" suggestions (outside production there are)', async () => {
    const misspelled = { query: '{ store(id: "1") { passengerIndicatr(from: "2026-05-10", to: "2026-05-10") { inflow } } }' };
    expect((await gateway()(misspelled, bearer(router))).json.errors![0]!.message).toContain('Did you mean');
    const answer = await gateway(production)(misspelled, bearer(router));
    expect(answer.json.errors![0]!.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(answer.json.errors![0]!.message).not.toContain('Did you mean');
    expect(answer.json.errors![0]!.message).not.toContain('passengerIndicator');
  });

  it('no GraphiQL page', async () => {
    const yoga = createGatewayYoga({ passengerFlow: createPassengerFlowApi(client), config: loadConfig(production) });
    const page = await yoga.fetch('http://gateway.test/graphql', { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toContain('<html');
  });

  it('ftv1 traces only for a key with "traces": true', async () => {
    const gql = gateway(production);
    const traced = { 'apollo-federation-include-trace': 'ftv1' };
    const ordinary = await gql({ query: day('174679') }, { ...bearer(dash), ...traced });
    expect(ordinary.json.extensions).not.toHaveProperty('ftv1');
    const routerAnswer = await gql({ query: day('174679') }, { ...bearer(router), ...traced });
    expect(routerAnswer.json.extensions).toHaveProperty('ftv1');
  });
});
