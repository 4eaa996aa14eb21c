import { GraphQLError, responsePathAsArray, type GraphQLResolveInfo } from 'graphql';
import { isRetryable, type GatewayErrorExtensions } from '../error-codes.js';
import { publicFieldError } from '../public-errors.js';
import { GatewayError, withoutStack } from '../upstream/errors.js';

/** An input rule was broken; thrown before any upstream call. */
export function badUserInput(message: string, argument?: string): GraphQLError {
  const extensions: GatewayErrorExtensions = { code: 'BAD_USER_INPUT', retryable: isRetryable('BAD_USER_INPUT') };
  if (argument) extensions.argument = argument;
  return withoutStack(() => new GraphQLError(message, { extensions }));
}

/** The caller's key may not read what it asked for; nothing was fetched. */
export function forbidden(message: string): GraphQLError {
  return withoutStack(() => new GraphQLError(message, { extensions: { code: 'FORBIDDEN', retryable: isRetryable('FORBIDDEN') } }));
}

/** Where a field is: its nodes in the query (for `locations`) and its response path. */
export type FieldAt = Pick<GraphQLResolveInfo, 'fieldNodes' | 'path'>;

/**
 * The rejection handler of a field's upstream answer: a {@link GatewayError} becomes the field's public error at
 * once, located at the field (or at item `index` of its list). graphql-js takes an error that already has a path
 * as it is, and the masking passes it, so a failing field builds one error instead of three (two of them with a
 * stack trace): with the vendor down, that was about a tenth of the CPU of an answer. Anything else is rethrown
 * for graphql-js to locate and the masking to hide.
 */
export function failedAt(field: FieldAt, index?: number): (error: unknown) => never {
  return (error) => {
    if (!(error instanceof GatewayError)) throw error;
    const path = responsePathAsArray(field.path);
    throw publicFieldError(error, field.fieldNodes, index === undefined ? path : [...path, index]);
  };
}
