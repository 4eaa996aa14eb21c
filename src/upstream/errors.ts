import { GATEWAY_CODES, type ErrorCode, type GatewayCode } from './gateway-codes.js';
import { returnCodeByNumber, type RetryPolicy } from './return-codes.js';

/** A row of either code table: what an error class reads its public face and retry policy from. */
interface CodeRow {
  code: ErrorCode;
  retryable: boolean;
  retry: RetryPolicy;
}

function gatewayRow(code: GatewayCode): CodeRow {
  return { code, ...GATEWAY_CODES[code] };
}

/** Where a vendor error came from: safe to show callers (no parameters, no signature, no body). */
export type UpstreamErrorDetails = {
  code: number;
  codename: string;
  cid: string | null;
  method: string;
};

/** The public `extensions` of an intended error. */
export type PublicErrorExtensions = {
  code: ErrorCode;
  retryable: boolean;
  /** Present when the error came from a vendor answer (a `stat.code`). */
  upstream?: UpstreamErrorDetails;
  /** With an open circuit: when a retry may find the vendor tried again. */
  retryAfterMs?: number;
};

/**
 * Builds an error without capturing a stack trace. For the errors the gateway reports on purpose, whose cause
 * is their code, not the code path: V8 captures a stack for every error, and an outage makes thousands per second
 * (with the vendor down, that was most of the CPU of an answer). The stack reads `Name: message` only.
 */
export function withoutStack<T>(build: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return build();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/**
 * Base of every failure the gateway reports on purpose. Each subclass takes its public `code`, `retryable`
 * and retry policy from a code table (`return-codes.ts` or `gateway-codes.ts`), so what a caller sees needs
 * no mapping: {@link publicExtensions} is the whole story.
 */
export abstract class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  /** What the upstream client's retry loop does after this failure. */
  readonly retry: RetryPolicy;

  protected constructor(row: CodeRow, message: string, options?: ErrorOptions) {
    // No stack: an intended failure is explained by its code (see withoutStack).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message, options);
    Error.stackTraceLimit = limit;
    this.code = row.code;
    this.retryable = row.retryable;
    this.retry = row.retry;
  }

  /** The error's `extensions` as callers see them; built from typed fields only, never from a body. */
  publicExtensions(): PublicErrorExtensions {
    return { code: this.code, retryable: this.retryable };
  }
}

/** Base of every failure of an upstream call. */
export abstract class UpstreamError extends GatewayError {
  /** The `_mt` of the call that failed. */
  readonly method: string;
  /** The HTTP status of the answer, when there was one. */
  readonly httpStatus: number | null;

  protected constructor(row: CodeRow, message: string, method: string, httpStatus: number | null, options?: ErrorOptions) {
    super(row, message, options);
    this.method = method;
    this.httpStatus = httpStatus;
  }
}

/** The vendor answered with a non-success `stat.code`. */
export class UpstreamCodeError extends UpstreamError {
  override readonly name = 'UpstreamCodeError';
  readonly upstreamCode: number;
  readonly codename: string;
  readonly cid: string | null;

  constructor(details: UpstreamErrorDetails) {
    const known = returnCodeByNumber(details.code);
    super(
      // Trust the table over the wire's codename for known numbers: the table is what the schema exposes.
      known ? { code: known.codename as ErrorCode, retryable: known.retryable, retry: known.retry } : gatewayRow('UPSTREAM_ERROR'),
      `opretail ${details.method} failed: ${details.codename} (${details.code})` + (known ? ` — ${known.meaning}` : ''),
      details.method,
      200,
    );
    this.upstreamCode = details.code;
    this.codename = known?.codename ?? details.codename;
    this.cid = details.cid;
  }

  get details(): UpstreamErrorDetails {
    return { code: this.upstreamCode, codename: this.codename, cid: this.cid, method: this.method };
  }

  override publicExtensions(): PublicErrorExtensions {
    return { ...super.publicExtensions(), upstream: this.details };
  }
}

/** No answer within the per-attempt timeout. Not retried within the request; the caller may retry. */
export class UpstreamTimeoutError extends UpstreamError {
  override readonly name = 'UpstreamTimeoutError';
  readonly timeoutMs: number;

  constructor(method: string, timeoutMs: number, options?: ErrorOptions) {
    super(gatewayRow('UPSTREAM_TIMEOUT'), `opretail ${method} timed out after ${timeoutMs} ms`, method, null, options);
    this.timeoutMs = timeoutMs;
  }
}

/**
 * The GraphQL request that needed the call went away (its signal aborted) before the vendor answered. Public
 * code `UPSTREAM_TIMEOUT`, like a timeout: the answer did not arrive in the time the request had.
 */
export class UpstreamCancelledError extends UpstreamError {
  override readonly name = 'UpstreamCancelledError';

  constructor(method: string, options?: ErrorOptions) {
    super(gatewayRow('UPSTREAM_TIMEOUT'), `opretail ${method} was cancelled: the request ended first`, method, null, options);
  }
}

/** Connection refused/reset, DNS failure, or an HTTP 5xx from the vendor or a proxy in front of it. */
export class UpstreamUnavailableError extends UpstreamError {
  override readonly name = 'UpstreamUnavailableError';

  constructor(method: string, reason: string, httpStatus: number | null, options?: ErrorOptions) {
    super(gatewayRow('UPSTREAM_UNAVAILABLE'), `opretail ${method} unavailable: ${reason}`, method, httpStatus, options);
  }
}

/** The answer is not a valid envelope (HTML, empty, truncated, non-JSON) or its data breaks the contract. */
export class UpstreamBadResponseError extends UpstreamError {
  override readonly name = 'UpstreamBadResponseError';

  /** `reason` must describe the defect, never quote the body. */
  constructor(method: string, reason: string, httpStatus: number | null = null, options?: ErrorOptions) {
    super(gatewayRow('UPSTREAM_BAD_RESPONSE'), `opretail ${method} answered a bad response: ${reason}`, method, httpStatus, options);
  }
}

/**
 * The GraphQL request's deadline (GATEWAY_REQUEST_TIMEOUT_MS) passed while this call waited or ran. Public
 * code `UPSTREAM_TIMEOUT`; not a sign of an unhealthy vendor by itself (the request may have queued).
 */
export class RequestDeadlineError extends UpstreamError {
  override readonly name = 'RequestDeadlineError';

  constructor(method: string) {
    super(gatewayRow('UPSTREAM_TIMEOUT'), `opretail ${method} did not answer before the request's deadline (GATEWAY_REQUEST_TIMEOUT_MS)`, method, null);
  }
}

/** The circuit breaker is open: the vendor looks unhealthy, so the call fails fast without being sent. */
export class CircuitOpenError extends UpstreamError {
  override readonly name = 'CircuitOpenError';
  /** When the breaker lets a probe through (a hint for the caller's retry). */
  readonly retryAfterMs: number;

  constructor(method: string, retryAfterMs: number) {
    // Never retried here: the breaker would refuse the retry too; the caller is told when to come back.
    super({ ...gatewayRow('UPSTREAM_UNAVAILABLE'), retry: 'never' }, `opretail ${method} was not sent: the vendor is failing (circuit open)`, method, null);
    this.retryAfterMs = retryAfterMs;
  }

  override publicExtensions(): PublicErrorExtensions {
    return { ...super.publicExtensions(), retryAfterMs: this.retryAfterMs };
  }
}

/** Too many calls already wait for a connection to the vendor: fail fast instead of piling up. */
export class UpstreamQueueFullError extends UpstreamError {
  override readonly name = 'UpstreamQueueFullError';

  constructor(method: string, waiting: number) {
    // Not retried here: the queue is full now, a retry would only join it.
    super({ ...gatewayRow('UPSTREAM_UNAVAILABLE'), retry: 'never' }, `opretail ${method} was not sent: ${waiting} calls already wait for a connection`, method, null);
  }
}

/** The vendor-call rate limit had no room for this call within its time; nothing was sent. */
export class RateLimitedError extends UpstreamError {
  override readonly name = 'RateLimitedError';

  constructor(method: string, maxCallsPerSecond: number) {
    super(gatewayRow('RATE_LIMITED'), `opretail ${method} was not sent: the vendor-call limit (${maxCallsPerSecond}/s) had no room in time`, method, null);
  }
}

/** One request asked for more upstream calls than its budget allows; nothing beyond the budget was sent. */
export class CallBudgetExceededError extends GatewayError {
  override readonly name = 'CallBudgetExceededError';
  readonly maxUpstreamCalls: number;

  constructor(maxUpstreamCalls: number) {
    super(
      gatewayRow('QUERY_TOO_COMPLEX'),
      `This request needs more than ${maxUpstreamCalls} upstream calls; ask for fewer stores or days, or split it.`,
    );
    this.maxUpstreamCalls = maxUpstreamCalls;
  }
}
