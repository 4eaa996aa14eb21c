import { GraphQLError, type ASTNode } from 'graphql';
import { isErrorCode, isRetryable, type ErrorCode, type GatewayErrorExtensions } from './error-codes.js';
import { GatewayError, withoutStack } from './upstream/errors.js';

/** yoga's internal `extensions.http` (status and headers of the answer); never serialized to the caller. */
interface HttpExtension {
  status?: number;
  headers?: Record<string, string>;
  /** Apply `status` only for `application/graphql-response+json` (GraphQL over HTTP); `application/json` gets 200. */
  spec?: boolean;
}

/** graphql-js's own errors for an argument it cannot coerce during execution (e.g. a null variable for a `Boolean!`). */
const ARGUMENT_ERROR = /^(Argument|Variable) "/;

/**
 * The masking policy: what a caller sees of an error. Intended errors — a {@link GatewayError} (its code and
 * `retryable` come from the code tables), our own GraphQL errors, graphql-js and yoga request errors — keep
 * their message and get exactly `{ code, retryable }` plus `upstream`/`argument` where they have one; nothing
 * else (no `originalError`, no stack) passes. Anything else is masked as INTERNAL_SERVER_ERROR (`unexpected`
 * tells the caller's logger to log it). Location and path are kept.
 */
export function toPublicError(error: GraphQLError): { error: GraphQLError; unexpected: boolean } {
  if (error instanceof PublicFieldError) return { error, unexpected: false };
  const original = error.originalError;
  if (original instanceof GatewayError) {
    return { error: rebuild(error, original.message, original.publicExtensions()), unexpected: false };
  }
  if (original === undefined || original === null || original instanceof GraphQLError) {
    const given = error.extensions.code;
    const http = error.extensions.http as HttpExtension | undefined;
    // A request error without a code happened before execution: a variable that failed to coerce (graphql
    // executors mark those HTTP 400) is bad input; anything else is a request the gateway does not serve.
    const code: ErrorCode | undefined =
      given === undefined ? (error.path ? (ARGUMENT_ERROR.test(error.message) ? 'BAD_USER_INPUT' : undefined) : http?.status === 400 ? 'BAD_USER_INPUT' : 'BAD_REQUEST') : isErrorCode(given) ? given : undefined;
    if (code !== undefined) {
      const extensions: GatewayErrorExtensions & { http?: HttpExtension } = { code, retryable: isRetryable(code) };
      const argument = error.extensions.argument;
      if (typeof argument === 'string') extensions.argument = argument;
      // GraphQL over HTTP: bad input is a well-formed request (200 for `application/json`, 400 only for
      // graphql-response+json); a request that is not a GraphQL request at all gets a 4xx whatever it accepts.
      if (code === 'BAD_USER_INPUT' && http) extensions.http = { ...http, spec: true };
      else if (code === 'BAD_REQUEST' || code === 'OPERATION_RESOLUTION_FAILURE') extensions.http = { ...http, status: http?.status ?? 400, spec: false };
      else if (http) extensions.http = http;
      return { error: rebuild(error, error.message, extensions), unexpected: false };
    }
  }
  return { error: rebuild(error, 'Unexpected error.', { code: 'INTERNAL_SERVER_ERROR', retryable: false }), unexpected: true };
}

/** The public face: message, location, path and extensions; no cause, and no stack to capture. */
function rebuild(error: GraphQLError, message: string, extensions: Record<string, unknown>): GraphQLError {
  return withoutStack(
    () =>
      new GraphQLError(message, {
        nodes: error.nodes ?? null,
        source: error.source ?? null,
        positions: error.positions ?? null,
        path: error.path ?? null,
        extensions,
      }),
  );
}

/** A field's error already in its public form, where it happened: the masking passes it as it is. */
export class PublicFieldError extends GraphQLError {}

/**
 * The public form of a {@link GatewayError} that failed the field at `nodes`/`path`: what {@link toPublicError}
 * would make of it (message and `publicExtensions()`, no cause, no stack), built once, in the resolver.
 */
export function publicFieldError(error: GatewayError, nodes: readonly ASTNode[], path: ReadonlyArray<string | number>): PublicFieldError {
  return withoutStack(() => new PublicFieldError(error.message, { nodes, path, extensions: error.publicExtensions() }));
}

/** An intended error with a code from the tables (its `retryable` too), and the HTTP status it implies. */
export function gatewayError(code: ErrorCode, message: string, httpStatus?: number): GraphQLError {
  const extensions: Record<string, unknown> = { code, retryable: isRetryable(code) };
  if (httpStatus !== undefined) extensions.http = { status: httpStatus, spec: false };
  return new GraphQLError(message, { extensions });
}

/** The JSON body of a request refused before GraphQL ran: `{ errors: [{ message, extensions }] }`. */
export function refusalBody(code: ErrorCode, message: string): string {
  return JSON.stringify({ errors: [{ message, extensions: { code, retryable: isRetryable(code) } }] });
}
