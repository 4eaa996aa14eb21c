/**
 * The outage scenario: the vendor fails every call (`-500`), and the gateway runs with its default circuit
 * breaker and retry budget. It has its own emulator process (started with the fault) and its own gateway, so its
 * faults and its open breaker touch no other scenario. Two phases on the same gateway, one after the other:
 * - closed loop: 20 clients each send their next request as soon as the last is answered, until the breaker has
 *   opened and refused a few hundred loads. They saturate the machine, so latency once the breaker is open is
 *   mostly queueing (it exceeds `{ __typename }`'s with the same clients, measured just before);
 * - fixed rate: once it is open, the same 20 connections at `--outage-rate` requests per second, well below
 *   capacity: the latency of failing fast itself;
 * - the same fixed rate of `{ __typename }` against the bare yoga floor (after a warm-up second of its own): what
 *   the framework alone answers at that rate on this machine, to read the fail-fast p99 against.
 *
 * Goals (reported; only counts are checked): upstream attempts ÷ field loads ≤ 1 + the retry budget
 * (1.2 by default), no call reaches the vendor while the breaker is open (until its half-open probe), and
 * answers once it is open, at the fixed rate, take under 5 ms at p99 (a timing: never checked).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../../src/config.js';
import { returnCodeByNumber } from '../../src/upstream/return-codes.js';
import type { BenchOptions } from './bench-args.js';
import type { Check } from './checks.js';
import { benchGatewayEnv } from './bench-servers.js';
import { startChildServer, type ChildServer } from './child-server.js';
import { startEmulatorProcess, type BenchEmulator } from './emulator-process.js';
import { latencyStats, type LatencyStats } from './latency-stats.js';
import { LOAD_GENERATOR, type ScenarioFigures } from './measure.js';
import { judgeOutageAnswer, outageFigures, type OutageAnswer, type OutageFigures } from './outage-analysis.js';
import type { ProcessUsage, ProcessWatch } from './process-usage.js';
import { progress } from './progress.js';
import { REPO_ROOT } from './repo-root.js';
import { checkTypename, graphqlBody, TYPENAME_QUERY } from './scenario-queries.js';
import { runTimedLoad, type TimedLoadOutcome } from './timed-load.js';

export const OUTAGE_SCENARIO = 'outage';
/** The second phase's row. */
export const OUTAGE_FIXED_RATE_SCENARIO = 'outage-open-fixed-rate';
/** Connections of both phases; in the closed-loop one, each client sends its next request as soon as its last answer came. */
export const OUTAGE_CONNECTIONS = 20;
/**
 * Answers from the open breaker the run must see before it ends: a p99 needs a sample. On a fast machine the
 * run's own duration brings hundreds; on a slow one the breaker opens late, and the run goes on (at most
 * {@link OUTAGE_MAX_EXTRA_S} longer) rather than report, or check, nothing.
 */
const OUTAGE_MIN_OPEN_ANSWERS = 200;
/** Between the closed loop and the fixed rate: the gateway finishes what the closed loop left in flight. */
const OUTAGE_SETTLE_MS = 1000;
/** The fixed rate's first second (new connections): its answers are not in the fail-fast latency. */
const OUTAGE_FIXED_RATE_WARM_UP_S = 1;
const OUTAGE_MAX_EXTRA_S = 30;
/** Stores per request, each one field load (one upstream call while the vendor is healthy). */
export const OUTAGE_STORES = 4;
/** The vendor's failure: a transient platform exception, which the client retries and the breaker counts. */
const OUTAGE_CODE = -500;
/** Store ids of this scenario (the other scenarios' blocks end below 7e9; its emulator is its own anyway). */
const OUTAGE_ID_BLOCK = 7_000_000_000;
const OUTAGE_DAY = '2026-05-10';

const OUTAGE_QUERY = `query OutageStores($ids: [ID!]!, $day: LocalDate!) {
  stores(ids: $ids) { id day: passengerIndicator(from: $day, to: $day) { inflow } }
}`;

const GATEWAY_READY = /Passenger Flow Gateway listening on (http:\/\/127\.0\.0\.1:\d+\/graphql)/;

/** The gateway's defaults, read where they are defined: the outage gateway runs with exactly these. */
const DEFAULTS = loadConfig({});
/**
 * Retries may add at most the budget's percentage to the first attempts — or its floor of a few per window, which
 * the 80 loads of the first 20 requests alone outweigh (20 % of 80 = 16 > 3), so the bound holds on any machine.
 */
export const OUTAGE_MAX_ATTEMPTS_PER_LOAD = 1 + DEFAULTS.retryBudgetPercent / 100;

export type OutageRow = ScenarioFigures & {
  /**
   * The analysis of both phases, `{ __typename }`'s latency with the same clients on the same gateway just
   * before, and the fixed rate of the second phase.
   */
  outage: OutageFigures & {
    typenameLatencyMs: LatencyStats | null;
    fixedRatePerSecond: number;
    /** `{ __typename }` against the bare yoga floor at the same fixed rate and connections. */
    floorTypenameAtFixedRateLatencyMs: LatencyStats | null;
  };
};

/** One phase's answers and what went wrong. */
interface PhaseOutcome {
  answers: OutageAnswer[];
  /** Latency of every answer received, judged right or not. */
  latencies: number[];
  errors: ScenarioFigures['errors'];
  firstProblem: string | null;
  load: TimedLoadOutcome;
  usage: ProcessUsage[];
}

/**
 * Starts the outage's emulator and gateway, warms the gateway up and takes its `{ __typename }` latency (no
 * upstream call, so the breaker stays closed), runs both outage phases and stops both processes. Returns the
 * closed-loop phase's row (with the analysis of both) and the fixed-rate phase's. `onStarted` sees each process
 * as soon as it is up, so an interrupted run still stops them.
 */
export async function measureOutage(
  options: Pick<BenchOptions, 'durationS' | 'latencyMs' | 'quick' | 'outageRate'>,
  key: { key: string; secret: string },
  /** The bare yoga floor (`{ __typename }`), measured at the same fixed rate as a reference. */
  floor: ChildServer,
  watch: ProcessWatch,
  onStarted: (started: { emulator?: BenchEmulator; server?: ChildServer }) => void,
): Promise<{ closedLoop: OutageRow; fixedRate: ScenarioFigures }> {
  const vendorCodename = returnCodeByNumber(OUTAGE_CODE)?.codename;
  if (vendorCodename === undefined) throw new Error(`${OUTAGE_CODE} is not in the return-code table`);
  const emulator = await startEmulatorProcess({ name: 'outage emulator', keys: [key], latencyMs: options.latencyMs, faults: [{ kind: 'code', code: OUTAGE_CODE }] });
  onStarted({ emulator });
  let server: ChildServer | undefined;
  try {
    server = await startChildServer({
      name: 'outage gateway',
      command: process.execPath,
      args: ['dist/server.js'],
      cwd: REPO_ROOT,
      // The defaults, but at least one upstream socket per client (the bench's rule for every server).
      env: benchGatewayEnv(emulator.url, key, { OPRETAIL_MAX_CONNECTIONS: String(Math.max(DEFAULTS.maxConnections, OUTAGE_CONNECTIONS)) }),
      ready: GATEWAY_READY,
    });
    onStarted({ server });
    const gateway = server;
    // `{ __typename }` never reaches the vendor, so the breaker stays closed: a warm-up, then the same 20
    // clients' latency on the cheapest query, to read the outage's latency against.
    const typename = graphqlBody(TYPENAME_QUERY);
    const typenameLatencies: number[] = [];
    for (const [what, durationS] of [['warming up', options.quick ? 1 : 3], ['baseline', options.quick ? 1 : 2]] as const) {
      progress(`${OUTAGE_SCENARIO}: ${what} on { __typename }, ${OUTAGE_CONNECTIONS} clients × ${durationS} s`);
      const latencies: number[] = [];
      const run = await runTimedLoad({
        url: gateway.url,
        connections: OUTAGE_CONNECTIONS,
        durationS,
        nextRequest: () => ({ body: typename, meta: null }),
        onAnswer: (answer) => {
          if (answer.status === 200 && checkTypename(answer.body).ok) latencies.push(answer.latencyMs);
        },
      });
      if (latencies.length !== run.sent) throw new Error(`${OUTAGE_SCENARIO}: ${run.sent - latencies.length} of ${run.sent} { __typename } requests failed (${run.firstTransportError ?? 'wrong answers'})`);
      if (what === 'baseline') typenameLatencies.push(...latencies);
    }
    if ((await emulator.callCount()) !== 0) throw new Error(`${OUTAGE_SCENARIO}: { __typename } reached the vendor`);

    let seq = 0;
    let refusedAnswers = 0;
    const runPhase = async (phase: OutageAnswer['phase'], load: { durationS: number; continueWhile?: () => boolean; maxDurationS?: number; ratePerSecond?: number }): Promise<PhaseOutcome> => {
      const answers: OutageAnswer[] = [];
      const latencies: number[] = [];
      const errors = { total: 0, non2xx: 0, transport: 0, timeouts: 0, graphql: 0, incomplete: 0 };
      let firstProblem: string | null = null;
      const meter = watch.begin([gateway, emulator, LOAD_GENERATOR]);
      const outcome = await runTimedLoad({
        ...load,
        url: gateway.url,
        connections: OUTAGE_CONNECTIONS,
        nextRequest: () => {
          const storeIds = Array.from({ length: OUTAGE_STORES }, (_, i) => String(OUTAGE_ID_BLOCK + seq * OUTAGE_STORES + i));
          seq++;
          return { body: graphqlBody(OUTAGE_QUERY, { ids: storeIds, day: OUTAGE_DAY }), meta: storeIds };
        },
        onAnswer: (answer) => {
          latencies.push(answer.latencyMs);
          if (answer.status !== 200) {
            errors.non2xx++;
            firstProblem ??= `HTTP ${answer.status}: ${answer.body.slice(0, 200)}`;
            return;
          }
          const verdict = judgeOutageAnswer(answer.body, answer.meta, vendorCodename);
          if (!verdict.ok) {
            errors[verdict.kind === 'graphql-errors' ? 'graphql' : 'incomplete']++;
            firstProblem ??= verdict.problem;
            return;
          }
          if (verdict.loads.some((fate) => fate.refused)) refusedAnswers++;
          answers.push({ phase, sentAt: answer.sentAt, receivedAt: answer.receivedAt, latencyMs: answer.latencyMs, storeIds: answer.meta, loads: verdict.loads });
        },
      });
      const usage = meter.end(latencies.length);
      errors.transport = outcome.transportErrors;
      firstProblem ??= outcome.firstTransportError;
      errors.total = errors.non2xx + errors.transport + errors.graphql + errors.incomplete;
      if (firstProblem !== null) progress(`${OUTAGE_SCENARIO} (${phase}): first problem: ${firstProblem}`);
      return { answers, latencies, errors, firstProblem, load: outcome, usage };
    };

    progress(
      `${OUTAGE_SCENARIO}: vendor answers ${OUTAGE_CODE} to every call; ${OUTAGE_CONNECTIONS} closed-loop clients × ${options.durationS} s ` +
        `(longer, until ${OUTAGE_MIN_OPEN_ANSWERS} answers came from the open breaker)`,
    );
    const closedLoop = await runPhase('closed-loop', {
      durationS: options.durationS,
      continueWhile: () => refusedAnswers < OUTAGE_MIN_OPEN_ANSWERS,
      maxDurationS: options.durationS + OUTAGE_MAX_EXTRA_S,
    });
    progress(`${OUTAGE_SCENARIO}: the same ${OUTAGE_CONNECTIONS} connections at ${options.outageRate} req/s × ${options.durationS} s (answers once the breaker is open)`);
    // The closed loop's last requests are still being answered when it stops, and the fixed rate opens new
    // connections: a pause, then a second at the fixed rate whose answers count for calls but not for latency.
    await sleep(OUTAGE_SETTLE_MS);
    const warmUp = await runPhase('fixed-rate-warm-up', { durationS: OUTAGE_FIXED_RATE_WARM_UP_S, ratePerSecond: options.outageRate });
    const fixedRate = await runPhase('fixed-rate', { durationS: options.durationS, ratePerSecond: options.outageRate });

    progress(`${OUTAGE_SCENARIO}: for reference, { __typename } on the bare yoga floor at ${options.outageRate} req/s × ${options.durationS} s`);
    const floorLatencies = await fixedRateTypename(floor.url, options.outageRate, options.durationS);

    const calls = await emulator.calls();
    const analysis = outageFigures([...closedLoop.answers, ...warmUp.answers, ...fixedRate.answers], calls, DEFAULTS.breakerCooldownMs);
    // Each phase's calls, by the store ids of its answers (no id is asked twice); the warm-up's go with the fixed rate.
    const phaseOfStore = new Map<string, PhaseOutcome>();
    for (const [phase, owner] of [[closedLoop, closedLoop], [warmUp, fixedRate], [fixedRate, fixedRate]] as const) {
      for (const answer of phase.answers) for (const id of answer.storeIds) phaseOfStore.set(id, owner);
    }
    for (const kind of Object.keys(fixedRate.errors) as Array<keyof PhaseOutcome['errors']>) fixedRate.errors[kind] += warmUp.errors[kind];
    fixedRate.firstProblem ??= warmUp.firstProblem;
    const figures = {
      ...analysis,
      typenameLatencyMs: latencyStats(typenameLatencies),
      fixedRatePerSecond: options.outageRate,
      floorTypenameAtFixedRateLatencyMs: latencyStats(floorLatencies),
    };
    const rowOf = (phase: PhaseOutcome): Omit<ScenarioFigures, 'name' | 'target' | 'note'> => {
      const received = phase.latencies.length;
      const attempts = calls.filter((call) => call.depId !== null && phaseOfStore.get(call.depId) === phase).length;
      return {
        connections: OUTAGE_CONNECTIONS,
        durationS: phase.load.durationS,
        requests: received,
        requestsPerSecond: phase.load.durationS > 0 ? received / phase.load.durationS : 0,
        latencyMs: latencyStats(phase.latencies),
        errors: phase.errors,
        upstreamCallsPerRequest: received > 0 ? attempts / received : null,
        upstream: null,
        resources: { server: phase.usage[0] ?? null, emulator: phase.usage[1] ?? null, loadGenerator: phase.usage[2] ?? null },
        firstProblem: phase.firstProblem,
      };
    };
    return {
      closedLoop: {
        ...rowOf(closedLoop),
        name: OUTAGE_SCENARIO,
        target: `gateway, vendor answers ${OUTAGE_CODE} to every call, default breaker and retry budget; ${OUTAGE_CONNECTIONS} closed-loop clients`,
        outage: figures,
        note: outageNote(figures),
      },
      fixedRate: {
        ...rowOf(fixedRate),
        name: OUTAGE_FIXED_RATE_SCENARIO,
        target: `the same gateway once its breaker is open; ${options.outageRate} req/s offered`,
        note:
          `answers once open at ${options.outageRate} req/s: ${figures.openAtFixedRateAnswers} answers, p50 ${ms(figures.openAtFixedRateLatencyMs?.p50)}, ` +
          `p99 ${ms(figures.openAtFixedRateLatencyMs?.p99)} (goal < 5 ms); bare yoga's { __typename } at the same rate: p50 ` +
          `${ms(figures.floorTypenameAtFixedRateLatencyMs?.p50)}, p99 ${ms(figures.floorTypenameAtFixedRateLatencyMs?.p99)}; its calls are in the outage row's counts`,
      },
    };
  } finally {
    if (server) watch.observe(server);
    watch.observe(emulator);
    await server?.stop();
    await emulator.stop();
  }
}

/**
 * `{ __typename }` at `ratePerSecond` over {@link OUTAGE_CONNECTIONS} connections for `durationS`, after a warm-up
 * second (new connections) whose answers are left out: the latencies of every answer, all checked.
 */
async function fixedRateTypename(url: string, ratePerSecond: number, durationS: number): Promise<number[]> {
  const body = graphqlBody(TYPENAME_QUERY);
  const latencies: number[] = [];
  for (const [seconds, keep] of [[OUTAGE_FIXED_RATE_WARM_UP_S, false], [durationS, true]] as const) {
    let wrong = 0;
    const run = await runTimedLoad({
      url,
      connections: OUTAGE_CONNECTIONS,
      durationS: seconds,
      ratePerSecond,
      nextRequest: () => ({ body, meta: null }),
      onAnswer: (answer) => {
        if (answer.status !== 200 || !checkTypename(answer.body).ok) wrong++;
        else if (keep) latencies.push(answer.latencyMs);
      },
    });
    if (wrong > 0 || run.transportErrors > 0) throw new Error(`${OUTAGE_SCENARIO}: ${wrong + run.transportErrors} of ${run.sent} { __typename } requests to ${url} failed (${run.firstTransportError ?? 'wrong answers'})`);
  }
  return latencies;
}

const ms = (value: number | null | undefined): string => (value === null || value === undefined ? '—' : `${value.toFixed(2)} ms`);

function outageNote(figures: OutageRow['outage']): string {
  return (
    `${figures.loads} field loads, ${figures.attempts} upstream attempts (${figures.attemptsPerLoad?.toFixed(3) ?? '—'}/load; ` +
    `${figures.beforeOpen.attempts}/${figures.beforeOpen.loads} for requests sent before the breaker opened); ` +
    `open after ${figures.openedAfterMs === null ? '—' : `${Math.round(figures.openedAfterMs)} ms`}, ${figures.openPeriods.length} open period(s); ` +
    `once open (closed loop): ${figures.openAnswers} answers, p50 ${ms(figures.openLatencyMs?.p50)}, p99 ${ms(figures.openLatencyMs?.p99)} ` +
    `({ __typename } p99 ${ms(figures.typenameLatencyMs?.p99)} with the same clients); ` +
    `${figures.callsWhileOpen} calls while open, ${figures.probes} half-open probe(s), ${figures.callsAdmittedBeforeOpen} calls admitted before it opened but sent after`
  );
}

/** The outage's figures in the ratio table and the JSON line's `ratios`. */
export interface OutageRatios {
  /** Upstream attempts ÷ field loads over the whole outage run, both phases (goal ≤ 1.2). */
  outageAttemptsPerLoad: number | null;
  /** p99 of the closed-loop phase's answers to requests sent once the breaker was open, ms (mostly queueing). */
  outageOpenP99Ms: number | null;
  /** The fixed rate of the second phase, req/s. */
  outageFixedRatePerSecond: number | null;
  /** p50 and p99 of answers once the breaker is open, at that fixed rate, ms (p99 goal < 5; never checked). */
  outageOpenFixedRateP50Ms: number | null;
  outageOpenFixedRateP99Ms: number | null;
  /** p99 of the bare yoga floor's `{ __typename }` at the same rate, ms: what the framework alone gives here. */
  floorTypenameFixedRateP99Ms: number | null;
}

export function outageRatios(row: OutageRow | undefined): OutageRatios {
  return {
    outageAttemptsPerLoad: row?.outage.attemptsPerLoad ?? null,
    outageOpenP99Ms: row?.outage.openLatencyMs?.p99 ?? null,
    outageFixedRatePerSecond: row?.outage.fixedRatePerSecond ?? null,
    outageOpenFixedRateP50Ms: row?.outage.openAtFixedRateLatencyMs?.p50 ?? null,
    outageOpenFixedRateP99Ms: row?.outage.openAtFixedRateLatencyMs?.p99 ?? null,
    floorTypenameFixedRateP99Ms: row?.outage.floorTypenameAtFixedRateLatencyMs?.p99 ?? null,
  };
}

/** Counts only: the retry budget held, the breaker opened, and no call passed it while open. */
export function outageChecks(row: OutageRow | undefined): Check[] {
  const figures = row?.outage;
  if (!figures) return [{ name: `${OUTAGE_SCENARIO}: measured`, ok: false, detail: 'not measured' }];
  const ratio = figures.attemptsPerLoad;
  return [
    {
      name: `${OUTAGE_SCENARIO}: upstream attempts ≤ ${OUTAGE_MAX_ATTEMPTS_PER_LOAD} × field loads`,
      ok: ratio !== null && figures.loads > 0 && ratio <= OUTAGE_MAX_ATTEMPTS_PER_LOAD,
      detail: `${figures.attempts} attempts for ${figures.loads} loads (${ratio?.toFixed(3) ?? '—'})`,
    },
    {
      name: `${OUTAGE_SCENARIO}: the breaker opened`,
      ok: figures.openPeriods.length > 0 && figures.loadsRefused > 0,
      detail: `${figures.loadsRefused} of ${figures.loads} loads refused without a call, ${figures.openPeriods.length} open period(s)`,
    },
    {
      name: `${OUTAGE_SCENARIO}: 0 upstream calls while the breaker was open`,
      ok: figures.openPeriods.length > 0 && figures.callsWhileOpen === 0,
      detail: `${figures.callsWhileOpen} calls for requests sent while it was open; ${figures.probes} half-open probe(s); ${figures.callsAdmittedBeforeOpen} admitted before it opened, sent after`,
    },
  ];
}
