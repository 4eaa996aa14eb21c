import { ERROR_CODES } from '../error-codes.js';
import { builder } from './builder.js';

/** Generated from the return-code table and the gateway's codes: never edited by hand. */
export const ErrorCodeEnum = builder.enumType('ErrorCode', {
  description:
    'The value of `extensions.code` on every error in `errors[]`. Vendor codenames (with `extensions.upstream` holding the vendor number, codename, request id and method) and the gateway’s own codes. `extensions.retryable` says whether retrying can help.',
  values: Object.fromEntries(
    ERROR_CODES.map((info) => [info.code, { value: info.code, description: `${info.description}${info.retryable ? ' Retryable.' : ''}` }]),
  ),
});
