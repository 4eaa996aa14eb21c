import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BUSINESS_CODES } from '../upstream/return-codes.js';
import type { MethodContext, MethodOutcome, NumberStyle } from './business-method.js';
import { checkPublicParams } from './check-public-params.js';
import { createFaultInjector, type Fault, type ResolvedFault } from './faults.js';
import { decodeForm, FormDecodeError, mergeParams } from './form-decode.js';
import { resolveEmulatorKeys, type EmulatorKey } from './keys.js';
import { REGISTERED_METHODS } from './methods.js';
import { assertBusinessHours, DEFAULT_BUSINESS_HOURS, type BusinessHours } from './passenger-data.js';
import { reject } from './rejection.js';
import { createReplayGuard } from './replay-guard.js';
import {
  createEnvelope,
  HTML_CONTENT_TYPE,
  htmlErrorPage,
  htmlLoginPage,
  JSON_CONTENT_TYPE,
  malformedJsonBody,
} from './responses.js';
import { createTokenStore } from './token-store.js';

/**
 * A strict stand-in for the opretail open-platform gateway: the upstream of every test and of demo mode.
 *
 * It is as strict as the real platform (strict decoding, every public-parameter check in the platform's
 * order, its own signature verification, Beijing-time timestamps, replay detection, method grants, token
 * mode), answers with deterministic synthetic data, and injects faults on demand. It never logs, and never
 * echoes a secret or a signature.
 */

export interface EmulatorOptions {
  /**
   * Accepted developer keys.
   * @default parsed from process.env.EMULATOR_KEYS, else [{ key: 'demo-key', secret: 'demo-secret' }]
   */
  keys?: EmulatorKey[];
  /**
   * Largest accepted |emulator clock − `_timestamp`|, in seconds (the platform's window is undocumented).
   * @default 300
   */
  timestampWindowSeconds?: number;
  /**
   * Emulator clock = Date.now() + offset, to simulate a platform whose clock is skewed.
   * @default 0
   */
  clockOffsetMs?: number;
  /**
   * Delay added before every answer, in milliseconds.
   * @default 0
   */
  latencyMs?: number;
  /**
   * Token mode: business methods need an `authenticator` / `Ovo-Authorization` token from mobileLogin.
   * @default false
   */
  requireToken?: boolean;
  /**
   * userName → password accepted by mobileLogin.
   * @default { demo: 'demo-password' }
   */
  users?: Record<string, string>;
  /**
   * Faults injected into well-authenticated calls (first matching fault that fires wins).
   * @default []
   */
  faults?: Fault[];
  /**
   * Seed of the PRNG that decides rate-limited faults.
   * @default 1
   */
  seed?: number;
  /**
   * Store business hours `[open, close)` in whole hours, for `isOnBusinessTime=1` and the traffic profile.
   * @default { open: 10, close: 22 }
   */
  businessHours?: BusinessHours;
  /**
   * How numeric data fields are rendered: JSON numbers, numeric strings, or strings only for stores whose
   * depId is a multiple of 3.
   * @default 'mixed'
   */
  numberStyle?: NumberStyle;
  /**
   * Most calls kept in `calls` (the oldest are dropped beyond it), so a long-running emulator — demo mode,
   * the CLI — does not grow without bound. Tests keep everything.
   * @default Infinity
   */
  callLogLimit?: number;
}

export interface StartEmulatorOptions extends EmulatorOptions {
  /** @default 0 (an ephemeral port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
}

/** One request the emulator received, as recorded in `Emulator.calls`. */
export interface EmulatorCall {
  /** 1, 2, 3… in arrival order; keeps counting across `resetCalls()`. */
  seq: number;
  /** Arrival time, epoch ms (host clock, not the skewed emulator clock). */
  at: number;
  httpMethod: 'GET' | 'POST' | string;
  /** Request path without the query string. */
  path: string;
  /** `_mt`, or null when absent or undecodable. */
  method: string | null;
  akey: string | null;
  depId: string | null;
  startTime: string | null;
  endTime: string | null;
  isOnBusinessTime: string | null;
  /** `stat.code` answered; null for transport faults and for 404/405. */
  code: number | null;
  codename: string | null;
  /** The kind of the injected fault, if any. */
  fault: string | null;
  headers: { authenticator: string | null; ovoAuthorization: string | null };
}

export interface Emulator {
  /** The API endpoint, e.g. `http://127.0.0.1:PORT/cloud.api`. */
  readonly url: string;
  /** `http://127.0.0.1:PORT`. */
  readonly origin: string;
  readonly calls: readonly EmulatorCall[];
  /** Calls matching every given field (all calls without a filter). */
  callCount(filter?: Partial<Pick<EmulatorCall, 'method' | 'depId' | 'code'>>): number;
  resetCalls(): void;
  setFaults(faults: Fault[]): void;
  setLatency(ms: number): void;
  /** Invalidates every token issued by mobileLogin. */
  revokeTokens(): void;
  /** Stops listening and ends hanging requests and open sockets. */
  close(): Promise<void>;
}

/** The two endpoint paths deployments use. */
export const EMULATOR_PATHS: readonly string[] = ['/cloud.api', '/m.api'];

/** Larger bodies answer UNKNOWN_ERROR; a passenger-flow request is a few hundred bytes. */
const MAX_BODY_BYTES = 1024 * 1024;

const TRANSPORT_FAULTS = new Set(['http', 'html200', 'malformed-json', 'empty', 'hang', 'reset']);

/** Starts the emulator on `host:port` (default 127.0.0.1, an ephemeral port). */
export async function startEmulator(options: StartEmulatorOptions = {}): Promise<Emulator> {
  const keys = resolveEmulatorKeys(options.keys);
  const keyMap = new Map(keys.map((k) => [k.key, k]));
  const timestampWindowSeconds = options.timestampWindowSeconds ?? 300;
  assertNumber('timestampWindowSeconds', timestampWindowSeconds, (n) => n > 0);
  const clockOffsetMs = options.clockOffsetMs ?? 0;
  assertNumber('clockOffsetMs', clockOffsetMs, () => true);
  let latencyMs = options.latencyMs ?? 0;
  assertNumber('latencyMs', latencyMs, (n) => n >= 0);
  const seed = options.seed ?? 1;
  assertNumber('seed', seed, () => true);
  const businessHours = { ...(options.businessHours ?? DEFAULT_BUSINESS_HOURS) };
  assertBusinessHours(businessHours);
  const numberStyle = options.numberStyle ?? 'mixed';
  if (!['number', 'string', 'mixed'].includes(numberStyle)) throw new Error(`numberStyle must be 'number', 'string' or 'mixed'`);
  const requireToken = options.requireToken ?? false;
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;

  const faults = createFaultInjector(options.faults ?? [], seed);
  const tokens = createTokenStore();
  const replay = createReplayGuard(() => 2 * timestampWindowSeconds * 1000);
  const methodContext: MethodContext = {
    businessHours,
    numberStyle,
    users: new Map(Object.entries(options.users ?? { demo: 'demo-password' })),
    tokens,
  };
  const registeredMethods = [...REGISTERED_METHODS.keys()];
  const now = (): number => Date.now() + clockOffsetMs;

  let calls: EmulatorCall[] = [];
  const callLogLimit = options.callLogLimit ?? Infinity;
  if (callLogLimit !== Infinity) assertNumber('callLogLimit', callLogLimit, (n) => Number.isInteger(n) && n >= 0);
  const record = (call: EmulatorCall): void => {
    calls.push(call);
    // Trim in chunks: one splice per `callLogLimit` calls keeps recording O(1) amortised.
    if (calls.length > 2 * callLogLimit) calls = calls.slice(-callLogLimit);
  };
  const retainedCalls = (): EmulatorCall[] => (calls.length > callLogLimit ? calls.slice(-callLogLimit) : calls);
  let seq = 0;
  const timers = new Set<NodeJS.Timeout>();
  const hanging = new Set<ServerResponse>();
  let closing: Promise<void> | null = null;

  /** Writes an answer after the configured latency (unless the emulator is closing by then). */
  const send = (res: ServerResponse, status: number, contentType: string, body: () => string, extraHeaders: Record<string, string> = {}): void => {
    after(() => {
      const text = body();
      res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), ...extraHeaders });
      res.end(text);
    });
  };
  const after = (action: () => void): void => {
    if (latencyMs <= 0) return action();
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (closing === null) action();
    }, latencyMs);
    timers.add(timer);
  };
  const sendEnvelope = (res: ServerResponse, call: EmulatorCall, code: number, codename: string, result: string, data: unknown): void => {
    call.code = code;
    call.codename = codename;
    record(call);
    // systime is read when the answer leaves, as a server stamps it.
    send(res, 200, JSON_CONTENT_TYPE, () => JSON.stringify(createEnvelope(code, codename, result, data, now())));
  };

  const applyFault = (req: IncomingMessage, res: ServerResponse, call: EmulatorCall, fault: ResolvedFault): void => {
    call.fault = fault.kind;
    if (TRANSPORT_FAULTS.has(fault.kind)) record(call);
    switch (fault.kind) {
      case 'code': {
        const result = fault.result ?? 'Injected fault.';
        return sendEnvelope(res, call, fault.code, fault.codename ?? String(fault.code), result, null);
      }
      case 'data':
        return sendEnvelope(res, call, 0, 'SUCCESS', 'success', fault.data);
      case 'http': {
        const status = fault.status ?? 502;
        return send(res, status, HTML_CONTENT_TYPE, () => htmlErrorPage(status, httpReason(status)));
      }
      case 'html200':
        return send(res, 200, HTML_CONTENT_TYPE, htmlLoginPage);
      case 'malformed-json':
        return send(res, 200, JSON_CONTENT_TYPE, () => malformedJsonBody(now()));
      case 'empty':
        return send(res, 200, JSON_CONTENT_TYPE, () => '');
      case 'hang':
        // Held until the client gives up or close() destroys it.
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      case 'reset':
        return after(() => req.socket.destroy());
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const target = req.url ?? '/';
    const queryAt = target.indexOf('?');
    const path = queryAt === -1 ? target : target.slice(0, queryAt);
    const rawQuery = queryAt === -1 ? '' : target.slice(queryAt + 1);
    const call: EmulatorCall = {
      seq: ++seq,
      at: Date.now(),
      httpMethod: req.method ?? '',
      path,
      method: null,
      akey: null,
      depId: null,
      startTime: null,
      endTime: null,
      isOnBusinessTime: null,
      code: null,
      codename: null,
      fault: null,
      headers: { authenticator: headerValue(req, 'authenticator'), ovoAuthorization: headerValue(req, 'ovo-authorization') },
    };

    if (!EMULATOR_PATHS.includes(path)) {
      req.resume();
      record(call);
      return send(res, 404, HTML_CONTENT_TYPE, () => htmlErrorPage(404, 'Not Found'));
    }
    if (req.method !== 'GET' && req.method !== 'POST') {
      req.resume();
      record(call);
      return send(res, 405, HTML_CONTENT_TYPE, () => htmlErrorPage(405, 'Method Not Allowed'), { Allow: 'GET, POST' });
    }

    const body = await readBody(req);
    if (body === null) return; // the client went away mid-body: nobody to answer
    let params: Map<string, string>;
    try {
      params = decodeParams(rawQuery, body, req.headers['content-type']);
    } catch (error) {
      const detail = error instanceof FormDecodeError || error instanceof BodyTooLargeError ? error.message : 'undecodable request';
      const rejection = reject('UNKNOWN_ERROR', `${reject('UNKNOWN_ERROR').result} (${detail})`);
      return sendEnvelope(res, call, rejection.code, rejection.codename, rejection.result, null);
    }
    call.method = params.get('_mt') ?? null;
    call.akey = params.get('_akey') ?? null;
    call.depId = params.get('depId') ?? null;
    call.startTime = params.get('startTime') ?? null;
    call.endTime = params.get('endTime') ?? null;
    call.isOnBusinessTime = params.get('isOnBusinessTime') ?? null;

    const checked = checkPublicParams(params, { keys: keyMap, registeredMethods, now: now(), timestampWindowSeconds, replay });
    if (!checked.ok) return sendEnvelope(res, call, checked.code, checked.codename, checked.result, null);

    // After authentication on purpose: an injected fault only ever hits a well-signed call.
    const fault = faults.pick({ method: checked.method, depId: call.depId });
    if (fault !== null) return applyFault(req, res, call, fault);

    const method = REGISTERED_METHODS.get(checked.method);
    if (method === undefined) throw new Error(`registered method ${checked.method} has no handler`);
    if (requireToken && method.requiresToken) {
      const { authenticator, ovoAuthorization } = call.headers;
      if (!tokens.isValid(authenticator) && !tokens.isValid(ovoAuthorization)) {
        const { code, codename } = BUSINESS_CODES.TOKEN_NOT_EXIST;
        return sendEnvelope(res, call, code, codename, 'Token does not exist or has expired; log in again.', null);
      }
    }
    const outcome: MethodOutcome = method.handle(params, methodContext);
    if (!outcome.ok) return sendEnvelope(res, call, outcome.code, outcome.codename, outcome.result, null);
    return sendEnvelope(res, call, 0, 'SUCCESS', 'success', outcome.data);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      // An emulator bug must still look like the platform: UNKNOWN_ERROR, never a stack trace.
      if (res.headersSent || res.destroyed) return;
      const { code, codename, result } = reject('UNKNOWN_ERROR');
      const text = JSON.stringify(createEnvelope(code, codename, result, null, now()));
      res.writeHead(200, { 'Content-Type': JSON_CONTENT_TYPE, 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;

  return {
    url: `${origin}/cloud.api`,
    origin,
    get calls() {
      return retainedCalls();
    },
    callCount(filter = {}) {
      const entries = Object.entries(filter).filter(([, value]) => value !== undefined) as [keyof EmulatorCall, unknown][];
      return retainedCalls().filter((call) => entries.every(([name, value]) => call[name] === value)).length;
    },
    resetCalls() {
      calls = [];
    },
    setFaults(next) {
      faults.set(next);
    },
    setLatency(ms) {
      assertNumber('latencyMs', ms, (n) => n >= 0);
      latencyMs = ms;
    },
    revokeTokens() {
      tokens.revokeAll();
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        for (const res of hanging) res.destroy();
        hanging.clear();
        server.close(() => resolve());
        // Keep-alive and mid-latency sockets would otherwise hold close() open.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

class BodyTooLargeError extends Error {
  readonly code = 'BODY_TOO_LARGE';
  constructor() {
    super(`request body larger than ${MAX_BODY_BYTES} bytes`);
    this.name = 'BodyTooLargeError';
  }
}

/** The whole body, or a BodyTooLargeError marker (still drained), or null when the client aborted. */
async function readBody(req: IncomingMessage): Promise<Buffer | BodyTooLargeError | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    }
  } catch {
    return null;
  }
  return size > MAX_BODY_BYTES ? new BodyTooLargeError() : Buffer.concat(chunks);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Query string merged with a form body. Only a form-encoded body carries parameters (as in a servlet
 * container): a client that posts its form as text/plain is missing every parameter, and learns so.
 */
function decodeParams(rawQuery: string, body: Buffer | BodyTooLargeError, contentType: string | undefined): Map<string, string> {
  if (body instanceof BodyTooLargeError) throw body;
  // A proper client percent-encodes everything outside printable ASCII.
  if (/[^\x21-\x7e]/.test(rawQuery)) throw new FormDecodeError('unencoded characters in the query string');
  const query = decodeForm(rawQuery);
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/x-www-form-urlencoded' || body.length === 0) return query;
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new FormDecodeError('the request body is not valid UTF-8');
  }
  return mergeParams(query, decodeForm(text));
}

function headerValue(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  if (value === undefined) return null;
  return Array.isArray(value) ? (value[0] ?? null) : value;
}

function httpReason(status: number): string {
  const reasons: Record<number, string> = { 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout', 429: 'Too Many Requests', 404: 'Not Found' };
  return reasons[status] ?? 'Error';
}

function assertNumber(name: string, value: number, ok: (n: number) => boolean): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) throw new Error(`emulator option ${name} is invalid: ${String(value)}`);
}
