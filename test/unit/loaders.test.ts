import { describe, expect, it } from 'vitest';
import { createConcurrencyLimit, createPassengerIndicatorLoader, passengerIndicatorKey } from '../../src/upstream/loaders.js';
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

/** A fake upstream that records calls and the most calls ever in flight at once. */
function fakeApi(fail: (query: PassengerIndicatorQuery) => boolean = () => false) {
  const calls: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const api: PassengerFlowApi = {
    async getPassengerIndicatorData(query) {
      calls.push(passengerIndicatorKey(query));
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
      if (fail(query)) throw new Error(`store ${query.depId} failed`);
      return figures(Number(query.depId));
    },
  };
  return { api, calls, maxInFlight: () => maxInFlight };
}

describe('createPassengerIndicatorLoader', () => {
  it('de-duplicates by (store, start, end, businessHoursOnly) and keeps businessHoursOnly apart', async () => {
    const fake = fakeApi();
    const loader = createPassengerIndicatorLoader(fake.api);
    const results = await Promise.all([loader.load(q('1')), loader.load(q('1')), loader.load(q('1', '2026-05-10', true)), loader.load(q('2'))]);
    expect(results.map((r) => r.inflow)).toEqual([1, 1, 1, 2]);
    expect(fake.calls.sort()).toEqual([
      '1|2026-05-10 00:00:00|2026-05-10 23:59:59|0',
      '1|2026-05-10 00:00:00|2026-05-10 23:59:59|1',
      '2|2026-05-10 00:00:00|2026-05-10 23:59:59|0',
    ]);
  });

  it('never has more than maxConcurrency calls in flight, and makes every call', async () => {
    const fake = fakeApi();
    const loader = createPassengerIndicatorLoader(fake.api, { maxConcurrency: 3 });
    await Promise.all(Array.from({ length: 20 }, (_, i) => loader.load(q(String(i + 1)))));
    expect(fake.calls).toHaveLength(20);
    expect(fake.maxInFlight()).toBe(3);
  });

  it('fails only the failing key', async () => {
    const fake = fakeApi((query) => query.depId === '2');
    const loader = createPassengerIndicatorLoader(fake.api);
    const settled = await Promise.allSettled([loader.load(q('1')), loader.load(q('2')), loader.load(q('3'))]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((settled[1] as PromiseRejectedResult).reason.message).toBe('store 2 failed');
  });

  it('refuses loads beyond the call budget without calling upstream; de-duplicated loads are free', async () => {
    const fake = fakeApi();
    const loader = createPassengerIndicatorLoader(fake.api, { maxCalls: 2 });
    const settled = await Promise.allSettled([loader.load(q('1')), loader.load(q('1')), loader.load(q('2')), loader.load(q('3'))]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
    expect((settled[3] as PromiseRejectedResult).reason).toMatchObject({ code: 'UPSTREAM_CALL_BUDGET_EXCEEDED', maxCalls: 2 });
    expect(fake.calls).toHaveLength(2);
  });

  it('disabled (debug) mode calls once per load, still bounded', async () => {
    const fake = fakeApi();
    const loader = createPassengerIndicatorLoader(fake.api, { disabled: true, maxConcurrency: 2 });
    await Promise.all([loader.load(q('1')), loader.load(q('1')), loader.load(q('1')), loader.load(q('2'))]);
    expect(fake.calls).toHaveLength(4);
    expect(fake.maxInFlight()).toBe(2);
  });
});

describe('createConcurrencyLimit', () => {
  it('hands a freed slot to the next waiter, never to a newcomer beyond the bound', async () => {
    const limit = createConcurrencyLimit(1);
    let active = 0;
    let peak = 0;
    const task = async () => {
      active++;
      peak = Math.max(peak, active);
      await Promise.resolve();
      active--;
    };
    const first = limit(task);
    const second = limit(task);
    await first;
    const third = limit(task); // arrives while `second` holds the handed-over slot
    await Promise.all([second, third]);
    expect(peak).toBe(1);
  });

  it('rejects a bound below 1', () => {
    expect(() => createConcurrencyLimit(0)).toThrow('maxConcurrency must be a positive integer');
  });
});
