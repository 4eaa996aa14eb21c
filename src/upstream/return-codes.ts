/**
 * The one table of the opretail open platform's public return codes (`stat.code`).
 *
 * Everything else — the GraphQL `ErrorCode` enum, error extensions, the retry policy, metrics labels and
 * the emulator's answers — is derived from this table, never retyped. Source: the vendor's public
 * return-code table (see `shared/upstream/opretail-api.md`).
 */

/** What a caller should do about a code; drives the retry policy. */
export type ReturnCodeAction =
  /** Nothing: the call succeeded. */
  | 'none'
  /** Fix the gateway's configuration (key, secret, aid, sign method). */
  | 'configuration'
  /** The vendor account needs attention (renewal, method grant). */
  | 'account'
  /** The gateway built a malformed request: a bug on our side. */
  | 'bug'
  /** Sign again with a fresh timestamp / nonce and retry. */
  | 'resign'
  /** Transient platform failure: retry with backoff. */
  | 'retry';

export interface ReturnCodeInfo {
  readonly codename: string;
  readonly code: number;
  /** The vendor's meaning, in English. */
  readonly meaning: string;
  /** What the caller (operator) should do. */
  readonly remedy: string;
  readonly action: ReturnCodeAction;
  /** Whether an automatic retry (re-signed) can succeed. */
  readonly retryable: boolean;
}

export const RETURN_CODES = [
  { codename: 'SUCCESS', code: 0, meaning: 'Call succeeded.', remedy: '', action: 'none', retryable: false },
  { codename: 'KEY_NOTNULL', code: 1, meaning: '`_akey` is empty.', remedy: 'Configure OPRETAIL_APP_KEY.', action: 'configuration', retryable: false },
  { codename: 'KEY_UNLAWFUL', code: 2, meaning: '`_akey` is unknown to the platform.', remedy: 'Check OPRETAIL_APP_KEY.', action: 'configuration', retryable: false },
  { codename: 'KEY_HAS_EXPIRED', code: 3, meaning: '`_akey` has expired.', remedy: 'Renew the service or contact the platform administrator.', action: 'account', retryable: false },
  { codename: 'SIGN_METHOD_NOTNULL', code: 4, meaning: '`_sm` (signature method) is empty.', remedy: 'Gateway bug: report it.', action: 'bug', retryable: false },
  { codename: 'SIGN_TYPE_NOTEXIST', code: 5, meaning: '`_sm` is neither md5 nor sha1.', remedy: 'Set OPRETAIL_SIGN_METHOD to md5 or sha1.', action: 'configuration', retryable: false },
  { codename: 'SIGN_NOTNULL', code: 6, meaning: '`_sig` (signature) is empty.', remedy: 'Gateway bug: report it.', action: 'bug', retryable: false },
  { codename: 'SIGN_WRONG', code: 7, meaning: 'The signature is invalid.', remedy: 'Check OPRETAIL_APP_SECRET (wrong secret) or report a signing bug.', action: 'configuration', retryable: false },
  { codename: 'METHOD_NOTNULL', code: 8, meaning: '`_mt` (method name) is empty.', remedy: 'Gateway bug: report it.', action: 'bug', retryable: false },
  { codename: 'METHOD_NOTEXIST_CODE', code: 9, meaning: 'The `_mt`/`_version` method is not registered or not granted to this key.', remedy: 'Enable the method for this key in the vendor console.', action: 'account', retryable: false },
  { codename: 'REQUESTMODE_NOTNULL', code: 10, meaning: '`_requestMode` is empty.', remedy: 'Gateway bug: report it.', action: 'bug', retryable: false },
  { codename: 'APPLICATIONID_NOTNULL', code: 11, meaning: '`_aid` is empty.', remedy: 'Gateway bug or empty OPRETAIL_AID.', action: 'bug', retryable: false },
  { codename: 'APPLICATIONID_NOTSAME', code: 12, meaning: '`_aid` does not match the key.', remedy: 'Set OPRETAIL_AID to the application id issued with the key.', action: 'configuration', retryable: false },
  { codename: 'VERSION_NOTNULL', code: 13, meaning: '`_version` is empty.', remedy: 'Gateway bug: report it.', action: 'bug', retryable: false },
  { codename: 'TIMESTAMP_NOTNULL', code: 14, meaning: '`_timestamp` is empty.', remedy: 'Gateway bug: report it.', action: 'bug', retryable: false },
  { codename: 'TIMESTAMP_FORMAT_ERROR', code: 15, meaning: '`_timestamp` is not in yyyyMMddHHmmss format.', remedy: 'Gateway bug: report it.', action: 'bug', retryable: false },
  { codename: 'TIMESTAMP_OVERTIME', code: 16, meaning: '`_timestamp` is too far from the platform clock.', remedy: 'Re-sign with a fresh timestamp; check the host clock and OPRETAIL_TIMEZONE.', action: 'resign', retryable: true },
  { codename: 'FORMAT_TYPE_NOTEXIST', code: 17, meaning: '`_format` is neither json nor xml.', remedy: 'Gateway bug: report it.', action: 'bug', retryable: false },
  { codename: 'API_CALL_REPEAT', code: -100, meaning: 'Duplicate call: the same signed request was replayed.', remedy: 'Re-sign (new nonce/timestamp) before retrying.', action: 'resign', retryable: true },
  { codename: 'API_SYSTEM_CALL_ERROR', code: -500, meaning: 'API call failed: platform system exception.', remedy: 'Transient: retry with backoff.', action: 'retry', retryable: true },
  { codename: 'UNKNOWN_ERROR', code: -999, meaning: 'Open platform system exception.', remedy: 'Transient: retry.', action: 'retry', retryable: true },
] as const satisfies readonly ReturnCodeInfo[];

export type ReturnCodename = (typeof RETURN_CODES)[number]['codename'];
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
