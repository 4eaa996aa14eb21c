import { GraphQLError } from 'graphql';
import { isRetryable, type GatewayErrorExtensions } from '../error-codes.js';
import { withoutStack } from '../upstream/errors.js';

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
