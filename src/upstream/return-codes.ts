/**
 * The one table of the opretail open platform's public return codes (`stat.code`).
 *
 * The GraphQL `ErrorCode` enum, the error extensions, the client's retry policy (the `retry` column) and the
 * emulator's answers are derived from this table, never retyped. Source: the vendor's public return-code
 * table (see `shared/upstream/opretail-api.md`).
 */

/**
 * What the client does after a failure, read by its retry loop:
 * - `never`: a retry cannot help (configuration, account, or a malformed request: the remedy says which);
 * - `resign`: the platform refused this signed request (clock, replay): sign it again — with a fresh
 *   timestamp second when no nonce is sent — and retry;
 * - `backoff`: a transient failure: retry after a jittered exponential backoff.
 */
export type RetryPolicy = 'never' | 'resign' | 'backoff';

export interface ReturnCodeInfo {
  readonly codename: string;
  readonly code: number;
  /** The vendor's meaning, in English. */
  readonly meaning: string;
  /** What the caller (operator) should do. */
  readonly remedy: string;
  readonly retry: RetryPolicy;
  /** Whether a caller may retry: the public `extensions.retryable`, derived from `retry`. */
  readonly retryable: boolean;
}

const RETURN_CODE_ROWS = [
  { codename: 'SUCCESS', code: 0, meaning: 'Call succeeded.', remedy: '', retry: 'never' },
  { codename: 'KEY_NOTNULL', code: 1, meaning: '`_akey` is empty.', remedy: 'Configure OPRETAIL_APP_KEY.', retry: 'never' },
  { codename: 'KEY_UNLAWFUL', code: 2, meaning: '`_akey` is unknown to the platform.', remedy: 'Check OPRETAIL_APP_KEY.', retry: 'never' },
  { codename: 'KEY_HAS_EXPIRED', code: 3, meaning: '`_akey` has expired.', remedy: 'Renew the service or contact the platform administrator.', retry: 'never' },
  { codename: 'SIGN_METHOD_NOTNULL', code: 4, meaning: '`_sm` (signature method) is empty.', remedy: 'Gateway bug: report it.', retry: 'never' },
  { codename: 'SIGN_TYPE_NOTEXIST', code: 5, meaning: '`_sm` is neither md5 nor sha1.', remedy: 'Set OPRETAIL_SIGN_METHOD to md5 or sha1.', retry: 'never' },
  { codename: 'SIGN_NOTNULL', code: 6, meaning: '`_sig` (signature) is empty.', remedy: 'Gateway bug: report it.', retry: 'never' },
  { codename: 'SIGN_WRONG', code: 7, meaning: 'The signature is invalid.', remedy: 'Check OPRETAIL_APP_SECRET (wrong secret) or report a signing bug.', retry: 'never' },
  { codename: 'METHOD_NOTNULL', code: 8, meaning: '`_mt` (method name) is empty.', remedy: 'Gateway bug: report it.', retry: 'never' },
  { codename: 'METHOD_NOTEXIST_CODE', code: 9, meaning: 'The `_mt`/`_version` method is not registered or not granted to this key.', remedy: 'Enable the method for this key in the vendor console.', retry: 'never' },
  { codename: 'REQUESTMODE_NOTNULL', code: 10, meaning: '`_requestMode` is empty.', remedy: 'Gateway bug: report it.', retry: 'never' },
  { codename: 'APPLICATIONID_NOTNULL', code: 11, meaning: '`_aid` is empty.', remedy: 'Gateway bug or empty OPRETAIL_AID.', retry: 'never' },
  { codename: 'APPLICATIONID_NOTSAME', code: 12, meaning: '`_aid` does not match the key.', remedy: 'Set OPRETAIL_AID to the application id issued with the key.', retry: 'never' },
  { codename: 'VERSION_NOTNULL', code: 13, meaning: '`_version` is empty.', remedy: 'Gateway bug: report it.', retry: 'never' },
  { codename: 'TIMESTAMP_NOTNULL', code: 14, meaning: '`_timestamp` is empty.', remedy: 'Gateway bug: report it.', retry: 'never' },
  { codename: 'TIMESTAMP_FORMAT_ERROR', code: 15, meaning: '`_timestamp` is not in yyyyMMddHHmmss format.', remedy: 'Gateway bug: report it.', retry: 'never' },
  { codename: 'TIMESTAMP_OVERTIME', code: 16, meaning: '`_timestamp` is too far from the platform clock.', remedy: 'Re-sign with a fresh timestamp; check the host clock and OPRETAIL_TIMEZONE.', retry: 'resign' },
  { codename: 'FORMAT_TYPE_NOTEXIST', code: 17, meaning: '`_format` is neither json nor xml.', remedy: 'Gateway bug: report it.', retry: 'never' },
  { codename: 'API_CALL_REPEAT', code: -100, meaning: 'Duplicate call: the same signed request was replayed.', remedy: 'Re-sign (new nonce/timestamp) before retrying.', retry: 'resign' },
  { codename: 'API_SYSTEM_CALL_ERROR', code: -500, meaning: 'API call failed: platform system exception.', remedy: 'Transient: retry with backoff.', retry: 'backoff' },
  { codename: 'UNKNOWN_ERROR', code: -999, meaning: 'Open platform system exception.', remedy: 'Transient: retry.', retry: 'backoff' },
] as const satisfies readonly Omit<ReturnCodeInfo, 'retryable'>[];

export const RETURN_CODES: readonly ReturnCodeInfo[] = RETURN_CODE_ROWS.map((row) => ({
  ...row,
  retryable: row.retry !== 'never',
}));

export type ReturnCodename = (typeof RETURN_CODE_ROWS)[number]['codename'];
/** The 20 non-success codenames. */
export type FailureCodename = Exclude<ReturnCodename, 'SUCCESS'>;

const byCode = new Map<number, ReturnCodeInfo>(RETURN_CODES.map((c) => [c.code, c]));
const byName = new Map<string, ReturnCodeInfo>(RETURN_CODES.map((c) => [c.codename, c]));

export const SUCCESS_CODE = 0;

/** The table row for a numeric code, or `undefined` for a business code outside the public table. */
export function returnCodeByNumber(code: number): ReturnCodeInfo | undefined {
  return byCode.get(code);
}

export function returnCodeByName(codename: string): ReturnCodeInfo | undefined {
  return byName.get(codename);
}

/** The 20 non-success rows, in table order. */
export const FAILURE_CODES: readonly ReturnCodeInfo[] = RETURN_CODES.filter((c) => c.code !== SUCCESS_CODE);

/**
 * Business codes outside the public table that integrators have seen. They pass through the gateway with
 * their number and codename (as `UPSTREAM_ERROR`); listed here so the emulator and tests share one spelling
 * (the misspellings are the vendor's).
 */
export const BUSINESS_CODES = {
  TOKEN_NOT_EXIST: { codename: 'TOKEN_NOT_EXIST', code: 9990001 },
  USERNAME_ERROE: { codename: 'USERNAME_ERROE', code: 103094 },
  PASSWORD_ERROE: { codename: 'PASSWORD_ERROE', code: 103095 },
} as const;
