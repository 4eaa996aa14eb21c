import { describe, expect, it } from 'vitest';
import { computeHourlyIndicators } from '../../src/emulator/hourly-data.js';
import { computePassengerIndicator, storeProfile } from '../../src/emulator/passenger-data.js';

/** THE HOURLY RULE against THE RULE of the daily figures: consistent under the platform's counting rule. */

const DAY = '2026-05-10';
const window = (depId: string, extra: Record<string, unknown> = {}) => ({ depId, startTime: `${DAY} 00:00:00`, endTime: `${DAY} 23:59:59`, ...extra });
const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
const stores = Array.from({ length: 200 }, (_, i) => String(174_679 + i));
const faceStores = stores.filter((id) => storeProfile(id).faceDevices);
const countingStores = stores.filter((id) => !storeProfile(id).faceDevices);
/** Beijing wall clock → epoch ms. */
const beijing = (date: string, hour: number, minute = 0) => Date.parse(`${date}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00+08:00`);

describe('computeHourlyIndicators', () => {
  it('answers one entry per hour, `yyyy-MM-dd HH:00:00`, with outside = entering + passing and the rate from them', () => {
    const hours = computeHourlyIndicators(window('174679'));
    expect(hours.map((entry) => entry.time)).toEqual(Array.from({ length: 24 }, (_, h) => `${DAY} ${String(h).padStart(2, '0')}:00:00`));
    for (const entry of hours) {
      expect(entry.outSidePassengerFlow).toBe(entry.passengerFlow + entry.passPassengerFlow);
      expect(entry.inShopRate).toBe(entry.outSidePassengerFlow === 0 ? 0 : Math.round((entry.passengerFlow * 10_000) / entry.outSidePassengerFlow) / 100);
    }
  });

  it('counting devices: a day’s hours add up to exactly its daily figures (entries, not persons)', () => {
    expect(countingStores.length).toBeGreaterThan(100);
    for (const depId of countingStores.slice(0, 20)) {
      const hours = computeHourlyIndicators(window(depId));
      const day = computePassengerIndicator(window(depId));
      expect(sum(hours.map((entry) => entry.passengerFlow))).toBe(day.passengerFlow);
      expect(sum(hours.map((entry) => entry.passPassengerFlow))).toBe(day.passPassengerFlow);
      expect(sum(hours.map((entry) => entry.outFlowCount ?? 0))).toBe(day.outFlowCount);
      expect(hours.every((entry) => entry.duplicatedFlow === 0)).toBe(true);
    }
  });

  it('face devices: per-hour de-duplication counts returning visitors again, so the hours add up to more than the day', () => {
    expect(faceStores.length).toBeGreaterThan(20);
    for (const depId of faceStores) {
      const hours = computeHourlyIndicators(window(depId));
      const day = computePassengerIndicator(window(depId));
      const returning = sum(hours.map((entry) => entry.duplicatedFlow));
      expect(sum(hours.map((entry) => entry.passengerFlow))).toBe(day.passengerFlow + returning);
      expect(returning, depId).toBeGreaterThan(0);
      expect(hours[0]?.duplicatedFlow).toBe(0); // nobody was seen earlier that day
      expect(hours.every((entry) => entry.outFlowCount === undefined)).toBe(true);
    }
  });

  it('business hours only leaves the other hours out (not zero); starthour/endhour restrict the hours of the day', () => {
    const all = computeHourlyIndicators(window('174679'));
    const open = computeHourlyIndicators(window('174679', { businessHoursOnly: true }));
    expect(open.map((entry) => entry.time.slice(11, 13))).toEqual(['10', '11', '12', '13', '14', '15', '16', '17', '18', '19', '20', '21']);
    expect(open).toEqual(all.slice(10, 22));
    expect(computeHourlyIndicators(window('174679', { startHour: 8, endHour: 9 }))).toEqual(all.slice(8, 10));
  });

  it('follows the clock: earlier hours in full, the current hour its elapsed minutes, later hours and days zero', () => {
    const full = computeHourlyIndicators(window('174679'));
    const now = beijing(DAY, 14, 30);
    const cut = computeHourlyIndicators(window('174679'), { nowMs: now });
    expect(cut.slice(0, 14)).toEqual(full.slice(0, 14));
    expect(cut[14]?.passengerFlow).toBe(Math.floor((full[14]!.passengerFlow * 30) / 60));
    for (const entry of cut.slice(15)) expect([entry.passengerFlow, entry.passPassengerFlow, entry.outSidePassengerFlow, entry.inShopRate]).toEqual([0, 0, 0, 0]);
    const tomorrow = computeHourlyIndicators({ depId: '174679', startTime: '2026-05-11 00:00:00', endTime: '2026-05-11 23:59:59' }, { nowMs: now });
    expect(tomorrow).toHaveLength(24);
    expect(sum(tomorrow.map((entry) => entry.passengerFlow + entry.passPassengerFlow))).toBe(0);
  });
});
