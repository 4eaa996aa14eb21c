/**
 * What the circuit breaker and the retry budget cost a healthy call: the same resolved task awaited directly and
 * through the client's own breaker (opossum, as configured by default) after a first attempt is recorded in the
 * retry budget, as the client does for every call. Measured as CPU time in this process, in rounds that
 * alternate the two ways; the figure is the difference of the medians, in nanoseconds per call — to be read
 * against a one-store-day request's CPU (hundreds of microseconds).
 */
import { loadConfig } from '../../src/config.js';
import { createVendorBreaker } from '../../src/upstream/circuit-breaker.js';
import { createRetryBudget } from '../../src/upstream/retry-budget.js';

export interface ResilienceOverhead {
  /** CPU per call awaited directly (ns, median of the rounds). */
  directNs: number;
  /** CPU per call through breaker and budget (ns, median of the rounds). */
  guardedNs: number;
  /** guarded − direct (ns per call). */
  overheadNs: number;
  calls: number;
}

/** The ratio-table entry: what breaker and budget add to a healthy call (ns of CPU). */
export interface ResilienceRatios {
  breakerAndBudgetNsPerCall: number | null;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1]!;

export async function measureResilienceOverhead(quick: boolean): Promise<ResilienceOverhead> {
  const defaults = loadConfig({});
  const breaker = createVendorBreaker(
    { failurePercent: defaults.breakerFailurePercent, minCalls: defaults.breakerMinCalls, windowMs: defaults.breakerWindowMs, cooldownMs: defaults.breakerCooldownMs },
    () => undefined,
  );
  const budget = createRetryBudget({ percent: defaults.retryBudgetPercent, min: defaults.retryBudgetMin, windowMs: defaults.breakerWindowMs });
  const task = () => Promise.resolve(1);
  const calls = quick ? 20_000 : 200_000;
  const cpuNsPerCall = async (run: () => Promise<unknown>): Promise<number> => {
    const before = process.cpuUsage();
    for (let i = 0; i < calls; i++) await run();
    const used = process.cpuUsage(before);
    return ((used.user + used.system) * 1000) / calls;
  };
  const direct: number[] = [];
  const guarded: number[] = [];
  for (let round = 0; round < 5; round++) {
    direct.push(await cpuNsPerCall(task));
    guarded.push(
      await cpuNsPerCall(() => {
        budget.recordFirstAttempt();
        return breaker.run(task);
      }),
    );
  }
  const directNs = median(direct);
  const guardedNs = median(guarded);
  return { directNs, guardedNs, overheadNs: guardedNs - directNs, calls };
}
