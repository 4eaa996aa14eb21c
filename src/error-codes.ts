import { GATEWAY_CODES, type ErrorCode, type GatewayCode } from './upstream/gateway-codes.js';
import type { PublicErrorExtensions } from './upstream/errors.js';
import { FAILURE_CODES, type FailureCodename } from './upstream/return-codes.js';

export type { ErrorCode } from './upstream/gateway-codes.js';

export interface ErrorCodeInfo {
  code: ErrorCode;
  description: string;
  retryable: boolean;
  /** The vendor's `stat.code` for a vendor codename, else null. */
  vendorCode: number | null;
}

/**
 * Every `extensions.code` the gateway can put in `errors[]`, from the two code tables: the 20 vendor failure
 * codenames (`upstream/return-codes.ts`) and the gateway's own (`upstream/gateway-codes.ts`). The `ErrorCode`
 * enum and the README table are generated from this list.
 */
export const ERROR_CODES: readonly ErrorCodeInfo[] = [
  ...FAILURE_CODES.map((row) => ({
    code: row.codename as FailureCodename,
    description: `Vendor code ${row.code}: ${row.meaning} ${row.remedy}`.trim(),
    retryable: row.retryable,
    vendorCode: row.code,
  })),
  ...(Object.entries(GATEWAY_CODES) as [GatewayCode, (typeof GATEWAY_CODES)[GatewayCode]][]).map(([code, info]) => ({
    code,
    description: info.description,
    retryable: info.retryable,
    vendorCode: null,
  })),
];

const KNOWN = new Set<string>(ERROR_CODES.map((info) => info.code));

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && KNOWN.has(value);
}

/** The `retryable` of a code, from its table. */
export function isRetryable(code: ErrorCode): boolean {
  return ERROR_CODES.find((info) => info.code === code)!.retryable;
}

/**
 * The `extensions` of every error the gateway returns. Exported for client code generation: a frontend can
 * switch on `code` and trust `retryable`.
 */
export type GatewayErrorExtensions = PublicErrorExtensions & {
  /** For BAD_USER_INPUT raised by an argument rule: the argument's name. */
  argument?: string;
};
