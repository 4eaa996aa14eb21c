import type { IncomingMessage } from 'node:http';
import { decodeForm, FormDecodeError, mergeParams } from './form-decode.js';

/**
 * From an HTTP request to the parameters the platform sees: path and query string, headers, and the body
 * read in full (bounded) and decoded strictly.
 */

/** Larger bodies answer UNKNOWN_ERROR; a passenger-flow request is a few hundred bytes. */
const MAX_BODY_BYTES = 1024 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The parameters, or why they cannot be decoded (a message safe to put in the `result` of UNKNOWN_ERROR). */
export type DecodedParams = { ok: true; params: Map<string, string> } | { ok: false; detail: string };

/** `/path?query` → the path and the raw (still encoded) query string. */
export function splitTarget(target: string): { path: string; rawQuery: string } {
  const queryAt = target.indexOf('?');
  return {
    path: queryAt === -1 ? target : target.slice(0, queryAt),
    rawQuery: queryAt === -1 ? '' : target.slice(queryAt + 1),
  };
}

/** The first value of a request header, or null when absent. */
export function headerValue(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  if (value === undefined) return null;
  return Array.isArray(value) ? (value[0] ?? null) : value;
}

/**
 * Reads the whole body and decodes it with the query string; `null` when the client went away mid-body
 * (nobody is left to answer).
 */
export async function decodeRequestParams(req: IncomingMessage, rawQuery: string): Promise<DecodedParams | null> {
  const body = await readBody(req);
  if (body === null) return null;
  // Checked before the query string, so an oversized request is refused as such whatever else is wrong.
  if (body === 'too-large') return { ok: false, detail: `request body larger than ${MAX_BODY_BYTES} bytes` };
  try {
    return { ok: true, params: decodeParams(rawQuery, body, req.headers['content-type']) };
  } catch (error) {
    return { ok: false, detail: error instanceof FormDecodeError ? error.message : 'undecodable request' };
  }
}

/** The whole body, or `'too-large'` (the body is still drained), or null when the client aborted. */
async function readBody(req: IncomingMessage): Promise<Buffer | 'too-large' | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    }
  } catch {
    return null;
  }
  return size > MAX_BODY_BYTES ? 'too-large' : Buffer.concat(chunks);
}

/**
 * Query string merged with a form body. Only a form-encoded body carries parameters (as in a servlet
 * container): a client that posts its form as text/plain is missing every parameter, and learns so.
 *
 * @throws FormDecodeError when the query string or a form body cannot be decoded.
 */
function decodeParams(rawQuery: string, body: Buffer, contentType: string | undefined): Map<string, string> {
  // A proper client percent-encodes everything outside printable ASCII.
  if (/[^\x21-\x7e]/.test(rawQuery)) throw new FormDecodeError('unencoded characters in the query string');
  const query = decodeForm(rawQuery);
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/x-www-form-urlencoded' || body.length === 0) return query;
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new FormDecodeError('the request body is not valid UTF-8');
  }
  return mergeParams(query, decodeForm(text));
}
