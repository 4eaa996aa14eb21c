import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A pass-through HTTP proxy in front of the emulator that remembers every `_sig` the gateway sent, so a test
 * can look for the exact signatures in what the gateway answered and logged. The emulator does not keep
 * signatures (it must never echo one), hence this recorder.
 */
export interface SignatureRecorder {
  /** Same path as the target's endpoint, on the recorder's port: give it to the gateway as OPRETAIL_BASE_URL. */
  readonly url: string;
  /** Every `_sig` seen, from form bodies and query strings. */
  readonly signatures: ReadonlySet<string>;
  close(): Promise<void>;
}

/** Headers fetch sets itself or refuses. */
const HOP_BY_HOP = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Starts the recorder on an ephemeral loopback port, forwarding to `targetUrl`'s origin (e.g. the emulator's `url`). */
export async function startSignatureRecorder(targetUrl: string): Promise<SignatureRecorder> {
  const target = new URL(targetUrl);
  const signatures = new Set<string>();
  const record = (params: URLSearchParams) => {
    for (const sig of params.getAll('_sig')) signatures.add(sig);
  };
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const url = new URL(req.url ?? '/', target.origin);
      record(url.searchParams);
      if (body.length > 0) record(new URLSearchParams(body.toString('utf8')));
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (value === undefined || HOP_BY_HOP.has(name)) continue;
        for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
      }
      const answer = await fetch(url, { method: req.method ?? 'POST', headers, ...(body.length > 0 ? { body: new Uint8Array(body) } : {}) });
      const answerBody = Buffer.from(await answer.arrayBuffer());
      res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/octet-stream' });
      res.end(answerBody);
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${target.pathname}`,
    signatures,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
