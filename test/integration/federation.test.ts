import { Trace } from '@apollo/usage-reporting-protobuf';
import { loadConfig } from '../../src/config.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { createOpretailClient } from '../../src/upstream/client.js';
import { createPassengerFlowApi, type PassengerFlowApi } from '../../src/upstream/passenger-flow.js';
import { createGatewayYoga } from '../../src/yoga.js';

const SECRET = 'federation-secret';
/** The documented defaults, as the server loads them with no environment. */
const LIMITS = loadConfig({});

interface Response {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions: Record<string, unknown> }>;
  extensions?: Record<string, unknown>;
}

let emulator: Emulator;
let closeClient: () => Promise<void>;
let passengerFlow: PassengerFlowApi;
/** Which synchronous run ("batch") each upstream call started in. */
let batches: number[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ keys: [{ key: 'fed', secret: SECRET }] });
  const client = createOpretailClient({ baseUrl: emulator.url, appKey: 'fed', appSecret: SECRET, retries: 0 });
  closeClient = () => client.close();
  const api = createPassengerFlowApi(client);
  let batch = 0;
  let scheduled = false;
  passengerFlow = {
    getPassengerIndicatorData(query, options) {
      batches.push(batch);
      if (!scheduled) {
        scheduled = true;
        setImmediate(() => {
          batch++;
          scheduled = false;
        });
      }
      return api.getPassengerIndicatorData(query, options);
    },
  };
});
afterAll(async () => {
  await closeClient();
  await emulator.close();
});
afterEach(() => {
  emulator.resetCalls();
  batches = [];
});

async function gql(query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}, api = passengerFlow): Promise<Response> {
  const yoga = createGatewayYoga({ passengerFlow: api, config: LIMITS });
  const response = await yoga.fetch('http://subgraph.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as Response;
}

const ENTITIES = `query($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on Store { id passengerIndicator(from: "2026-05-10", to: "2026-05-10") { inflow passBy inShopRate } }
  }
}`;
const reps = (ids: string[]) => ids.map((id) => ({ __typename: 'Store', id }));

describe('Store as a federation entity', () => {
  it('_service.sdl links federation v2 and keys Store by id', async () => {
    const body = await gql('{ _service { sdl } }');
    const sdl = (body.data!._service as { sdl: string }).sdl;
    expect(sdl).toContain('@link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])');
    expect(sdl).toMatch(/type Store\s+@key\(fields: "id"\)/);
  });

  it('_entities for 3 stores answers what stores(ids:) answers, in one upstream batch', async () => {
    const ids = ['301', '302', '303'];
    const entities = await gql(ENTITIES, { representations: reps(ids) });
    expect(entities.errors).toBeUndefined();
    expect(emulator.callCount()).toBe(3);
    expect(new Set(batches)).toEqual(new Set([0]));

    const stores = await gql(`query($ids: [ID!]!) { stores(ids: $ids) { id passengerIndicator(from: "2026-05-10", to: "2026-05-10") { inflow passBy inShopRate } } }`, { ids });
    expect(entities.data!._entities).toEqual(stores.data!.stores);
  });

  it('50 stores for one window → exactly 50 upstream calls; duplicate representations cost nothing extra', async () => {
    const ids = Array.from({ length: 50 }, (_, i) => String(1000 + i));
    const body = await gql(ENTITIES, { representations: reps([...ids, ...ids.slice(0, 20)]) });
    expect(body.errors).toBeUndefined();
    expect(body.data!._entities).toHaveLength(70);
    expect(emulator.callCount()).toBe(50);
  });

  it('a representation with an invalid id fails that entity only, with BAD_USER_INPUT', async () => {
    const body = await gql(ENTITIES, { representations: reps(['401', 'x-1', '403']) });
    const entities = body.data!._entities as Array<{ id: string } | null>;
    expect(entities.map((e) => e?.id ?? null)).toEqual(['401', null, '403']);
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]!.path).toEqual(['_entities', 1]);
    expect(body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', retryable: false });
    expect(emulator.callCount()).toBe(2);
  });
});

describe('federated tracing', () => {
  const query = `{ store(id: "174679") { passengerIndicator(from: "2026-05-10", to: "2026-05-10") { inflow } } }`;

  it('answers an ftv1 inline trace with the resolver tree when the router asks', async () => {
    const body = await gql(query, undefined, { 'apollo-federation-include-trace': 'ftv1' });
    expect(typeof body.extensions?.ftv1).toBe('string');
    const trace = Trace.decode(Buffer.from(body.extensions!.ftv1 as string, 'base64'));
    expect(trace.root?.child?.[0]?.responseName).toBe('store');
    expect(trace.root?.child?.[0]?.child?.[0]?.responseName).toBe('passengerIndicator');
    expect(Number(trace.durationNs)).toBeGreaterThan(0);
  });

  it('sends no trace unless asked', async () => {
    const body = await gql(query);
    expect(body.extensions?.ftv1).toBeUndefined();
  });

  it('masks unexpected errors inside the trace as in the response', async () => {
    const broken: PassengerFlowApi = { getPassengerIndicatorData: () => Promise.reject(new Error('secret hunter2 inside')) };
    const body = await gql(query, undefined, { 'apollo-federation-include-trace': 'ftv1' }, broken);
    expect(body.errors![0]!.message).toBe('Unexpected error.');
    const decoded = JSON.stringify(Trace.toObject(Trace.decode(Buffer.from(body.extensions!.ftv1 as string, 'base64'))));
    expect(decoded).toContain('Unexpected error.');
    expect(decoded).not.toContain('hunter2');
  });
});
