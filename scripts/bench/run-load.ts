import autocannon from 'autocannon';
import type { BodyCheck } from './scenario-queries.js';

/** One timed load run against one GraphQL endpoint. */
export interface LoadSpec {
  title: string;
  url: string;
  connections: number;
  durationS: number;
  /** The body of the next request; called once per request sent. */
  nextBody: () => string;
  /** The verdict on every response body. */
  check: (body: string) => BodyCheck;
}

export interface LoadOutcome {
  /** Responses received (any status). */
  completed: number;
  /** Seconds, as autocannon measured the run. */
  durationS: number;
  requestsPerSecond: number;
  /** Every response's latency, ms, unrounded (autocannon's own histogram keeps whole milliseconds only). */
  latenciesMs: number[];
  errors: { total: number; non2xx: number; transport: number; timeouts: number; graphql: number; incomplete: number };
  /** The first problem seen, verbatim, to make a failing run diagnosable. */
  firstProblem: string | null;
  /** Store ids of each correct response, for attributing upstream calls. */
  answeredStoreIds: string[][];
  /** autocannon's own count of completed requests, as a cross-check of `completed`. */
  autocannonTotal: number;
}

/** Per-request timeout: far above any sane dashboard, so only a hung request trips it. */
const REQUEST_TIMEOUT_S = 30;

export function runLoad(spec: LoadSpec): Promise<LoadOutcome> {
  const latenciesMs: number[] = [];
  const answeredStoreIds: string[][] = [];
  const errors = { total: 0, non2xx: 0, transport: 0, timeouts: 0, graphql: 0, incomplete: 0 };
  let completed = 0;
  let firstProblem: string | null = null;
  const note = (problem: string): void => {
    firstProblem ??= problem;
  };

  return new Promise<LoadOutcome>((resolve, reject) => {
    // A safety net only: autocannon stops itself after `duration`; this bounds a run whose clients hang.
    // A holder, not a `let`: autocannon may call back synchronously on invalid options, before it is set.
    const timers: { guard?: NodeJS.Timeout } = {};
    const instance = autocannon(
      {
        url: spec.url,
        title: spec.title,
        connections: spec.connections,
        duration: spec.durationS,
        timeout: REQUEST_TIMEOUT_S,
        pipelining: 1,
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
        requests: [
          {
            setupRequest: (request) => ({ ...request, body: spec.nextBody() }),
            onResponse: (status, body) => {
              completed++;
              if (status < 200 || status > 299) {
                errors.non2xx++;
                note(`HTTP ${status}: ${body.slice(0, 200)}`);
                return;
              }
              const verdict = spec.check(body);
              if (verdict.ok) {
                answeredStoreIds.push(verdict.storeIds);
                return;
              }
              if (verdict.kind === 'graphql-errors') errors.graphql++;
              else errors.incomplete++;
              note(verdict.problem);
            },
          },
        ],
      },
      (error, result) => {
        clearTimeout(timers.guard);
        if (error) return reject(error);
        errors.transport = result.errors;
        errors.timeouts = result.timeouts;
        if (result.errors > 0) note(`${result.errors} connection errors (${result.timeouts} timeouts)`);
        // Non-2xx are counted from the bodies above; autocannon's `non2xx` must agree.
        errors.non2xx = Math.max(errors.non2xx, result.non2xx);
        errors.total = errors.non2xx + errors.transport + errors.graphql + errors.incomplete;
        resolve({
          completed,
          durationS: result.duration,
          requestsPerSecond: result.duration > 0 ? completed / result.duration : 0,
          latenciesMs,
          errors,
          firstProblem,
          answeredStoreIds,
          autocannonTotal: result.requests.total,
        });
      },
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => {
      latenciesMs.push(responseTime);
    });
    timers.guard = setTimeout(() => instance.stop(), (spec.durationS + REQUEST_TIMEOUT_S + 30) * 1000);
  });
}

/** One outcome for several runs of the same scenario (interleaved rounds): counts add up, samples pool. */
export function mergeOutcomes(parts: readonly LoadOutcome[]): LoadOutcome {
  const completed = parts.reduce((sum, part) => sum + part.completed, 0);
  const durationS = parts.reduce((sum, part) => sum + part.durationS, 0);
  const errors = { total: 0, non2xx: 0, transport: 0, timeouts: 0, graphql: 0, incomplete: 0 };
  for (const part of parts) {
    for (const key of Object.keys(errors) as (keyof typeof errors)[]) errors[key] += part.errors[key];
  }
  return {
    completed,
    durationS,
    requestsPerSecond: durationS > 0 ? completed / durationS : 0,
    latenciesMs: parts.flatMap((part) => part.latenciesMs),
    errors,
    firstProblem: parts.find((part) => part.firstProblem !== null)?.firstProblem ?? null,
    answeredStoreIds: parts.flatMap((part) => part.answeredStoreIds),
    autocannonTotal: parts.reduce((sum, part) => sum + part.autocannonTotal, 0),
  };
}
