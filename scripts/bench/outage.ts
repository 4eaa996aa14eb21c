/**
 * The outage scenario: the vendor fails every call (`-500`), 20 clients keep asking, and the gateway runs with
 * its default circuit breaker and retry budget. It has its own emulator and its own gateway, so its faults and
 * its open breaker touch no other scenario.
 *
 * Goals (reported; only counts are checked): upstream attempts ÷ field loads ≤ 1 + the retry budget
 * (1.2 by default), no call reaches the vendor while the breaker is open (until its half-open probe), and
 * answers once it is open take under 5 ms at p99 (a timing: never checked).
 */
import { loadConfig } from '../../src/config.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { returnCodeByNumber } from '../../src/upstream/return-codes.js';
import type { BenchOptions } from './bench-args.js';
import type { Check } from './checks.js';
import { benchGatewayEnv } from './bench-servers.js';
import { startChildServer, type ChildServer } from './child-server.js';
import { latencyStats, type LatencyStats } from './latency-stats.js';
import type { ScenarioFigures } from './measure.js';
import { judgeOutageAnswer, outageFigures, type OutageAnswer, type OutageFigures } from './outage-analysis.js';
import { progress } from './progress.js';
import { REPO_ROOT } from './repo-root.js';
import { checkTypename, graphqlBody, TYPENAME_QUERY } from './scenario-queries.js';
import { runTimedLoad } from './timed-load.js';

export const OUTAGE_SCENARIO = 'outage';
/** Concurrent clients, each sending its next request as soon as its last answer came. */
export const OUTAGE_CONNECTIONS = 20;
/**
 * Answers from the open breaker the run must see before it ends: a p99 needs a sample. On a fast machine the
 * run's own duration brings hundreds; on a slow one the breaker opens late, and the run goes on (at most
 * {@link OUTAGE_MAX_EXTRA_S} longer) rather than report, or check, nothing.
 */
const OUTAGE_MIN_OPEN_ANSWERS = 200;
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
  /** The analysis, and `{ __typename }`'s latency with the same clients on the same gateway just before. */
  outage: OutageFigures & { typenameLatencyMs: LatencyStats | null };
}

/**
 * Starts the outage's emulator and gateway, warms the gateway up and takes its `{ __typename }` latency (no
 * upstream call, so the breaker stays closed), runs the outage load and stops both. `onStarted` sees each as soon as it is up, so an
 * interrupted run still stops them.
 */
export async function measureOutage(
  options: Pick<BenchOptions, 'durationS' | 'latencyMs' | 'quick'>,
  key: { key: string; secret: string },
  onStarted: (started: { emulator?: Emulator; server?: ChildServer }) => void,
): Promise<OutageRow> {
  const vendorCodename = returnCodeByNumber(OUTAGE_CODE)?.codename;
  if (vendorCodename === undefined) throw new Error(`${OUTAGE_CODE} is not in the return-code table`);
  const emulator = await startEmulator({ keys: [key], latencyMs: options.latencyMs, port: 0, host: '127.0.0.1', faults: [{ kind: 'code', code: OUTAGE_CODE }] });
  onStarted({ emulator });
  let server: ChildServer | undefined;
  try {
    server = await startChildServer({
      name: 'outage gateway',
      command: process.execPath,
      args: ['dist/server.js'],
      cwd: REPO_ROOT,
      env: benchGatewayEnv(emulator.url, key),
      ready: GATEWAY_READY,
    });
    onStarted({ server });
    // `{ __typename }` never reaches the vendor, so the breaker stays closed: a warm-up, then the same 20
    // clients' latency on the cheapest query, to read the outage's latency against.
    const typename = graphqlBody(TYPENAME_QUERY);
    const typenameLatencies: number[] = [];
    for (const [what, durationS] of [['warming up', options.quick ? 1 : 3], ['baseline', options.quick ? 1 : 2]] as const) {
      progress(`${OUTAGE_SCENARIO}: ${what} on { __typename }, ${OUTAGE_CONNECTIONS} clients × ${durationS} s`);
      const latencies: number[] = [];
      const run = await runTimedLoad({
        url: server.url,
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
    if (emulator.callCount() !== 0) throw new Error(`${OUTAGE_SCENARIO}: { __typename } reached the vendor`);

    progress(
      `${OUTAGE_SCENARIO}: vendor answers ${OUTAGE_CODE} to every call; ${OUTAGE_CONNECTIONS} clients × ${options.durationS} s ` +
        `(longer, until ${OUTAGE_MIN_OPEN_ANSWERS} answers came from the open breaker)`,
    );
    const answers: OutageAnswer[] = [];
    const allLatencies: number[] = [];
    const errors = { total: 0, non2xx: 0, transport: 0, timeouts: 0, graphql: 0, incomplete: 0 };
    let firstProblem: string | null = null;
    let seq = 0;
    let refusedAnswers = 0;
    const load = await runTimedLoad({
      url: server.url,
      connections: OUTAGE_CONNECTIONS,
      durationS: options.durationS,
      continueWhile: () => refusedAnswers < OUTAGE_MIN_OPEN_ANSWERS,
      maxDurationS: options.durationS + OUTAGE_MAX_EXTRA_S,
      nextRequest: () => {
        const storeIds = Array.from({ length: OUTAGE_STORES }, (_, i) => String(OUTAGE_ID_BLOCK + seq * OUTAGE_STORES + i));
        seq++;
        return { body: graphqlBody(OUTAGE_QUERY, { ids: storeIds, day: OUTAGE_DAY }), meta: storeIds };
      },
      onAnswer: (answer) => {
        allLatencies.push(answer.latencyMs);
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
        answers.push({ sentAt: answer.sentAt, receivedAt: answer.receivedAt, latencyMs: answer.latencyMs, storeIds: answer.meta, loads: verdict.loads });
      },
    });
    errors.transport = load.transportErrors;
    firstProblem ??= load.firstTransportError;
    errors.total = errors.non2xx + errors.transport + errors.graphql + errors.incomplete;

    const figures = { ...outageFigures(answers, emulator.calls, DEFAULTS.breakerCooldownMs), typenameLatencyMs: latencyStats(typenameLatencies) };
    const received = allLatencies.length;
    const row: Omit<OutageRow, 'note'> = {
      name: OUTAGE_SCENARIO,
      target: `gateway, vendor answers ${OUTAGE_CODE} to every call, default breaker and retry budget`,
      connections: OUTAGE_CONNECTIONS,
      durationS: load.durationS,
      requests: received,
      requestsPerSecond: load.durationS > 0 ? received / load.durationS : 0,
      latencyMs: latencyStats(allLatencies),
      errors,
      upstreamCallsPerRequest: received > 0 ? figures.attempts / received : null,
      upstream: null,
      firstProblem,
      outage: figures,
    };
    if (firstProblem !== null) progress(`${OUTAGE_SCENARIO}: first problem: ${firstProblem}`);
    return { ...row, note: outageNote(figures) };
  } finally {
    await server?.stop();
    await emulator.close();
  }
}

const ms = (value: number | null | undefined): string => (value === null || value === undefined ? '—' : `${value.toFixed(2)} ms`);

function outageNote(figures: OutageRow['outage']): string {
  return (
    `${figures.loads} field loads, ${figures.attempts} upstream attempts (${figures.attemptsPerLoad?.toFixed(3) ?? '—'}/load; ` +
    `${figures.beforeOpen.attempts}/${figures.beforeOpen.loads} for requests sent before the breaker opened); ` +
    `open after ${figures.openedAfterMs === null ? '—' : `${Math.round(figures.openedAfterMs)} ms`}, ${figures.openPeriods.length} open period(s); ` +
    `once open: ${figures.openAnswers} answers, p50 ${ms(figures.openLatencyMs?.p50)}, p99 ${ms(figures.openLatencyMs?.p99)} ` +
    `(goal < 5 ms; { __typename } p99 ${ms(figures.typenameLatencyMs?.p99)} with the same clients); ` +
    `${figures.callsWhileOpen} calls while open, ${figures.probes} half-open probe(s), ${figures.callsAdmittedBeforeOpen} calls admitted before it opened but sent after`
  );
}

/** The outage's figures in the ratio table and the JSON line's `ratios`. */
export interface OutageRatios {
  /** Upstream attempts ÷ field loads over the whole outage run (goal ≤ 1.2). */
  outageAttemptsPerLoad: number | null;
  /** p99 of answers to requests sent once the breaker was open, ms (goal < 5; never checked). */
  outageOpenP99Ms: number | null;
}

export function outageRatios(row: OutageRow | undefined): OutageRatios {
  return { outageAttemptsPerLoad: row?.outage.attemptsPerLoad ?? null, outageOpenP99Ms: row?.outage.openLatencyMs?.p99 ?? null };
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
