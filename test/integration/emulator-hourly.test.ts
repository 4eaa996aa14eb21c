import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { computeHourlyIndicators, MANY_SHOPS_METHOD, MANY_SHOPS_METHOD_ALIAS, startEmulator, type Emulator } from '../../src/emulator/index.js';
import { MOBILE_LOGIN, post, signedParams } from './emulator-requests.js';

/**
 * The emulator's multi-store hourly method, with hand-signed requests: as strict as the indicator method
 * (signature over every parameter, token mode, faults) and the same vendor code for bad business parameters.
 */

let emulator: Emulator;
let tokenEmulator: Emulator;
beforeAll(async () => {
  [emulator, tokenEmulator] = await Promise.all([
    startEmulator({ keys: [{ key: 'k1', secret: 'secret-1' }], numberStyle: 'number' }),
    startEmulator({ keys: [{ key: 'k1', secret: 'secret-1' }], requireToken: true }),
  ]);
});
afterAll(async () => {
  await Promise.all([emulator?.close(), tokenEmulator?.close()]);
});
beforeEach(() => {
  emulator.setFaults([]);
  emulator.resetCalls();
});

const BUSINESS = { id: 'S_174681,S_174679,S_174680', startTime: '2026-05-10 00:00:00', endTime: '2026-05-10 23:59:59', timeType: '1', isOnBusinessTime: '0' };
const ask = (business: Record<string, string> = BUSINESS, mt = MANY_SHOPS_METHOD, url = emulator.url, headers: Record<string, string> = {}) =>
  post(url, signedParams({ mt, business }), headers);

describe('getManyShopsPassengerIndicatorData in the emulator', () => {
  it('answers one element per store, in ascending depId order, with the hours of THE HOURLY RULE; both method names', async () => {
    for (const mt of [MANY_SHOPS_METHOD, MANY_SHOPS_METHOD_ALIAS]) {
      const answer = await ask(BUSINESS, mt);
      expect(answer.json?.stat.code).toBe(0);
      const data = answer.json?.data as Array<{ name: string; depId: number; shopId: string; dataList: unknown[] }>;
      expect(data.map((element) => element.depId)).toEqual([174_679, 174_680, 174_681]);
      for (const element of data) {
        expect(element.name).toBe(`门店${element.depId}`);
        expect(element.dataList).toEqual(computeHourlyIndicators({ depId: element.depId, startTime: BUSINESS.startTime, endTime: BUSINESS.endTime }));
      }
    }
    expect(emulator.calls.map((call) => [call.method, call.storeIds])).toEqual([
      [MANY_SHOPS_METHOD, ['174681', '174679', '174680']],
      [MANY_SHOPS_METHOD_ALIAS, ['174681', '174679', '174680']],
    ]);
  });

  it.each([
    ['no id', { id: undefined }, 'id is required'],
    ['a bare depId', { id: '174679' }, 'S_<depId>'],
    ['a zero-padded depId', { id: 'S_0174679' }, 'S_<depId>'],
    ['a space after a comma', { id: 'S_1, S_2' }, 'S_<depId>'],
    ['an organisation', { id: 'O_12' }, 'Organisation ids'],
    ['more than 100 stores', { id: Array.from({ length: 101 }, (_, i) => `S_${i + 1}`).join(',') }, 'more than 100'],
    ['no timeType', { timeType: undefined }, 'timeType is required'],
    ['timeType 2', { timeType: '2' }, 'timeType must be 1'],
    ['a date without time', { startTime: '2026-05-10' }, 'yyyy-MM-dd HH:mm:ss'],
    ['start after end', { startTime: '2026-05-11 00:00:00' }, 'must not be after'],
    ['a window over 31 days', { startTime: '2026-04-01 00:00:00' }, 'must not exceed 31 days'],
    ['isOnBusinessTime=true', { isOnBusinessTime: 'true' }, 'isOnBusinessTime must be 0 or 1'],
    ['starthour 24', { starthour: '24' }, 'starthour must be an hour'],
    ['starthour after endhour', { starthour: '12', endhour: '8' }, 'must not be after endhour'],
  ])('refuses %s with API_SYSTEM_CALL_ERROR (-500), as the indicator method refuses bad parameters', async (_what, change, message) => {
    const business = Object.fromEntries(Object.entries({ ...BUSINESS, ...change }).filter(([, value]) => value !== undefined)) as Record<string, string>;
    const answer = await ask(business);
    expect(answer.json?.stat).toMatchObject({ code: -500, codename: 'API_SYSTEM_CALL_ERROR' });
    expect(answer.json?.result).toContain(message);
    expect(answer.json?.data).toBeNull();
  });

  it('signs every business parameter: an id list altered after signing is SIGN_WRONG', async () => {
    const answer = await post(emulator.url, signedParams({ mt: MANY_SHOPS_METHOD, business: BUSINESS, after: { id: 'S_174679' } }));
    expect(answer.json?.stat.code).toBe(7);
  });

  it('token mode: no token → TOKEN_NOT_EXIST; a mobileLogin token → the hours', async () => {
    const refused = await ask(BUSINESS, MANY_SHOPS_METHOD, tokenEmulator.url);
    expect(refused.json?.stat.code).toBe(9_990_001);
    const login = await post(tokenEmulator.url, signedParams({ mt: MOBILE_LOGIN, business: { userName: 'demo', password: 'demo-password' } }));
    const token = (login.json?.data as { token: string }).token;
    const answered = await ask(BUSINESS, MANY_SHOPS_METHOD, tokenEmulator.url, { authenticator: token });
    expect(answered.json?.stat.code).toBe(0);
  });

  it('a fault for a store hits every call whose id lists it, and no other', async () => {
    emulator.setFaults([{ kind: 'code', code: -500, depId: 174_680 }]);
    expect((await ask()).json?.stat.code).toBe(-500);
    expect((await ask({ ...BUSINESS, id: 'S_174679,S_174681' })).json?.stat.code).toBe(0);
    expect(emulator.calls.map((call) => call.fault)).toEqual(['code', null]);
  });
});
