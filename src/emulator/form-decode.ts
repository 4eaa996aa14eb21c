/**
 * Strict `application/x-www-form-urlencoded` decoding, done by hand on purpose.
 *
 * `URLSearchParams` is forgiving: it keeps a malformed `%` sequence as literal text and replaces invalid
 * UTF-8 with U+FFFD, so a client that encodes wrongly would still get a (differently signed) answer. The
 * real platform answers such requests with UNKNOWN_ERROR, and so must the emulator.
 */

/** Thrown when a query string or form body cannot be decoded; the emulator answers UNKNOWN_ERROR (-999). */
export class FormDecodeError extends Error {
  readonly code = 'FORM_DECODE_ERROR';
  constructor(message: string) {
    super(message);
    this.name = 'FormDecodeError';
  }
}

/**
 * Decodes `name=value&name2=value2`.
 *
 * - pairs are split on `&`; empty segments (`a=1&&b=2`) are skipped, as servlet containers do;
 * - name and value are split on the FIRST `=`; a name without `=` has the value `''`;
 * - `+` means a space; `%XX` sequences must form valid UTF-8;
 * - when a name occurs twice, the first occurrence wins (what `request.getParameter` returns).
 *
 * A `Map` rather than an object: parameter names are attacker-controlled (`__proto__`, `constructor`).
 *
 * @throws FormDecodeError on a malformed percent sequence or invalid UTF-8.
 */
export function decodeForm(text: string): Map<string, string> {
  const params = new Map<string, string>();
  if (text === '') return params;
  for (const segment of text.split('&')) {
    if (segment === '') continue;
    const eq = segment.indexOf('=');
    const rawName = eq === -1 ? segment : segment.slice(0, eq);
    const rawValue = eq === -1 ? '' : segment.slice(eq + 1);
    const name = decodeComponent(rawName);
    const value = decodeComponent(rawValue);
    if (!params.has(name)) params.set(name, value);
  }
  return params;
}

/**
 * Merges the query string and the body: the body wins on a name present in both (a POST body is what the
 * official SDKs sign; a stray query parameter must not override it).
 */
export function mergeParams(query: ReadonlyMap<string, string>, body: ReadonlyMap<string, string>): Map<string, string> {
  const merged = new Map(query);
  for (const [name, value] of body) merged.set(name, value);
  return merged;
}

function decodeComponent(raw: string): string {
  // `+` first: a literal plus travels as `%2B` and must survive.
  const spaced = raw.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    throw new FormDecodeError('malformed percent-encoding or invalid UTF-8 in the request parameters');
  }
}
