import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createContext } from '../../src/context.js';
import type { PassengerFlowApi } from '../../src/upstream/passenger-flow.js';

const CONFIG = { ...loadConfig({}), requestTimeoutMs: 1000 };
/** Never called: these tests look at the request's signal, not at upstream calls. */
const passengerFlow = {} as PassengerFlowApi;

describe('createContext: one signal per request, made when the request first waits for the vendor', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('the deadline counts from the request’s start, not from the first wait', () => {
    const context = createContext({ passengerFlow, config: CONFIG });
    vi.advanceTimersByTime(700);
    const signal = context.upstream.signal!;
    expect(signal.aborted).toBe(false);
    vi.advanceTimersByTime(299);
    expect(signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(signal.aborted).toBe(true);
    expect((signal.reason as DOMException).name).toBe('TimeoutError');
  });

  it('a request past its deadline before its first wait gets an ended signal', () => {
    const context = createContext({ passengerFlow, config: CONFIG });
    vi.advanceTimersByTime(1500);
    const signal = context.upstream.signal!;
    vi.advanceTimersByTime(0);
    expect(signal.aborted).toBe(true);
  });

  it('the same signal for every wait of the request; a client that goes away ends it', () => {
    const client = new AbortController();
    const context = createContext({ passengerFlow, config: CONFIG }, { signal: client.signal });
    const signal = context.upstream.signal!;
    expect(context.upstream.signal).toBe(signal);
    client.abort(new Error('client gone'));
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).message).toBe('client gone');
  });

  it('a client already gone, or an answer already complete, gives an ended signal at once', () => {
    const client = new AbortController();
    client.abort(new Error('client gone'));
    expect(createContext({ passengerFlow, config: CONFIG }, { signal: client.signal }).upstream.signal!.aborted).toBe(true);

    const answered = createContext({ passengerFlow, config: CONFIG });
    answered.finish();
    const signal = answered.upstream.signal!;
    expect(signal.aborted).toBe(true);
    expect((signal.reason as DOMException).name).toBe('AbortError');
  });

  it('finish() ends a signal in use, and leaves no timer behind', () => {
    const context = createContext({ passengerFlow, config: CONFIG });
    const signal = context.upstream.signal!;
    expect(vi.getTimerCount()).toBe(1);
    context.finish();
    expect(signal.aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a request that never waits makes no timer; the hourly loader and directory are built only when asked', () => {
    const context = createContext({ passengerFlow, config: CONFIG });
    // yoga copies the context's own properties into its own: nothing may be built by that copy.
    const copied = { ...context };
    expect(vi.getTimerCount()).toBe(0);
    expect(copied.hourlyIndicators()).toBe(context.hourlyIndicators());
    expect(copied.storeDirectory()).toBe(context.storeDirectory());
    context.finish();
    expect(vi.getTimerCount()).toBe(0);
  });
});
