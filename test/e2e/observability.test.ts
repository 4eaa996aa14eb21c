import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES } from '../../src/config.js';
import { MOBILE_LOGIN_METHOD, startEmulator, type Emulator } from '../../src/emulator/index.js';
import { generateApiKey } from '../../src/security/api-keys.js';
import { GET_PASSENGER_INDICATOR_DATA } from '../../src/upstream/passenger-flow.js';
import { startProcess, stopAll, type Started } from './processes.js';

/**
 * The observability issue's acceptance items, against the built server (dist/server.js) on port 0 in upstream
 * mode, each gateway in front of an in-process strict emulator of its own (faults, latency and call counts are
 * per test). Metrics are read from the listener the start-up line names (METRICS_PORT=0); the tests assert the
 * exact numbers a fresh process must show, so each counting test has a gateway nobody else talks to.
 */

const READY = /listening on (http:\/\/\S+\/graphql)/;
/** Every configuration variable unset, so the test's own environment cannot leak into a gateway. */
const UNSET = Object.fromEntries(CONFIG_VARIABLES.map((name) => [name, undefined]));
/** A day long past: its window is settled, so its answer is cached (and a repeat is a cache hit). */
const SETTLED_DAY = '2025-03-04';
const METHOD = GET_PASSENGER_INDICATOR_DATA;
const GENERATED_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// ── Canaries: distinctive values that must appear in no log line and no metric ──────────────────────────────
const CANARY_SECRET = `canary-secret-${randomBytes(12).toString('hex')}`;
const CANARY_PASSWORD = `canary-password-${randomBytes(12).toString('hex')}`;
const CLIENT = generateApiKey();
const WRONG_KEY = generateApiKey().key;
const USER = 'observer-user';
const KEY_NAME = 'observer';

const query = (operation: string, store: string, day = SETTLED_DAY) =>
  `query ${operation} { store(id: "${store}") { passengerIndicator(from: "${day}", to: "${day}") { inflow } } }`;

interface Answer {
  status: number;
  headers: Headers;
  json: { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
}

interface Gateway extends Started {
  /** `http://127.0.0.1:PORT/graphql` */
  url: string;
  /** `http://127.0.0.1:PORT` (health and readiness live here, beside /graphql) */
  origin: string;
  /** From the start-up line: `http://127.0.0.1:PORT/metrics` */
  metricsUrl: string;
}

async function startGateway(emulator: Emulator, env: Record<string, string | undefined>): Promise<Gateway> {
  const started = await startProcess(
    'node',
    ['dist/server.js'],
    {
      ...UNSET,
      HOST: '127.0.0.1',
      PORT: '0',
      METRICS_PORT: '0',
      LOG_LEVEL: 'info',
      OPRETAIL_BASE_URL: emulator.url,
      OPRETAIL_APP_KEY: 'observability-e2e-key',
      OPRETAIL_APP_SECRET: CANARY_SECRET,
      OPRETAIL_RETRIES: '0',
      ...env,
    },
    READY,
  );
  // The start-up line is a JSON log line; its `msg` names the metrics URL.
  const startLine = (await started.waitForOutput(/^.*listening on .*$/m))[0];
  const message = (JSON.parse(startLine) as { msg: string }).msg;
  const metricsUrl = /metrics on (http:\/\/\S+\/metrics)/.exec(message)?.[1];
  if (!metricsUrl) throw new Error(`no metrics URL in the start-up line: ${message}`);
  const url = started.match[1]!;
  return { ...started, url, origin: new URL(url).origin, metricsUrl };
}

async function graphql(gateway: Gateway, text: string, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query: text }) });
  return { status: response.status, headers: response.headers, json: (await response.json()) as Answer['json'] };
}

const codesOf = (answer: Pick<Answer, 'json'>) => (answer.json.errors ?? []).map((error) => error.extensions?.code);

// ── Prometheus text ─────────────────────────────────────────────────────────────────────────────────────────
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

async function scrape(gateway: Gateway): Promise<{ text: string; samples: Sample[] }> {
  const response = await fetch(gateway.metricsUrl);
  expect(response.status).toBe(200);
  const text = await response.text();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`unparsable metrics line: ${line}`);
    const labels: Record<string, string> = {};
    for (const label of (match[2] ?? '').matchAll(/([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[label[1]!] = label[2]!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return { text, samples };
}

/** The value of the sample with exactly these labels, or undefined when there is none. */
function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = JSON.stringify(Object.entries(labels).sort());
  return samples.find((sample) => sample.name === name && JSON.stringify(Object.entries(sample.labels).sort()) === wanted)?.value;
}

/** Every sample of a metric as `{ ...labels, value }`, in code-point order of their JSON, for an exact comparison. */
function seriesOf(samples: Sample[], name: string): Array<Record<string, string | number>> {
  const json = (series: Record<string, string | number>) => JSON.stringify(series);
  return samples
    .filter((sample) => sample.name === name)
    .map((sample) => ({ ...sample.labels, value: sample.value }))
    .sort((a, b) => (json(a) < json(b) ? -1 : json(a) > json(b) ? 1 : 0));
}

// ── Logs ────────────────────────────────────────────────────────────────────────────────────────────────────
interface AccessLine {
  level: string;
  msg: string;
  requestId: string;
  operation: string;
  client: string | null;
  status: number;
  ms: number;
  upstreamCalls: number;
  cacheHits: number;
  errors: string[];
}

/** The JSON lines of a process's stdout (stderr lines and anything else that is not JSON are left out). */
const jsonLines = (gateway: Gateway): Array<Record<string, unknown>> =>
  gateway
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

const accessLines = (gateway: Gateway): AccessLine[] => jsonLines(gateway).filter((line) => line.msg === 'graphql request') as unknown as AccessLine[];

/**
 * A barrier for log lines: a request's access line is written before its answer leaves, and stdout keeps
 * order, so once a later request's line is in the output, every line of the earlier ones is too.
 */
async function settleLog(gateway: Gateway, headers: Record<string, string> = {}): Promise<void> {
  const marker = `settle-${randomBytes(6).toString('hex')}`;
  await graphql(gateway, '{ __typename }', { 'x-request-id': marker, ...headers });
  await gateway.waitForOutput(new RegExp(`"requestId":"${marker}"`));
}

/** Polls an in-process condition (no fixed sleeps); fails after `timeoutMs`. */
async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

interface Readiness {
  status: number;
  connection: string | null;
  body: { status: string; checks: Array<{ name: string; ok: boolean; state: string }> };
}

async function readiness(gateway: Gateway): Promise<Readiness> {
  const response = await fetch(`${gateway.origin}/readiness`);
  return { status: response.status, connection: response.headers.get('connection'), body: (await response.json()) as Readiness['body'] };
}

// ── The processes ───────────────────────────────────────────────────────────────────────────────────────────
const emulators: Emulator[] = [];
async function emulator(options: Parameters<typeof startEmulator>[0] = {}): Promise<Emulator> {
  const started = await startEmulator({ keys: [{ key: 'observability-e2e-key', secret: CANARY_SECRET }], ...options });
  emulators.push(started);
  return started;
}

let keysDir: string;
/** Item 1: only the mixed run talks to it, so its counters are exact. */
let metered: { emulator: Emulator; gateway: Gateway };
/** Item 2: a vendor that fails every call, and a breaker that stays open long enough to be seen. */
let breaker: { emulator: Emulator; gateway: Gateway };
/** Items 3 and 4: LOG_LEVEL=debug, a login with a canary password, a client key file with a canary key. */
let logged: { emulator: Emulator; gateway: Gateway };

beforeAll(async () => {
  keysDir = mkdtempSync(join(tmpdir(), 'gateway-observability-e2e-'));
  const keysFile = join(keysDir, 'api-keys.json');
  writeFileSync(keysFile, JSON.stringify([{ name: KEY_NAME, sha256: CLIENT.sha256, stores: '*' }]));
  const [meteredEmulator, breakerEmulator, loggedEmulator] = await Promise.all([
    emulator(),
    emulator(),
    emulator({ requireToken: true, users: { [USER]: CANARY_PASSWORD } }),
  ]);
  const [meteredGateway, breakerGateway, loggedGateway] = await Promise.all([
    startGateway(meteredEmulator, { GATEWAY_ALLOW_ANONYMOUS: 'true', OPRETAIL_TIMEOUT_MS: '300' }),
    startGateway(breakerEmulator, { GATEWAY_ALLOW_ANONYMOUS: 'true', OPRETAIL_BREAKER_COOLDOWN_MS: '1500' }),
    startGateway(loggedEmulator, {
      LOG_LEVEL: 'debug',
      GATEWAY_API_KEYS_FILE: keysFile,
      OPRETAIL_USERNAME: USER,
      OPRETAIL_PASSWORD: CANARY_PASSWORD,
      OPRETAIL_TIMEOUT_MS: '300',
    }),
  ]);
  metered = { emulator: meteredEmulator, gateway: meteredGateway };
  breaker = { emulator: breakerEmulator, gateway: breakerGateway };
  logged = { emulator: loggedEmulator, gateway: loggedGateway };
});

afterAll(async () => {
  await stopAll();
  await Promise.all(emulators.map((started) => started.close()));
  if (keysDir) rmSync(keysDir, { recursive: true, force: true });
});

describe('1. metrics after a mixed run', () => {
  it('counts a success, a cache hit, KEY_HAS_EXPIRED and a timeout with those outcome labels; histograms have counts; no label carries a store id', async () => {
    const { emulator: vendor, gateway } = metered;
    const stores = { ok: '731401', expired: '731402', slow: '731403' };
    vendor.setFaults([
      { kind: 'code', code: 3, depId: stores.expired },
      { kind: 'hang', depId: stores.slow },
    ]);
    const first = await graphql(gateway, query('Fresh', stores.ok));
    const again = await graphql(gateway, query('Fresh', stores.ok));
    const expired = await graphql(gateway, query('Expired', stores.expired));
    const slow = await graphql(gateway, query('Slow', stores.slow));
    // Refused at the door, before anything is parsed: a body a browser form could send.
    const refused = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ query: query('Fresh', stores.ok) }) });

    expect(first.json.errors).toBeUndefined();
    expect(first.json.data).toEqual({ store: { passengerIndicator: { inflow: expect.any(Number) } } });
    expect(again.json).toEqual(first.json);
    expect(codesOf(expired)).toEqual(['KEY_HAS_EXPIRED']);
    expect(codesOf(slow)).toEqual(['UPSTREAM_TIMEOUT']);
    expect([refused.status, codesOf({ json: (await refused.json()) as Answer['json'] })]).toEqual([415, ['BAD_REQUEST']]);
    // The repeat was served from the cache: one vendor call per store.
    expect([stores.ok, stores.expired, stores.slow].map((depId) => vendor.callCount({ depId }))).toEqual([1, 1, 1]);

    const { samples } = await scrape(gateway);
    expect(seriesOf(samples, 'gateway_upstream_calls_total')).toEqual([
      { method: METHOD, outcome: 'KEY_HAS_EXPIRED', value: 1 },
      { method: METHOD, outcome: 'SUCCESS', value: 1 },
      { method: METHOD, outcome: 'UPSTREAM_TIMEOUT', value: 1 },
    ]);
    expect(valueOf(samples, 'gateway_cache_lookups_total', { backend: 'memory', result: 'hit' })).toBe(1);
    expect(valueOf(samples, 'gateway_cache_lookups_total', { backend: 'memory', result: 'miss' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(samples, 'gateway_upstream_retries_total', { method: METHOD }) ?? 0).toBe(0);
    expect(valueOf(samples, 'gateway_graphql_request_duration_seconds_count')).toBe(5);
    expect(valueOf(samples, 'gateway_upstream_call_duration_seconds_count', { method: METHOD })).toBe(3);
    expect(valueOf(samples, 'gateway_loader_batch_size_count')).toBeGreaterThan(0);
    expect(valueOf(samples, 'gateway_circuit_open')).toBe(0);
    expect(valueOf(samples, 'gateway_upstream_inflight')).toBe(0);
    // prom-client's process metrics are there too.
    expect(valueOf(samples, 'process_resident_memory_bytes')).toBeGreaterThan(0);

    const labelValues = samples.flatMap((sample) => Object.values(sample.labels));
    expect(labelValues.length).toBeGreaterThan(0);
    expect(labelValues.filter((value) => Object.values(stores).some((store) => value.includes(store)))).toEqual([]);

    // The outcome is SUCCESS or the answer's first error code (the code the client saw).
    expect(seriesOf(samples, 'gateway_graphql_requests_total')).toEqual([
      { operation: 'Expired', outcome: 'KEY_HAS_EXPIRED', value: 1 },
      { operation: 'Fresh', outcome: 'SUCCESS', value: 2 },
      { operation: 'Slow', outcome: 'UPSTREAM_TIMEOUT', value: 1 },
      { operation: 'anonymous', outcome: 'BAD_REQUEST', value: 1 },
    ]);
  });
});

describe('2. /readiness', () => {
  it('is 503 while the breaker is open (gateway_circuit_open 1), and 200 again once a probe closed it', async () => {
    const { emulator: vendor, gateway } = breaker;
    const before = await readiness(gateway);
    expect(before.status).toBe(200);
    expect(before.body).toEqual({
      status: 'ready',
      checks: [
        { name: 'circuit-breaker', ok: true, state: 'closed' },
        { name: 'draining', ok: true, state: 'serving' },
      ],
    });

    // 20 unhealthy failures (OPRETAIL_BREAKER_MIN_CALLS' default), no retries: the breaker opens.
    vendor.setFaults([{ kind: 'code', code: -500 }]);
    const stores = Array.from({ length: 20 }, (_, index) => String(732_000 + index));
    for (const store of stores) expect(codesOf(await graphql(gateway, query('Failing', store)))).toEqual(['API_SYSTEM_CALL_ERROR']);
    expect(vendor.callCount()).toBe(20);

    const open = await readiness(gateway);
    expect(open.status).toBe(503);
    expect(open.body.status).toBe('not ready');
    expect(open.body.checks).toEqual([
      { name: 'circuit-breaker', ok: false, state: 'open' },
      { name: 'draining', ok: true, state: 'serving' },
    ]);
    const whileOpen = await scrape(gateway);
    expect(valueOf(whileOpen.samples, 'gateway_circuit_open')).toBe(1);
    expect(valueOf(whileOpen.samples, 'gateway_upstream_calls_total', { method: METHOD, outcome: 'API_SYSTEM_CALL_ERROR' })).toBe(20);
    // Open means fail fast: the vendor is not asked.
    expect(codesOf(await graphql(gateway, query('Failing', '732100')))).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(vendor.callCount()).toBe(20);
    // /health is about the process, not the vendor.
    expect((await fetch(`${gateway.origin}/health`)).status).toBe(200);

    // The vendor recovers; after the cool-down (half-open: still not ready) one probe closes the breaker.
    vendor.setFaults([]);
    await until(async () => (await readiness(gateway)).body.checks[0]?.state === 'half-open', 'the breaker to go half-open');
    expect((await readiness(gateway)).status).toBe(503);
    const probe = await graphql(gateway, query('Probe', '732101'));
    expect(probe.json.errors).toBeUndefined();
    const after = await readiness(gateway);
    expect(after.status).toBe(200);
    expect(after.body.checks[0]).toEqual({ name: 'circuit-breaker', ok: true, state: 'closed' });
    expect(valueOf((await scrape(gateway)).samples, 'gateway_circuit_open')).toBe(0);
  });

  it('is 503 (draining, connection: close) on an open connection while a slow request finishes after SIGTERM', async () => {
    const vendor = await emulator({ latencyMs: 1500 });
    const gateway = await startGateway(vendor, { GATEWAY_ALLOW_ANONYMOUS: 'true', SHUTDOWN_GRACE_MS: '4000' });
    // The listener closes on SIGTERM, and idle keep-alive sockets are closed at once; a socket whose next
    // request has begun is not idle. So: one keep-alive socket, asked once before the signal, and a second
    // request begun before the signal and finished during the grace period.
    const raw = rawClient(gateway.origin);
    const host = new URL(gateway.origin).host;
    raw.socket.write(`GET /readiness HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
    const ready = await raw.next();
    expect(ready.status).toBe(200);
    expect(ready.headers.connection).toBe('keep-alive');
    expect(JSON.parse(ready.body)).toMatchObject({ status: 'ready' });

    let slowDone = false;
    // `Connection: close` (node:http without an agent): the known keep-alive bug of in-flight answers (see
    // shutdown.test.ts) would otherwise hold the process until the grace deadline.
    const slow = postClosing(gateway, query('Slow', '733001')).finally(() => (slowDone = true));
    await until(() => vendor.callCount() === 1, 'the slow call at the vendor');
    raw.socket.write(`GET /readiness HTTP/1.1\r\nHost: ${host}\r\n`);
    const exit = exitOf(gateway.child);
    gateway.child.kill('SIGTERM');
    await gateway.waitForOutput(/SIGTERM: shutting down/);
    raw.socket.write('\r\n');
    const draining = await raw.next();
    expect(slowDone).toBe(false);
    expect(draining.status).toBe(503);
    expect(draining.headers.connection).toBe('close');
    expect(JSON.parse(draining.body)).toEqual({
      status: 'not ready',
      checks: [
        { name: 'circuit-breaker', ok: true, state: 'closed' },
        { name: 'draining', ok: false, state: 'shutting down' },
      ],
    });
    // The in-flight request still gets its data, and the process ends cleanly.
    const answer = await slow;
    expect(answer.status).toBe(200);
    expect(answer.json.errors).toBeUndefined();
    expect(answer.json.data).toEqual({ store: { passengerIndicator: { inflow: expect.any(Number) } } });
    expect(await exit).toEqual({ code: 0, signal: null });
    raw.socket.destroy();
  });
});

describe('3. canaries at LOG_LEVEL=debug', () => {
  it('shows the app secret, the password, the issued tokens and the client keys in no log line and no metric', async () => {
    const { emulator: vendor, gateway } = logged;
    const auth = { authorization: `Bearer ${CLIENT.key}` };
    const stores = { ok: '734001', expired: '734002', failing: '734003', bad: '734004', slow: '734005' };
    vendor.setFaults([
      { kind: 'code', code: 3, depId: stores.expired },
      { kind: 'code', code: -500, depId: stores.failing },
      { kind: 'http', status: 502, depId: stores.bad },
      { kind: 'hang', depId: stores.slow },
    ]);
    const answers = [
      await graphql(gateway, query('Ok', stores.ok), auth),
      await graphql(gateway, query('Ok', stores.ok), auth),
      await graphql(gateway, query('Expired', stores.expired), auth),
      await graphql(gateway, query('Failing', stores.failing), auth),
      await graphql(gateway, query('Bad', stores.bad), auth),
      await graphql(gateway, query('Slow', stores.slow), auth),
      await graphql(gateway, query('Wrong', stores.ok), { authorization: `Bearer ${WRONG_KEY}` }),
      await graphql(gateway, '{ stor', auth),
    ];
    expect(answers.map(codesOf)).toEqual([[], [], ['KEY_HAS_EXPIRED'], ['API_SYSTEM_CALL_ERROR'], ['UPSTREAM_UNAVAILABLE'], ['UPSTREAM_TIMEOUT'], ['UNAUTHENTICATED'], ['GRAPHQL_PARSE_FAILED']]);
    // The vendor forgets its tokens: the gateway logs in again (a second token) and carries on.
    vendor.revokeTokens();
    const relogged = await graphql(gateway, query('Ok', '734006'), auth);
    expect(relogged.json.errors).toBeUndefined();
    await settleLog(gateway, auth);

    // The canaries did travel: the vendor accepted the password (twice) and saw the tokens it issued.
    expect(vendor.callCount({ method: MOBILE_LOGIN_METHOD, code: 0 })).toBe(2);
    const tokens = [...new Set(vendor.calls.map((call) => call.headers.authenticator).filter((token): token is string => token !== null))];
    expect(tokens.length).toBeGreaterThanOrEqual(2);
    expect(gateway.output()).toMatch(/"level":"debug"/);
    expect(gateway.output()).toMatch(/"level":"warn"/);

    const { text: metricsText } = await scrape(gateway);
    const canaries: Record<string, string> = { secret: CANARY_SECRET, password: CANARY_PASSWORD, clientKey: CLIENT.key, wrongKey: WRONG_KEY };
    tokens.forEach((token, index) => (canaries[`token${index + 1}`] = token));
    const found = Object.fromEntries(
      Object.entries(canaries).map(([name, value]) => [name, { log: gateway.output().includes(value), metrics: metricsText.includes(value) }]),
    );
    expect(found).toEqual(Object.fromEntries(Object.keys(canaries).map((name) => [name, { log: false, metrics: false }])));
  });
});

describe('4. access log', () => {
  it('writes one JSON line at info per GraphQL request, with the caller’s sane x-request-id or a generated one', async () => {
    const { emulator: vendor, gateway } = logged;
    const auth = { authorization: `Bearer ${CLIENT.key}` };
    const stores = { fresh: '735001', expired: '735002' };
    vendor.setFaults([{ kind: 'code', code: 3, depId: stores.expired }]);
    const sane = `obs-${randomBytes(4).toString('hex')}.A_z:9`;
    const tooLong = `long${'x'.repeat(296)}`;
    const withSpaces = `has spaces ${randomBytes(4).toString('hex')}`;

    const sent = {
      sane: await graphql(gateway, query('Fresh', stores.fresh), { ...auth, 'x-request-id': sane }),
      absent: await graphql(gateway, query('Again', stores.fresh), auth),
      tooLong: await graphql(gateway, query('Broken', stores.expired), { ...auth, 'x-request-id': tooLong }),
      withSpaces: await graphql(gateway, '{ stor', { ...auth, 'x-request-id': withSpaces }),
      unauthenticated: await graphql(gateway, query('Fresh', stores.fresh), { authorization: `Bearer ${WRONG_KEY}` }),
    };
    await settleLog(gateway, auth);

    const ids = Object.fromEntries(Object.entries(sent).map(([name, answer]) => [name, answer.headers.get('x-request-id') ?? '']));
    expect(ids.sane).toBe(sane);
    for (const name of ['absent', 'tooLong', 'withSpaces', 'unauthenticated']) expect(ids[name], name).toMatch(GENERATED_ID);
    expect(new Set(Object.values(ids)).size).toBe(5);
    expect(gateway.output()).not.toContain(tooLong);
    expect(gateway.output()).not.toContain(withSpaces);

    const lines = accessLines(gateway);
    const lineOf = (id: string) => {
      const matching = lines.filter((line) => line.requestId === id);
      expect(matching, id).toHaveLength(1);
      return matching[0]!;
    };
    for (const id of Object.values(ids)) expect(lineOf(id).ms).toEqual(expect.any(Number));
    const facts = ({ level, requestId, operation, client, status, upstreamCalls, cacheHits, errors }: AccessLine) =>
      ({ level, requestId, operation, client, status, upstreamCalls, cacheHits, errors });
    const line = (name: keyof typeof sent, operation: string, rest: Pick<AccessLine, 'client' | 'status' | 'upstreamCalls' | 'cacheHits' | 'errors'>) => ({
      level: 'info',
      requestId: ids[name],
      operation,
      ...rest,
    });
    // One comparison, so a failure shows every wrong field at once.
    expect(Object.fromEntries(Object.entries(ids).map(([name, id]) => [name, facts(lineOf(id))]))).toEqual({
      sane: line('sane', 'Fresh', { client: KEY_NAME, status: 200, upstreamCalls: 1, cacheHits: 0, errors: [] }),
      absent: line('absent', 'Again', { client: KEY_NAME, status: 200, upstreamCalls: 0, cacheHits: 1, errors: [] }),
      tooLong: line('tooLong', 'Broken', { client: KEY_NAME, status: 200, upstreamCalls: 1, cacheHits: 0, errors: ['KEY_HAS_EXPIRED'] }),
      withSpaces: line('withSpaces', 'anonymous', { client: KEY_NAME, status: 200, upstreamCalls: 0, cacheHits: 0, errors: ['GRAPHQL_PARSE_FAILED'] }),
      unauthenticated: line('unauthenticated', 'anonymous', { client: null, status: 401, upstreamCalls: 0, cacheHits: 0, errors: ['UNAUTHENTICATED'] }),
    });
  });
});

// ── A raw HTTP/1.1 client on one socket (node:http would not let a request be begun and finished later) ──────
interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

function rawClient(origin: string): { socket: Socket; next: () => Promise<RawResponse> } {
  const { hostname, port } = new URL(origin);
  const socket = connect(Number(port), hostname);
  let buffer = '';
  let waiting: (() => void) | null = null;
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    waiting?.();
  });
  socket.on('error', () => {});
  const parse = (): RawResponse | null => {
    const end = buffer.indexOf('\r\n\r\n');
    if (end === -1) return null;
    const [statusLine, ...headerLines] = buffer.slice(0, end).split('\r\n');
    const headers = Object.fromEntries(headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
    const length = Number(headers['content-length'] ?? 0);
    if (buffer.length < end + 4 + length) return null;
    const body = buffer.slice(end + 4, end + 4 + length);
    buffer = buffer.slice(end + 4 + length);
    return { status: Number(statusLine!.split(' ')[1]), headers, body };
  };
  const next = () =>
    new Promise<RawResponse>((resolve, reject) => {
      const attempt = () => {
        const response = parse();
        if (response) {
          waiting = null;
          resolve(response);
        } else if (socket.destroyed) reject(new Error(`the socket closed before a whole answer came: ${JSON.stringify(buffer)}`));
      };
      waiting = attempt;
      socket.once('close', attempt);
      attempt();
    });
  return { socket, next };
}

/** A GraphQL POST over a connection of its own that the answer closes. */
function postClosing(gateway: Gateway, text: string): Promise<{ status: number; json: Answer['json'] }> {
  const body = JSON.stringify({ query: text });
  return new Promise((resolve, reject) => {
    const req = request(gateway.url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (data += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(data) as Answer['json'] }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}
