import type { IncomingMessage, ServerResponse } from 'node:http';

/** One readiness check: its name, whether it passes, and a short word on its state. */
export interface ReadinessCheck {
  name: string;
  ok(): boolean;
  state(): string;
}

export const HEALTH_PATH = '/health';
export const READINESS_PATH = '/readiness';

/**
 * `/health`: the process is alive (always 200 while it can answer). `/readiness`: whether it should get traffic —
 * 200 when every check passes, 503 otherwise — with each check in the JSON body, e.g. the circuit breaker
 * (closed), Redis (reachable, when configured) and draining (not shutting down).
 */
export function createHealthHandler(checks: readonly ReadinessCheck[]): (req: IncomingMessage, res: ServerResponse) => boolean {
  const send = (res: ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    });
    res.end(text);
  };
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== HEALTH_PATH && path !== READINESS_PATH) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return true;
    }
    if (path === HEALTH_PATH) {
      send(res, 200, { status: 'ok' });
      return true;
    }
    const results = checks.map((check) => ({ name: check.name, ok: check.ok(), state: check.state() }));
    const ready = results.every((result) => result.ok);
    send(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', checks: results });
    return true;
  };
}
