import type { FailureCodename, RetryPolicy } from './return-codes.js';

/**
 * The one table of the gateway's own error codes, beside the vendor's (`return-codes.ts`). Every error the
 * gateway reports carries its code and `retryable` from one of the two tables; the GraphQL `ErrorCode` enum,
 * the README's error table and the client's retry policy for its own failures derive from them.
 *
 * `retryable` is what a caller is told (`extensions.retryable`); `retry` is what the gateway itself does
 * within one request (only meaningful for upstream failures: a timeout is worth a new request, but repeating
 * it inside the same one would make the caller wait twice for the same outcome).
 */
export const GATEWAY_CODES = {
  UPSTREAM_ERROR: {
    description: 'The vendor answered a business code outside its public table (e.g. 9990001 TOKEN_NOT_EXIST); see extensions.upstream.',
    retryable: false,
    retry: 'never',
  },
  UPSTREAM_TIMEOUT: {
    description: 'The vendor did not answer within OPRETAIL_TIMEOUT_MS (or the request was cancelled first).',
    retryable: true,
    retry: 'never',
  },
  UPSTREAM_UNAVAILABLE: {
    description: 'The vendor could not be reached (connection refused or reset) or answered an HTTP 5xx.',
    retryable: true,
    retry: 'backoff',
  },
  RATE_LIMITED: {
    description: 'The deployment-wide cap on vendor calls (OPRETAIL_MAX_CALLS_PER_SECOND) left no room for this call within its time. Retry shortly.',
    retryable: true,
    retry: 'never',
  },
  UPSTREAM_BAD_RESPONSE: {
    description: 'The vendor answered something that is not a valid envelope (HTML, empty, truncated, non-JSON) or data that breaks the documented contract.',
    retryable: false,
    retry: 'never',
  },
  BAD_USER_INPUT: {
    description: 'An argument or variable breaks an input rule (store id, date window, list size). No upstream call was made for it.',
    retryable: false,
    retry: 'never',
  },
  BAD_REQUEST: {
    description: 'The HTTP request is not a GraphQL request the gateway serves: invalid or empty JSON body, no `query`, wrong parameter types, a method other than GET/POST (HTTP 405), a body that is not `application/json` (HTTP 415), a GET without a header browsers cannot send cross-site (HTTP 403), or an operation type the gateway does not serve.',
    retryable: false,
    retry: 'never',
  },
  GRAPHQL_PARSE_FAILED: { description: 'The document is not valid GraphQL syntax.', retryable: false, retry: 'never' },
  GRAPHQL_VALIDATION_FAILED: { description: 'The document does not validate against the schema.', retryable: false, retry: 'never' },
  OPERATION_RESOLUTION_FAILURE: {
    description: 'The document has several operations and `operationName` is missing or names none of them.',
    retryable: false,
    retry: 'never',
  },
  UNAUTHENTICATED: {
    description: 'HTTP 401: no `Authorization: Bearer <key>` header, or a key the gateway does not know. Nothing was executed.',
    retryable: false,
    retry: 'never',
  },
  FORBIDDEN: {
    description: 'The client key may not read this store (not in its allow-list); the field is null, no upstream call was made for it.',
    retryable: false,
    retry: 'never',
  },
  QUERY_TOO_COMPLEX: {
    description: 'Refused before execution: the document may cause more upstream calls than GATEWAY_MAX_UPSTREAM_CALLS (or the key’s maxUpstreamCalls), or exceeds the token, depth, alias or directive limits. Ask for fewer stores or days, or split the query.',
    retryable: false,
    retry: 'never',
  },
  PAYLOAD_TOO_LARGE: {
    description: 'HTTP 413: the request body exceeds GATEWAY_MAX_BODY_BYTES. Nothing was read further or executed.',
    retryable: false,
    retry: 'never',
  },
  PERSISTED_QUERY_NOT_FOUND: {
    description: 'The `documentId` (or `extensions.persistedQuery.sha256Hash`) names no trusted document (GATEWAY_TRUSTED_DOCUMENTS).',
    retryable: false,
    retry: 'never',
  },
  TRUSTED_DOCUMENTS_ONLY: {
    description: 'This client key may run only trusted documents: send a `documentId`, not a `query`.',
    retryable: false,
    retry: 'never',
  },
  INTERNAL_SERVER_ERROR: { description: 'An unexpected gateway failure; details are masked and logged.', retryable: false, retry: 'never' },
} as const satisfies Record<string, { description: string; retryable: boolean; retry: RetryPolicy }>;

export type GatewayCode = keyof typeof GATEWAY_CODES;

/** Every `extensions.code` the gateway can put in `errors[]`: a vendor failure codename or one of its own. */
export type ErrorCode = FailureCodename | GatewayCode;
