import { execFile } from 'node:child_process';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { GraphQLError } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createContext, type GatewayContext } from '../../src/context.js';
import { toPublicError } from '../../src/public-errors.js';
import { MOBILE_LOGIN_METHOD, startEmulator, type Emulator } from '../../src/emulator/index.js';
import { schema } from '../../src/schema/index.js';
import { startTracingFromEnv } from '../../src/telemetry/start.js';
import { startTracing, type Tracing, type TracingOptions } from '../../src/telemetry/tracing.js';
import { createOpretailClient, type OpretailClientConfig } from '../../src/upstream/client.js';
import { createPassengerIndicatorLoader } from '../../src/upstream/loaders.js';
import { createPassengerFlowApi, GET_PASSENGER_INDICATOR_DATA } from '../../src/upstream/passenger-flow.js';
import { testClientConfig } from '../fixtures/client-config.js';

const SECRET = 'tracing-test-secret';
const LIMITS = loadConfig({});
const ATTEMPT_SPAN = `opretail ${GET_PASSENGER_INDICATOR_DATA}`;
/** The caller's W3C trace context. */
const CALLER_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN_ID = '00f067aa0ba902b7';

/** A span as an OTLP/JSON receiver sees it, attributes flattened. */
interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  traceState: string | undefined;
  name: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client. */
  kind: number;
  status: { code?: number; message?: string };
  attributes: Record<string, unknown>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: number | string;
  boolValue?: boolean;
  doubleValue?: number;
  arrayValue?: { values?: OtlpValue[] };
}

interface OtlpSpan extends Omit<ReceivedSpan, 'attributes' | 'status'> {
  attributes?: Array<{ key: string; value: OtlpValue }>;
  status?: { code?: number; message?: string };
}

interface OtlpExport {
  resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: OtlpSpan[] }> }>;
}

function plain(value: OtlpValue): unknown {
  if (value.arrayValue) return (value.arrayValue.values ?? []).map(plain);
  if (value.intValue !== undefined) return Number(value.intValue);
  return value.stringValue ?? value.boolValue ?? value.doubleValue;
}

/** An OTLP/HTTP receiver on port 0: what the exporter POSTs to `/v1/traces`, raw and decoded. */
interface Receiver {
  endpoint: string;
  requests: Array<{ headers: IncomingHttpHeaders; body: string }>;
  spans(): ReceivedSpan[];
  /** The HTTP status answered to exports from now on. */
  answer(status: number): void;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const requests: Receiver['requests'] = [];
  let status = 200;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method !== 'POST' || request.url !== '/v1/traces') {
        response.writeHead(404).end();
        return;
      }
      const raw = Buffer.concat(chunks);
      requests.push({ headers: request.headers, body: (request.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8') });
      response.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    spans: () =>
      requests.flatMap(({ headers, body }) => {
        // The exporter speaks OTLP/JSON; protobuf would need a decoder this test does not have.
        expect(headers['content-type']).toMatch(/^application\/json/);
        const exported = JSON.parse(body) as OtlpExport;
        return (exported.resourceSpans ?? []).flatMap((resource) =>
          (resource.scopeSpans ?? []).flatMap((scope) =>
            (scope.spans ?? []).map((span) => ({
              traceId: span.traceId,
              spanId: span.spanId,
              parentSpanId: span.parentSpanId || undefined,
              traceState: span.traceState || undefined,
              name: span.name,
              kind: span.kind,
              status: span.status ?? {},
              attributes: Object.fromEntries((span.attributes ?? []).map(({ key, value }) => [key, plain(value)])),
            })),
          ),
        );
      }),
    answer: (next) => {
      status = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

let emulator: Emulator;
let receiver: Receiver;
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  emulator = await startEmulator({ keys: [{ key: 'gw', secret: SECRET }] });
  receiver = await startReceiver();
});
afterAll(async () => {
  await Promise.all([emulator.close(), receiver.close()]);
});
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
  emulator.setFaults([]);
  emulator.resetCalls();
  receiver.requests.splice(0);
  receiver.answer(200);
});

async function tracing(options: Partial<TracingOptions> = {}): Promise<Tracing> {
  const started = await startTracing({ endpoint: receiver.endpoint, serviceName: 'tracing-test', scheduleDelayMs: 10, ...options });
  closers.push(() => started.shutdown());
  return started;
}

/**
 * The gateway's schema and context with the tracing hooks: the yoga plugin first, `instrumentAttempt` in the
 * client, `instrumentBatch` in the request's loader (context.ts does not pass it through yet).
 */
function gateway(traced: Tracing, client: Partial<OpretailClientConfig> & { baseUrl?: string } = {}) {
  const upstream = createOpretailClient(
    testClientConfig({ baseUrl: emulator.url, appKey: 'gw', appSecret: SECRET, retries: 0, instrumentAttempt: traced.instrumentAttempt, ...client }),
  );
  closers.push(() => upstream.close());
  const passengerFlow = createPassengerFlowApi(upstream);
  const yoga = createYoga<Record<string, never>, GatewayContext>({
    schema,
    logging: false,
    plugins: [traced.yogaPlugin()],
    // The gateway's masking policy, so the codes in the answer are the ones callers see.
    maskedErrors: { maskError: (error) => (error instanceof GraphQLError ? toPublicError(error).error : new GraphQLError('Unexpected error.')) },
    context: ({ request }) => {
      const context = createContext({ passengerFlow, config: LIMITS }, { signal: request.signal });
      const passengerIndicators = createPassengerIndicatorLoader(passengerFlow, context.upstream, {
        disableLoader: false,
        cache: null,
        instrumentBatch: traced.instrumentBatch,
      });
      return { ...context, passengerIndicators };
    },
  });
  return async (query: string, headers: Record<string, string> = {}) => {
    const response = await yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body: JSON.stringify({ query }),
    });
    return (await response.json()) as { data?: Record<string, unknown>; errors?: Array<{ path?: unknown[]; extensions: { code: string } }> };
  };
}

const indicator = (alias: string, storeId: string) => `${alias}: store(id: "${storeId}") { passengerIndicator(from: "2026-05-10", to: "2026-05-10") { inflow } }`;

describe('spans', () => {
  it('one operation under the caller’s traceparent: its loader batch, and each upstream attempt with its outcome', async () => {
    const traced = await tracing();
    // 174680 fails once (retryable, then succeeds on the retry); 174681 always fails (not retryable).
    emulator.setFaults([
      { kind: 'code', code: -500, depId: '174680', times: 1 },
      { kind: 'code', code: 9, depId: '174681' },
    ]);
    const gql = gateway(traced, { retries: 1, retryDelayMs: 1 });
    const body = await gql(`query StoreFlow { ${indicator('a', '174679')} ${indicator('b', '174680')} ${indicator('c', '174681')} }`, {
      traceparent: `00-${CALLER_TRACE_ID}-${CALLER_SPAN_ID}-01`,
      tracestate: 'vendor=opaque',
    });
    expect(body.errors?.map((error) => [error.path, error.extensions.code])).toEqual([[['c', 'passengerIndicator'], 'METHOD_NOTEXIST_CODE']]);
    await traced.shutdown();

    const spans = receiver.spans();
    const operations = spans.filter((span) => span.name.startsWith('graphql'));
    expect(operations).toHaveLength(1);
    const operation = operations[0]!;
    expect(operation).toMatchObject({
      name: 'graphql StoreFlow',
      kind: 2,
      traceId: CALLER_TRACE_ID,
      parentSpanId: CALLER_SPAN_ID,
      traceState: 'vendor=opaque',
      status: { code: 2 },
      attributes: { 'graphql.operation.name': 'StoreFlow', 'graphql.operation.type': 'query', 'graphql.error.codes': ['METHOD_NOTEXIST_CODE'] },
    });

    const batches = spans.filter((span) => span.name === 'loader batch');
    expect(batches).toHaveLength(1);
    expect(batches[0]).toMatchObject({ traceId: CALLER_TRACE_ID, parentSpanId: operation.spanId, attributes: { 'loader.batch.size': 3 } });

    const attempts = spans.filter((span) => span.name === ATTEMPT_SPAN);
    // One span per call the vendor received, each a child of the batch that caused it.
    expect(attempts).toHaveLength(emulator.callCount());
    for (const attempt of attempts) {
      expect(attempt).toMatchObject({ kind: 3, traceId: CALLER_TRACE_ID, parentSpanId: batches[0]!.spanId });
    }
    const facts = attempts
      .map((span) => [span.attributes['opretail.store_id'], span.attributes['opretail.attempt'], span.attributes['opretail.outcome'], span.attributes['http.response.status_code']])
      .sort((x, y) => String(x).localeCompare(String(y)));
    expect(facts).toEqual([
      ['174679', 1, 'SUCCESS', 200],
      ['174680', 1, 'API_SYSTEM_CALL_ERROR', 200],
      ['174680', 2, 'SUCCESS', 200],
      ['174681', 1, 'METHOD_NOTEXIST_CODE', 200],
    ]);
    for (const attempt of attempts) {
      expect(attempt.attributes['opretail.method']).toBe(GET_PASSENGER_INDICATOR_DATA);
      const failed = attempt.attributes['opretail.outcome'] !== 'SUCCESS';
      expect(attempt.status.code ?? 0).toBe(failed ? 2 : 0);
      if (failed) expect(attempt.attributes['error.type']).toBe(attempt.attributes['opretail.outcome']);
    }
  });

  it('a failed attempt carries the HTTP status it got, and none when it got no answer', async () => {
    const traced = await tracing();
    emulator.setFaults([
      { kind: 'http', status: 503, depId: '174679' },
      { kind: 'reset', depId: '174680' },
    ]);
    const gql = gateway(traced);
    const body = await gql(`{ ${indicator('a', '174679')} ${indicator('b', '174680')} }`);
    expect(body.errors?.map((error) => error.extensions.code)).toEqual(['UPSTREAM_UNAVAILABLE', 'UPSTREAM_UNAVAILABLE']);
    await traced.shutdown();
    const attempts = receiver.spans().filter((span) => span.name === ATTEMPT_SPAN);
    const byStore = new Map(attempts.map((span) => [span.attributes['opretail.store_id'], span.attributes]));
    expect(byStore.get('174679')).toMatchObject({ 'opretail.outcome': 'UPSTREAM_UNAVAILABLE', 'http.response.status_code': 503 });
    expect(byStore.get('174680')).toMatchObject({ 'opretail.outcome': 'UPSTREAM_UNAVAILABLE' });
    expect(byStore.get('174680')).not.toHaveProperty('http.response.status_code');
  });

  it('without a traceparent, the operation starts a trace of its own', async () => {
    const traced = await tracing();
    const gql = gateway(traced);
    expect((await gql(`{ ${indicator('a', '174679')} }`)).errors).toBeUndefined();
    await traced.shutdown();
    const spans = receiver.spans();
    const operation = spans.find((span) => span.name === 'graphql anonymous');
    expect(operation).toBeDefined();
    expect(operation!.parentSpanId).toBeUndefined();
    expect(operation!.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(operation!.traceId).not.toBe(CALLER_TRACE_ID);
    expect(operation!.attributes['graphql.operation.name']).toBeUndefined();
    expect(spans.filter((span) => span.traceId === operation!.traceId).map((span) => span.name).sort()).toEqual(['graphql anonymous', ATTEMPT_SPAN, 'loader batch'].sort());
  });

  it('two concurrent operations keep their spans apart', async () => {
    const traced = await tracing();
    emulator.setLatency(20);
    closers.push(async () => emulator.setLatency(0));
    const gql = gateway(traced);
    const traceIds = ['11111111111111111111111111111111', '22222222222222222222222222222222'];
    await Promise.all(traceIds.map((traceId, index) => gql(`query Q${index} { ${indicator('a', `17467${index}`)} }`, { traceparent: `00-${traceId}-${CALLER_SPAN_ID}-01` })));
    await traced.shutdown();
    const spans = receiver.spans();
    traceIds.forEach((traceId, index) => {
      const names = spans.filter((span) => span.traceId === traceId).map((span) => `${span.name} ${span.attributes['opretail.store_id'] ?? ''}`.trim());
      expect(names.sort()).toEqual([`graphql Q${index}`, `${ATTEMPT_SPAN} 17467${index}`, 'loader batch'].sort());
    });
  });
});

describe('secrets', () => {
  it('the app secret, the login password, the token and the client’s API key appear in no export', async () => {
    const CANARY = {
      secret: 'canary-app-secret-5f1e',
      password: 'canary-password-93ab',
      apiKey: 'canary-api-key-7c2d',
    };
    const vendor = await startEmulator({ keys: [{ key: 'gw', secret: CANARY.secret }], requireToken: true, users: { ops: CANARY.password } });
    closers.push(() => vendor.close());
    const traced = await tracing();
    const gql = gateway(traced, { baseUrl: vendor.url, appSecret: CANARY.secret, auth: { kind: 'login', userName: 'ops', password: CANARY.password } });
    const body = await gql(`query Canary { ${indicator('a', '174679')} }`, { authorization: `Bearer ${CANARY.apiKey}`, 'x-api-key': CANARY.apiKey });
    expect(body.errors).toBeUndefined();
    await traced.shutdown();

    const token = vendor.calls.find((call) => call.headers.authenticator)?.headers.authenticator;
    expect(token).toMatch(/^[0-9a-f]{32}$/);
    // The calls that carried them were traced: the login (password, signed with the secret) and the data call (token).
    const names = receiver.spans().map((span) => span.name);
    expect(names).toEqual(expect.arrayContaining([`opretail ${MOBILE_LOGIN_METHOD}`, ATTEMPT_SPAN, 'graphql Canary']));
    const exported = receiver.requests.map((request) => request.body).join('\n');
    for (const canary of [CANARY.secret, CANARY.password, CANARY.apiKey, token!]) expect(exported).not.toContain(canary);
  });
});

describe('export', () => {
  it('sends the configured headers and the service name', async () => {
    const traced = await tracing({ headers: { 'x-collector-key': 'collector-1' }, serviceName: 'gateway-under-test' });
    await traced.instrumentBatch(1, async () => 'done');
    await traced.shutdown();
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]!.headers['x-collector-key']).toBe('collector-1');
    const resource = (JSON.parse(receiver.requests[0]!.body) as { resourceSpans: Array<{ resource: { attributes: Array<{ key: string; value: OtlpValue }> } }> })
      .resourceSpans[0]!.resource;
    expect(resource.attributes.find((attribute) => attribute.key === 'service.name')?.value.stringValue).toBe('gateway-under-test');
  });

  it('reports a failing collector once per run of failures', async () => {
    const reasons: string[] = [];
    const traced = await tracing({ onExportFailure: (reason) => reasons.push(reason) });
    // Each span is exported on its own (the schedule is 10 ms); wait for each export before the next span.
    const exportSpan = async (status: number) => {
      receiver.answer(status);
      const before = receiver.requests.length;
      await traced.instrumentBatch(1, async () => undefined);
      await vi.waitFor(() => expect(receiver.requests.length).toBe(before + 1));
    };
    await exportSpan(400);
    await exportSpan(400);
    expect(reasons).toHaveLength(1);
    await exportSpan(200);
    await exportSpan(400);
    expect(reasons).toHaveLength(2);
    expect(reasons[0]).toMatch(/\S/);
  });

  it('from the environment: service.name is OTEL_SERVICE_NAME, passenger-flow-gateway by default', async () => {
    const names: unknown[] = [];
    for (const env of [{}, { OTEL_SERVICE_NAME: 'gateway-eu' }]) {
      const traced = await startTracingFromEnv(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, ...env }), { warn: () => {} });
      expect(traced).not.toBeNull();
      await traced!.instrumentBatch(1, async () => undefined);
      await traced!.shutdown();
      const body = JSON.parse(receiver.requests.at(-1)!.body) as { resourceSpans: Array<{ resource: { attributes: Array<{ key: string; value: OtlpValue }> } }> };
      names.push(body.resourceSpans[0]!.resource.attributes.find((attribute) => attribute.key === 'service.name')?.value.stringValue);
    }
    expect(names).toEqual(['passenger-flow-gateway', 'gateway-eu']);
  });

  it('rejects an endpoint that is not an http(s) URL', async () => {
    await expect(startTracing({ endpoint: 'localhost:4318', serviceName: 'x' })).rejects.toThrow();
    await expect(startTracing({ endpoint: 'ftp://collector', serviceName: 'x' })).rejects.toThrow(/http/);
  });
});

describe('loading', () => {
  it('without OTEL_EXPORTER_OTLP_ENDPOINT the gateway loads no OpenTelemetry module; with it, tracing starts', async () => {
    const root = new URL('../../', import.meta.url);
    // A fresh process (this one may have loaded the SDK for other tests). The SDK's packages are CommonJS, so
    // require.cache lists them however they were imported; the count after startTracing proves the probe sees them.
    const probe = `
      import { createRequire } from 'node:module';
      const cache = createRequire(import.meta.url).cache;
      const loaded = () => Object.keys(cache).filter((path) => path.includes('@opentelemetry')).length;
      const load = (path) => import(new URL(path, ${JSON.stringify(root.href)}).href);
      for (const path of ['src/config.ts', 'src/caching.ts', 'src/upstream/client.ts', 'src/yoga.ts', 'src/telemetry/tracing.ts']) await load(path);
      const { startTracingFromEnv } = await load('src/telemetry/start.ts');
      const { loadConfig } = await load('src/config.ts');
      const logger = { warn: () => {} };
      const off = await startTracingFromEnv(loadConfig({}), logger);
      const before = loaded();
      const on = await startTracingFromEnv(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9' }), logger);
      const after = loaded();
      await on.shutdown();
      console.log(JSON.stringify({ off: off === null, before, after }));
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe], {
      cwd: fileURLToPath(root),
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!) as { off: boolean; before: number; after: number };
    expect(result).toMatchObject({ off: true, before: 0 });
    expect(result.after).toBeGreaterThan(0);
  }, 30_000);
});
