import CircuitBreaker from 'opossum';
import { RequestDeadlineError, UpstreamCancelledError, UpstreamCodeError, UpstreamError, UpstreamTimeoutError, UpstreamUnavailableError } from './errors.js';

export interface BreakerOptions {
  /** Opens when at least this percentage of the calls in the window failed for unhealthy reasons… */
  failurePercent: number;
  /** …and the window holds at least this many calls. */
  minCalls: number;
  windowMs: number;
  /** Open this long, then one probe call goes through; its success closes the breaker. */
  cooldownMs: number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

/** One circuit breaker on the vendor endpoint (opossum), counting only failures that say it is unhealthy. */
export interface VendorBreaker {
  /** Runs `task` unless the breaker is open; then resolves with `{ open: retryAfterMs }` without running it. */
  run<T>(task: () => Promise<T>): Promise<T | { open: number }>;
  readonly state: BreakerState;
}

/**
 * Unhealthy: a per-attempt timeout, a connection failure or HTTP 5xx, or a transient platform code (-500,
 * -999) — what the retry column calls `backoff`. Permanent codes (SIGN_WRONG, KEY_HAS_EXPIRED…), bad answers,
 * cancellations and deadlines say nothing about the vendor's health.
 */
export function isUnhealthy(error: unknown): boolean {
  if (error instanceof UpstreamTimeoutError || error instanceof UpstreamUnavailableError) return true;
  return error instanceof UpstreamCodeError && error.retry === 'backoff';
}

function isRequestEnded(error: unknown): boolean {
  return error instanceof UpstreamCancelledError || error instanceof RequestDeadlineError;
}

export function createVendorBreaker(options: BreakerOptions, onStateChange: (state: BreakerState) => void): VendorBreaker {
  const buckets = 10;
  const breaker: CircuitBreaker<[() => Promise<unknown>], unknown> = new CircuitBreaker((task: () => Promise<unknown>) => task(), {
    timeout: false,
    // opossum opens above the percentage; "at least" is a hair below it.
    errorThresholdPercentage: options.failurePercent - 1e-9,
    volumeThreshold: options.minCalls,
    rollingCountTimeout: options.windowMs,
    rollingCountBuckets: options.windowMs % buckets === 0 ? buckets : 1,
    resetTimeout: options.cooldownMs,
    // A filtered failure counts as a healthy call. A probe that ended because its request did (client gone,
    // deadline) proved nothing: it must not close the breaker, so in half-open it counts as a failure.
    errorFilter: (error: unknown): boolean => (isRequestEnded(error) ? !breaker.halfOpen : !isUnhealthy(error)),
    // Snapshots are for dashboards of opossum's own; this breaker's state is a metric of the gateway's.
    enableSnapshots: false,
  });
  let state: BreakerState = 'closed';
  let openedAt = 0;
  const moveTo = (next: BreakerState) => {
    if (next === 'open') openedAt = Date.now();
    if (next !== state) {
      state = next;
      onStateChange(next);
    }
  };
  breaker.on('open', () => moveTo('open'));
  breaker.on('halfOpen', () => moveTo('half-open'));
  breaker.on('close', () => {
    // A fresh start: the failures that opened the breaker must not count again (opossum keeps its window, so one
    // more failure right after recovery would reopen it without the minimum of calls).
    for (const bucket of breaker.status.window as unknown as Array<Record<string, unknown>>) {
      for (const [name, value] of Object.entries(bucket)) if (typeof value === 'number') bucket[name] = 0;
      bucket.latencyTimes = [];
    }
    moveTo('closed');
  });
  return {
    get state() {
      return state;
    },
    async run<T>(task: () => Promise<T>): Promise<T | { open: number }> {
      // Open: refused at once (what opossum would do, without building its error first).
      if (breaker.opened) return { open: Math.max(0, openedAt + options.cooldownMs - Date.now()) };
      try {
        return (await breaker.fire(task)) as T;
      } catch (error) {
        if (error instanceof UpstreamError || (error as { code?: string }).code !== 'EOPENBREAKER') throw error;
        // The rest of the cool-down; 0 while a probe is already out (half-open): the breaker may close any moment.
        return { open: state === 'half-open' ? 0 : Math.max(0, openedAt + options.cooldownMs - Date.now()) };
      }
    },
  };
}
