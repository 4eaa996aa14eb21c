import { describe, expect, it } from 'vitest';
import { dailyWindows, dayWindow } from '../../src/resolvers/day-window.js';

describe('day windows', () => {
  it('one object per (from, to, flag), with the upstream times and length', () => {
    const week = dayWindow('2026-05-04', '2026-05-10', false);
    expect(week).toMatchObject({ startTime: '2026-05-04 00:00:00', endTime: '2026-05-10 23:59:59', days: 7, businessHoursOnly: false });
    expect(dayWindow('2026-05-04', '2026-05-10', false)).toBe(week);
    expect(dayWindow('2026-05-04', '2026-05-10', true)).not.toBe(week);
    expect(dayWindow('2026-05-10', '2026-05-04', false).days).toBeLessThan(0);
  });

  it("a series' one-day windows, in order, shared with single-day fields", () => {
    const days = dailyWindows(dayWindow('2028-02-27', '2028-03-01', true));
    expect(days.map((day) => [day.from, day.to, day.businessHoursOnly])).toEqual([
      ['2028-02-27', '2028-02-27', true],
      ['2028-02-28', '2028-02-28', true],
      ['2028-02-29', '2028-02-29', true],
      ['2028-03-01', '2028-03-01', true],
    ]);
    expect(days[2]).toBe(dayWindow('2028-02-29', '2028-02-29', true));
  });

  it('the table is bounded whatever windows arrive: one `from` with thousands of `to`s starts it afresh', () => {
    const first = dayWindow('2001-01-01', '2001-01-01', false);
    for (let day = 0; day < 5000; day++) {
      const to = new Date(Date.UTC(2001, 0, 1) + day * 86_400_000).toISOString().slice(0, 10);
      dayWindow('2001-01-01', to, false);
    }
    expect(dayWindow('2001-01-01', '2001-01-01', false)).not.toBe(first);
    expect(dayWindow('2001-01-01', '2001-01-01', false)).toEqual(first);
  });
});
