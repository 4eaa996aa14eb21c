import { describe, expect, it } from 'vitest';
import { parseEnvelope } from '../../src/upstream/envelope.js';
import { UpstreamBadResponseError } from '../../src/upstream/errors.js';
import { parsePassengerIndicatorData } from '../../src/upstream/passenger-flow.js';
import { createTimestampFormatter } from '../../src/upstream/timestamp.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const badResponse = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UpstreamBadResponseError);
    return (error as Error).message;
  }
  throw new Error('expected a bad response');
};

describe('parseEnvelope', () => {
  it('accepts stat.code as a number or a numeric string', () => {
    const a = parseEnvelope(bytes('{"stat":{"cid":"x","code":0,"codename":"SUCCESS","systime":1778390000000},"data":{"a":1}}'), 'm');
    expect(a).toEqual({ code: 0, codename: 'SUCCESS', cid: 'x', systime: 1778390000000, data: { a: 1 } });
    const b = parseEnvelope(bytes('{"stat":{"code":"-500","codename":"API_SYSTEM_CALL_ERROR"},"data":null}'), 'm');
    expect(b.code).toBe(-500);
    expect(b.cid).toBeNull();
  });

  it('fills a missing codename from the table', () => {
    expect(parseEnvelope(bytes('{"stat":{"code":7}}'), 'm').codename).toBe('SIGN_WRONG');
  });

  it.each([
    ['empty', '', 'empty body'],
    ['HTML', '<html><body>502 Bad Gateway</body></html>', 'HTML instead of JSON'],
    ['truncated', '{"stat":{"code":0,"codename":"SUC', 'not valid JSON'],
    ['no stat', '{"data":1}', 'without a "stat"'],
    ['array', '[1,2]', 'without a "stat"'],
    ['code not integer', '{"stat":{"code":"zero"}}', 'stat.code is not an integer'],
  ])('rejects %s bodies without quoting them', (_name, body, reason) => {
    const message = badResponse(() => parseEnvelope(bytes(body), 'm'));
    expect(message).toContain(reason);
    if (body.length > 3) expect(message).not.toContain(body.slice(0, 8));
  });

  it('rejects invalid UTF-8', () => {
    expect(badResponse(() => parseEnvelope(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), 'm'))).toContain('not UTF-8');
  });
});

describe('parsePassengerIndicatorData', () => {
  const sample = {
    passengerFlow: 113,
    passPassengerFlow: '1275',
    outsidePassengerFlow: 1388,
    inShopRate: '8.14',
    outFlowCount: 195,
    shopId: '',
  };

  it('maps the live sample, numbers or numeric strings, absent optionals → null', () => {
    expect(parsePassengerIndicatorData(sample)).toEqual({
      inflow: 113,
      passBy: 1275,
      outsideFlow: 1388,
      inShopRate: 8.14,
      outflow: 195,
      fittingRoomFlow: null,
      fittingRoomRate: null,
      shopId: null,
    });
  });

  it.each([
    ['passengerFlow', undefined, 'missing'],
    ['passengerFlow', 'abc', 'not a number'],
    ['passengerFlow', 1.5, 'non-negative integer'],
    ['inShopRate', null, 'missing'],
    ['outFlowCount', 'n/a', 'not a number'],
    ['outFlowCount', -1, 'non-negative'],
    ['dressingRate', {}, 'not a number'],
  ])('rejects %s = %j (%s) as a bad response, never a silent 0', (field, value, reason) => {
    const data: Record<string, unknown> = { ...sample, [field]: value };
    if (value === undefined) delete data[field];
    expect(badResponse(() => parsePassengerIndicatorData(data))).toContain(reason);
  });

  it('rejects data that is not an object', () => {
    expect(badResponse(() => parsePassengerIndicatorData(null))).toContain('not an object');
    expect(badResponse(() => parsePassengerIndicatorData([sample]))).toContain('not an object');
  });
});

describe('createTimestampFormatter', () => {
  it('formats Beijing wall-clock time whatever the host TZ', () => {
    // 2026-05-10T04:00:00Z is 12:00:00 in Beijing.
    const format = createTimestampFormatter('Asia/Shanghai');
    expect(format(Date.UTC(2026, 4, 10, 4, 0, 0))).toBe('20260510120000');
    // Day rollover: 16:30Z is 00:30 the next day in Beijing; midnight is 00, never 24.
    expect(format(Date.UTC(2026, 11, 31, 16, 30, 5))).toBe('20270101003005');
    expect(format(Date.UTC(2026, 4, 9, 16, 0, 0))).toBe('20260510000000');
  });

  it('honours another zone and rejects an unknown one', () => {
    expect(createTimestampFormatter('UTC')(Date.UTC(2026, 4, 10, 4, 0, 0))).toBe('20260510040000');
    expect(() => createTimestampFormatter('Mars/Olympus')).toThrow('Unknown time zone "Mars/Olympus"');
  });
});
