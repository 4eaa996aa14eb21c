import { GATEWAY_UPSTREAM_CODES, type GatewayUpstreamCode, type UpstreamErrorDetails } from './upstream/errors.js';
import { FAILURE_CODES, type FailureCodename } from './upstream/return-codes.js';

/**
 * Every `extensions.code` the gateway can put in `errors[]`: the 20 vendor failure codenames (from the
 * return-code table), the gateway's upstream codes, and the GraphQL request codes. The `ErrorCode` enum,
 * the README table and the error mapping all derive from this list.
 */
export const REQUEST_ERROR_CODES = {
  BAD_USER_INPUT: { description: 'An argument breaks an input rule (store id, date window, list size). No upstream call was made.', retryable: false },
  GRAPHQL_PARSE_FAILED: { description: 'The document is not valid GraphQL syntax.', retryable: false },
  GRAPHQL_VALIDATION_FAILED: { description: 'The document does not validate against the schema.', retryable: false },
  INTERNAL_SERVER_ERROR: { description: 'An unexpected gateway failure; details are masked and logged.', retryable: false },
} as const;

export type RequestErrorCode = keyof typeof REQUEST_ERROR_CODES;
export type ErrorCode = FailureCodename | GatewayUpstreamCode | RequestErrorCode;

export interface ErrorCodeInfo {
  code: ErrorCode;
  description: string;
  retryable: boolean;
  /** The vendor's `stat.code` for a vendor codename, else null. */
  vendorCode: number | null;
}

export const ERROR_CODES: readonly ErrorCodeInfo[] = [
  ...FAILURE_CODES.map((row) => ({
    code: row.codename as FailureCodename,
    description: `Vendor code ${row.code}: ${row.meaning} ${row.remedy}`.trim(),
    retryable: row.retryable,
    vendorCode: row.code,
  })),
  ...Object.entries(GATEWAY_UPSTREAM_CODES).map(([code, info]) => ({
    code: code as GatewayUpstreamCode,
    description: info.description,
    retryable: info.retryable,
    vendorCode: null,
  })),
  ...Object.entries(REQUEST_ERROR_CODES).map(([code, info]) => ({
    code: code as RequestErrorCode,
    description: info.description,
    retryable: info.retryable,
    vendorCode: null,
  })),
];

/**
 * The `extensions` of every error the gateway returns. Exported for client code generation: a frontend can
 * switch on `code` and trust `retryable`.
 */
export type GatewayErrorExtensions = {
  code: ErrorCode;
  retryable: boolean;
  /** Present when the error came from a vendor answer (a `stat.code`). */
  upstream?: UpstreamErrorDetails;
};
