import Queue from 'yocto-queue';
import type { CallOptions } from './client.js';
import { CallBudgetExceededError } from './errors.js';

/**
 * The upstream limits of one GraphQL request, shared by every vendor method's loader: one concurrency bound,
 * one call budget and one abort signal per request, however many methods it uses. A loader asks the scope
 * only for a call it really sends, so a de-duplicated (or, later, cached) answer costs no slot and no budget.
 */
export interface UpstreamRequestScope {
  /**
   * Charges one call to the request's budget and runs `send` in one of the request's slots, with the
   * request's signal. Beyond the budget it rejects with {@link CallBudgetExceededError} and sends nothing.
   */
  call<T>(send: (options: CallOptions) => Promise<T>): Promise<T>;
  /** Calls charged so far (sent or waiting for a slot). */
  readonly calls: number;
  /** The request's signal, if it has one. */
  readonly signal: AbortSignal | undefined;
}

export interface RequestScopeOptions {
  /** Upstream calls in flight at once for the request (OPRETAIL_MAX_CONCURRENCY). */
  maxConcurrency: number;
  /** Most upstream calls the request may cause (GATEWAY_MAX_UPSTREAM_CALLS). */
  maxUpstreamCalls: number;
  /**
   * The GraphQL request's own signal: cancels its upstream calls when the client goes away. A function is asked
   * when the signal is first needed (a call, or a wait for another request's answer), so a request that never
   * waits for the vendor makes none.
   */
  signal?: AbortSignal | (() => AbortSignal);
}

export function createRequestScope(options: RequestScopeOptions): UpstreamRequestScope {
  const limit = createConcurrencyLimit(options.maxConcurrency);
  const { signal } = options;
  const signalOf = typeof signal === 'function' ? signal : () => signal;
  let callOptions: CallOptions | undefined;
  let calls = 0;
  return {
    call(send) {
      if (calls >= options.maxUpstreamCalls) return Promise.reject(new CallBudgetExceededError(options.maxUpstreamCalls));
      calls++;
      callOptions ??= signal === undefined ? {} : { signal: signalOf() };
      const sendOptions = callOptions;
      return limit(() => send(sendOptions));
    },
    get calls() {
      return calls;
    },
    get signal() {
      return signalOf();
    },
  };
}

/** Runs at most `max` tasks at once, in arrival order. */
export function createConcurrencyLimit(max: number): <T>(task: () => Promise<T>) => Promise<T> {
  if (!Number.isInteger(max) || max < 1) throw new RangeError('maxConcurrency must be a positive integer');
  let active = 0;
  // A linked-list queue: O(1) at both ends, where an array's shift() copies the rest (quadratic over a fan-out
  // of tens of thousands of calls).
  const waiting = new Queue<() => void>();
  // A finished task hands its slot straight to the next waiter, so a newcomer can never slip in between.
  const release = () => {
    const next = waiting.dequeue();
    if (next) next();
    else active--;
  };
  return async (task) => {
    if (active >= max) await new Promise<void>((resolve) => waiting.enqueue(resolve));
    else active++;
    try {
      return await task();
    } finally {
      release();
    }
  };
}
