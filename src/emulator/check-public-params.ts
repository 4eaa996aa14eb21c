import type { FailureCodename } from '../upstream/return-codes.js';
import { parseBeijingTimestamp } from './beijing-clock.js';
import { DEFAULT_AID, type EmulatorKey } from './keys.js';
import { reject, type Rejection } from './rejection.js';
import type { ReplayGuard } from './replay-guard.js';
import { parseSignMethod, verifySignature } from './verify-signature.js';

/**
 * The platform's checks of the public parameters, in the platform's order; the first failure answers.
 * (Steps 2–8 of the emulator's pipeline; decoding is step 1, faults/token/business checks come after.)
 */

/** Presence checks, in the order the platform makes them. */
export const REQUIRED_PUBLIC_PARAMS: readonly (readonly [name: string, codename: FailureCodename])[] = [
  ['_akey', 'KEY_NOTNULL'],
  ['_sm', 'SIGN_METHOD_NOTNULL'],
  ['_sig', 'SIGN_NOTNULL'],
  ['_mt', 'METHOD_NOTNULL'],
  ['_requestMode', 'REQUESTMODE_NOTNULL'],
  ['_aid', 'APPLICATIONID_NOTNULL'],
  ['_version', 'VERSION_NOTNULL'],
  ['_timestamp', 'TIMESTAMP_NOTNULL'],
];

/** The only `_version` the platform serves. */
export const SUPPORTED_VERSION = 'v1';

export interface PublicParamContext {
  keys: ReadonlyMap<string, EmulatorKey>;
  /** Every registered `_mt`. */
  registeredMethods: readonly string[];
  /** The emulator's clock, epoch ms. */
  now: number;
  timestampWindowSeconds: number;
  replay: ReplayGuard;
}

export type PublicParamResult = { ok: true; key: EmulatorKey; method: string } | ({ ok: false } & Rejection);

export function checkPublicParams(params: ReadonlyMap<string, string>, ctx: PublicParamContext): PublicParamResult {
  const fail = (codename: FailureCodename, detail?: string): PublicParamResult => ({ ok: false, ...reject(codename, detail) });
  const get = (name: string): string => params.get(name) ?? '';

  for (const [name, codename] of REQUIRED_PUBLIC_PARAMS) {
    if (get(name) === '') return fail(codename);
  }

  const signMethod = parseSignMethod(get('_sm'));
  if (signMethod === null) return fail('SIGN_TYPE_NOTEXIST');
  const format = params.get('_format');
  if (format !== undefined && !['json', 'xml'].includes(format.toLowerCase())) return fail('FORMAT_TYPE_NOTEXIST');
  const timestamp = parseBeijingTimestamp(get('_timestamp'));
  if (timestamp === null) return fail('TIMESTAMP_FORMAT_ERROR');

  const akey = get('_akey');
  const key = ctx.keys.get(akey);
  if (key === undefined) return fail('KEY_UNLAWFUL');
  if (key.expired === true) return fail('KEY_HAS_EXPIRED');
  if (get('_aid') !== (key.aid ?? DEFAULT_AID)) return fail('APPLICATIONID_NOTSAME');

  const sig = get('_sig');
  if (!verifySignature(params, key.secret, signMethod, sig)) return fail('SIGN_WRONG');

  // Recorded before the timestamp check: every well-signed request counts as seen, even a stale one.
  const windowMs = ctx.timestampWindowSeconds * 1000;
  const seenBefore = ctx.replay.remember(akey, sig, ctx.now);
  if (Math.abs(ctx.now - timestamp) > windowMs) {
    return fail('TIMESTAMP_OVERTIME', `${reject('TIMESTAMP_OVERTIME').result} The platform accepts ±${ctx.timestampWindowSeconds} s (Beijing time, UTC+8).`);
  }
  if (seenBefore !== null) return fail('API_CALL_REPEAT');

  const method = get('_mt');
  if (!ctx.registeredMethods.includes(method)) return fail('METHOD_NOTEXIST_CODE', `Method ${method} is not registered.`);
  if (get('_version') !== SUPPORTED_VERSION) return fail('METHOD_NOTEXIST_CODE', `Method ${method} has no version ${get('_version')}.`);
  if (key.methods !== undefined && !key.methods.includes(method)) {
    return fail('METHOD_NOTEXIST_CODE', `Method ${method} is not granted to this key.`);
  }
  return { ok: true, key, method };
}
