import { GraphQLError } from 'graphql';
import type { GatewayErrorExtensions } from '../error-codes.js';
import { InvalidUpstreamArgumentError, OpretailError, UpstreamAbortedError, UpstreamCallBudgetError, UpstreamError } from '../upstream/errors.js';

/** An input rule was broken; thrown before any upstream call. */
export function badUserInput(message: string, argument?: string): GraphQLError {
  const extensions: GatewayErrorExtensions & { argument?: string } = { code: 'BAD_USER_INPUT', retryable: false };
  if (argument) extensions.argument = argument;
  return new GraphQLError(message, { extensions });
}

/**
 * The gateway's public face of an upstream failure: a stable code, whether a retry can help, and for vendor
 * answers `{ code, codename, cid, method }`. Built only from the error's typed fields — never from parameters,
 * the signature or a body, which the upstream errors do not carry.
 */
export function upstreamErrorExtensions(error: OpretailError): GatewayErrorExtensions {
  if (error instanceof UpstreamError) {
    return { code: error.code as GatewayErrorExtensions['code'], retryable: error.retryable, upstream: error.details };
  }
  if (error instanceof UpstreamAbortedError) return { code: 'UPSTREAM_TIMEOUT', retryable: true };
  if (error instanceof InvalidUpstreamArgumentError || error instanceof UpstreamCallBudgetError) {
    return { code: 'BAD_USER_INPUT', retryable: false };
  }
  return { code: error.code as GatewayErrorExtensions['code'], retryable: error.retryable };
}

/**
 * Maps an error leaving a resolver to what the caller sees: intended errors keep their code, upstream failures
 * get their typed extensions, anything else is masked as INTERNAL_SERVER_ERROR. The location and path are kept.
 */
export function toPublicError(error: GraphQLError): GraphQLError {
  const original = error.originalError;
  if (original instanceof OpretailError) {
    return rebuild(error, original.message, upstreamErrorExtensions(original));
  }
  if (original === undefined || original === null || original instanceof GraphQLError) {
    // Intended errors (ours, or graphql-js request errors): make sure they carry a code. One without a path
    // happened before execution: a variable that failed to coerce, i.e. bad input.
    const code = (error.extensions.code as GatewayErrorExtensions['code'] | undefined) ?? (error.path ? 'INTERNAL_SERVER_ERROR' : 'BAD_USER_INPUT');
    const retryable = typeof error.extensions.retryable === 'boolean' ? error.extensions.retryable : false;
    return rebuild(error, error.message, { ...error.extensions, code, retryable });
  }
  return rebuild(error, 'Unexpected error.', { code: 'INTERNAL_SERVER_ERROR', retryable: false });
}

function rebuild(error: GraphQLError, message: string, extensions: GatewayErrorExtensions | Record<string, unknown>): GraphQLError {
  return new GraphQLError(message, {
    nodes: error.nodes ?? null,
    source: error.source ?? null,
    positions: error.positions ?? null,
    path: error.path ?? null,
    extensions,
  });
}
