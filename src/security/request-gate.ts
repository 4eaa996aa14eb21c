import type { Plugin } from 'graphql-yoga';
import { refusalBody } from '../public-errors.js';
import type { ErrorCode } from '../upstream/gateway-codes.js';
import type { Logger } from '../logger.js';
import type { ApiKey, ApiKeyRegistry } from './api-keys.js';

/** Who is calling: a client key, or nobody (anonymous access allowed by the configuration). */
export type Caller = { key: ApiKey } | { key: null };

export interface RequestGateOptions {
  /** The client keys; null when no key file is configured. */
  keys: ApiKeyRegistry | null;
  /** Refuse requests without a valid key (a key file is configured). */
  requireKey: boolean;
  /** The GraphiQL page may be fetched without a key (a browser cannot send one); its queries need one. */
  graphiql: boolean;
  /** Where refusals and the key's name are logged; never the key itself. */
  logger: Pick<Logger, 'debug' | 'info'>;
}

/**
 * Headers a browser cannot send cross-site without a CORS preflight. A GET carrying one of them (or an
 * `Authorization` header) was allowed by CORS; a plain GET may be a cross-site request forgery.
 */
export const PREFLIGHT_HEADERS = ['authorization', 'x-graphql-yoga-csrf', 'apollo-require-preflight', 'x-apollo-operation-name', 'graphql-preflight'];

const callers = new WeakMap<Request, Caller>();

/** The caller the gate admitted for this request. */
export function callerOf(request: Request): Caller {
  return callers.get(request) ?? { key: null };
}

/**
 * The gateway's front door, before anything is parsed or executed:
 * - browser safety: only `POST application/json`, or a GET that carries a preflighted header, is executed —
 *   form, multipart and text bodies (which a page on any site can send) and plain GETs are refused;
 * - authentication: with a key file, `Authorization: Bearer <key>` must name a known key, else HTTP 401.
 */
export function useRequestGate(options: RequestGateOptions): Plugin {
  return {
    onRequest({ request, endResponse, fetchAPI }) {
      const refuse = (status: number, code: ErrorCode, message: string, headers: Record<string, string> = {}) =>
        endResponse(
          new fetchAPI.Response(refusalBody(code, message), {
            status,
            headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
          }),
        );
      const method = request.method;
      if (method === 'OPTIONS') return; // CORS preflight: answered by yoga's CORS handling
      const accept = request.headers.get('accept') ?? '';
      const pageRequest = method === 'GET' && options.graphiql && accept.includes('text/html');
      if (method === 'POST') {
        const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
        if (type !== 'application/json') {
          return refuse(415, 'BAD_REQUEST', 'Send GraphQL requests as POST with content-type: application/json.', { accept: 'application/json' });
        }
      } else if (method === 'GET') {
        if (!pageRequest && !PREFLIGHT_HEADERS.some((name) => request.headers.has(name))) {
          return refuse(403, 'BAD_REQUEST', 'A GET request must carry a header browsers cannot send cross-site (e.g. apollo-require-preflight: true); or use POST with application/json.');
        }
      } else {
        return; // yoga answers 405 (BAD_REQUEST) for other methods
      }
      if (pageRequest) return;
      const authorization = request.headers.get('authorization');
      const key = options.keys?.authenticate(authorization) ?? null;
      // A key that was sent but is not valid is refused even where anonymous access is allowed.
      if (key === null && (options.requireKey || (authorization !== null && options.keys !== null))) {
        options.logger.info(`refused a request without a valid client key (${authorization === null ? 'no Authorization header' : 'unknown key'})`);
        return refuse(401, 'UNAUTHENTICATED', 'A valid client key is required: send Authorization: Bearer <key>.', { 'www-authenticate': 'Bearer' });
      }
      if (key) options.logger.debug(`request by client key "${key.name}"`);
      callers.set(request, { key });
    },
  };
}
