import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request, type Dispatcher } from 'undici';
import {
  OpretailError,
  UpstreamAbortedError,
  UpstreamBadResponseError,
  UpstreamError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
} from './errors.js';
import { BUSINESS_CODES, returnCodeByNumber, SUCCESS_CODE } from './return-codes.js';
import { signParams, type SignMethod } from './sign.js';
import { createTimestampFormatter } from './timestamp.js';
import { createTokenCache } from './token-cache.js';

/** Options of {@link createOpretailClient}. Secrets live here and nowhere else. */
export interface OpretailClientConfig {
  /** The full endpoint, e.g. `https://openapi.opretail.com/cloud.api`. */
  baseUrl: string;
  /** `_akey`, the developer key issued by the platform. */
  appKey: string;
  /** The secret paired with the key. Only ever used to compute `_sig`. */
  appSecret: string;
  /** `_sm`. @default 'md5' */
  signMethod?: SignMethod;
  /** `_aid`. @default 'S107' */
  aid?: string;
  /** `_requestMode`. @default 'post' */
  requestMode?: string;
  /** `_version`. @default 'v1' */
  version?: string;
  /** `_format`; `null` leaves it out. @default 'json' */
  format?: string | null;
  /** Send a fresh random `_nonce` on every attempt, so identical calls are never replays. @default true */
  nonce?: boolean;
  /** IANA zone of the platform's clock, used for `_timestamp`. @default 'Asia/Shanghai' */
  timeZone?: string;
  /** Static token sent in the `authenticator` header on every call; omitted when unset. */
  authenticator?: string;
  /**
   * Log in with `open.shopweb.security.mobileLogin` and send the token it issues in the `authenticator` header;
   * the token is cached, and fetched again once when a call answers TOKEN_NOT_EXIST (9990001). Exclusive with
   * `authenticator`. The password is a secret like `appSecret`: it is only ever sent, signed, to the platform.
   */
  login?: { userName: string; password: string };
  /** Per-attempt timeout. @default 10000 */
  timeoutMs?: number;
  /**
   * Further attempts after a retryable failure (a transient vendor code, a stale timestamp, a replay,
   * an unreachable upstream). Each attempt is re-signed. Timeouts are not retried. @default 1
   */
  retries?: number;
  /** First backoff delay; doubled on each retry, with jitter. @default 100 */
  retryDelayMs?: number;
  /** Largest response body accepted. @default 1048576 */
  maxResponseBytes?: number;
  /** Keep-alive connections to the upstream origin. @default 16 */
  connections?: number;
  /** undici dispatcher (tests: a `MockAgent`); the client then does not own or close it. */
  dispatcher?: Dispatcher;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
  /** Observer of every attempt (logs, metrics). Receives no parameters, signature or body by design. */
  onAttempt?: (event: UpstreamAttemptEvent) => void;
}

/** What an observer learns about one attempt. */
export interface UpstreamAttemptEvent {
  method: string;
  attempt: number;
  durationMs: number;
  /** `SUCCESS`, a vendor codename, or the gateway's error code. */
  outcome: string;
  upstreamCode: number | null;
  cid: string | null;
  httpStatus: number | null;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Overrides the client's per-attempt timeout. */
  timeoutMs?: number;
}

/** Business parameters; `undefined` drops a parameter, everything else is stringified before signing. */
export type BusinessParams = Record<string, string | number | boolean | undefined>;

export interface OpretailClient {
  /** Calls `_mt = method` and resolves with the envelope's `data`, or rejects with an {@link OpretailError}. */
  call(method: string, params: BusinessParams, options?: CallOptions): Promise<unknown>;
  /** Closes the connection pool the client owns. */
  close(): Promise<void>;
}

interface Envelope {
  code: number;
  codename: string;
  cid: string | null;
  systime: number | null;
  data: unknown;
}

const USER_AGENT = 'passenger-flow-gateway';

/** Issues the user token for the `authenticator` header. */
export const MOBILE_LOGIN = 'open.shopweb.security.mobileLogin';

export function createOpretailClient(config: OpretailClientConfig): OpretailClient {
  const endpoint = new URL(config.baseUrl);
  if (endpoint.protocol !== 'http:' && endpoint.protocol !== 'https:') {
    throw new TypeError(`opretail baseUrl must be http(s), got ${endpoint.protocol}`);
  }
  const signMethod = config.signMethod ?? 'md5';
  const timeoutMs = config.timeoutMs ?? 10_000;
  const retries = config.retries ?? 1;
  const retryDelayMs = config.retryDelayMs ?? 100;
  const maxResponseBytes = config.maxResponseBytes ?? 1024 * 1024;
  const useNonce = config.nonce ?? true;
  const format = config.format === undefined ? 'json' : config.format;
  const now = config.now ?? Date.now;
  const formatTimestamp = createTimestampFormatter(config.timeZone ?? 'Asia/Shanghai');
  const ownsDispatcher = config.dispatcher === undefined;
  const dispatcher =
    config.dispatcher ??
    new Agent({ connections: config.connections ?? 16, keepAliveTimeout: 30_000, pipelining: 1 });
  /** Platform clock minus ours, measured from `stat.systime`; corrects `_timestamp` on skewed hosts. */
  let clockOffsetMs = 0;
  if (config.login && config.authenticator) throw new TypeError('authenticator and login are exclusive');
  const tokens = config.login ? createTokenCache(() => logIn(config.login!)) : null;

  function publicParams(method: string): Record<string, string> {
    const params: Record<string, string> = {
      _aid: config.aid ?? 'S107',
      _akey: config.appKey,
      _mt: method,
      _sm: signMethod,
      _requestMode: config.requestMode ?? 'post',
      _version: config.version ?? 'v1',
      _timestamp: formatTimestamp(now() + clockOffsetMs),
    };
    if (format !== null) params._format = format;
    if (useNonce) params._nonce = randomUUID();
    return params;
  }

  function encodeBody(method: string, business: BusinessParams): string {
    const params = publicParams(method);
    for (const [name, value] of Object.entries(business)) {
      if (value === undefined) continue;
      if (name.startsWith('_')) throw new TypeError(`business parameter "${name}" would shadow a public one`);
      params[name] = typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
    }
    params._sig = signParams(params, config.appSecret, signMethod);
    return new URLSearchParams(params).toString();
  }

  async function attempt(method: string, business: BusinessParams, options: CallOptions, token: string | undefined): Promise<Envelope> {
    // Built before anything is sent, so a malformed call fails as itself rather than as a transport error.
    const body = encodeBody(method, business);
    const callerSignal = options.signal;
    const limitMs = options.timeoutMs ?? timeoutMs;
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, limitMs);
    const onCallerAbort = () => controller.abort();
    callerSignal?.addEventListener('abort', onCallerAbort, { once: true });
    const sentAt = now();

    const fail = (error: unknown, stage: 'connect' | 'body', httpStatus: number | null): OpretailError => {
      if (timedOut) return new UpstreamTimeoutError(method, limitMs);
      if (callerSignal?.aborted) return new UpstreamAbortedError(method);
      if (error instanceof OpretailError) return error;
      const reason = describeTransportError(error);
      return stage === 'connect'
        ? new UpstreamUnavailableError(method, reason, httpStatus)
        : new UpstreamBadResponseError(method, `body could not be read (${reason})`, httpStatus);
    };

    try {
      let response: Dispatcher.ResponseData;
      try {
        response = await request(endpoint, {
          dispatcher,
          method: 'POST',
          headers: {
            'content-type': 'application/x-www-form-urlencoded; charset=UTF-8',
            accept: 'application/json',
            'user-agent': USER_AGENT,
            ...(token ? { authenticator: token } : {}),
          },
          body,
          signal: controller.signal,
        });
      } catch (error) {
        throw fail(error, 'connect', null);
      }
      const status = response.statusCode;
      let bytes: Buffer;
      try {
        bytes = await readLimited(response.body, maxResponseBytes, method, status);
      } catch (error) {
        throw fail(error, 'body', status);
      }
      if (status >= 500) {
        throw new UpstreamUnavailableError(method, `HTTP ${status}`, status);
      }
      if (status !== 200) {
        throw new UpstreamBadResponseError(method, `unexpected HTTP ${status}`, status);
      }
      const envelope = parseEnvelope(bytes, method);
      if (envelope.systime !== null) {
        clockOffsetMs = Math.round(envelope.systime - (sentAt + now()) / 2);
      }
      if (envelope.code !== SUCCESS_CODE) {
        throw new UpstreamError({ code: envelope.code, codename: envelope.codename, cid: envelope.cid, method });
      }
      return envelope;
    } finally {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onCallerAbort);
    }
  }

  /** One call with retries; `token` is the authenticator to send (none for the login itself). */
  async function callWithRetries(method: string, params: BusinessParams, options: CallOptions, token: string | undefined): Promise<unknown> {
    for (let attemptNo = 1; ; attemptNo++) {
      // Cancelled before anything was sent: not an attempt, so no event (metrics would count a failure).
      if (options.signal?.aborted) throw new UpstreamAbortedError(method);
      const started = now();
      const report = (outcome: string, cid: string | null, failure: OpretailError | null) =>
        config.onAttempt?.({
          method,
          attempt: attemptNo,
          durationMs: now() - started,
          outcome,
          upstreamCode: failure === null ? SUCCESS_CODE : failure instanceof UpstreamError ? failure.upstreamCode : null,
          cid,
          httpStatus: failure === null ? 200 : 'httpStatus' in failure ? (failure.httpStatus as number | null) : null,
        });
      let failure: OpretailError;
      try {
        const envelope = await attempt(method, params, options, token);
        report('SUCCESS', envelope.cid, null);
        return envelope.data;
      } catch (error) {
        // Anything else is a bug of ours: let it surface (masked as INTERNAL_SERVER_ERROR), never retry it.
        if (!(error instanceof OpretailError)) throw error;
        failure = error;
      }
      report(failure.code, failure instanceof UpstreamError ? failure.cid : null, failure);
      if (!shouldRetry(failure) || attemptNo > retries || options.signal?.aborted) throw failure;
      const backoff = retryDelayMs * 2 ** (attemptNo - 1);
      let delay = backoff / 2 + Math.random() * (backoff / 2);
      // Without a nonce, a re-signed request is only distinct once the second-resolution timestamp moves.
      if (!useNonce && failure.code === 'API_CALL_REPEAT') delay = Math.max(delay, 1000 - ((now() + clockOffsetMs) % 1000) + 5);
      await sleep(delay, undefined, { signal: options.signal }).catch(() => {
        throw new UpstreamAbortedError(method);
      });
    }
  }

  async function logIn(credentials: { userName: string; password: string }): Promise<string> {
    const data = await callWithRetries(MOBILE_LOGIN, credentials, {}, undefined);
    const token = typeof data === 'object' && data !== null ? (data as Record<string, unknown>).token : undefined;
    if (typeof token !== 'string' || token === '') throw new UpstreamBadResponseError(MOBILE_LOGIN, 'data.token is missing', 200);
    return token;
  }

  return {
    async call(method, params, options = {}) {
      if (!tokens) return callWithRetries(method, params, options, config.authenticator);
      const token = await tokens.get();
      try {
        return await callWithRetries(method, params, options, token);
      } catch (error) {
        if (!(error instanceof UpstreamError && error.upstreamCode === BUSINESS_CODES.TOKEN_NOT_EXIST.code)) throw error;
        // The token expired or was revoked: log in again, once.
        tokens.invalidate(token);
        return callWithRetries(method, params, options, await tokens.get());
      }
    },
    async close() {
      if (ownsDispatcher) await dispatcher.close();
    },
  };
}

/** Timeouts are not retried: a slow vendor would make the caller wait twice as long for the same outcome. */
function shouldRetry(error: OpretailError): boolean {
  return error.retryable && !(error instanceof UpstreamTimeoutError);
}

async function readLimited(
  body: Dispatcher.ResponseData['body'],
  limit: number,
  method: string,
  status: number,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      body.destroy();
      throw new UpstreamBadResponseError(method, `body exceeds ${limit} bytes`, status);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Validates the `{ stat, result, data }` envelope. Errors describe the defect and never quote the body. */
export function parseEnvelope(bytes: Uint8Array, method: string): Envelope {
  if (bytes.length === 0) throw new UpstreamBadResponseError(method, 'empty body', 200);
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new UpstreamBadResponseError(method, 'body is not UTF-8', 200);
  }
  const trimmed = text.trimStart();
  if (trimmed.startsWith('<')) throw new UpstreamBadResponseError(method, 'HTML instead of JSON', 200);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // The SyntaxError quotes the body, so it is deliberately not attached as a cause.
    throw new UpstreamBadResponseError(method, 'body is not valid JSON (truncated or malformed)', 200);
  }
  if (!isRecord(json) || !isRecord(json.stat)) {
    throw new UpstreamBadResponseError(method, 'JSON without a "stat" object', 200);
  }
  const stat = json.stat;
  const code = toInteger(stat.code);
  if (code === null) throw new UpstreamBadResponseError(method, 'stat.code is not an integer', 200);
  const codename =
    typeof stat.codename === 'string' && stat.codename !== ''
      ? stat.codename
      : (returnCodeByNumber(code)?.codename ?? 'UNKNOWN');
  const cid = typeof stat.cid === 'string' || typeof stat.cid === 'number' ? String(stat.cid) : null;
  const systime = toInteger(stat.systime);
  return { code, codename, cid, systime, data: json.data ?? null };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `stat.code` is documented as a String but arrives as a number: accept both. */
function toInteger(value: unknown): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : null;
  if (typeof value === 'string' && /^-?\d{1,15}$/.test(value.trim())) return Number(value.trim());
  return null;
}

/** A short reason from an undici/net error: its code only, never its message (it may echo a URL). */
function describeTransportError(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return error instanceof Error ? error.name : 'transport error';
}
