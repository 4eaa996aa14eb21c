export interface RetryBudgetOptions {
  /** Retries may add at most this percentage of first attempts in the window (Envoy's retry budget)… */
  percent: number;
  /** …but at least this many per window, so a lone request can still retry. */
  min: number;
  windowMs: number;
}

/** Counts first attempts and retries over a sliding window; a retry is allowed while within the budget. */
export interface RetryBudget {
  recordFirstAttempt(): void;
  /** Takes one retry from the budget, or says there is none left. */
  tryRetry(): boolean;
}

/**
 * When the vendor fails for everyone, retries must not multiply the load: they are capped to `percent` of the
 * first attempts of the last `windowMs` (with a floor of `min`). Counts live in one-second buckets.
 */
export function createRetryBudget(options: RetryBudgetOptions, now: () => number = Date.now): RetryBudget {
  const bucketMs = 1000;
  const size = Math.max(1, Math.ceil(options.windowMs / bucketMs));
  const firsts = new Array<number>(size).fill(0);
  const retries = new Array<number>(size).fill(0);
  let current = Math.floor(now() / bucketMs);
  const advance = () => {
    const bucket = Math.floor(now() / bucketMs);
    for (let b = current + 1; b <= bucket && b <= current + size; b++) {
      firsts[b % size] = 0;
      retries[b % size] = 0;
    }
    current = Math.max(current, bucket);
    return current % size;
  };
  const sum = (counts: number[]) => counts.reduce((total, count) => total + count, 0);
  return {
    recordFirstAttempt() {
      firsts[advance()]!++;
    },
    tryRetry() {
      const index = advance();
      const allowed = Math.max(options.min, Math.floor((sum(firsts) * options.percent) / 100));
      if (sum(retries) >= allowed) return false;
      retries[index]!++;
      return true;
    },
  };
}
