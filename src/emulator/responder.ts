import type { IncomingMessage, ServerResponse } from 'node:http';
import { createEnvelope, JSON_CONTENT_TYPE } from './responses.js';

/** What the emulator answers a request with, decided first and written by the responder. */
export type Answer =
  /** HTTP 200 with the JSON envelope; `systime` is stamped when the answer leaves. */
  | { type: 'envelope'; code: number; codename: string; result: string; data: unknown }
  /** Any other body; `body` gets the emulator's clock when the answer leaves. */
  | { type: 'page'; status: number; contentType: string; body: (systime: number) => string; headers?: Record<string, string> }
  /** Never answer, until the client gives up or the emulator closes. */
  | { type: 'hang' }
  /**
   * The status line, headers and `start` of the body (chunked: no Content-Length promises an end), then
   * nothing, until the client gives up or the emulator closes.
   */
  | { type: 'stall'; status: number; contentType: string; start: (systime: number) => string }
  /** Destroy the socket without answering. */
  | { type: 'reset' };

export interface Responder {
  /** Writes the answer after the configured latency (unless the responder is shut down by then). */
  write(req: IncomingMessage, res: ServerResponse, answer: Answer): void;
  setLatency(ms: number): void;
  /** Drops pending answers and ends held ones; for `Emulator.close()`. */
  shutdown(): void;
}

/** Delivers answers: the configured latency, held (hanging) responses, and a clean shutdown. */
export function createResponder(options: { latencyMs: number; now: () => number }): Responder {
  const { now } = options;
  let latencyMs = options.latencyMs;
  let shutDown = false;
  const timers = new Set<NodeJS.Timeout>();
  const held = new Set<ServerResponse>();

  const after = (action: () => void): void => {
    if (latencyMs <= 0) return action();
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!shutDown) action();
    }, latencyMs);
    timers.add(timer);
  };
  /** Held until the client gives up or shutdown() destroys it. */
  const hold = (res: ServerResponse): void => {
    held.add(res);
    res.on('close', () => held.delete(res));
  };
  const send = (res: ServerResponse, status: number, contentType: string, body: () => string, extraHeaders: Record<string, string> = {}): void => {
    after(() => {
      const text = body();
      res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), ...extraHeaders });
      res.end(text);
    });
  };

  return {
    write(req, res, answer) {
      switch (answer.type) {
        case 'envelope': {
          const { code, codename, result, data } = answer;
          // systime is read when the answer leaves, as a server stamps it.
          return send(res, 200, JSON_CONTENT_TYPE, () => JSON.stringify(createEnvelope(code, codename, result, data, now())));
        }
        case 'page':
          return send(res, answer.status, answer.contentType, () => answer.body(now()), answer.headers);
        case 'hang':
          return hold(res);
        case 'stall':
          return after(() => {
            if (res.destroyed) return;
            res.writeHead(answer.status, { 'Content-Type': answer.contentType });
            res.write(answer.start(now()));
            hold(res);
          });
        case 'reset':
          return after(() => req.socket.destroy());
      }
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    shutdown() {
      shutDown = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const res of held) res.destroy();
      held.clear();
    },
  };
}
