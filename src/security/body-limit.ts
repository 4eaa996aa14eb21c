import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { refusalBody } from '../public-errors.js';

/** What the limited handler forwards to: yoga's node handler, and yoga's fetch for bodies it buffered. */
export interface BodyLimitTarget {
  handleNode: RequestListener;
  fetch(url: string, init: { method: string; headers: Headers; body: Uint8Array }): Promise<Response> | Response;
}

/**
 * Refuses request bodies larger than `maxBodyBytes` with HTTP 413 `PAYLOAD_TOO_LARGE` before yoga reads them,
 * at no cost per ordinary request: a `Content-Length` is checked as a number; only a chunked body (no length)
 * is counted while it arrives — buffered up to the limit and then handed to yoga whole. yoga's own limit
 * (a TransformStream per request) is turned off in its place.
 */
export function limitRequestBodies(target: BodyLimitTarget, maxBodyBytes: number): RequestListener {
  return (req, res) => {
    const declared = req.headers['content-length'];
    if (declared !== undefined) {
      // Node has already refused a malformed or duplicated Content-Length (HTTP 400) before we get here.
      if (Number(declared) > maxBodyBytes) return refuseTooLarge(req, res, maxBodyBytes);
      return target.handleNode(req, res);
    }
    if (req.headers['transfer-encoding'] === undefined) return target.handleNode(req, res);
    void forwardChunked(target, req, res, maxBodyBytes);
  };
}

async function forwardChunked(target: BodyLimitTarget, req: IncomingMessage, res: ServerResponse, maxBodyBytes: number): Promise<void> {
  const body = await new Promise<Buffer | null>((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBodyBytes) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData);
      req.off('end', onEnd);
      refuseTooLarge(req, res, maxBodyBytes);
      resolve(null);
    };
    const onEnd = () => resolve(Buffer.concat(chunks, size));
    req.on('data', onData);
    req.once('end', onEnd);
    // The client went away while sending: nobody is left to answer.
    req.once('error', () => resolve(null));
  });
  if (body === null) return;
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name === 'transfer-encoding') continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  const response = await target.fetch(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, {
    method: req.method ?? 'POST',
    headers,
    body,
  });
  const answer = Buffer.from(await response.arrayBuffer());
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(answer);
}

/**
 * After a 413 the rest of the body is read and thrown away (nothing is kept), so the client reads the answer
 * instead of a connection reset — up to these bounds; a client that keeps sending beyond them is cut off.
 */
const DRAIN_MAX_BYTES = 16 * 1024 * 1024;
const DRAIN_MAX_MS = 10_000;

function refuseTooLarge(req: IncomingMessage, res: ServerResponse, maxBodyBytes: number): void {
  const body = refusalBody('PAYLOAD_TOO_LARGE', `The request body exceeds ${maxBodyBytes} bytes (GATEWAY_MAX_BODY_BYTES).`);
  res.writeHead(413, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  });
  res.end(body);
  let discarded = 0;
  const cutOff = setTimeout(() => req.destroy(), DRAIN_MAX_MS);
  cutOff.unref();
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > DRAIN_MAX_BYTES) req.destroy();
  });
  req.once('close', () => clearTimeout(cutOff));
  req.resume();
}
