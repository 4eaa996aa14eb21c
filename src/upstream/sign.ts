import { createHash } from 'node:crypto';

/** Signature algorithms the opretail platform accepts in `_sm`. */
export type SignMethod = 'md5' | 'sha1';

export const SIGN_METHODS: readonly SignMethod[] = ['md5', 'sha1'];

/** The name of the signature parameter; it is never part of what is signed. */
export const SIGNATURE_PARAM = '_sig';

/**
 * Signs an opretail request the way the vendor's official SDKs do.
 *
 * Every parameter except `_sig` takes part, empty values included. Names are sorted in ordinal
 * (UTF-16 code unit) order — `Array.prototype.sort()`'s default, deliberately not `localeCompare`,
 * which would put `starthour` before `startTime`. The string `secret + name1 + value1 + … + secret`
 * is hashed as UTF-8 and rendered as uppercase hex.
 *
 * Sign exactly the strings that go on the wire.
 */
export function signParams(params: Record<string, string>, secret: string, method: SignMethod): string {
  const names = Object.keys(params)
    .filter((name) => name !== SIGNATURE_PARAM)
    .sort();
  let text = secret;
  for (const name of names) text += name + params[name];
  text += secret;
  return createHash(method).update(text, 'utf8').digest('hex').toUpperCase();
}
