import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES } from '../../src/config.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { generateApiKey, hashApiKey } from '../../src/security/api-keys.js';
import { root, startProcess, stopAll } from './processes.js';
import { startSignatureRecorder, type SignatureRecorder } from './signature-recorder.js';

/**
 * The security issue's acceptance items, against the built server (dist/server.js) on port 0 in upstream mode:
 * the gateway talks to an in-process strict emulator (through a recorder that keeps the `_sig`s it sends), so
 * every "0 upstream calls" is counted where the calls would land. Each refusal has a control request that does
 * reach the emulator, so a 0 cannot come from a query that would not have called it anyway.
 */

// ── Canaries: distinctive values that must never come back in an answer or a log line ──────────────────────
const CANARY_SECRET = `canary-app-secret-${randomBytes(12).toString('hex')}`;
const CANARY_TOKEN = `canary-authenticator-${randomBytes(12).toString('hex')}`;
const APP_KEY = 'security-e2e-key';
const dash = generateApiKey();
const router = generateApiKey();
/** Well-formed, but in no key file. */
const WRONG_KEY = generateApiKey().key;

const ALLOWED = '174679';
const OUTSIDE = '174680';
let daysUsed = 0;
/**
 * A day no earlier request of this run asked for: the gateway may cache upstream answers, and a cached window
 * costs no upstream call, so a "0 calls" (and its control's "1 call") is only meaningful for a fresh window.
 */
const freshDay = () => new Date(Date.UTC(2025, 0, 1 + daysUsed++)).toISOString().slice(0, 10);
const indicator = (store: string, day: string) => `store(id: "${store}") { passengerIndicator(from: "${day}", to: "${day}") { inflow } }`;
/** One store-day the `dash` key may read. */
const oneStore = (day = freshDay()) => `{ ${indicator(ALLOWED, day)} }`;
const READY = /listening on (http:\/\/\S+\/graphql)/;

interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
  extensions?: Record<string, unknown>;
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body as JSON, or undefined when it is not JSON. */
  json: GraphQLBody | undefined;
}

interface Gateway {
  url: string;
  pid: number;
  output: () => string;
  waitForOutput: (pattern: RegExp, timeoutMs?: number) => Promise<RegExpMatchArray>;
}

// ── What the canary test searches: every answer and every process's output ──────────────────────────────────
const answered: string[] = [];
const outputs: Array<() => string> = [];

function remember(status: number, headers: IncomingHttpHeaders, text: string): Answer {
  for (const value of Object.values(headers)) {
    if (value !== undefined) answered.push(Array.isArray(value) ? value.join('\n') : value);
  }
  answered.push(text);
  let json: GraphQLBody | undefined;
  try {
    json = JSON.parse(text) as GraphQLBody;
  } catch {
    json = undefined;
  }
  return { status, headers, text, json };
}

/** One HTTP request over a fresh connection (node:http, so any method, media type and header can be sent). */
function send(url: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  const { method = 'POST', headers = {}, body } = options;
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: body === undefined ? headers : { 'content-length': String(Buffer.byteLength(body)), ...headers }, agent: false });
    req.once('error', reject);
    req.once('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.once('error', reject);
      res.once('end', () => resolve(remember(res.statusCode ?? 0, res.headers, Buffer.concat(chunks).toString('utf8'))));
    });
    req.end(body);
  });
}

/** A JSON GraphQL POST, with `Authorization: Bearer <key>` when a key is given. */
function graphql(gateway: Gateway, query: string, options: { key?: string; headers?: Record<string, string>; variables?: unknown } = {}): Promise<Answer> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(options.key ? { authorization: `Bearer ${options.key}` } : {}), ...options.headers };
  return send(gateway.url, { headers, body: JSON.stringify({ query, variables: options.variables }) });
}

const codesOf = (answer: Answer) => (answer.json?.errors ?? []).map((error) => error.extensions?.code);

/** A real query padded with spaces to exactly `size` bytes of JSON: executed (1 upstream call) if it is let through. */
function paddedQuery(size: number, day: string): Buffer {
  const prefix = JSON.stringify({ query: oneStore(day) }).slice(0, -2);
  const suffix = '"}';
  const body = Buffer.alloc(size, ' '); // spaces inside the query string: ignored by the GraphQL parser
  body.write(prefix, 0);
  body.write(suffix, size - suffix.length);
  return body;
}

/**
 * POSTs `body` in 16 KiB writes, with its `Content-Length` or chunked (no length). With `stopAfter`, the client
 * stops after that many bytes without ending the request, and waits: an answer then proves the gateway did not
 * wait for the rest. `ms` is the time from the request's start to the answer's status line.
 */
function postBody(url: string, body: Buffer, options: { chunked: boolean; key: string; stopAfter?: number }) {
  const stopAfter = Math.min(options.stopAfter ?? body.length, body.length);
  const headers: Record<string, string> = { 'content-type': 'application/json', authorization: `Bearer ${options.key}` };
  if (!options.chunked) headers['content-length'] = String(body.length);
  return new Promise<Answer & { ms: number; bytesWritten: number }>((resolve, reject) => {
    const started = performance.now();
    let bytesWritten = 0;
    const req = request(url, { method: 'POST', headers, agent: false });
    req.on('error', reject);
    req.once('response', (res) => {
      const ms = performance.now() - started;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.once('error', reject);
      res.once('end', () => {
        req.off('error', reject);
        req.on('error', () => {}); // the request may be unfinished: dropping it is expected now
        req.destroy();
        resolve({ ...remember(res.statusCode ?? 0, res.headers, Buffer.concat(chunks).toString('utf8')), ms, bytesWritten });
      });
    });
    req.flushHeaders();
    void (async () => {
      while (bytesWritten < stopAfter && !req.destroyed) {
        const chunk = body.subarray(bytesWritten, Math.min(bytesWritten + 16_384, stopAfter));
        bytesWritten += chunk.length;
        await new Promise<void>((written) => req.write(chunk, () => written()));
      }
      if (stopAfter === body.length && !req.destroyed) req.end();
    })();
  });
}

/**
 * A barrier for log lines: whatever a request logs is written before its answer, so once a later request's own
 * line is in the output, so is everything the earlier ones logged. A syntax error logs its message at debug.
 */
async function settleLog(gateway: Gateway): Promise<void> {
  const marker = `marker${randomBytes(6).toString('hex')}`;
  const answer = await graphql(gateway, `${marker} { a }`, { key: router.key });
  expect(codesOf(answer)).toEqual(['GRAPHQL_PARSE_FAILED']);
  await gateway.waitForOutput(new RegExp(marker));
}

/** Runs the built server until it exits (it should not start), keeping stdout and stderr apart. */
function runUntilExit(env: Record<string, string | undefined>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn('node', ['dist/server.js'], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000); // it started after all: the test fails, no orphan
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    }),
  );
}

/** Resident set size of a process, in bytes, from /proc. */
function rssOf(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(kb) * 1024;
}

const MB = 1024 * 1024;
/** `main`'s GATEWAY_MAX_BODY_BYTES (the documented default, set explicitly because the chunked test sends one byte more). */
const MAX_BODY = 102_400;

// ── The processes ───────────────────────────────────────────────────────────────────────────────────────────
let emulator: Emulator;
let recorder: SignatureRecorder;
let keysDir: string;
let keysFile: string;
/** Upstream mode, key file, defaults (no CORS origins, MAX_BODY, introspection on), md5. */
let main: Gateway;
/** NODE_ENV=production with the key file, sha1 signatures. */
let production: Gateway;
/**
 * Upstream mode opened up: no key file (GATEWAY_ALLOW_ANONYMOUS=true, what a forged cross-site request would
 * reach), GATEWAY_CORS_ORIGINS=https://dash.example, and a 20 MB body limit (so the token limit must hold alone).
 */
let open: Gateway;

/** Every configuration variable unset, so the test's own environment cannot leak into a gateway. */
const UNSET = Object.fromEntries(CONFIG_VARIABLES.map((name) => [name, undefined]));

function upstreamEnv(): Record<string, string | undefined> {
  return {
    ...UNSET,
    HOST: '127.0.0.1',
    PORT: '0',
    METRICS_PORT: '0',
    LOG_LEVEL: 'debug',
    OPRETAIL_BASE_URL: recorder.url,
    OPRETAIL_APP_KEY: APP_KEY,
    OPRETAIL_APP_SECRET: CANARY_SECRET,
    OPRETAIL_AUTHENTICATOR: CANARY_TOKEN,
  };
}

async function startGateway(env: Record<string, string | undefined>): Promise<Gateway> {
  const started = await startProcess('node', ['dist/server.js'], { ...upstreamEnv(), ...env }, READY);
  outputs.push(started.output);
  return { url: started.match[1]!, pid: started.child.pid!, output: started.output, waitForOutput: started.waitForOutput };
}

beforeAll(async () => {
  emulator = await startEmulator({ keys: [{ key: APP_KEY, secret: CANARY_SECRET }] });
  recorder = await startSignatureRecorder(emulator.url);
  keysDir = mkdtempSync(join(tmpdir(), 'gateway-security-e2e-'));
  keysFile = join(keysDir, 'api-keys.json');
  writeFileSync(
    keysFile,
    JSON.stringify([
      { name: 'dash', sha256: hashApiKey(dash.key), stores: [ALLOWED] },
      { name: 'router', sha256: router.sha256, stores: '*', traces: true },
    ]),
  );
  const withKeys = { GATEWAY_API_KEYS_FILE: keysFile };
  [main, production, open] = await Promise.all([
    startGateway({ ...withKeys, GATEWAY_MAX_BODY_BYTES: String(MAX_BODY) }),
    startGateway({ ...withKeys, NODE_ENV: 'production', OPRETAIL_SIGN_METHOD: 'sha1' }),
    startGateway({ GATEWAY_ALLOW_ANONYMOUS: 'true', GATEWAY_CORS_ORIGINS: 'https://dash.example', GATEWAY_MAX_BODY_BYTES: String(20 * MB) }),
  ]);
});

afterAll(async () => {
  await stopAll();
  await recorder?.close();
  await emulator?.close();
  if (keysDir) rmSync(keysDir, { recursive: true, force: true });
});

describe('1. who: client keys in upstream mode', () => {
  it('refuses to start without GATEWAY_API_KEYS_FILE or GATEWAY_ALLOW_ANONYMOUS, exit code 2, naming both', async () => {
    const run = await runUntilExit(upstreamEnv());
    outputs.push(() => run.stdout + run.stderr);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('GATEWAY_API_KEYS_FILE');
    expect(run.stderr).toContain('GATEWAY_ALLOW_ANONYMOUS');
  });

  it('answers 401 UNAUTHENTICATED without a key or with a wrong one, with 0 upstream calls', async () => {
    const query = oneStore();
    emulator.resetCalls();
    const none = await graphql(main, query);
    const wrong = await graphql(main, query, { key: WRONG_KEY });
    const otherScheme = await graphql(main, query, { headers: { authorization: `Basic ${Buffer.from(`dash:${dash.key}`).toString('base64')}` } });
    for (const answer of [none, wrong, otherScheme]) {
      expect(answer.status).toBe(401);
      expect(codesOf(answer)).toEqual(['UNAUTHENTICATED']);
      expect(answer.json?.data).toBeUndefined();
    }
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect(emulator.callCount()).toBe(0);
    // Control: the same query with the right key reaches the emulator once.
    const right = await graphql(main, query, { key: dash.key });
    expect(right.status).toBe(200);
    expect(right.json?.errors).toBeUndefined();
    expect(right.json?.data).toEqual({ store: { passengerIndicator: { inflow: expect.any(Number) } } });
    expect(emulator.callCount()).toBe(1);
  });

  it('gives a store outside the key’s list null with FORBIDDEN and fetches nothing for it', async () => {
    const day = freshDay();
    emulator.resetCalls();
    const query = `{ allowed: ${indicator(ALLOWED, day)} outside: ${indicator(OUTSIDE, day)}
      list: stores(ids: ["${OUTSIDE}"]) { passengerIndicator(from: "${day}", to: "${day}") { inflow } } }`;
    const answer = await graphql(main, query, { key: dash.key });
    expect(answer.status).toBe(200);
    expect(answer.json?.data).toEqual({
      allowed: { passengerIndicator: { inflow: expect.any(Number) } },
      outside: { passengerIndicator: null },
      list: [{ passengerIndicator: null }],
    });
    const errors = answer.json?.errors ?? [];
    expect(errors.map((error) => [error.path, error.extensions?.code])).toEqual(
      expect.arrayContaining([
        [['outside', 'passengerIndicator'], 'FORBIDDEN'],
        [['list', 0, 'passengerIndicator'], 'FORBIDDEN'],
      ]),
    );
    expect(errors).toHaveLength(2);
    expect(emulator.callCount({ depId: OUTSIDE })).toBe(0);
    expect(emulator.callCount({ depId: ALLOWED })).toBe(1);
    // Control: a key with every store gets the figures, with one upstream call for that store and day.
    emulator.resetCalls();
    const all = await graphql(main, `{ ${indicator(OUTSIDE, day)} }`, { key: router.key });
    expect(all.json?.data).toEqual({ store: { passengerIndicator: { inflow: expect.any(Number) } } });
    expect(emulator.callCount({ depId: OUTSIDE })).toBe(1);
  });
});

describe('2. size: bodies over GATEWAY_MAX_BODY_BYTES', () => {
  it.each([
    // The client sends the headers and waits: the declared length alone must be enough to refuse.
    ['with Content-Length', false, 0],
    // The client stops one byte past the limit and never ends the body: an answer means it was counted as it came.
    ['chunked', true, MAX_BODY + 1],
  ])('a 2 MB body %s gets 413 PAYLOAD_TOO_LARGE with 0 upstream calls; the same query under the limit gets 1', async (kind, chunked, stopAfter) => {
    const day = freshDay();
    emulator.resetCalls();
    const answer = await postBody(main.url, paddedQuery(2 * MB, day), { chunked, key: router.key, stopAfter });
    console.log(`413 for a 2 MB body ${kind}: ${answer.ms.toFixed(1)} ms after the request started (${answer.bytesWritten} body bytes sent)`);
    expect(answer.status).toBe(413);
    expect(codesOf(answer)).toEqual(['PAYLOAD_TOO_LARGE']);
    expect(emulator.callCount()).toBe(0);

    const small = await postBody(main.url, paddedQuery(MAX_BODY - 1024, day), { chunked, key: router.key });
    expect(small.status).toBe(200);
    expect(small.json?.data).toEqual({ store: { passengerIndicator: { inflow: expect.any(Number) } } });
    expect(emulator.callCount()).toBe(1);
  });
});

describe('3. tokens: a 1M-token document through a 20 MB body limit', () => {
  it('is refused with QUERY_TOO_COMPLEX, and the gateway grows by less than 50 MB', async () => {
    const warmUp = await graphql(open, oneStore());
    expect(warmUp.json?.errors).toBeUndefined();
    const before = rssOf(open.pid);
    const document = `{ ${'a '.repeat(1_000_000)}}`;
    const answer = await graphql(open, document);
    const after = rssOf(open.pid);
    console.log(
      `1M-token document (${(document.length / MB).toFixed(1)} MB): gateway RSS ${(before / MB).toFixed(1)} MB before, ${(after / MB).toFixed(1)} MB after, growth ${((after - before) / MB).toFixed(1)} MB`,
    );
    expect(codesOf(answer)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(answer.json?.data ?? undefined).toBeUndefined();
    expect(after - before).toBeLessThan(50 * MB);
  });
});

describe('4. nesting: 5000 nested brackets', () => {
  const BRACES = `{${'a{'.repeat(5000)}a${'}'.repeat(5001)}`;
  const LISTS = `{ stores(ids: ${'['.repeat(5000)}"${ALLOWED}"${']'.repeat(5000)}) { id } }`;

  it.each([
    ['{a{a{a…', BRACES],
    ['[[[[… in an argument', LISTS],
  ])('%s gets a typed error, and nothing is logged at ERROR', async (_kind, document) => {
    const from = main.output().length;
    emulator.resetCalls();
    const answer = await graphql(main, document, { key: router.key });
    expect(answer.status).toBeLessThan(500);
    expect(codesOf(answer)).toEqual(['QUERY_TOO_COMPLEX']);
    expect(emulator.callCount()).toBe(0);
    await settleLog(main);
    const logged = main.output().slice(from);
    expect(logged).toMatch(/"level":"debug"/);
    expect(logged.split('\n').filter((line) => line.includes('"level":"error"'))).toEqual([]);
  });
});

describe('5. browser safety', () => {
  it('executes no form, multipart, text or plain-GET request (the ones any page can send), with 0 upstream calls', async () => {
    const day = freshDay();
    const GET_QUERY = `{store(id:"${ALLOWED}"){passengerIndicator(from:"${day}",to:"${day}"){inflow}}}`;
    const getUrl = `${open.url}?query=${encodeURIComponent(GET_QUERY)}`;
    emulator.resetCalls();
    const boundary = 'csrf-boundary';
    const forged = {
      form: await send(open.url, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `query=${encodeURIComponent(GET_QUERY)}` }),
      multipart: await send(open.url, {
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
        body: `--${boundary}\r\ncontent-disposition: form-data; name="operations"\r\n\r\n${JSON.stringify({ query: GET_QUERY })}\r\n--${boundary}--\r\n`,
      }),
      text: await send(open.url, { headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ query: GET_QUERY }) }),
      get: await send(getUrl, { method: 'GET' }),
    };
    expect(Object.fromEntries(Object.entries(forged).map(([kind, answer]) => [kind, answer.status]))).toEqual({ form: 415, multipart: 415, text: 415, get: 403 });
    for (const answer of Object.values(forged)) {
      expect(codesOf(answer)).toEqual(['BAD_REQUEST']);
      expect(answer.json?.data).toBeUndefined();
    }
    expect(emulator.callCount()).toBe(0);

    // Controls: this gateway (no keys needed) executes the same query for a GET with a header a browser must
    // preflight — the first upstream call for this day — and for a JSON POST.
    const preflighted = await send(getUrl, { method: 'GET', headers: { 'apollo-require-preflight': 'true' } });
    expect(preflighted.json?.data).toEqual({ store: { passengerIndicator: { inflow: expect.any(Number) } } });
    expect(emulator.callCount()).toBe(1);
    const json = await graphql(open, GET_QUERY);
    expect(json.json?.data).toEqual(preflighted.json?.data);
  });

  it('gives an unlisted origin no Access-Control-Allow-Origin, on a preflight or a POST', async () => {
    const origin = 'https://evil.example';
    const preflight = await send(main.url, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    const post = await graphql(main, oneStore(), { key: router.key, headers: { origin } });
    expect(post.json?.errors).toBeUndefined();
    for (const answer of [preflight, post]) {
      expect(answer.headers['access-control-allow-origin']).toBeUndefined();
      expect(answer.headers['access-control-allow-credentials']).toBeUndefined();
    }
    // A gateway that lists another origin does not answer this one either.
    const otherListed = await graphql(open, oneStore(), { headers: { origin } });
    expect(otherListed.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('reflects an origin listed in GATEWAY_CORS_ORIGINS, never with credentials', async () => {
    const origin = 'https://dash.example';
    const preflight = await send(open.url, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    const post = await graphql(open, oneStore(), { headers: { origin } });
    expect(preflight.status).toBeLessThan(300);
    expect(post.json?.errors).toBeUndefined();
    for (const answer of [preflight, post]) {
      expect(answer.headers['access-control-allow-origin']).toBe(origin);
      expect(answer.headers['access-control-allow-credentials']).not.toBe('true');
    }
    expect(String(preflight.headers['access-control-allow-headers'])).toMatch(/authorization/i);
  });

  it('puts nosniff, no-referrer and no-store on a GraphQL answer', async () => {
    const answer = await graphql(main, oneStore(), { key: router.key });
    expect(answer.json?.errors).toBeUndefined();
    expect(answer.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'cache-control': 'no-store' });
  });
});

describe('6. production (NODE_ENV=production)', () => {
  it('refuses introspection (which works outside production)', async () => {
    const introspection = '{ __schema { types { name } } }';
    const refused = await graphql(production, introspection, { key: router.key });
    expect(refused.json?.errors?.length).toBeGreaterThan(0);
    expect(new Set(codesOf(refused))).toEqual(new Set(['GRAPHQL_VALIDATION_FAILED']));
    expect(refused.json?.errors?.[0]?.message).toMatch(/introspection has been disabled/);
    expect(refused.json?.data ?? undefined).toBeUndefined();
    expect(refused.text).not.toContain('PassengerIndicator');
    const control = await graphql(main, introspection, { key: router.key });
    expect(control.text).toContain('PassengerIndicator');
  });

  it('still serves federation’s _service { sdl }', async () => {
    const answer = await graphql(production, '{ _service { sdl } }', { key: router.key });
    expect(answer.json?.errors).toBeUndefined();
    expect((answer.json?.data?._service as { sdl: string }).sdl).toMatch(/type Store\s+@key\(fields: "id"\)/);
  });

  it('gives no "Did you mean" for a misspelled field (which it does outside production)', async () => {
    const misspelled = `{ stor(id: "${ALLOWED}") { id } }`;
    const answer = await graphql(production, misspelled, { key: router.key });
    expect(codesOf(answer)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(answer.text).not.toContain('Did you mean');
    const control = await graphql(main, misspelled, { key: router.key });
    expect(control.text).toContain('Did you mean');
  });

  it('serves no GraphiQL page to a browser (which it does outside production)', async () => {
    const page = await send(production.url, { method: 'GET', headers: { accept: 'text/html' } });
    expect(String(page.headers['content-type'])).not.toMatch(/text\/html/);
    expect(page.text).not.toMatch(/graphiql/i);
    // Outside production a browser's GET /graphql is sent to the GraphiQL page.
    const control = await send(main.url, { method: 'GET', headers: { accept: 'text/html' } });
    expect(control.status).toBe(302);
    const graphiql = await send(new URL(String(control.headers.location), main.url).href, { method: 'GET', headers: { accept: 'text/html' } });
    expect(graphiql.status).toBe(200);
    expect(graphiql.text).toContain('GraphiQL');
  });

  it('sends ftv1 traces only to a key with "traces": true', async () => {
    const headers = { 'apollo-federation-include-trace': 'ftv1' };
    const withoutTraces = await graphql(production, oneStore(), { key: dash.key, headers });
    const withTraces = await graphql(production, oneStore(), { key: router.key, headers });
    expect(withoutTraces.json?.errors).toBeUndefined();
    expect(withoutTraces.json?.extensions?.ftv1).toBeUndefined();
    expect(withTraces.json?.errors).toBeUndefined();
    expect(withTraces.json?.extensions?.ftv1).toEqual(expect.any(String));
  });
});

describe('7. canaries', () => {
  it('never shows the app secret, the authenticator token, a client key or a signature in an answer or a log line', async () => {
    // A round of its own, so the test checks something whatever order the tests run in: success, refusals,
    // a vendor failure and a 5xx from the vendor, on every gateway.
    emulator.setFaults([
      { depId: '174689', kind: 'code', code: 9990001 },
      { depId: '174688', kind: 'http', status: 502 },
    ]);
    try {
      for (const gateway of [main, production, open]) {
        const day = freshDay();
        await graphql(gateway, `{ a: ${indicator(ALLOWED, day)} b: ${indicator('174689', day)} c: ${indicator('174688', day)} }`, { key: router.key });
        await graphql(gateway, `{ a: ${indicator(ALLOWED, day)} b: ${indicator(OUTSIDE, day)} }`, { key: dash.key, headers: { 'apollo-federation-include-trace': 'ftv1' } });
        await graphql(gateway, oneStore(), { key: WRONG_KEY });
        await graphql(gateway, '{ stor }', { key: router.key });
      }
    } finally {
      emulator.setFaults([]);
    }
    await postBody(main.url, paddedQuery(2 * MB, freshDay()), { chunked: false, key: dash.key, stopAfter: 0 });
    // The canaries did travel: the emulator verified signatures made with the secret and saw the token.
    expect(emulator.calls.some((call) => call.headers.authenticator === CANARY_TOKEN)).toBe(true);
    expect(recorder.signatures.size).toBeGreaterThan(0);
    expect([...recorder.signatures].every((sig) => /^[0-9A-F]{32}$|^[0-9A-F]{40}$/.test(sig))).toBe(true);
    expect([...recorder.signatures].some((sig) => sig.length === 40)).toBe(true);
    for (const gateway of [main, production, open]) await settleLog(gateway);

    const haystack = [...answered, ...outputs.map((output) => output())];
    const canaries = { secret: CANARY_SECRET, token: CANARY_TOKEN, dashKey: dash.key, routerKey: router.key, wrongKey: WRONG_KEY };
    const occurrences = (needle: string) => haystack.filter((text) => text.includes(needle)).length;
    console.log(`canaries: searched ${answered.length} answer bodies and header values, ${outputs.length} process outputs, ${recorder.signatures.size} signatures`);
    expect(Object.fromEntries(Object.entries(canaries).map(([name, value]) => [name, occurrences(value)]))).toEqual({
      secret: 0,
      token: 0,
      dashKey: 0,
      routerKey: 0,
      wrongKey: 0,
    });
    expect([...recorder.signatures].filter((sig) => occurrences(sig) > 0)).toEqual([]);
    // Nor anything that looks like one: a standalone run of 32 or 40 uppercase hex digits (md5/sha1 `_sig`; the
    // platform's request ids are lowercase, and base64 in the GraphiQL page is not standalone).
    const signatureLike = /(?<![A-Za-z0-9+/_-])(?:[0-9A-F]{40}|[0-9A-F]{32})(?![A-Za-z0-9+/_-])/;
    expect(haystack.map((text) => signatureLike.exec(text)?.[0]).filter((found) => found !== undefined)).toEqual([]);
  });
});
