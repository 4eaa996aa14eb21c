import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request, type Dispatcher } from 'undici';
import { createVendorBreaker, type BreakerOptions, type BreakerState } from './circuit-breaker.js';
import { parseEnvelope, type Envelope } from './envelope.js';
import {
  CircuitOpenError,
  RateLimitedError,
  RequestDeadlineError,
  UpstreamQueueFullError,
  UpstreamBadResponseError,
  UpstreamCancelledError,
  UpstreamCodeError,
  UpstreamError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
} from './errors.js';
import { BUSINESS_CODES, SUCCESS_CODE } from './return-codes.js';
import { signParams, type SignMethod } from './sign.js';
import { createTimestampFormatter } from './timestamp.js';
import { createRetryBudget, type RetryBudgetOptions } from './retry-budget.js';
import { createTokenCache } from './token-cache.js';
import type { ErrorCode } from './gateway-codes.js';

/** How the client authenticates the user behind the calls, besides the signature. */
export type OpretailAuth =
  /** Signature only. */
  | { kind: 'none' }
  /** A static token sent in the `authenticator` header on every call. */
  | { kind: 'token'; token: string }
  /**
   * Log in with `open.shopweb.security.mobileLogin` and send the token it issues in the `authenticator` header;
   * the token is cached, and fetched again once when a call answers TOKEN_NOT_EXIST (9990001). The password is
   * a secret like the app secret: it is only ever sent, signed, to the platform.
   */
  | { kind: 'login'; userName: string; password: string };

/**
 * Options of {@link createOpretailClient}. Secrets live here and nowhere else. The knobs (sign method, aid,
 * zone, nonce, timeout, retries, connections) have no defaults here: their one default lives in `config.ts`,
 * and they keep the name they have there.
 */
export interface OpretailClientConfig {
  /** The full endpoint, e.g. `https://openapi.opretail.com/cloud.api` (validated by the config). */
  baseUrl: string;
  /** `_akey`, the developer key issued by the platform. */
  appKey: string;
  /** The secret paired with the key. Only ever used to compute `_sig`. */
  appSecret: string;
  /** `_sm`. */
  signMethod: SignMethod;
  /** `_aid`. */
  aid: string;
  /** IANA zone of the platform's clock, used for `_timestamp`. */
  timeZone: string;
  /** Send a fresh random `_nonce` on every attempt, so identical calls are never replays. */
  nonce: boolean;
  auth: OpretailAuth;
  /** Per-attempt timeout. */
  timeoutMs: number;
  /**
   * Further attempts after a failure whose code's retry policy allows one (a transient vendor code, a stale
   * timestamp, a replay, an unreachable upstream). Each attempt is re-signed.
   */
  retries: number;
  /** Keep-alive connections to the upstream origin: the process-wide cap on calls in flight. */
  maxConnections: number;
  /** Calls that may wait for a connection; beyond, a call fails fast (retryable) instead of piling up. */
  maxQueued: number;
  /** Retries may add at most `percent` of first attempts over `windowMs` (at least `min`). */
  retryBudget: RetryBudgetOptions;
  /** The circuit breaker on the vendor endpoint. */
  breaker: BreakerOptions;
  /** Told each time the breaker changes state (logs, metrics, readiness). */
  onBreakerStateChange?: (state: BreakerState) => void;
  /**
   * Wraps every attempt (tracing: a span per attempt). `run` performs it; the wrapper must return its result
   * or rethrow its error. It learns the method and attempt number, never parameters, signature or body.
   */
  instrumentAttempt?: <T>(attempt: { method: string; attempt: number; storeId: string | undefined }, run: () => Promise<T>) => Promise<T>;
  /** `_requestMode`, a protocol constant (tests change it to provoke refusals). @default 'post' */
  requestMode?: string;
  /** `_version`, a protocol constant. @default 'v1' */
  version?: string;
  /** `_format`, a protocol constant; `null` leaves it out. @default 'json' */
  format?: string | null;
  /** First backoff delay; doubled on each retry, with jitter. @default 100 */
  retryDelayMs?: number;
  /** Largest response body accepted. @default 1048576 */
  maxResponseBytes?: number;
  /** undici dispatcher (tests: a `MockAgent`); the client then does not own or close it. */
  dispatcher?: Dispatcher;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
  /** Observer of every attempt (logs, metrics). Receives no parameters, signature or body by design. */
  onAttempt?: (event: UpstreamAttemptEvent) => void;
  /**
   * The deployment-wide cap on vendor calls (OPRETAIL_MAX_CALLS_PER_SECOND): every attempt, retries and logins
   * included, waits for room first — at most its timeout, else it fails RATE_LIMITED without being sent.
   */
  limiter?: { readonly perSecond: number; acquire(maxWaitMs: number, signal?: AbortSignal): Promise<boolean> };
}

/** What an observer learns about one attempt. */
export interface UpstreamAttemptEvent {
  method: string;
  attempt: number;
  durationMs: number;
  /** `SUCCESS`, or the failure's public code (a vendor codename or the gateway's code). */
  outcome: 'SUCCESS' | ErrorCode;
  /** The GraphQL request went away during the attempt: routine, not an upstream failure. */
  cancelled: boolean;
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
  /** Calls `_mt = method` and resolves with the envelope's `data`, or rejects with an {@link UpstreamError}. */
  call(method: string, params: BusinessParams, options?: CallOptions): Promise<unknown>;
  /** Closes the connection pool the client owns. */
  close(): Promise<void>;
  /** Calls sent or waiting for a connection, process-wide (a metric). */
  readonly inFlight: number;
  /** The circuit breaker's state (readiness). */
  readonly breakerState: BreakerState;
}

const USER_AGENT = 'passenger-flow-gateway';

/** Longest wait between two attempts (full jitter draws from 0 up to this). */
const MAX_BACKOFF_MS = 2000;

/** The request's signal aborted because its deadline passed (AbortSignal.timeout's reason). */
function isDeadline(signal: AbortSignal | undefined): boolean {
  return (signal?.reason as { name?: string } | undefined)?.name === 'TimeoutError';
}

/** Issues the user token for the `authenticator` header. */
export const MOBILE_LOGIN = 'open.shopweb.security.mobileLogin';

export function createOpretailClient(config: OpretailClientConfig): OpretailClient {
  const endpoint = new URL(config.baseUrl);
  const { signMethod, timeoutMs, retries, nonce: useNonce } = config;
  const retryDelayMs = config.retryDelayMs ?? 100;
  const maxResponseBytes = config.maxResponseBytes ?? 1024 * 1024;
  const format = config.format === undefined ? 'json' : config.format;
  const now = config.now ?? Date.now;
  const formatTimestamp = createTimestampFormatter(config.timeZone);
  const ownsDispatcher = config.dispatcher === undefined;
  const dispatcher =
    config.dispatcher ?? new Agent({ connections: config.maxConnections, keepAliveTimeout: 30_000, pipelining: 1 });
  /** Platform clock minus ours, measured from `stat.systime`; corrects `_timestamp` on skewed hosts. */
  let clockOffsetMs = 0;
  /** Calls sent or waiting for a connection, process-wide. */
  let inFlight = 0;
  const retryBudget = createRetryBudget(config.retryBudget);
  const breaker = createVendorBreaker(config.breaker, (state) => config.onBreakerStateChange?.(state));
  const { auth } = config;
  const tokens = auth.kind === 'login' ? createTokenCache(() => logIn(auth.userName, auth.password)) : null;
  const staticToken = auth.kind === 'token' ? auth.token : undefined;

  function publicParams(method: string): Record<string, string> {
    const params: Record<string, string> = {
      _aid: config.aid,
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

  function encodeBody(method: string, business: BusinessParams): { body: string; timestamp: string } {
    const params = publicParams(method);
    for (const [name, value] of Object.entries(business)) {
      if (value === undefined) continue;
      if (name.startsWith('_')) throw new TypeError(`business parameter "${name}" would shadow a public one`);
      params[name] = typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
    }
    params._sig = signParams(params, config.appSecret, signMethod);
    return { body: new URLSearchParams(params).toString(), timestamp: params._timestamp! };
  }

  /** The `_timestamp` of the last attempt sent, to know when a re-signed request would be identical. */
  let lastTimestamp = '';

  async function attempt(method: string, business: BusinessParams, options: CallOptions, token: string | undefined): Promise<Envelope> {
    // Built before anything is sent, so a malformed call fails as itself rather than as a transport error.
    const { body, timestamp } = encodeBody(method, business);
    lastTimestamp = timestamp;
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

    const fail = (error: unknown, stage: 'connect' | 'body', httpStatus: number | null): UpstreamError => {
      if (timedOut) return new UpstreamTimeoutError(method, limitMs);
      if (callerSignal?.aborted) return endedError(method, callerSignal);
      if (error instanceof UpstreamError) return error;
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
        throw new UpstreamCodeError({ code: envelope.code, codename: envelope.codename, cid: envelope.cid, method });
      }
      return envelope;
    } finally {
      clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onCallerAbort);
    }
  }

  /** The request ended (its deadline passed, or its client went away) before this call could. */
  const endedError = (method: string, signal: AbortSignal | undefined): UpstreamError =>
    isDeadline(signal) ? new RequestDeadlineError(method) : new UpstreamCancelledError(method);

  /** One call with retries; `token` is the authenticator to send (none for the login itself). */
  async function callWithRetries(method: string, params: BusinessParams, options: CallOptions, token: string | undefined): Promise<unknown> {
    for (let attemptNo = 1; ; attemptNo++) {
      // Ended before anything was sent: not an attempt, so no event (metrics would count a failure).
      if (options.signal?.aborted) throw endedError(method, options.signal);
      // Bounded queueing: beyond the connections and the allowed waiters, fail fast instead of piling up.
      if (inFlight >= config.maxConnections + config.maxQueued) throw new UpstreamQueueFullError(method, inFlight - config.maxConnections);
      if (config.limiter && !(await config.limiter.acquire(options.timeoutMs ?? timeoutMs, options.signal))) {
        if (options.signal?.aborted) throw endedError(method, options.signal);
        throw new RateLimitedError(method, config.limiter.perSecond);
      }
      if (attemptNo === 1) retryBudget.recordFirstAttempt();
      const started = now();
      const report = (envelopeCid: string | null, failure: UpstreamError | null) =>
        config.onAttempt?.({
          method,
          attempt: attemptNo,
          durationMs: now() - started,
          outcome: failure === null ? 'SUCCESS' : failure.code,
          cancelled: failure instanceof UpstreamCancelledError,
          upstreamCode: failure === null ? SUCCESS_CODE : failure instanceof UpstreamCodeError ? failure.upstreamCode : null,
          cid: failure instanceof UpstreamCodeError ? failure.cid : envelopeCid,
          httpStatus: failure === null ? 200 : failure.httpStatus,
        });
      let failure: UpstreamError;
      inFlight++;
      try {
        const storeId = typeof params.depId === 'string' ? params.depId : undefined;
        const send = () => attempt(method, params, options, token);
        // Instrumented inside the breaker: a call the open breaker refuses is never sent, so it gets no span.
        const outcome = await breaker.run(config.instrumentAttempt ? () => config.instrumentAttempt!({ method, attempt: attemptNo, storeId }, send) : send);
        if ('open' in outcome) throw new CircuitOpenError(method, outcome.open);
        report(outcome.cid, null);
        return outcome.data;
      } catch (error) {
        // Anything else is a bug of ours: let it surface (masked as INTERNAL_SERVER_ERROR), never retry it.
        if (!(error instanceof UpstreamError)) throw error;
        failure = error;
      } finally {
        inFlight--;
      }
      // A call the open breaker refused was never sent: no attempt to report.
      if (!(failure instanceof CircuitOpenError)) report(null, failure);
      // The code tables say what may be retried (`retry`); timeouts and cancellations never are; retries as a
      // whole stay within the budget, so a failing vendor never sees more than its share of extra load.
      if (failure.retry === 'never' || attemptNo > retries || options.signal?.aborted || !retryBudget.tryRetry()) throw failure;
      // Full jitter: anywhere from 0 to the exponential bound, so retries of many requests spread out.
      let delay = Math.random() * Math.min(MAX_BACKOFF_MS, retryDelayMs * 2 ** (attemptNo - 1));
      // Without a nonce, a re-signed request differs only once the second-resolution timestamp moves on.
      if (failure.retry === 'resign' && !useNonce && formatTimestamp(now() + clockOffsetMs + delay) === lastTimestamp) {
        delay = 1000 - ((now() + clockOffsetMs) % 1000) + 5;
      }
      await sleep(delay, undefined, { signal: options.signal }).catch(() => {
        throw endedError(method, options.signal);
      });
    }
  }

  async function logIn(userName: string, password: string): Promise<string> {
    const data = await callWithRetries(MOBILE_LOGIN, { userName, password }, {}, undefined);
    const token = typeof data === 'object' && data !== null ? (data as Record<string, unknown>).token : undefined;
    if (typeof token !== 'string' || token === '') throw new UpstreamBadResponseError(MOBILE_LOGIN, 'data.token is missing', 200);
    return token;
  }

  return {
    async call(method, params, options = {}) {
      if (!tokens) return callWithRetries(method, params, options, staticToken);
      const token = await tokens.get();
      try {
        return await callWithRetries(method, params, options, token);
      } catch (error) {
        if (!(error instanceof UpstreamCodeError && error.upstreamCode === BUSINESS_CODES.TOKEN_NOT_EXIST.code)) throw error;
        // The token expired or was revoked: log in again, once.
        tokens.invalidate(token);
        return callWithRetries(method, params, options, await tokens.get());
      }
    },
    async close() {
      if (ownsDispatcher) await dispatcher.close();
    },
    get inFlight() {
      return inFlight;
    },
    get breakerState() {
      return breaker.state;
    },
  };
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

/** A short reason from an undici/net error: its code only, never its message (it may echo a URL). */
function describeTransportError(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return error instanceof Error ? error.name : 'transport error';
}
