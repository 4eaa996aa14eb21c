import { describe, expect, it } from 'vitest';
import { CallBudgetExceededError } from '../../src/upstream/errors.js';
import { createPassengerIndicatorLoader, passengerIndicatorKey } from '../../src/upstream/loaders.js';
import { createConcurrencyLimit, createRequestScope, type RequestScopeOptions } from '../../src/upstream/request-scope.js';
import type { PassengerFlowApi, PassengerIndicatorFigures, PassengerIndicatorQuery } from '../../src/upstream/passenger-flow.js';

const figures = (inflow: number): PassengerIndicatorFigures => ({
  inflow,
  passBy: 0,
  outsideFlow: inflow,
  inShopRate: 100,
  outflow: null,
  fittingRoomFlow: null,
  fittingRoomRate: null,
  shopId: null,
});
const q = (depId: string, day = '2026-05-10', businessHoursOnly = false): PassengerIndicatorQuery => ({
  depId,
  startTime: `${day} 00:00:00`,
  endTime: `${day} 23:59:59`,
  businessHoursOnly,
});

interface FakeApiOptions {
  fail?: (query: PassengerIndicatorQuery) => boolean;
  /** Hold every call in flight until `release()`; otherwise a call answers on the next microtask. */
  held?: boolean;
}

/** A fake upstream that records calls and the most calls ever in flight at once. */
function fakeApi({ fail = () => false, held = false }: FakeApiOptions = {}) {
  const calls: string[] = [];
  const signals: (AbortSignal | undefined)[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let release!: () => void;
  const released = held ? new Promise<void>((resolve) => (release = resolve)) : Promise.resolve();
  const api: PassengerFlowApi = {
    async getPassengerIndicatorData(query, options) {
      calls.push(passengerIndicatorKey(query));
      signals.push(options?.signal);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await released;
      inFlight--;
      if (fail(query)) throw new Error(`store ${query.depId} failed`);
      return figures(Number(query.depId));
    },
  };
  return { api, calls, signals, maxInFlight: () => maxInFlight, inFlight: () => inFlight, release: () => release() };
}

/**
 * One turn of the event loop: DataLoader dispatches its batch and the limiter fills its slots in microtasks
 * and nextTicks, which all run before a setImmediate callback. Timing-free: nothing here waits for a clock.
 */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

const scope = (options: Partial<RequestScopeOptions> = {}) => createRequestScope({ maxConcurrency: 8, maxUpstreamCalls: 2000, ...options });
const loaderOf = (api: PassengerFlowApi, options: Partial<RequestScopeOptions> = {}, disableLoader = false) =>
  createPassengerIndicatorLoader(api, scope(options), { disableLoader, cache: null });

describe('createPassengerIndicatorLoader', () => {
  it('de-duplicates by (store, start, end, businessHoursOnly) and keeps businessHoursOnly apart', async () => {
    const fake = fakeApi();
    const loader = loaderOf(fake.api);
    const results = await Promise.all([loader.load(q('1')), loader.load(q('1')), loader.load(q('1', '2026-05-10', true)), loader.load(q('2'))]);
    expect(results.map((r) => r.figures.inflow)).toEqual([1, 1, 1, 2]);
    expect(fake.calls.sort()).toEqual([
      '1|2026-05-10 00:00:00|2026-05-10 23:59:59|0',
      '1|2026-05-10 00:00:00|2026-05-10 23:59:59|1',
      '2|2026-05-10 00:00:00|2026-05-10 23:59:59|0',
    ]);
  });

  it('never has more than maxConcurrency calls in flight, and makes every call', async () => {
    const fake = fakeApi({ held: true });
    const loader = loaderOf(fake.api, { maxConcurrency: 3 });
    const all = Promise.all(Array.from({ length: 20 }, (_, i) => loader.load(q(String(i + 1)))));
    await settle();
    // Every load is issued and held: exactly the bound is in flight, the other 17 wait for a slot.
    expect(fake.inFlight()).toBe(3);
    expect(fake.calls).toHaveLength(3);
    fake.release();
    await all;
    expect(fake.calls).toHaveLength(20);
    expect(fake.maxInFlight()).toBe(3);
  });

  it('fails only the failing key', async () => {
    const fake = fakeApi({ fail: (query) => query.depId === '2' });
    const loader = loaderOf(fake.api);
    const settled = await Promise.allSettled([loader.load(q('1')), loader.load(q('2')), loader.load(q('3'))]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((settled[1] as PromiseRejectedResult).reason.message).toBe('store 2 failed');
  });

  it('refuses loads beyond the call budget without calling upstream; de-duplicated loads are free', async () => {
    const fake = fakeApi();
    const loader = loaderOf(fake.api, { maxUpstreamCalls: 2 });
    const settled = await Promise.allSettled([loader.load(q('1')), loader.load(q('1')), loader.load(q('2')), loader.load(q('3'))]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
    const reason = (settled[3] as PromiseRejectedResult).reason;
    expect(reason).toBeInstanceOf(CallBudgetExceededError);
    expect(reason).toMatchObject({ code: 'QUERY_TOO_COMPLEX', retryable: false, maxUpstreamCalls: 2 });
    expect(fake.calls).toHaveLength(2);
  });

  it('disabled (debug) mode calls once per load, still bounded', async () => {
    const fake = fakeApi({ held: true });
    const loader = loaderOf(fake.api, { maxConcurrency: 2 }, true);
    const all = Promise.all([loader.load(q('1')), loader.load(q('1')), loader.load(q('1')), loader.load(q('2'))]);
    await settle();
    expect(fake.inFlight()).toBe(2);
    fake.release();
    await all;
    expect(fake.calls).toHaveLength(4);
    expect(fake.maxInFlight()).toBe(2);
  });

  it('passes the request’s signal to every upstream call', async () => {
    const fake = fakeApi();
    const controller = new AbortController();
    const loader = loaderOf(fake.api, { signal: controller.signal });
    await Promise.all([loader.load(q('1')), loader.load(q('2'))]);
    expect(fake.signals).toEqual([controller.signal, controller.signal]);
  });
});

describe('createRequestScope: one bound and one budget per request, whatever the methods', () => {
  it('two loaders on one scope share the concurrency bound', async () => {
    const a = fakeApi({ held: true });
    const b = fakeApi({ held: true });
    let peak = 0;
    const track = () => (peak = Math.max(peak, a.inFlight() + b.inFlight()));
    const shared = scope({ maxConcurrency: 3 });
    const tracked = (fake: ReturnType<typeof fakeApi>): PassengerFlowApi => ({
      getPassengerIndicatorData: async (query, options) => {
        const pending = fake.api.getPassengerIndicatorData(query, options);
        track();
        return pending;
      },
    });
    const first = createPassengerIndicatorLoader(tracked(a), shared, { disableLoader: false, cache: null });
    const second = createPassengerIndicatorLoader(tracked(b), shared, { disableLoader: false, cache: null });
    const all = Promise.all(Array.from({ length: 10 }, (_, i) => [first.load(q(String(i + 1))), second.load(q(String(i + 1)))]).flat());
    await settle();
    expect(a.inFlight() + b.inFlight()).toBe(3);
    a.release();
    b.release();
    await all;
    expect(a.calls).toHaveLength(10);
    expect(b.calls).toHaveLength(10);
    expect(peak).toBe(3);
  });

  it('two loaders on one scope share the call budget (a second method cannot double it)', async () => {
    const a = fakeApi();
    const b = fakeApi();
    const shared = scope({ maxUpstreamCalls: 3 });
    const first = createPassengerIndicatorLoader(a.api, shared, { disableLoader: false, cache: null });
    const second = createPassengerIndicatorLoader(b.api, shared, { disableLoader: false, cache: null });
    const settled = await Promise.allSettled([first.load(q('1')), first.load(q('2')), second.load(q('3')), second.load(q('4'))]);
    expect(settled.filter((s) => s.status === 'rejected')).toHaveLength(1);
    expect(a.calls.length + b.calls.length).toBe(3);
    expect(shared.calls).toBe(3);
  });
});

describe('createConcurrencyLimit', () => {
  /** A task that records when it starts and finishes only when released. */
  function gate(log: string[], name: string) {
    let open!: () => void;
    const opened = new Promise<void>((resolve) => (open = resolve));
    const task = async () => {
      log.push(name);
      await opened;
    };
    return { task, open };
  }

  // A freed slot goes to the oldest waiter. The newcomer arrives at each moment a slot can be freed around:
  // from the task's own promise (before the limiter sees it finish), from the limiter's promise, and later.
  it.each([
    ['the first task’s own .then', (firstTask: Promise<void>, _first: Promise<void>, go: () => void) => void firstTask.then(go)],
    ['the limiter’s promise .then', (_firstTask: Promise<void>, first: Promise<void>, go: () => void) => void first.then(go)],
    ['a microtask after the task finished', (firstTask: Promise<void>, _first: Promise<void>, go: () => void) => void firstTask.then(() => queueMicrotask(go))],
    ['a later macrotask', (firstTask: Promise<void>, _first: Promise<void>, go: () => void) => void firstTask.then(() => setImmediate(go))],
  ])('hands a freed slot to the waiter, never to a newcomer scheduled from %s', async (_name, schedule) => {
    const limit = createConcurrencyLimit(1);
    const log: string[] = [];
    let active = 0;
    let peak = 0;
    const counted = (task: () => Promise<void>) => async () => {
      active++;
      peak = Math.max(peak, active);
      try {
        await task();
      } finally {
        active--;
      }
    };
    const a = gate(log, 'first');
    const b = gate(log, 'waiter');
    const c = gate(log, 'newcomer');
    let firstTask!: Promise<void>;
    const first = limit(() => (firstTask = counted(a.task)()));
    const waiter = limit(counted(b.task));
    let newcomer: Promise<void> | undefined;
    const arrived = new Promise<void>((resolve) =>
      schedule(firstTask, first, () => {
        newcomer = limit(counted(c.task));
        resolve();
      }),
    );
    a.open();
    await arrived;
    // Let every pending hand-off settle before looking.
    await new Promise((resolve) => setImmediate(resolve));
    expect(log).toEqual(['first', 'waiter']);
    b.open();
    c.open();
    await Promise.all([first, waiter, newcomer]);
    expect(log).toEqual(['first', 'waiter', 'newcomer']);
    expect(peak).toBe(1);
  });

  it('rejects a bound below 1', () => {
    expect(() => createConcurrencyLimit(0)).toThrow('maxConcurrency must be a positive integer');
  });
});
