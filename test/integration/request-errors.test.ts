import { getNamedType, GraphQLEnumType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { schema } from '../../src/schema/index.js';
import { createOpretailClient, type OpretailClient } from '../../src/upstream/client.js';
import { createPassengerFlowApi } from '../../src/upstream/passenger-flow.js';
import { createGatewayYoga } from '../../src/yoga.js';
import { testClientConfig } from '../fixtures/client-config.js';

/**
 * Every `extensions.code` any answer can carry is a value of the schema's `ErrorCode` enum, whatever went
 * wrong: the HTTP request, the document, the input or the vendor. No answer carries `originalError` or a stack.
 */
const SECRET = 'request-errors-secret';
const ENUM = new Set((getNamedType(schema.getType('ErrorCode')) as GraphQLEnumType).getValues().map((v) => v.name));
const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json' };
const DAY = `query($d: LocalDate!) { store(id: "174679") { passengerIndicator(from: $d, to: $d) { inflow } } }`;

let emulator: Emulator;
let client: OpretailClient;
let yoga: ReturnType<typeof createGatewayYoga>;

beforeAll(async () => {
  emulator = await startEmulator({ keys: [{ key: 'gw', secret: SECRET }] });
  client = createOpretailClient(testClientConfig({ baseUrl: emulator.url, appKey: 'gw', appSecret: SECRET, retries: 0 }));
  yoga = createGatewayYoga({ passengerFlow: createPassengerFlowApi(client), config: loadConfig({}) });
});
afterAll(async () => {
  await client.close();
  await emulator.close();
});

const post = (body: string, headers: Record<string, string> = JSON_HEADERS): RequestInit => ({ method: 'POST', headers, body });
const gql = (query: string, variables?: unknown, operationName?: string) => post(JSON.stringify({ query, variables, operationName }));

describe('every error of every kind of bad request carries an ErrorCode', () => {
  it.each([
    ['malformed JSON body', post('{"query": "{ __typename }"'), 400, 'BAD_REQUEST'],
    ['empty body', post(''), 400, 'BAD_REQUEST'],
    ['no query', post('{}'), 400, 'BAD_REQUEST'],
    ['query not a string', post('{"query": 1}'), 400, 'BAD_REQUEST'],
    ['variables not an object', post('{"query": "{ __typename }", "variables": 1}'), 400, 'BAD_REQUEST'],
    ['PUT', { method: 'PUT', headers: JSON_HEADERS, body: '{"query":"{ __typename }"}' }, 405, 'BAD_REQUEST'],
    ['DELETE', { method: 'DELETE', headers: { accept: 'application/json' } }, 405, 'BAD_REQUEST'],
    ['a mutation over GET', { method: 'GET', headers: { accept: 'application/json', 'apollo-require-preflight': 'true' }, path: '?query=mutation%7Bx%7D' }, 405, 'BAD_REQUEST'],
    ['a plain GET (no preflighted header)', { method: 'GET', headers: { accept: 'application/json' }, path: '?query=%7B__typename%7D' }, 403, 'BAD_REQUEST'],
    ['a text/plain body', post('{"query":"{ __typename }"}', { 'content-type': 'text/plain', accept: 'application/json' }), 415, 'BAD_REQUEST'],
    ['a subscription', gql('subscription { x }'), 400, 'BAD_REQUEST'],
    ['two operations, no operationName', gql('query A { __typename } query B { __typename }'), 400, 'OPERATION_RESOLUTION_FAILURE'],
    ['an unknown operationName', gql('query A { __typename }', undefined, 'C'), 400, 'OPERATION_RESOLUTION_FAILURE'],
    ['a syntax error', gql('{ store(id: "1") {'), 200, 'GRAPHQL_PARSE_FAILED'],
    ['an unknown field', gql('{ nope }'), 200, 'GRAPHQL_VALIDATION_FAILED'],
    ['an impossible date literal', gql('{ store(id: "1") { passengerIndicator(from: "2026-02-30", to: "2026-03-01") { inflow } } }'), 200, 'BAD_USER_INPUT'],
    ['an impossible date variable', gql(DAY, { d: '2026-02-30' }), 200, 'BAD_USER_INPUT'],
    ['a missing variable', gql(DAY, {}), 200, 'BAD_USER_INPUT'],
    ['a bad store id', gql('{ store(id: "abc") { id } }'), 200, 'BAD_USER_INPUT'],
    ['a window the wrong way round', gql('{ store(id: "1") { passengerIndicator(from: "2026-05-10", to: "2026-05-01") { inflow } } }'), 200, 'BAD_USER_INPUT'],
  ] as const)('%s → HTTP %d, %s', async (_name, init, status, code) => {
    const { path = '', ...request } = init as RequestInit & { path?: string };
    const response = await yoga.fetch(`http://gateway.test/graphql${path}`, request);
    expect(response.status).toBe(status);
    const text = await response.text();
    const body = JSON.parse(text) as { errors: Array<{ extensions: Record<string, unknown> }> };
    expect(body.errors.map((e) => e.extensions.code)).toEqual([code]);
    for (const error of body.errors) {
      expect(ENUM.has(error.extensions.code as string)).toBe(true);
      expect(Object.keys(error.extensions).filter((key) => key !== 'argument').sort()).toEqual(['code', 'retryable']);
    }
    expect(text).not.toMatch(/originalError|stack|SyntaxError|at position/);
    expect(emulator.callCount()).toBe(0);
  });

  it('a vendor failure carries its vendor codename (an ErrorCode) and nothing of the request', async () => {
    emulator.setFaults([{ kind: 'code', code: -999, times: 1 }]);
    try {
      const response = await yoga.fetch('http://gateway.test/graphql', gql(DAY, { d: '2026-05-10' }));
      expect(response.status).toBe(200);
      const body = (await response.json()) as { errors: Array<{ extensions: Record<string, unknown> }> };
      expect(body.errors.map((e) => e.extensions.code)).toEqual(['UNKNOWN_ERROR']);
      expect(ENUM.has('UNKNOWN_ERROR')).toBe(true);
    } finally {
      emulator.setFaults([]);
      emulator.resetCalls();
    }
  });
});

describe('GraphQL over HTTP status codes for bad input', () => {
  it.each([
    ['application/json', 200],
    ['application/graphql-response+json', 400],
  ] as const)('a bad variable with accept: %s → HTTP %i and BAD_USER_INPUT', async (accept, status) => {
    const response = await yoga.fetch('http://gateway.test/graphql', post(JSON.stringify({ query: DAY, variables: { d: '2026-02-30' } }), { 'content-type': 'application/json', accept }));
    expect(response.status).toBe(status);
    const body = (await response.json()) as { errors: Array<{ extensions: Record<string, unknown> }> };
    expect(body.errors.map((e) => e.extensions)).toEqual([{ code: 'BAD_USER_INPUT', retryable: false }]);
    expect(emulator.callCount()).toBe(0);
  });
});

describe('GraphQL over HTTP status codes for a failing field', () => {
  it.each(['application/json', 'application/graphql-response+json'])('a vendor failure with accept: %s → HTTP 200, data with the field null, the error at its path', async (accept) => {
    emulator.setFaults([{ kind: 'code', code: -500 }]);
    try {
      const response = await yoga.fetch('http://gateway.test/graphql', post(JSON.stringify({ query: DAY, variables: { d: '2026-05-10' } }), { 'content-type': 'application/json', accept }));
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(`${accept}; charset=utf-8`);
      const body = (await response.json()) as { data: unknown; errors: Array<Record<string, unknown>> };
      expect(body.errors).toHaveLength(1);
      const [error] = body.errors;
      expect(Object.keys(error!)).toEqual(['message', 'locations', 'path', 'extensions']);
      expect(error!.extensions).toMatchObject({ code: 'API_SYSTEM_CALL_ERROR', retryable: true });
      expect(JSON.stringify(body)).not.toMatch(/"http"|unexpected|originalError|stack/);
    } finally {
      emulator.setFaults([]);
      emulator.resetCalls();
    }
  });
});

describe('the SDL keeps the documented nullability', () => {
  it('Store.id is ID! in _service { sdl }, and the core figures are non-null', async () => {
    const response = await yoga.fetch('http://gateway.test/graphql', gql('{ _service { sdl } }'));
    const sdl = ((await response.json()) as { data: { _service: { sdl: string } } }).data._service.sdl;
    const block = (type: string) => sdl.slice(sdl.indexOf(`type ${type}`), sdl.indexOf('}', sdl.indexOf(`type ${type}`)));
    expect(block('Store')).toMatch(/^\s*id: ID!$/m);
    for (const field of ['storeId: ID!', 'from: LocalDate!', 'to: LocalDate!', 'businessHoursOnly: Boolean!', 'inflow: Int!', 'passBy: Int!', 'outsideFlow: Int!', 'inShopRate: Float!']) {
      expect(block('PassengerIndicator')).toContain(field);
    }
    for (const field of ['outflow: Int\n', 'fittingRoomFlow: Int\n', 'fittingRoomRate: Float\n']) {
      expect(block('PassengerIndicator')).toContain(field);
    }
  });
});
