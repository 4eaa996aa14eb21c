import { describe, expect, it } from 'vitest';
import { UpstreamBadResponseError } from '../../src/upstream/errors.js';
import { parseManyShopsHourlyData, type StoreHours } from '../../src/upstream/hourly-flow.js';

const METHOD = 'open.shopwebpassengerflow.customerflow.getManyShopsPassengerIndicatorData';
const DAY = { startTime: '2026-05-10 00:00:00', endTime: '2026-05-10 23:59:59', businessHoursOnly: false };
const WEEK = { startTime: '2026-05-04 00:00:00', endTime: '2026-05-10 23:59:59', businessHoursOnly: false };

const hour = (time: unknown, extra: Record<string, unknown> = {}) => ({
  time,
  passengerFlow: 10,
  passPassengerFlow: 90,
  outSidePassengerFlow: 100,
  inShopRate: 10,
  outFlowCount: 9,
  dressingRate: 20,
  inCountHavingPassDevice: 10,
  duplicatedFlow: 0,
  ...extra,
});
const FIGURES = { inflow: 10, passBy: 90, outsideFlow: 100, inShopRate: 10, outflow: 9, fittingRoomRate: 20 };

function ok(part: StoreHours | undefined) {
  if (!Array.isArray(part)) throw new Error(`expected hours, got ${String(part)}`);
  return part;
}
function failure(part: StoreHours | undefined): string {
  expect(part).toBeInstanceOf(UpstreamBadResponseError);
  expect((part as UpstreamBadResponseError).code).toBe('UPSTREAM_BAD_RESPONSE');
  return (part as Error).message;
}

describe('parseManyShopsHourlyData', () => {
  it('splits the answer per store by depId, not by position, and sorts each store’s hours', () => {
    const data = [
      { name: '门店2', depId: 2, shopId: '', dataList: [hour('2026-05-10 01:00:00'), hour('2026-05-10 00:00:00', { passengerFlow: 3 })] },
      { name: '门店1', depId: '1', shopId: '', dataList: [hour('2026-05-10 23:00:00')] },
    ];
    const parts = parseManyShopsHourlyData(data, ['1', '2'], DAY, METHOD);
    expect(ok(parts.get('1'))).toEqual([{ date: '2026-05-10', hour: 23, figures: FIGURES }]);
    expect(ok(parts.get('2')).map((entry) => [entry.hour, entry.figures.inflow])).toEqual([
      [0, 3],
      [1, 10],
    ]);
  });

  it('takes every documented time format, numbers or numeric strings, and the capital S of outSidePassengerFlow', () => {
    const strings = Object.fromEntries(Object.entries(hour('x')).map(([name, value]) => [name, String(value)]));
    const data = [
      {
        depId: 7,
        dataList: [
          hour('2026-05-10 00:00:00'),
          hour('2026-05-10 01:00'),
          hour('02:00'),
          hour(3),
          hour('4'),
          { ...strings, time: '2026-05-10 05:00:00' },
          { ...hour('06:00'), outSidePassengerFlow: undefined, outsidePassengerFlow: 100 },
        ],
      },
    ];
    const hours = ok(parseManyShopsHourlyData(data, ['7'], DAY, METHOD).get('7'));
    expect(hours.map((entry) => [entry.date, entry.hour])).toEqual([0, 1, 2, 3, 4, 5, 6].map((h) => ['2026-05-10', h]));
    for (const entry of hours) expect(entry.figures).toEqual(FIGURES);
  });

  it('leaves optional figures null, and an absent dataList means no hour reported (not zeros)', () => {
    const data = [{ depId: 1, dataList: [hour('2026-05-10 10:00:00', { outFlowCount: undefined, dressingRate: '' })] }, { depId: 2, dataList: null }];
    const parts = parseManyShopsHourlyData(data, ['1', '2'], DAY, METHOD);
    expect(ok(parts.get('1'))[0]?.figures).toEqual({ ...FIGURES, outflow: null, fittingRoomRate: null });
    expect(ok(parts.get('2'))).toEqual([]);
  });

  it('fails only the store whose element is missing, repeated or malformed; ignores stores not asked for', () => {
    const data = [
      { depId: 1, dataList: [hour('2026-05-10 10:00:00')] },
      { depId: 2, dataList: [hour('2026-05-10 10:00:00', { passengerFlow: 'lots' })] },
      { depId: 3, dataList: [] },
      { depId: 3, dataList: [] },
      { depId: 99, dataList: 'not even a list' },
      { depId: 'S_5', dataList: [] },
    ];
    const parts = parseManyShopsHourlyData(data, ['1', '2', '3', '4', '5'], DAY, METHOD);
    expect(ok(parts.get('1'))).toHaveLength(1);
    expect(failure(parts.get('2'))).toContain('data[1].dataList[0].passengerFlow is not a number');
    expect(failure(parts.get('3'))).toContain('several elements for store 3');
    expect(failure(parts.get('4'))).toContain('no element for store 4');
    expect(failure(parts.get('5'))).toContain('no element for store 5');
    expect(parts.has('99')).toBe(false);
  });

  it.each([
    ['an hour outside the window', '2026-05-11 00:00:00', 'outside the window'],
    ['a time that is not the start of an hour', '2026-05-10 10:30:00', 'not the start of an hour'],
    ['a clock time that is not the start of an hour', '10:30', 'not the start of an hour'],
    ['hour 24', 24, 'from 0 to 23'],
    ['a fractional hour', 1.5, 'not an hour'],
    ['an unreal date', '2026-02-30 10:00:00', 'not a real date'],
    ['another format', '10 o’clock', 'is not yyyy-MM-dd HH:mm[:ss], HH:mm or an hour'],
    ['no time', undefined, 'is missing'],
  ])('rejects %s as a bad response of that store', (_what, time, message) => {
    expect(failure(parseManyShopsHourlyData([{ depId: 1, dataList: [hour(time)] }], ['1'], DAY, METHOD).get('1'))).toContain(message);
  });

  it('rejects a repeated hour, and a time without a date over several days (it could be an hour-of-day total)', () => {
    const repeated = [{ depId: 1, dataList: [hour('2026-05-10 10:00:00'), hour('10:00')] }];
    expect(failure(parseManyShopsHourlyData(repeated, ['1'], DAY, METHOD).get('1'))).toContain('repeats an hour');
    const undated = [{ depId: 1, dataList: [hour('10:00')] }];
    expect(failure(parseManyShopsHourlyData(undated, ['1'], WEEK, METHOD).get('1'))).toContain('no date in a window of several days');
    const dated = [{ depId: 1, dataList: [hour('2026-05-04 10:00:00'), hour('2026-05-10 23:00')] }];
    expect(ok(parseManyShopsHourlyData(dated, ['1'], WEEK, METHOD).get('1')).map((entry) => entry.date)).toEqual(['2026-05-04', '2026-05-10']);
  });

  it('fails the whole call when data is not an array of objects', () => {
    expect(() => parseManyShopsHourlyData({ depId: 1 }, ['1'], DAY, METHOD)).toThrow(UpstreamBadResponseError);
    expect(() => parseManyShopsHourlyData([null], ['1'], DAY, METHOD)).toThrow('data[0] is not an object');
  });
});
