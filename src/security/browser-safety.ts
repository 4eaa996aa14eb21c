import type { CORSOptions, Plugin } from 'graphql-yoga';
import { PREFLIGHT_HEADERS } from './request-gate.js';

/**
 * CORS: no `Access-Control-Allow-Origin` unless the request's origin is listed (GATEWAY_CORS_ORIGINS); with
 * `anyOrigin` (demo mode only) every origin may read, but never with credentials. Keys travel in the
 * `Authorization` header, never in cookies, so credentials are never needed.
 */
export function corsPolicy(allowedOrigins: readonly string[], anyOrigin: boolean): (request: Request) => CORSOptions | false {
  const allowed = new Set(allowedOrigins);
  const options = (origin: string): CORSOptions => ({
    origin: [origin],
    credentials: false,
    methods: ['GET', 'POST'],
    allowedHeaders: ['content-type', 'accept', ...PREFLIGHT_HEADERS, 'apollo-federation-include-trace'],
    maxAge: 600,
  });
  return (request) => {
    const origin = request.headers.get('origin');
    if (origin === null) return false;
    if (anyOrigin || allowed.has(origin)) return options(origin);
    return false;
  };
}

/**
 * The GraphiQL page's Content-Security-Policy: its scripts and styles are inline (`inline` mode) or from
 * unpkg (`cdn` mode); it talks only to this origin and cannot be framed.
 */
function graphiqlPolicy(cdn: boolean): string {
  const assets = cdn ? " https://unpkg.com" : '';
  return [
    "default-src 'none'",
    `script-src 'self' 'unsafe-inline'${assets}`,
    `style-src 'self' 'unsafe-inline'${assets}`,
    `font-src 'self' data:${assets}`,
    "img-src 'self' data: blob:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/**
 * Headers on every answer: `nosniff`, no referrer; GraphQL answers are never cached by a browser or proxy
 * (they carry one caller's data); the GraphiQL page gets a CSP.
 */
export function useSecurityHeaders(options: { graphiqlFromCdn: boolean }): Plugin {
  const csp = graphiqlPolicy(options.graphiqlFromCdn);
  return {
    onResponse({ response }) {
      response.headers.set('x-content-type-options', 'nosniff');
      response.headers.set('referrer-policy', 'no-referrer');
      if ((response.headers.get('content-type') ?? '').startsWith('text/html')) {
        response.headers.set('content-security-policy', csp);
        response.headers.set('x-frame-options', 'DENY');
      } else {
        response.headers.set('cache-control', 'no-store');
      }
    },
  };
}
