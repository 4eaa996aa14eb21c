import type { ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { afterAll, describe, it } from 'vitest';
import { CONFIG_VARIABLES } from '../../src/config.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { startProcess, stopAll, type Started } from './processes.js';

/**
 * Shutdown and slow clients, against the built server (dist/server.js) on port 0 in upstream mode, talking to
 * an in-process emulator whose latency keeps requests in flight as long as a test needs. Each test has its own
 * emulator and its own gateway (SIGTERM ends it), so the tests run concurrently: most of their time is waiting.
 * Timings are printed; the one asserted is the acceptance criterion (exit within SHUTDOWN_GRACE_MS + 1 s).
 */

const KEY = { key: 'shutdown-e2e-key', secret: 'shutdown-e2e-secret' };
const READY = /listening on (http:\/\/\S+\/graphql)/;
/** Every configuration variable unset, so the test's own environment cannot leak into a gateway. */
const UNSET = Object.fromEntries(CONFIG_VARIABLES.map((name) => [name, undefined]));

let storeSeq = 0;
/** A store no other request of this run asks for: the answer cache can never serve it. */
const freshStore = () => String(900_000 + storeSeq++);

const emulators: Emulator[] = [];
afterAll(async () => {
  await stopAll();
  await Promise.all(emulators.map((emulator) => emulator.close()));
});

/** An emulator that holds every call for `latencyMs`, and a gateway in front of it. */
async function startGateway(latencyMs: number, env: Record<string, string>): Promise<{ emulator: Emulator; gateway: Started; url: string }> {
  const emulator = await startEmulator({ keys: [KEY], latencyMs });
  emulators.push(emulator);
  const gateway = await startProcess(
    'node',
    ['dist/server.js'],
    {
      ...UNSET,
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      OPRETAIL_BASE_URL: emulator.url,
      OPRETAIL_APP_KEY: KEY.key,
      OPRETAIL_APP_SECRET: KEY.secret,
      GATEWAY_ALLOW_ANONYMOUS: 'true',
      // The tests' gateways run side by side: each metrics listener on a port of its own.
      METRICS_PORT: '0',
      ...env,
    },
    READY,
  );
  return { emulator, gateway, url: gateway.match[1]! };
}

/** Resolves with the exit status and the moment of exit; listen before signalling. */
function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, at: performance.now() })));
}

/** Polls an in-process condition (no log lines, no sleeping for a fixed time); fails after `timeoutMs`. */
async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

interface Answer {
  status: number;
  connection: string | undefined;
  json: { data?: { store?: { passengerIndicator?: { inflow?: unknown } | null } | null } | null; errors?: unknown[] };
  at: number;
}

/** POSTs a GraphQL query with node:http (keep-alive through `agent` when given). */
function post(url: string, query: string, agent?: Agent): Promise<Answer> {
  const body = JSON.stringify({ query });
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, json: JSON.parse(text) as Answer['json'], at: performance.now() });
        } catch (error) {
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const oneStoreDay = (store: string) => `{ store(id: "${store}") { passengerIndicator(from: "2026-05-10", to: "2026-05-10") { inflow } } }`;

/** A raw client that sends `head` at once and then `trickle` one byte every `everyMs`, until the server hangs up. */
interface SlowClient {
  /** Bytes of `trickle` sent so far. */
  trickled: () => number;
  /** What the server sent back. */
  received: () => string;
  /** Resolves when the socket is closed, with the moment it happened. */
  closed: Promise<number>;
  /** Resolves once the server answered `100 Continue` (only if `head` asks for it): it has parsed the headers. */
  continued: Promise<void>;
}

function slowClient(url: string, head: string, trickle: string, everyMs: number): SlowClient {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  let sent = 0;
  let received = '';
  let timer: NodeJS.Timeout | undefined;
  let onContinue: () => void = () => {};
  const continued = new Promise<void>((resolve) => (onContinue = resolve));
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    received += chunk;
    if (received.startsWith('HTTP/1.1 100 Continue\r\n\r\n')) onContinue();
  });
  // The server hanging up mid-write shows up as EPIPE/ECONNRESET: that is the outcome under test, not a failure.
  socket.on('error', () => {});
  socket.once('connect', () => {
    socket.write(head);
    timer = setInterval(() => {
      if (sent < trickle.length && !socket.destroyed) socket.write(trickle[sent++]!);
    }, everyMs);
  });
  const closed = new Promise<number>((resolve) =>
    socket.once('close', () => {
      clearInterval(timer);
      resolve(performance.now());
    }),
  );
  return { trickled: () => sent, received: () => received, closed, continued };
}

/** Request headers promising a 1000-byte JSON body. */
const bodyHead = (url: string, expectContinue: boolean) =>
  `POST ${new URL(url).pathname} HTTP/1.1\r\nHost: ${new URL(url).host}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n${expectContinue ? 'Expect: 100-continue\r\n' : ''}\r\n`;
/** A valid 1000-byte GraphQL request body, if it were ever finished. */
const SLOW_BODY = ((prefix: string) => `${prefix}${'x'.repeat(1000 - prefix.length - 2)}"}`)('{"query":"{ __typename }","pad":"');

describe.concurrent('SIGTERM and slow clients', () => {
  it('lets 20 slow in-flight requests finish with their data, then exits 0', async ({ expect }) => {
    const grace = 5000;
    const latency = 1500;
    // Sockets for all 20 calls at once: none of them waits for another's answer before reaching the vendor.
    const { emulator, gateway, url } = await startGateway(latency, { SHUTDOWN_GRACE_MS: String(grace), OPRETAIL_MAX_CONNECTIONS: '32' });
    const started = performance.now();
    const answers = Promise.all(Array.from({ length: 20 }, () => post(url, oneStoreDay(freshStore()))));
    // All 20 reached the vendor, which holds them for `latency`: they are in flight when the signal comes.
    await until(() => emulator.callCount() === 20, '20 calls at the emulator');
    const exit = exitOf(gateway.child);
    const signalled = performance.now();
    gateway.child.kill('SIGTERM');

    // No new connection is served once the gateway has begun shutting down (refused, or reset when it raced
    // the listener's close).
    await gateway.waitForOutput(/SIGTERM: shutting down/);
    const late = await post(url, oneStoreDay(freshStore())).then(
      (answer) => `HTTP ${answer.status}`,
      (error: NodeJS.ErrnoException) => error.code,
    );
    expect(late).toMatch(/^(ECONNREFUSED|ECONNRESET)$/);

    const results = await answers;
    const { code, signal, at } = await exit;
    const lastAnswer = Math.max(...results.map((answer) => answer.at));
    console.log(
      `20 in flight: SIGTERM ${Math.round(signalled - started)} ms after sending; answers ${Math.round(Math.min(...results.map((a) => a.at)) - signalled)}–` +
        `${Math.round(lastAnswer - signalled)} ms after SIGTERM; exit ${Math.round(at - signalled)} ms after SIGTERM ` +
        `(${Math.round(at - lastAnswer)} ms after the last answer; grace ${grace} ms); connection headers: ${[...new Set(results.map((a) => a.connection))].join(', ')}`,
    );
    expect(results).toHaveLength(20);
    for (const answer of results) {
      expect(answer.status).toBe(200);
      expect(answer.json.errors).toBeUndefined();
      expect(answer.json.data?.store?.passengerIndicator?.inflow).toEqual(expect.any(Number));
    }
    // Exactly the 20 calls: the shutdown neither dropped nor repeated any.
    expect(emulator.callCount()).toBe(20);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(lastAnswer).toBeLessThan(at);
  });

  it('exits 0 within SHUTDOWN_GRACE_MS + 1 s despite an idle keep-alive socket and a client that never finishes its body', async ({ expect }) => {
    const grace = 2000;
    const { gateway, url } = await startGateway(0, { SHUTDOWN_GRACE_MS: String(grace) });

    // An idle keep-alive socket: one request answered, the socket left open in the agent's pool.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const warm = await post(url, '{ __typename }', agent);
    expect(warm.status).toBe(200);
    await until(() => Object.values(agent.freeSockets).flat().length === 1, 'the keep-alive socket back in the pool');
    const idle = Object.values(agent.freeSockets).flat()[0];
    const idleClosed = new Promise<number>((resolve) => idle!.once('close', () => resolve(performance.now())));

    // A slow-body client: headers for 1000 bytes, then one byte every 200 ms. `Expect: 100-continue` makes the
    // server say when it has parsed the headers, so its request is in progress before the signal.
    const slow = slowClient(url, bodyHead(url, true), SLOW_BODY, 200);
    await slow.continued;

    const exit = exitOf(gateway.child);
    const signalled = performance.now();
    gateway.child.kill('SIGTERM');
    const { code, signal, at } = await exit;
    const [idleAt, slowAt] = await Promise.all([idleClosed, slow.closed]);
    agent.destroy();
    console.log(
      `idle keep-alive socket closed ${Math.round(idleAt - signalled)} ms after SIGTERM; slow-body client cut off ${Math.round(slowAt - signalled)} ms ` +
        `after SIGTERM with ${slow.trickled()} of 1000 bytes sent; exit ${Math.round(at - signalled)} ms after SIGTERM (grace ${grace} ms)`,
    );
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    // The acceptance criterion: the process ends within the grace period and a last second to clean up.
    expect(at - signalled).toBeLessThan(grace + 1000);
    // The idle socket went at once, not at the deadline that ended the busy one.
    expect(idleAt).toBeLessThan(slowAt);
    expect(slow.trickled()).toBeLessThan(1000);
  });

  it('cuts off (GATEWAY_CLIENT_TIMEOUT_MS=2000, GATEWAY_HEADERS_TIMEOUT_MS=1000) a client that trickles its body, and one that trickles its headers', async ({
    expect,
  }) => {
    const { gateway, url } = await startGateway(0, { GATEWAY_CLIENT_TIMEOUT_MS: '2000', GATEWAY_HEADERS_TIMEOUT_MS: '1000' });
    const started = performance.now();
    // 1000 bytes at one per 100 ms would take 100 s; 200 header bytes at the same pace, 20 s.
    const body = slowClient(url, bodyHead(url, false), SLOW_BODY, 100);
    const headers = slowClient(url, `POST ${new URL(url).pathname} HTTP/1.1\r\nHost: ${new URL(url).host}\r\n`, `X-Slow: ${'a'.repeat(192)}`, 100);
    const [bodyAt, headersAt] = await Promise.all([body.closed, headers.closed]);
    console.log(
      `slow body cut off after ${Math.round(bodyAt - started)} ms, ${body.trickled()} of 1000 body bytes sent, answer: ${JSON.stringify(body.received().split('\r\n')[0])}; ` +
        `slow headers cut off after ${Math.round(headersAt - started)} ms, ${headers.trickled()} of 200 header bytes sent, answer: ${JSON.stringify(headers.received().split('\r\n')[0])}`,
    );
    // Closed by the server long before the client could have finished: a few seconds' worth of bytes, not all.
    expect(body.trickled()).toBeLessThan(100);
    expect(headers.trickled()).toBeLessThan(100);
    // Whatever the server said before hanging up, it was a timeout (408), never an answer to the request.
    for (const client of [body, headers]) expect(client.received()).toMatch(/^(HTTP\/1\.1 408 [^\r]*\r\n[\s\S]*)?$/);

    // The gateway itself is unharmed.
    const after = await post(url, oneStoreDay(freshStore()));
    expect(after.status).toBe(200);
    expect(after.json.errors).toBeUndefined();
    gateway.child.kill('SIGTERM');
  });
});
