/**
 * The physical limit for a one-store-day request on this machine: a bare `node:http` server that takes the
 * variables `id` and `day` out of the request's JSON body (nothing else of it: no GraphQL parsing, validation
 * or execution), makes the same signed call through the same client as the gateway (limit-client.ts), and
 * answers the JSON the gateway answers to ONE_STORE_DAY_QUERY (`{ data: { store: { id, day: { …figures } } } }`),
 * so the same body check judges both. Prints one `limit listening on <url>` line; run as its own process.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { limitUpstreamFromEnv } from './limit-client.js';
import { serveOnLoopback } from './serve-loopback.js';

const upstream = await limitUpstreamFromEnv();

function send(res: ServerResponse, status: number, answer: unknown): void {
  const text = JSON.stringify(answer);
  res.writeHead(status, { 'content-type': 'application/graphql-response+json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

async function answer(body: string, res: ServerResponse): Promise<void> {
  let variables: { id?: unknown; day?: unknown } | undefined;
  try {
    variables = (JSON.parse(body) as { variables?: { id?: unknown; day?: unknown } }).variables;
  } catch {
    // Answered below, as a request without the variables.
  }
  const id = variables?.id;
  const day = variables?.day;
  if (typeof id !== 'string' || typeof day !== 'string') {
    send(res, 400, { errors: [{ message: 'expected a JSON body with variables id and day' }] });
    return;
  }
  try {
    const figures = await upstream.storeWindow(id, day, day);
    const { inflow, passBy, outsideFlow, inShopRate, outflow } = figures;
    send(res, 200, { data: { store: { id, day: { inflow, passBy, outsideFlow, inShopRate, outflow } } } });
  } catch (error) {
    // The error's code only: never an upstream body.
    const code = (error as { code?: unknown }).code;
    send(res, 200, { errors: [{ message: 'the upstream call failed', extensions: { code: typeof code === 'string' ? code : 'INTERNAL_ERROR' } }], data: { store: null } });
  }
}

serveOnLoopback(
  'limit',
  (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => void answer(Buffer.concat(chunks).toString('utf8'), res));
  },
  () => upstream.close(),
);
