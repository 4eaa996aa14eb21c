import { returnCodeByNumber } from './return-codes.js';

/**
 * The gateway's own codes for failures that are not a vendor `stat.code`. Vendor codes from the public
 * table keep their codename; a vendor code outside it becomes `UPSTREAM_ERROR`.
 */
export const GATEWAY_UPSTREAM_CODES = {
  UPSTREAM_ERROR: {
    description: 'The vendor answered a business code outside its public table (e.g. 9990001 TOKEN_NOT_EXIST); see extensions.upstream.',
    retryable: false,
  },
  UPSTREAM_TIMEOUT: {
    description: 'The vendor did not answer within OPRETAIL_TIMEOUT_MS (or the request was cancelled first).',
    retryable: true,
  },
  UPSTREAM_UNAVAILABLE: {
    description: 'The vendor could not be reached (connection refused or reset) or answered an HTTP 5xx.',
    retryable: true,
  },
  UPSTREAM_BAD_RESPONSE: {
    description: 'The vendor answered something that is not a valid envelope (HTML, empty, truncated, non-JSON) or data that breaks the documented contract.',
    retryable: false,
  },
} as const;

export type GatewayUpstreamCode = keyof typeof GATEWAY_UPSTREAM_CODES;

/** Base of every failure of an upstream call. `code` is stable and SCREAMING_SNAKE. */
export abstract class OpretailError extends Error {
  abstract readonly code: string;
  abstract readonly retryable: boolean;
  /** The `_mt` of the call that failed. */
  readonly method: string;

  protected constructor(message: string, method: string, options?: ErrorOptions) {
    super(message, options);
    this.method = method;
  }
}

/** Where a vendor error came from: safe to show callers (no parameters, no signature, no body). */
export type UpstreamErrorDetails = {
  code: number;
  codename: string;
  cid: string | null;
  method: string;
};

/** The vendor answered with a non-success `stat.code`. */
export class UpstreamError extends OpretailError {
  override readonly name = 'UpstreamError';
  readonly code: string;
  readonly retryable: boolean;
  readonly upstreamCode: number;
  readonly codename: string;
  readonly cid: string | null;

  constructor(details: UpstreamErrorDetails) {
    const known = returnCodeByNumber(details.code);
    super(
      `opretail ${details.method} failed: ${details.codename} (${details.code})` +
        (known ? ` — ${known.meaning}` : ''),
      details.method,
    );
    this.upstreamCode = details.code;
    // Trust the table over the wire's codename for known numbers: the table is what the schema exposes.
    this.codename = known?.codename ?? details.codename;
    this.cid = details.cid;
    this.code = known ? known.codename : 'UPSTREAM_ERROR';
    this.retryable = known?.retryable ?? GATEWAY_UPSTREAM_CODES.UPSTREAM_ERROR.retryable;
  }

  get details(): UpstreamErrorDetails {
    return { code: this.upstreamCode, codename: this.codename, cid: this.cid, method: this.method };
  }
}

/** No answer within the per-call timeout. Safe to retry: the request is re-signed on every attempt. */
export class UpstreamTimeoutError extends OpretailError {
  override readonly name = 'UpstreamTimeoutError';
  readonly code = 'UPSTREAM_TIMEOUT';
  readonly retryable = GATEWAY_UPSTREAM_CODES.UPSTREAM_TIMEOUT.retryable;
  readonly timeoutMs: number;

  constructor(method: string, timeoutMs: number, options?: ErrorOptions) {
    super(`opretail ${method} timed out after ${timeoutMs} ms`, method, options);
    this.timeoutMs = timeoutMs;
  }
}

/** Connection refused/reset, DNS failure, or an HTTP 5xx from the vendor or a proxy in front of it. */
export class UpstreamUnavailableError extends OpretailError {
  override readonly name = 'UpstreamUnavailableError';
  readonly code = 'UPSTREAM_UNAVAILABLE';
  readonly retryable = GATEWAY_UPSTREAM_CODES.UPSTREAM_UNAVAILABLE.retryable;
  readonly httpStatus: number | null;

  constructor(method: string, reason: string, httpStatus: number | null, options?: ErrorOptions) {
    super(`opretail ${method} unavailable: ${reason}`, method, options);
    this.httpStatus = httpStatus;
  }
}

/** The answer is not a valid envelope (HTML, empty, truncated, non-JSON) or its data breaks the contract. */
export class UpstreamBadResponseError extends OpretailError {
  override readonly name = 'UpstreamBadResponseError';
  readonly code = 'UPSTREAM_BAD_RESPONSE';
  readonly retryable = GATEWAY_UPSTREAM_CODES.UPSTREAM_BAD_RESPONSE.retryable;
  readonly httpStatus: number | null;

  /** `reason` must describe the defect, never quote the body. */
  constructor(method: string, reason: string, httpStatus: number | null = null, options?: ErrorOptions) {
    super(`opretail ${method} answered a bad response: ${reason}`, method, options);
    this.httpStatus = httpStatus;
  }
}

/** The caller cancelled the call through its `AbortSignal`. */
export class UpstreamAbortedError extends OpretailError {
  override readonly name = 'UpstreamAbortedError';
  readonly code = 'UPSTREAM_ABORTED';
  readonly retryable = false;

  constructor(method: string, options?: ErrorOptions) {
    super(`opretail ${method} was aborted by the caller`, method, options);
  }
}

/** A call was asked with arguments the vendor would refuse; caught before anything is sent. */
export class InvalidUpstreamArgumentError extends OpretailError {
  override readonly name = 'InvalidUpstreamArgumentError';
  readonly code = 'INVALID_UPSTREAM_ARGUMENT';
  readonly retryable = false;

  constructor(method: string, message: string) {
    super(message, method);
  }
}

/** One request asked for more upstream calls than its budget allows; nothing beyond the budget was sent. */
export class UpstreamCallBudgetError extends OpretailError {
  override readonly name = 'UpstreamCallBudgetError';
  readonly code = 'UPSTREAM_CALL_BUDGET_EXCEEDED';
  readonly retryable = false;
  readonly maxCalls: number;

  constructor(method: string, maxCalls: number) {
    super(`This request needs more than ${maxCalls} upstream calls; ask for fewer stores or days, or split it.`, method);
    this.maxCalls = maxCalls;
  }
}
