import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The emulator's own implementation of the opretail signature, deliberately independent of
 * `src/upstream/sign.ts`: if both sides shared one signer, a bug in it would pass every test.
 *
 * Rule (vendor SDK README): every received parameter except `_sig` — business parameters and empty values
 * included — names sorted by UTF-16 code unit (plain `.sort()`, not `localeCompare`),
 * `secret + name1 + value1 + … + secret`, UTF-8, MD5 or SHA1, hex.
 */

export type EmulatorSignMethod = 'md5' | 'sha1';

/** `_sm` as sent → the hash algorithm, case-insensitively; `null` for anything else (SIGN_TYPE_NOTEXIST). */
export function parseSignMethod(sm: string): EmulatorSignMethod | null {
  const lower = sm.toLowerCase();
  return lower === 'md5' || lower === 'sha1' ? lower : null;
}

/** The expected signature (uppercase hex) of the received parameters. */
export function expectedSignature(
  params: ReadonlyMap<string, string>,
  secret: string,
  method: EmulatorSignMethod,
): string {
  const names = [...params.keys()].filter((name) => name !== '_sig').sort();
  // One string, hashed once: the rule is defined on the UTF-8 bytes of the whole concatenation.
  let text = secret;
  for (const name of names) text += name + (params.get(name) ?? '');
  text += secret;
  return createHash(method).update(text, 'utf8').digest('hex').toUpperCase();
}

/**
 * Whether `_sig` matches, compared case-insensitively and in constant time (a timing side channel on the
 * comparison would let a caller forge signatures byte by byte).
 */
export function verifySignature(
  params: ReadonlyMap<string, string>,
  secret: string,
  method: EmulatorSignMethod,
  signature: string,
): boolean {
  const expected = Buffer.from(expectedSignature(params, secret, method), 'utf8');
  const received = Buffer.from(signature.toUpperCase(), 'utf8');
  // timingSafeEqual needs equal lengths; the length of a hex digest is public anyway.
  if (expected.length !== received.length) return false;
  return timingSafeEqual(expected, received);
}
