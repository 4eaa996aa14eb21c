import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';

/** One answer of a timed load, with when its request left and its answer came back. */
export interface TimedAnswer<Meta> {
  /** Epoch ms (Date.now(), the clock the gateway and the emulator stamp with) when the request was sent. */
  sentAt: number;
  /** Epoch ms when the whole answer had arrived. */
  receivedAt: number;
  /** Round trip, ms, from the monotonic clock (sub-millisecond). */
  latencyMs: number;
  status: number;
  body: string;
  /** What `nextRequest` said about this request (e.g. the store ids it asks for). */
  meta: Meta;
}

export interface TimedLoadSpec<Meta> {
  url: string;
  /**
   * Clients, each with its own connection, each sending its next request as soon as its last answer arrived
   * (closed loop) — or, with `ratePerSecond`, at its next slot.
   */
  connections: number;
  /**
   * A fixed offered rate over all clients: the n-th request is sent no earlier than n ÷ rate seconds after the
   * start (a client whose slot has already passed sends at once). Latency counts from the actual send.
   */
  ratePerSecond?: number;
  durationS: number;
  /**
   * After `durationS`, the clients carry on while this holds (the run has not yet seen what it is meant to
   * measure, e.g. on a slow machine), but no longer than `maxDurationS`.
   */
  continueWhile?: () => boolean;
  /** @default durationS */
  maxDurationS?: number;
  nextRequest: () => { body: string; meta: Meta };
  /** Sees every answer as it arrives; keep only what is needed (a run can have tens of thousands). */
  onAnswer: (answer: TimedAnswer<Meta>) => void;
}

export interface TimedLoadOutcome {
  /** Requests sent; every one has either an answer or a transport error when the run ends. */
  sent: number;
  /** Seconds from the first request to the last answer. */
  durationS: number;
  transportErrors: number;
  firstTransportError: string | null;
}

/** Far above any answer of a gateway that fails fast; only a hung request trips it. */
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * A closed-loop load (or a paced one: `ratePerSecond`) that keeps every request's timestamps, which autocannon
 * does not expose. Unlike autocannon's timed runs it abandons no request: when the time is up each client waits
 * for its last answer, so every request sent is accounted for — which call counting per request needs.
 */
export async function runTimedLoad<Meta>(spec: TimedLoadSpec<Meta>): Promise<TimedLoadOutcome> {
  const target = new URL(spec.url);
  const pool = new Pool(target.origin, { connections: spec.connections, pipelining: 1, headersTimeout: REQUEST_TIMEOUT_MS, bodyTimeout: REQUEST_TIMEOUT_MS });
  const started = performance.now();
  const endAt = started + spec.durationS * 1000;
  const maxEndAt = started + Math.max(spec.durationS, spec.maxDurationS ?? 0) * 1000;
  const running = (): boolean => {
    const now = performance.now();
    return now < endAt || (now < maxEndAt && (spec.continueWhile?.() ?? false));
  };
  let sent = 0;
  let slots = 0;
  let transportErrors = 0;
  let firstTransportError: string | null = null;
  const client = async (): Promise<void> => {
    while (running()) {
      if (spec.ratePerSecond !== undefined) {
        const wait = started + (slots++ * 1000) / spec.ratePerSecond - performance.now();
        if (wait > 0) await sleep(wait);
        if (!running()) break;
      }
      const { body, meta } = spec.nextRequest();
      sent++;
      const sentAt = Date.now();
      const t0 = performance.now();
      try {
        const response = await pool.request({
          path: target.pathname,
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
          body,
        });
        const text = await response.body.text();
        spec.onAnswer({ sentAt, receivedAt: Date.now(), latencyMs: performance.now() - t0, status: response.statusCode, body: text, meta });
      } catch (error) {
        transportErrors++;
        firstTransportError ??= error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: spec.connections }, client));
  } finally {
    await pool.close();
  }
  return { sent, durationS: (performance.now() - started) / 1000, transportErrors, firstTransportError };
}
