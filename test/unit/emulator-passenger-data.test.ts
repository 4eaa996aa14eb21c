import { describe, expect, it } from 'vitest';
import {
  computePassengerIndicator,
  fnv1a32,
  hourSlotFigures,
  HOURLY_PEAK,
  percent2,
  storeProfile,
  type PassengerIndicator,
} from '../../src/emulator/passenger-data.js';

const DAY = { depId: '174679', startTime: '2026-05-10 00:00:00', endTime: '2026-05-10 23:59:59' };
const hour = (depId: string, date: string, hh: number) => ({
  depId,
  startTime: `${date} ${String(hh).padStart(2, '0')}:00:00`,
  endTime: `${date} ${String(hh).padStart(2, '0')}:59:59`,
});

/** The documented rule, re-implemented from the comment in passenger-data.ts rather than by calling it. */
function byTheRule(depId: string, date: string, hours: number[], open = 10, close = 22): { entering: number; passing: number; leaving: number; dressing: number } {
  const s = fnv1a32(`store|${depId}`);
  const scale = 50 + ((s >>> 8) % 151);
  const sum = { entering: 0, passing: 0, leaving: 0, dressing: 0 };
  for (const hh of hours) {
    const h = fnv1a32(`${depId}|${date}|${String(hh).padStart(2, '0')}`);
    const inHours = hh >= open && hh < close;
    const peak = HOURLY_PEAK[hh] ?? NaN;
    const entering = Math.floor(((inHours ? peak : 1) * scale * (80 + (h % 41))) / 10000);
    sum.entering += entering;
    sum.passing += Math.floor(((inHours ? peak * 9 : peak * 2) * scale * (80 + ((h >>> 8) % 41))) / 10000);
    sum.leaving += Math.floor((entering * (90 + ((h >>> 16) % 21))) / 100);
    sum.dressing += Math.floor((entering * ((h >>> 24) % 41)) / 100);
  }
  return sum;
}

const ALL_HOURS = Array.from({ length: 24 }, (_, i) => i);

describe('FNV-1a and rounding', () => {
  it('fnv1a32 matches the reference vectors', () => {
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('percent2 rounds half up to 2 decimals, 0 for a zero denominator', () => {
    expect(percent2(113, 1388)).toBe(8.14);
    expect(percent2(1, 800)).toBe(0.13);
    expect(percent2(1, 3)).toBe(33.33);
    expect(percent2(2, 3)).toBe(66.67);
    expect(percent2(5, 5)).toBe(100);
    expect(percent2(0, 0)).toBe(0);
  });
});

describe('computePassengerIndicator', () => {
  it('follows the documented rule exactly for a whole day and for business hours', () => {
    const profile = storeProfile('174679');
    const whole = computePassengerIndicator(DAY);
    const rule = byTheRule('174679', '2026-05-10', ALL_HOURS);
    expect(whole.passengerFlow).toBe(rule.entering);
    expect(whole.passPassengerFlow).toBe(rule.passing);
    expect(whole.outFlowCount).toBe(profile.faceDevices ? undefined : rule.leaving);
    expect(whole.dressingPassengerFlow).toBe(profile.fittingRoom ? rule.dressing : undefined);
    const open = computePassengerIndicator({ ...DAY, businessHoursOnly: true });
    expect(open.passengerFlow).toBe(byTheRule('174679', '2026-05-10', ALL_HOURS.slice(10, 22)).entering);
    expect(whole.passengerFlow).toBeGreaterThan(100);
  });

  it('outside = entering + passing; the rates are percent2 of the sums', () => {
    for (let depId = 1000; depId < 1100; depId++) {
      const r = computePassengerIndicator({ ...DAY, depId });
      expect(r.outsidePassengerFlow).toBe(r.passengerFlow + r.passPassengerFlow);
      expect(r.inShopRate).toBe(Math.round((r.passengerFlow * 10000) / r.outsidePassengerFlow) / 100);
      if (r.dressingPassengerFlow !== undefined) {
        expect(r.dressingPassengerFlow).toBeLessThanOrEqual(r.passengerFlow);
        expect(r.dressingRate).toBe(percent2(r.dressingPassengerFlow, r.passengerFlow));
      }
      expect(r.shopId).toBe('');
    }
  });

  it('business hours ≤ whole day, field by field', () => {
    for (let depId = 2000; depId < 2050; depId++) {
      const whole = computePassengerIndicator({ ...DAY, depId });
      const open = computePassengerIndicator({ ...DAY, depId, businessHoursOnly: true });
      expect(open.passengerFlow).toBeLessThanOrEqual(whole.passengerFlow);
      expect(open.passPassengerFlow).toBeLessThanOrEqual(whole.passPassengerFlow);
      expect(open.outFlowCount ?? 0).toBeLessThanOrEqual(whole.outFlowCount ?? 0);
      expect(open.dressingPassengerFlow ?? 0).toBeLessThanOrEqual(whole.dressingPassengerFlow ?? 0);
    }
  });

  it('a day is the sum of its 24 hours; two days are the sum of the days', () => {
    const sum = (rs: PassengerIndicator[], f: (r: PassengerIndicator) => number | undefined) => rs.reduce((t, r) => t + (f(r) ?? 0), 0);
    const hours = ALL_HOURS.map((hh) => computePassengerIndicator(hour('174679', '2026-05-10', hh)));
    const day = computePassengerIndicator(DAY);
    expect(sum(hours, (r) => r.passengerFlow)).toBe(day.passengerFlow);
    expect(sum(hours, (r) => r.passPassengerFlow)).toBe(day.passPassengerFlow);
    expect(sum(hours, (r) => r.outFlowCount)).toBe(day.outFlowCount ?? 0);
    expect(sum(hours, (r) => r.dressingPassengerFlow)).toBe(day.dressingPassengerFlow ?? 0);

    const next = computePassengerIndicator({ ...DAY, startTime: '2026-05-11 00:00:00', endTime: '2026-05-11 23:59:59' });
    const both = computePassengerIndicator({ ...DAY, endTime: '2026-05-11 23:59:59' });
    expect(both.passengerFlow).toBe(day.passengerFlow + next.passengerFlow);
    expect(next.passengerFlow).not.toBe(day.passengerFlow);
  });

  it('includes every hour slot the window touches', () => {
    const slot10 = computePassengerIndicator(hour('174679', '2026-05-10', 10));
    expect(computePassengerIndicator({ ...DAY, startTime: '2026-05-10 10:30:00', endTime: '2026-05-10 10:30:00' })).toEqual(slot10);
    const slot11 = computePassengerIndicator(hour('174679', '2026-05-10', 11));
    const straddle = computePassengerIndicator({ ...DAY, startTime: '2026-05-10 10:59:59', endTime: '2026-05-10 11:00:00' });
    expect(straddle.passengerFlow).toBe(slot10.passengerFlow + slot11.passengerFlow);
    // Across midnight: 23:xx of one day and 00:xx of the next.
    const midnight = computePassengerIndicator({ ...DAY, startTime: '2026-05-10 23:59:00', endTime: '2026-05-11 00:00:00' });
    const late = computePassengerIndicator(hour('174679', '2026-05-10', 23));
    const early = computePassengerIndicator(hour('174679', '2026-05-11', 0));
    expect(midnight.passPassengerFlow).toBe(late.passPassengerFlow + early.passPassengerFlow);
  });

  it('is deterministic, differs between stores, and is quiet at night compared with the evening', () => {
    expect(computePassengerIndicator(DAY)).toEqual(computePassengerIndicator({ ...DAY, depId: 174679 }));
    expect(computePassengerIndicator({ ...DAY, depId: '174680' }).passengerFlow).not.toBe(computePassengerIndicator(DAY).passengerFlow);
    let night = 0;
    let evening = 0;
    for (let depId = 3000; depId < 3020; depId++) {
      night += hourSlotFigures(String(depId), '2026-05-10', 3, false, 100).entering + hourSlotFigures(String(depId), '2026-05-10', 3, false, 100).passing;
      evening += hourSlotFigures(String(depId), '2026-05-10', 18, true, 100).entering;
    }
    expect(evening).toBeGreaterThan(night * 5);
  });

  it('store profiles: ~1 in 5 with face devices (no outFlowCount), ~half with a fitting room', () => {
    let face = 0;
    let fitting = 0;
    for (let depId = 1; depId <= 2000; depId++) {
      const profile = storeProfile(depId);
      if (profile.faceDevices) face++;
      if (profile.fittingRoom) fitting++;
      expect(profile.scalePercent).toBeGreaterThanOrEqual(50);
      expect(profile.scalePercent).toBeLessThanOrEqual(200);
    }
    expect(face).toBeGreaterThan(300);
    expect(face).toBeLessThan(500);
    expect(fitting).toBeGreaterThan(850);
    expect(fitting).toBeLessThan(1150);
    const faceStore = Array.from({ length: 100 }, (_, i) => i + 1).find((d) => storeProfile(d).faceDevices);
    expect(computePassengerIndicator({ ...DAY, depId: faceStore ?? 0 })).not.toHaveProperty('outFlowCount');
  });

  it('depends on the configured business hours', () => {
    const custom = computePassengerIndicator({ ...DAY, businessHoursOnly: true }, { businessHours: { open: 8, close: 12 } });
    expect(custom.passengerFlow).toBe(byTheRule('174679', '2026-05-10', [8, 9, 10, 11], 8, 12).entering);
  });

  it.each([
    [{ depId: 'abc' }, /depId/],
    [{ depId: '0' }, /depId/],
    [{ depId: '012' }, /depId/],
    [{ depId: '123456789012' }, /depId/],
    [{ startTime: '2026-02-30 00:00:00' }, /startTime/],
    [{ endTime: '2026-05-10' }, /endTime/],
    [{ startTime: '2026-05-11 00:00:00' }, /after/],
    [{ startTime: '2000-01-01 00:00:00' }, /exceed/],
  ])('throws on %j', (change, message) => {
    expect(() => computePassengerIndicator({ ...DAY, ...change })).toThrow(message);
  });

  it('rejects impossible business hours', () => {
    expect(() => computePassengerIndicator(DAY, { businessHours: { open: 10, close: 10 } })).toThrow(/businessHours/);
    expect(() => computePassengerIndicator(DAY, { businessHours: { open: 0, close: 25 } })).toThrow(/businessHours/);
    expect(computePassengerIndicator({ ...DAY, businessHoursOnly: true }, { businessHours: { open: 0, close: 24 } })).toEqual(
      computePassengerIndicator(DAY, { businessHours: { open: 0, close: 24 } }),
    );
  });
});

describe('computePassengerIndicator and the clock (nowMs)', () => {
  /** Epoch ms of a Beijing wall-clock reading, computed here rather than by the emulator's clock module. */
  const beijing = (date: string, hh: number, mm = 0, ss = 0) => Date.parse(`${date}T${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}:${String(ss).padStart(2, '0')}+08:00`);
  /** A store with every optional field, so each figure is checked. */
  const FULL_STORE = String(Array.from({ length: 200 }, (_, i) => 100 + i).find((d) => !storeProfile(d).faceDevices && storeProfile(d).fittingRoom));
  const TODAY = { depId: FULL_STORE, startTime: '2026-05-10 00:00:00', endTime: '2026-05-10 23:59:59' };

  /** The documented cut, re-implemented: full past hours, then floor(full × minutes / 60) of the current one. */
  function byTheRuleAt(depId: string, date: string, currentHour: number, minutes: number) {
    const past = byTheRule(depId, date, ALL_HOURS.slice(0, currentHour));
    const current = byTheRule(depId, date, [currentHour]);
    const share = (n: number) => Math.floor((n * minutes) / 60);
    return {
      entering: past.entering + share(current.entering),
      passing: past.passing + share(current.passing),
      leaving: past.leaving + share(current.leaving),
      dressing: past.dressing + share(current.dressing),
    };
  }

  it('today: the full past hours plus the elapsed whole minutes of the current hour, rates from the totals', () => {
    const at = beijing('2026-05-10', 14, 37, 42);
    const r = computePassengerIndicator(TODAY, { nowMs: at });
    const rule = byTheRuleAt(FULL_STORE, '2026-05-10', 14, 37);
    expect(r).toEqual({
      passengerFlow: rule.entering,
      passPassengerFlow: rule.passing,
      outsidePassengerFlow: rule.entering + rule.passing,
      inShopRate: percent2(rule.entering, rule.entering + rule.passing),
      outFlowCount: rule.leaving,
      dressingPassengerFlow: rule.dressing,
      dressingRate: percent2(rule.dressing, rule.entering),
      shopId: '',
    });
    // The partial hour really is partial: strictly between "up to 14:00" and "up to 15:00".
    const upTo14 = byTheRule(FULL_STORE, '2026-05-10', ALL_HOURS.slice(0, 14)).entering;
    const upTo15 = byTheRule(FULL_STORE, '2026-05-10', ALL_HOURS.slice(0, 15)).entering;
    expect(r.passengerFlow).toBeGreaterThan(upTo14);
    expect(r.passengerFlow).toBeLessThan(upTo15);
    // Seconds do not count, only whole minutes.
    expect(computePassengerIndicator(TODAY, { nowMs: beijing('2026-05-10', 14, 37, 0) })).toEqual(r);
  });

  it('grows through the day, figure by figure', () => {
    let previous = computePassengerIndicator(TODAY, { nowMs: beijing('2026-05-10', 0, 0) });
    expect(previous.passengerFlow).toBe(0);
    for (const [hh, mm] of [[0, 59], [9, 5], [12, 30], [12, 31], [18, 0], [18, 45], [23, 59]] as const) {
      const next = computePassengerIndicator(TODAY, { nowMs: beijing('2026-05-10', hh, mm) });
      expect(next.passengerFlow).toBeGreaterThanOrEqual(previous.passengerFlow);
      expect(next.passPassengerFlow).toBeGreaterThanOrEqual(previous.passPassengerFlow);
      expect(next.outFlowCount ?? NaN).toBeGreaterThanOrEqual(previous.outFlowCount ?? NaN);
      expect(next.dressingPassengerFlow ?? NaN).toBeGreaterThanOrEqual(previous.dressingPassengerFlow ?? NaN);
      previous = next;
    }
    expect(previous.passengerFlow).toBeGreaterThan(computePassengerIndicator(TODAY, { nowMs: beijing('2026-05-10', 12, 30) }).passengerFlow);
    // Midnight of the next day: the day is complete, exactly as without a clock.
    expect(computePassengerIndicator(TODAY, { nowMs: beijing('2026-05-11', 0, 0) })).toEqual(computePassengerIndicator(TODAY));
    expect(previous).not.toEqual(computePassengerIndicator(TODAY));
  });

  it('the current hour: 0 at minute 0, floor(full × m / 60) after m minutes, keeping the figures in order', () => {
    let leavingAboveEntering = 0;
    let leavingChecked = 0;
    for (let depId = 4000; depId < 4040; depId++) {
      const full = computePassengerIndicator(hour(String(depId), '2026-05-10', 18));
      for (let m = 0; m < 60; m++) {
        const r = computePassengerIndicator(hour(String(depId), '2026-05-10', 18), { nowMs: beijing('2026-05-10', 18, m, 59) });
        expect(r.passengerFlow).toBe(Math.floor((full.passengerFlow * m) / 60));
        expect(r.passPassengerFlow).toBe(Math.floor((full.passPassengerFlow * m) / 60));
        if (r.outFlowCount !== undefined && full.outFlowCount !== undefined) {
          expect(r.outFlowCount).toBe(Math.floor((full.outFlowCount * m) / 60));
          // The full rule lets leaving reach 110 % of entering; the cut never turns ≤ into >.
          if (full.outFlowCount <= full.passengerFlow) {
            expect(r.outFlowCount).toBeLessThanOrEqual(r.passengerFlow);
            leavingChecked++;
          } else leavingAboveEntering++;
        }
        if (r.dressingPassengerFlow !== undefined && full.dressingPassengerFlow !== undefined) {
          expect(r.dressingPassengerFlow).toBe(Math.floor((full.dressingPassengerFlow * m) / 60));
          expect(r.dressingPassengerFlow).toBeLessThanOrEqual(r.passengerFlow);
        }
      }
    }
    // Both cases occur among these stores, so the ordering check above is not vacuous.
    expect(leavingAboveEntering).toBeGreaterThan(0);
    expect(leavingChecked).toBeGreaterThan(0);
  });

  it('a future day, and a slot that starts after the clock, count zero; rates are then 0', () => {
    const zero = { passengerFlow: 0, passPassengerFlow: 0, outsidePassengerFlow: 0, inShopRate: 0, outFlowCount: 0, dressingPassengerFlow: 0, dressingRate: 0, shopId: '' };
    const tomorrow = { ...TODAY, startTime: '2026-05-11 00:00:00', endTime: '2026-05-11 23:59:59' };
    expect(computePassengerIndicator(tomorrow, { nowMs: beijing('2026-05-10', 14, 37) })).toEqual(zero);
    expect(computePassengerIndicator(tomorrow, { nowMs: beijing('2026-05-10', 23, 59, 59) })).toEqual(zero);
    expect(computePassengerIndicator({ ...tomorrow, businessHoursOnly: true }, { nowMs: beijing('2026-05-10', 14, 37) })).toEqual(zero);
    expect(computePassengerIndicator(hour(FULL_STORE, '2026-05-10', 15), { nowMs: beijing('2026-05-10', 14, 59, 59) })).toEqual(zero);
    // Before opening time, business hours only have not started yet.
    expect(computePassengerIndicator({ ...TODAY, businessHoursOnly: true }, { nowMs: beijing('2026-05-10', 9, 59) })).toEqual(zero);
    expect(computePassengerIndicator(TODAY, { nowMs: -Infinity })).toEqual(zero);
  });

  it('a window reaching into the future counts only up to the clock', () => {
    const at = beijing('2026-05-10', 14, 37);
    const reaching = computePassengerIndicator({ ...TODAY, endTime: '2036-05-01 00:00:00' }, { nowMs: at });
    expect(reaching).toEqual(computePassengerIndicator(TODAY, { nowMs: at }));
    const withYesterday = computePassengerIndicator({ ...TODAY, startTime: '2026-05-09 00:00:00' }, { nowMs: at });
    const yesterday = computePassengerIndicator({ ...TODAY, startTime: '2026-05-09 00:00:00', endTime: '2026-05-09 23:59:59' });
    expect(withYesterday.passengerFlow).toBe(yesterday.passengerFlow + reaching.passengerFlow);
  });

  it('a past day does not depend on the clock', () => {
    const yesterday = { ...TODAY, startTime: '2026-05-09 00:00:00', endTime: '2026-05-09 23:59:59' };
    const unclocked = computePassengerIndicator(yesterday);
    const rule = byTheRule(FULL_STORE, '2026-05-09', ALL_HOURS);
    expect(unclocked.passengerFlow).toBe(rule.entering);
    for (const at of [beijing('2026-05-10', 0, 0), beijing('2026-05-10', 14, 37), beijing('2030-01-01', 12, 0), Infinity]) {
      expect(computePassengerIndicator(yesterday, { nowMs: at })).toEqual(unclocked);
    }
  });

  it('rejects a NaN clock', () => {
    expect(() => computePassengerIndicator(TODAY, { nowMs: NaN })).toThrow(/nowMs/);
  });
});
