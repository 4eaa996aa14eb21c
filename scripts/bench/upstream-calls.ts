import { setTimeout as sleep } from 'node:timers/promises';

/** An upstream call as the emulator recorded it (a subset of its `EmulatorCall`). */
export interface RecordedCall {
  /** Arrival, epoch ms; never earlier than the gateway sent it. */
  at: number;
  depId: string | null;
  /** The stores a multi-store call carried in `id` (the hourly method). */
  storeIds?: string[];
}

/** The emulator's call log, as the bench reads it (the emulator runs in a child process: emulator-process.ts). */
export interface UpstreamLog {
  callCount(): Promise<number>;
  calls(): Promise<RecordedCall[]>;
  resetCalls(): Promise<void>;
}

/** Upstream calls of one scenario, attributed to the requests that caused them. */
export interface UpstreamAttribution {
  /** Every call the emulator recorded during the scenario. */
  total: number;
  /** Correctly answered requests the figures cover. */
  answered: number;
  /** Calls per correctly answered request: their sum divided by their number (null when there were none). */
  perRequest: number | null;
  /** Fewest and most calls any one answered request caused. */
  perRequestMin: number | null;
  perRequestMax: number | null;
  /**
   * Calls no answered request accounts for: those of requests still in flight when the timed run stopped
   * (the gateway keeps working on them until the client's disconnect aborts them), or of failed requests.
   */
  unattributed: number;
  /**
   * A store id answered by two requests had upstream calls: attribution would count them twice, so the figures
   * are not exact. (A shared id without calls, as in dashboard-warm, counts 0 for each request: exact.)
   */
  ambiguous: boolean;
}

/**
 * Waits until the emulator has recorded no new call for `quietMs` (bounded by `maxMs`): the gateway may still
 * be working on requests the load generator abandoned when its run stopped, and their calls must land before
 * they are counted, and before the next scenario resets the log.
 */
export async function waitForQuietUpstream(emulator: UpstreamLog, quietMs: number, maxMs: number): Promise<void> {
  const deadline = Date.now() + maxMs;
  let seen = await emulator.callCount();
  let quietSince = Date.now();
  while (Date.now() < deadline) {
    await sleep(Math.min(50, quietMs));
    const now = await emulator.callCount();
    if (now !== seen) {
      seen = now;
      quietSince = Date.now();
    } else if (Date.now() - quietSince >= quietMs) {
      return;
    }
  }
}

/**
 * Each request of a scenario uses store ids no other request uses, and the emulator records the stores of each
 * call (its `depId`, or the `storeIds` a multi-store call carried in `id`), so a request's calls are exactly the
 * calls that carried any of its stores, each counted once. Requests that share ids (dashboard-warm) are
 * attributed exactly only while those ids cause no call; a call two requests claim makes the result `ambiguous`.
 */
export async function attributeUpstreamCalls(emulator: UpstreamLog, answeredStoreIds: readonly (readonly string[])[]): Promise<UpstreamAttribution> {
  const calls = await emulator.calls();
  const callsOfStore = new Map<string, number[]>();
  calls.forEach((call, seq) => {
    for (const store of call.storeIds ?? (call.depId === null ? [] : [call.depId])) {
      const seqs = callsOfStore.get(store);
      if (seqs) seqs.push(seq);
      else callsOfStore.set(store, [seq]);
    }
  });
  const owner = new Map<number, number>();
  let ambiguous = false;
  const perRequest = answeredStoreIds.map((storeIds, request) => {
    const own = new Set(storeIds.flatMap((store) => callsOfStore.get(store) ?? []));
    for (const seq of own) {
      if ((owner.get(seq) ?? request) !== request) ambiguous = true;
      owner.set(seq, request);
    }
    return own.size;
  });
  const total = calls.length;
  const attributed = perRequest.reduce((sum, count) => sum + count, 0);
  const answered = perRequest.length;
  return {
    total,
    answered,
    perRequest: answered > 0 ? attributed / answered : null,
    perRequestMin: answered > 0 ? perRequest.reduce((min, count) => Math.min(min, count)) : null,
    perRequestMax: answered > 0 ? perRequest.reduce((max, count) => Math.max(max, count)) : null,
    unattributed: total - attributed,
    ambiguous,
  };
}

/** Sums the attributions of several runs of one scenario (interleaved rounds). */
export function mergeAttributions(parts: readonly UpstreamAttribution[]): UpstreamAttribution {
  const answered = parts.reduce((sum, part) => sum + part.answered, 0);
  const attributed = parts.reduce((sum, part) => sum + (part.perRequest ?? 0) * part.answered, 0);
  const present = parts.filter((part) => part.answered > 0);
  return {
    total: parts.reduce((sum, part) => sum + part.total, 0),
    answered,
    perRequest: answered > 0 ? attributed / answered : null,
    perRequestMin: present.length > 0 ? Math.min(...present.map((part) => part.perRequestMin ?? Infinity)) : null,
    perRequestMax: present.length > 0 ? Math.max(...present.map((part) => part.perRequestMax ?? -Infinity)) : null,
    unattributed: parts.reduce((sum, part) => sum + part.unattributed, 0),
    ambiguous: parts.some((part) => part.ambiguous),
  };
}
