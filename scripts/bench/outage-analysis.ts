/**
 * The outage scenario's arithmetic, apart from any server: the verdict on one answer, and what the answers and
 * the emulator's call log together say about the circuit breaker.
 *
 * When the breaker refuses a call, the field's error carries `retryAfterMs` = the breaker's opening + its
 * cooldown − the moment of refusal. The refusal happened between the request's departure and its answer's
 * arrival, so each refusal brackets the end of the open period (the half-open moment), and the opening is that
 * moment minus the cooldown. Both clocks are the host's `Date.now()` (the gateway and the emulator are child
 * processes on the same machine), and every bound below is taken on the safe side, so a call counted "while open" really was one.
 */
import { latencyStats, type LatencyStats } from './latency-stats.js';
import type { BodyCheck } from './scenario-queries.js';
import type { RecordedCall } from './upstream-calls.js';

/** What became of one field load: the vendor's failure (an attempt was made), or a refusal by the open breaker. */
export type LoadFate = { refused: false } | { refused: true; retryAfterMs: number };

export type OutageVerdict = { ok: true; loads: LoadFate[] } | Extract<BodyCheck, { ok: false }>;

/** One answered request, reduced to what the analysis needs. */
export interface OutageAnswer {
  /**
   * The closed-loop phase (clients send as fast as they are answered), the first second at the fixed rate (new
   * connections; its answers count for calls, not for latency), or the fixed-rate phase measured after it.
   */
  phase: 'closed-loop' | 'fixed-rate-warm-up' | 'fixed-rate';
  /** Epoch ms. */
  sentAt: number;
  receivedAt: number;
  latencyMs: number;
  storeIds: readonly string[];
  loads: readonly LoadFate[];
}

export interface OpenPeriod {
  /** Latest moment the breaker can have opened, epoch ms. */
  openedBy: number;
  /** Earliest moment it can have let a probe through, epoch ms. */
  halfOpenFrom: number;
  /** Refusals that bracket it. */
  refusals: number;
}

export interface OutageFigures {
  /** GraphQL requests answered as an outage should be answered. */
  requests: number;
  /** Field loads in those answers (one per store asked). */
  loads: number;
  /** Loads refused by the open breaker without a call (the rest got the vendor's failure). */
  loadsRefused: number;
  /** Calls the vendor received during the run, retries included. */
  attempts: number;
  attemptsPerLoad: number | null;
  /** The same three for requests sent before the breaker first opened: what retries add to a failing vendor's load. */
  beforeOpen: { requests: number; loads: number; attempts: number; attemptsPerLoad: number | null };
  /** Ms from the first request to the breaker's (latest possible) first opening; null if it never opened. */
  openedAfterMs: number | null;
  openPeriods: OpenPeriod[];
  /**
   * Calls that reached the vendor while the breaker was open, for requests sent after it opened — certainly
   * during the open period, whatever the event-loop lag of the process stamping arrivals. Goal 0.
   */
  callsWhileOpen: number;
  /**
   * Calls that arrived after the breaker first opened for requests sent before: admitted while it was closed,
   * they waited for one of the gateway's upstream connections and went out once one was free.
   */
  callsAdmittedBeforeOpen: number;
  /** The other calls after the first opening: those the half-open breaker let through (one per half-open moment). */
  probes: number;
  /**
   * Latency of the closed-loop phase's answers to requests sent once the breaker was open (probe requests
   * included): with its clients saturating the machine, mostly queueing.
   */
  openLatencyMs: LatencyStats | null;
  openAnswers: number;
  /** The same for the fixed-rate phase, well below capacity: the fail-fast latency itself. */
  openAtFixedRateLatencyMs: LatencyStats | null;
  openAtFixedRateAnswers: number;
}

/** Bounds are whole milliseconds on one side and sub-millisecond on the other: one ms of slack each way. */
const SLACK_MS = 1;

/**
 * The verdict on an answer while every call fails: `data.stores` lists the asked stores, each `day` null, and
 * `errors` holds exactly one error per store, at its `day`, either the vendor's failure (`vendorCodename`) or
 * the open breaker's `UPSTREAM_UNAVAILABLE` with `retryAfterMs`. Anything else is a problem.
 */
export function judgeOutageAnswer(body: string, storeIds: readonly string[], vendorCodename: string): OutageVerdict {
  let json: { data?: { stores?: unknown }; errors?: unknown };
  try {
    json = JSON.parse(body) as typeof json;
  } catch {
    return { ok: false, kind: 'incomplete', problem: `body is not JSON: ${body.slice(0, 120)}` };
  }
  const stores = json.data?.stores;
  if (!Array.isArray(stores) || stores.length !== storeIds.length) return { ok: false, kind: 'incomplete', problem: `data.stores is not a list of ${storeIds.length}` };
  for (const [i, store] of stores.entries()) {
    const entry = store as { id?: unknown; day?: unknown } | null;
    if (entry?.id !== storeIds[i] || entry?.day !== null) return { ok: false, kind: 'incomplete', problem: `data.stores[${i}] is not { id: "${storeIds[i]}", day: null }` };
  }
  if (!Array.isArray(json.errors) || json.errors.length !== storeIds.length) {
    return { ok: false, kind: 'graphql-errors', problem: `expected ${storeIds.length} errors, one per store, got ${Array.isArray(json.errors) ? json.errors.length : 'none'}` };
  }
  const loads: (LoadFate | undefined)[] = storeIds.map(() => undefined);
  for (const error of json.errors as Array<{ path?: unknown; message?: unknown; extensions?: { code?: unknown; retryAfterMs?: unknown } }>) {
    const path = Array.isArray(error.path) ? error.path : [];
    const index = path[1];
    const where = JSON.stringify(error.path);
    if (path.length !== 3 || path[0] !== 'stores' || path[2] !== 'day' || typeof index !== 'number' || !(index >= 0 && index < loads.length) || loads[index] !== undefined) {
      return { ok: false, kind: 'graphql-errors', problem: `unexpected error path ${where}: ${String(error.message)}` };
    }
    const { code, retryAfterMs } = error.extensions ?? {};
    if (code === vendorCodename && retryAfterMs === undefined) loads[index] = { refused: false };
    else if (code === 'UPSTREAM_UNAVAILABLE' && typeof retryAfterMs === 'number' && Number.isInteger(retryAfterMs) && retryAfterMs >= 0) loads[index] = { refused: true, retryAfterMs };
    else return { ok: false, kind: 'graphql-errors', problem: `unexpected error at ${where}: ${String(code)} ${String(error.message)}` };
  }
  return { ok: true, loads: loads as LoadFate[] };
}

/**
 * The open periods the refusals bracket. A refusal with `retryAfterMs` r made at t ∈ [sentAt, receivedAt] puts
 * the half-open moment h = t + r in [sentAt + r, receivedAt + r]; refusals whose brackets lie within half a
 * cooldown of each other describe the same period. A refusal with r = 0 came while a probe was in flight (the
 * breaker is half-open): it brackets nothing.
 */
export function openPeriods(answers: readonly OutageAnswer[], cooldownMs: number): OpenPeriod[] {
  const brackets = answers
    .flatMap((answer) => answer.loads.flatMap((load) => (load.refused && load.retryAfterMs > 0 ? [{ low: answer.sentAt + load.retryAfterMs, high: answer.receivedAt + load.retryAfterMs }] : [])))
    .sort((x, y) => x.high - y.high);
  const periods: OpenPeriod[] = [];
  let group: { low: number; high: number; first: number; count: number } | null = null;
  const close = () => {
    if (group) periods.push({ openedBy: group.high + SLACK_MS - cooldownMs, halfOpenFrom: group.low - SLACK_MS, refusals: group.count });
  };
  for (const bracket of brackets) {
    if (group && bracket.high - group.first <= cooldownMs / 2) {
      group.low = Math.max(group.low, bracket.low);
      group.high = Math.min(group.high, bracket.high);
      group.count++;
      continue;
    }
    close();
    group = { low: bracket.low, high: bracket.high, first: bracket.high, count: 1 };
  }
  close();
  return periods;
}

/** Every figure of the outage scenario, from the answers and the calls the vendor received. */
export function outageFigures(answers: readonly OutageAnswer[], calls: readonly RecordedCall[], cooldownMs: number): OutageFigures {
  const periods = openPeriods(answers, cooldownMs);
  const firstOpen = periods[0]?.openedBy ?? Infinity;
  const sentAtByStore = new Map<string, number>();
  for (const answer of answers) for (const id of answer.storeIds) sentAtByStore.set(id, answer.sentAt);
  const sentAtOf = (call: RecordedCall) => (call.depId === null ? undefined : sentAtByStore.get(call.depId));

  const loads = answers.reduce((sum, answer) => sum + answer.loads.length, 0);
  const before = answers.filter((answer) => answer.sentAt <= firstOpen);
  const beforeLoads = before.reduce((sum, answer) => sum + answer.loads.length, 0);
  const beforeAttempts = calls.filter((call) => (sentAtOf(call) ?? Infinity) <= firstOpen).length;
  const open = answers.filter((answer) => answer.sentAt > firstOpen && answer.phase === 'closed-loop');
  const openAtFixedRate = answers.filter((answer) => answer.sentAt > firstOpen && answer.phase === 'fixed-rate');
  let callsWhileOpen = 0;
  let callsAdmittedBeforeOpen = 0;
  let probes = 0;
  for (const call of calls) {
    if (call.at <= firstOpen) continue;
    // A call no answered request accounts for is taken as sent late: it cannot be shown to be harmless.
    const sentAt = sentAtOf(call) ?? Infinity;
    if (sentAt <= firstOpen) callsAdmittedBeforeOpen++;
    else if (periods.some((period) => sentAt > period.openedBy && call.at < period.halfOpenFrom)) callsWhileOpen++;
    else probes++;
  }
  const firstSent = answers.reduce((min, answer) => Math.min(min, answer.sentAt), Infinity);
  return {
    requests: answers.length,
    loads,
    loadsRefused: answers.reduce((sum, answer) => sum + answer.loads.filter((load) => load.refused).length, 0),
    attempts: calls.length,
    attemptsPerLoad: loads > 0 ? calls.length / loads : null,
    beforeOpen: { requests: before.length, loads: beforeLoads, attempts: beforeAttempts, attemptsPerLoad: beforeLoads > 0 ? beforeAttempts / beforeLoads : null },
    openedAfterMs: periods.length > 0 && Number.isFinite(firstSent) ? firstOpen - firstSent : null,
    openPeriods: periods,
    callsWhileOpen,
    callsAdmittedBeforeOpen,
    probes,
    openLatencyMs: latencyStats(open.map((answer) => answer.latencyMs)),
    openAnswers: open.length,
    openAtFixedRateLatencyMs: latencyStats(openAtFixedRate.map((answer) => answer.latencyMs)),
    openAtFixedRateAnswers: openAtFixedRate.length,
  };
}
