import { loadConfig } from '../../src/config.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { testClientConfig } from '../fixtures/client-config.js';
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
let upstream: PassengerFlowApi;
let passengerFlow: PassengerFlowApi;
/** Which synchronous run ("batch") each upstream call of the current test started in, counted from 0. */
let batches: number[];

/**
 * Wraps the api so each call records its batch: calls started in the same synchronous run share a number,
 * and the number moves on once that run is over. Made afresh for every test, so the count starts at 0
 * whatever ran before.
 */
function recordBatches(api: PassengerFlowApi): { api: PassengerFlowApi; batches: number[] } {
  const batches: number[] = [];
  let batch = 0;
  let scheduled = false;
  return {
    batches,
    api: {
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
    },
  };
}

beforeAll(async () => {
  emulator = await startEmulator({ keys: [{ key: 'fed', secret: SECRET }] });
  const client = createOpretailClient(testClientConfig({ baseUrl: emulator.url, appKey: 'fed', appSecret: SECRET, retries: 0 }));
  closeClient = () => client.close();
  upstream = createPassengerFlowApi(client);
});
afterAll(async () => {
  await closeClient();
  await emulator.close();
});
beforeEach(() => {
  emulator.resetCalls();
  ({ api: passengerFlow, batches } = recordBatches(upstream));
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
    expect(batches).toEqual([0, 0, 0]);

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

/**
 * Reads the ftv1 trace the router would read. The trace is Apollo's `Trace` protobuf message (reports.proto
 * in @apollo/usage-reporting-protobuf). None of our declared packages decodes it, and the fields a router
 * needs here are four, so this reads the protobuf wire format directly: the field numbers below are the
 * .proto's, and anything else is skipped.
 */
interface TraceNode {
  responseName: string | undefined;
  errors: string[];
  children: TraceNode[];
}
interface DecodedTrace {
  durationNs: bigint;
  root: TraceNode | undefined;
}

/** Each field number of one message → its values: varints as bigint, length-delimited fields as bytes. */
function protobufFields(bytes: Buffer): Map<number, Array<bigint | Buffer>> {
  const fields = new Map<number, Array<bigint | Buffer>>();
  let at = 0;
  const varint = (): bigint => {
    let value = 0n;
    for (let shift = 0n; ; shift += 7n) {
      if (at >= bytes.length) throw new Error('truncated varint');
      const byte = bytes[at++]!;
      value |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) return value;
    }
  };
  while (at < bytes.length) {
    const tag = varint();
    const field = Number(tag >> 3n);
    const wireType = Number(tag & 7n);
    let value: bigint | Buffer;
    if (wireType === 0) value = varint();
    else if (wireType === 2) {
      const length = Number(varint());
      value = bytes.subarray(at, at + length);
      at += length;
    } else if (wireType === 1 || wireType === 5) {
      value = bytes.subarray(at, at + (wireType === 1 ? 8 : 4));
      at += wireType === 1 ? 8 : 4;
    } else throw new Error(`unsupported wire type ${wireType}`);
    if (at > bytes.length) throw new Error('truncated field');
    fields.set(field, [...(fields.get(field) ?? []), value]);
  }
  return fields;
}

const bytesOf = (values: Array<bigint | Buffer> | undefined): Buffer[] => (values ?? []).filter((v): v is Buffer => Buffer.isBuffer(v));

/** Trace.Node: response_name = 1, error = 11 (Trace.Error: message = 1), child = 12. */
function traceNode(bytes: Buffer): TraceNode {
  const fields = protobufFields(bytes);
  return {
    responseName: bytesOf(fields.get(1))[0]?.toString('utf8'),
    errors: bytesOf(fields.get(11)).map((error) => bytesOf(protobufFields(error).get(1))[0]?.toString('utf8') ?? ''),
    children: bytesOf(fields.get(12)).map(traceNode),
  };
}

/** Trace: duration_ns = 11, root = 14. */
function decodeTrace(ftv1: string): DecodedTrace {
  const fields = protobufFields(Buffer.from(ftv1, 'base64'));
  const root = bytesOf(fields.get(14))[0];
  const duration = fields.get(11)?.[0];
  return { durationNs: typeof duration === 'bigint' ? duration : 0n, root: root && traceNode(root) };
}

describe('federated tracing', () => {
  const query = `{ store(id: "174679") { passengerIndicator(from: "2026-05-10", to: "2026-05-10") { inflow } } }`;

  it('answers an ftv1 inline trace with the resolver tree when the router asks', async () => {
    const body = await gql(query, undefined, { 'apollo-federation-include-trace': 'ftv1' });
    expect(typeof body.extensions?.ftv1).toBe('string');
    const trace = decodeTrace(body.extensions!.ftv1 as string);
    expect(trace.root?.children.map((node) => node.responseName)).toEqual(['store']);
    expect(trace.root?.children[0]?.children.map((node) => node.responseName)).toEqual(['passengerIndicator']);
    expect(trace.root?.children[0]?.children[0]?.errors).toEqual([]);
    expect(trace.durationNs).toBeGreaterThan(0n);
  });

  it('sends no trace unless asked', async () => {
    const body = await gql(query);
    expect(body.extensions?.ftv1).toBeUndefined();
  });

  it('masks unexpected errors inside the trace as in the response', async () => {
    const broken: PassengerFlowApi = { getPassengerIndicatorData: () => Promise.reject(new Error('secret hunter2 inside')) };
    const body = await gql(query, undefined, { 'apollo-federation-include-trace': 'ftv1' }, broken);
    expect(body.errors![0]!.message).toBe('Unexpected error.');
    const ftv1 = body.extensions!.ftv1 as string;
    expect(decodeTrace(ftv1).root?.children[0]?.children[0]).toMatchObject({ responseName: 'passengerIndicator', errors: ['Unexpected error.'] });
    // Protobuf stores strings as they are, so the raw bytes hold every string of every field, decoded or not.
    expect(Buffer.from(ftv1, 'base64').toString('latin1')).not.toContain('hunter2');
  });
});
