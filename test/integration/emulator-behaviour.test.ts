import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { computePassengerIndicator, startEmulator, storeProfile, type Emulator, type Fault } from '../../src/emulator/index.js';
import { BUSINESS_CODES } from '../../src/upstream/return-codes.js';
import {
  dataOf,
  DEFAULT_BUSINESS,
  formEncode,
  get,
  GET_INDICATOR,
  MOBILE_LOGIN,
  post,
  signedParams,
  type EmulatorAnswer,
} from './emulator-requests.js';

// Each block starts its own emulator: token mode, fault injection, synthetic data and the call log.

/**
 * Resolves once `condition()` holds, checking on every turn of the event loop (setImmediate, so a faked
 * setTimeout does not stop it). Nothing here measures time: if it never holds, the test's timeout fails it.
 */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

describe('token mode', () => {
  let emulator: Emulator;

  beforeAll(async () => {
    emulator = await startEmulator({ keys: [{ key: 'k1', secret: 'secret-1' }], requireToken: true, users: { alice: 'pw-alice', bob: 'pw-bob' } });
  });
  afterAll(async () => {
    await emulator.close();
  });

  const login = (userName: string, password: string): Promise<EmulatorAnswer> =>
    post(emulator.url, signedParams({ mt: MOBILE_LOGIN, business: { userName, password } }));

  async function token(): Promise<string> {
    const answer = await login('alice', 'pw-alice');
    expect(answer.json?.stat.code).toBe(0);
    const { token } = dataOf(answer);
    if (typeof token !== 'string') throw new Error('no token');
    return token;
  }

  const indicator = (headers: Record<string, string> = {}) => post(emulator.url, signedParams(), headers);

  describe('token mode', () => {
    it('mobileLogin answers a 32-hex token and a stable numeric enterpriseId', async () => {
      const first = dataOf(await login('alice', 'pw-alice'));
      const second = dataOf(await login('alice', 'pw-alice'));
      expect(first['token']).toMatch(/^[0-9a-f]{32}$/);
      expect(second['token']).not.toBe(first['token']);
      expect(first['enterpriseId']).toEqual(expect.any(Number));
      expect(second['enterpriseId']).toBe(first['enterpriseId']);
    });

    it('business calls without a token answer 9990001 TOKEN_NOT_EXIST', async () => {
      const answer = await indicator();
      expect(answer.json?.stat).toMatchObject({ code: 9990001, codename: 'TOKEN_NOT_EXIST' });
      expect(answer.json?.stat).toMatchObject(BUSINESS_CODES.TOKEN_NOT_EXIST);
      expect(answer.json?.data).toBeNull();
    });

    it('an unknown token answers 9990001', async () => {
      expect((await indicator({ authenticator: 'f'.repeat(32) })).json?.stat.code).toBe(9990001);
    });

    it('a valid token works in `authenticator` and in `Ovo-Authorization`', async () => {
      const t = await token();
      expect((await indicator({ authenticator: t })).json?.stat.code).toBe(0);
      expect((await indicator({ 'Ovo-Authorization': t })).json?.stat.code).toBe(0);
      expect((await indicator({ authenticator: 'wrong', 'Ovo-Authorization': t })).json?.stat.code).toBe(0);
    });

    it('revokeTokens() invalidates issued tokens; logging in again works', async () => {
      const t = await token();
      emulator.revokeTokens();
      expect((await indicator({ authenticator: t })).json?.stat.code).toBe(9990001);
      expect((await indicator({ authenticator: await token() })).json?.stat.code).toBe(0);
    });

    it('the token check comes after authentication: a bad signature is still SIGN_WRONG', async () => {
      expect((await post(emulator.url, signedParams({ secret: 'wrong' }))).json?.stat.code).toBe(7);
    });

    it('login errors: unknown user 103094, wrong or empty password 103095, missing userName -500', async () => {
      const unknown = await login('carol', 'pw-alice');
      expect(unknown.json?.stat).toMatchObject({ code: 103094, codename: 'USERNAME_ERROE' });
      expect(unknown.json?.stat).toMatchObject(BUSINESS_CODES.USERNAME_ERROE);
      const wrong = await login('alice', 'pw-bob');
      expect(wrong.json?.stat).toMatchObject({ code: 103095, codename: 'PASSWORD_ERROE' });
      expect(wrong.json?.stat).toMatchObject(BUSINESS_CODES.PASSWORD_ERROE);
      expect((await login('alice', '')).json?.stat.code).toBe(103095);
      expect((await login('', 'pw-alice')).json?.stat.code).toBe(-500);
      expect(JSON.stringify(wrong.json)).not.toContain('pw-');
    });

    it('records the token headers in the call log', async () => {
      emulator.resetCalls();
      await indicator({ authenticator: 'a-token', 'Ovo-Authorization': 'b-token' });
      expect(emulator.calls[0]?.headers).toEqual({ authenticator: 'a-token', ovoAuthorization: 'b-token' });
    });
  });

  describe('without token mode', () => {
    it('business calls need no token and mobileLogin still works (default user demo/demo-password)', async () => {
      const open = await startEmulator({ keys: [{ key: 'k1', secret: 'secret-1' }] });
      try {
        expect((await post(open.url, signedParams())).json?.stat.code).toBe(0);
        const answer = await post(open.url, signedParams({ mt: MOBILE_LOGIN, business: { userName: 'demo', password: 'demo-password' } }));
        expect(answer.json?.stat.code).toBe(0);
        expect(dataOf(answer)['token']).toMatch(/^[0-9a-f]{32}$/);
      } finally {
        await open.close();
      }
    });
  });
});

describe('faults', () => {
  let emulator: Emulator;

  beforeAll(async () => {
    emulator = await startEmulator({ keys: [{ key: 'k1', secret: 'secret-1' }] });
  });
  afterEach(() => {
    emulator.setFaults([]);
    emulator.setLatency(0);
    emulator.resetCalls();
  });
  afterAll(async () => {
    await emulator.close();
  });

  const call = (business: Record<string, string> = DEFAULT_BUSINESS) => post(emulator.url, signedParams({ business }));
  const rawCall = () =>
    fetch(emulator.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: formEncode(signedParams()) });

  describe('fault kinds', () => {
    it('code: HTTP 200 with that stat.code, codename from the table, default and custom result', async () => {
      emulator.setFaults([{ kind: 'code', code: -500, times: 1 }, { kind: 'code', code: 9990001, codename: 'TOKEN_NOT_EXIST', result: 'custom', times: 1 }]);
      const first = await call();
      expect(first.status).toBe(200);
      expect(first.json?.stat).toMatchObject({ code: -500, codename: 'API_SYSTEM_CALL_ERROR' });
      expect(first.json?.data).toBeNull();
      const second = await call();
      expect(second.json?.stat).toMatchObject({ code: 9990001, codename: 'TOKEN_NOT_EXIST' });
      expect(second.json?.result).toBe('custom');
      expect((await call()).json?.stat.code).toBe(0);
      expect(emulator.calls.map((c) => [c.code, c.codename, c.fault])).toEqual([
        [-500, 'API_SYSTEM_CALL_ERROR', 'code'],
        [9990001, 'TOKEN_NOT_EXIST', 'code'],
        [0, 'SUCCESS', null],
      ]);
    });

    it('a business code from BUSINESS_CODES gets its codename without being told', async () => {
      emulator.setFaults([{ kind: 'code', code: 103095 }]);
      expect((await call()).json?.stat).toMatchObject({ code: 103095, codename: 'PASSWORD_ERROE' });
    });

    it.each([undefined, 503, 404])('http %s: that status (default 502) with an HTML page', async (status) => {
      emulator.setFaults([status === undefined ? { kind: 'http' } : { kind: 'http', status }]);
      const res = await rawCall();
      expect(res.status).toBe(status ?? 502);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(await res.text()).toMatch(/^<!DOCTYPE html>/);
      expect(emulator.calls[0]).toMatchObject({ code: null, codename: null, fault: 'http' });
    });

    it('html200: HTTP 200 with an HTML page', async () => {
      emulator.setFaults([{ kind: 'html200' }]);
      const res = await rawCall();
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(await res.text()).toContain('<form');
    });

    it('malformed-json: HTTP 200, JSON content type, unparseable body', async () => {
      emulator.setFaults([{ kind: 'malformed-json' }]);
      const res = await rawCall();
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json;charset=UTF-8');
      const text = await res.text();
      expect(text.length).toBeGreaterThan(10);
      expect(() => JSON.parse(text)).toThrow(SyntaxError);
    });

    it('empty: HTTP 200 with an empty body', async () => {
      emulator.setFaults([{ kind: 'empty' }]);
      const res = await rawCall();
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('');
    });

    it('reset: the socket is destroyed without an answer', async () => {
      emulator.setFaults([{ kind: 'reset' }]);
      await expect(rawCall()).rejects.toThrow(TypeError);
      expect(emulator.calls[0]).toMatchObject({ code: null, fault: 'reset' });
    });

    it('hang: no answer until the client aborts', async () => {
      emulator.setFaults([{ kind: 'hang', times: 1 }]);
      const controller = new AbortController();
      let settled = false;
      const hanging = fetch(emulator.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: formEncode(signedParams()),
        signal: controller.signal,
      }).finally(() => (settled = true));
      await until(() => emulator.callCount() === 1);
      // A whole second round trip to the same emulator completes while the first call is still unanswered.
      expect((await call()).json?.stat.code).toBe(0);
      expect(settled).toBe(false);
      controller.abort();
      await expect(hanging).rejects.toMatchObject({ name: 'AbortError' });
      expect(emulator.calls.map((c) => [c.code, c.fault])).toEqual([
        [null, 'hang'],
        [0, null],
      ]);
    });

    it('stall: HTTP 200 headers and the start of an envelope, then no more bytes until the client aborts', async () => {
      emulator.setFaults([{ kind: 'stall', times: 1 }]);
      const controller = new AbortController();
      const res = await fetch(emulator.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: formEncode(signedParams()),
        signal: controller.signal,
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json;charset=UTF-8');
      expect(res.headers.get('content-length')).toBeNull();
      const reader = res.body!.getReader();
      const first = await reader.read();
      const start = new TextDecoder().decode(first.value);
      expect(start).toMatch(/^\{"stat":\{"cid":"[0-9a-f]{32}","code":0,"codename":"SUCCESS","systime":\d+\},"result":"success","data":\{$/);
      let ended = false;
      const rest = reader.read().then(
        () => (ended = true),
        (error: unknown) => error,
      );
      // A whole second round trip to the same emulator completes while the first body is still unfinished.
      expect((await call()).json?.stat.code).toBe(0);
      expect(ended).toBe(false);
      controller.abort();
      expect(await rest).toMatchObject({ name: 'AbortError' });
      expect(emulator.calls.map((c) => [c.code, c.fault])).toEqual([
        [null, 'stall'],
        [0, null],
      ]);
    });

    it('data: SUCCESS envelope with the given data', async () => {
      emulator.setFaults([{ kind: 'data', data: { passengerFlow: 'lots' } }]);
      const answer = await call();
      expect(answer.json?.stat).toMatchObject({ code: 0, codename: 'SUCCESS' });
      expect(answer.json?.data).toEqual({ passengerFlow: 'lots' });
      expect(emulator.calls[0]).toMatchObject({ code: 0, fault: 'data' });
    });
  });

  describe('fault selection', () => {
    it('faults only hit well-authenticated calls', async () => {
      emulator.setFaults([{ kind: 'code', code: -999 }]);
      expect((await post(emulator.url, signedParams({ secret: 'wrong' }))).json?.stat.code).toBe(7);
      expect((await post(emulator.url, signedParams({ mt: 'open.demo.none' }))).json?.stat.code).toBe(9);
      expect((await call()).json?.stat.code).toBe(-999);
    });

    it('times: applied that many times, then spent; setFaults starts the count afresh', async () => {
      const faults: Fault[] = [{ kind: 'code', code: -500, times: 2 }];
      emulator.setFaults(faults);
      const codes = [];
      for (let i = 0; i < 4; i++) codes.push((await call()).json?.stat.code);
      expect(codes).toEqual([-500, -500, 0, 0]);
      emulator.setFaults(faults);
      expect((await call()).json?.stat.code).toBe(-500);
      expect(emulator.callCount({ code: -500 })).toBe(3);
    });

    it('depId filter (string or number) and method filter', async () => {
      emulator.setFaults([
        { kind: 'code', code: -500, depId: 42 },
        { kind: 'code', code: -999, method: MOBILE_LOGIN },
      ]);
      expect((await call({ ...DEFAULT_BUSINESS, depId: '42' })).json?.stat.code).toBe(-500);
      expect((await call({ ...DEFAULT_BUSINESS, depId: '43' })).json?.stat.code).toBe(0);
      expect((await post(emulator.url, signedParams({ mt: MOBILE_LOGIN, business: { userName: 'demo', password: 'demo-password' } }))).json?.stat.code).toBe(-999);
      emulator.setFaults([{ kind: 'code', code: -500, depId: '43', method: GET_INDICATOR }]);
      expect((await call({ ...DEFAULT_BUSINESS, depId: '43' })).json?.stat.code).toBe(-500);
      expect(emulator.callCount({ depId: '43' })).toBe(2);
      expect(emulator.callCount({ depId: '43', code: -500 })).toBe(1);
    });

    it('first matching fault that fires wins', async () => {
      emulator.setFaults([{ kind: 'code', code: -500, depId: '1', times: 1 }, { kind: 'code', code: -999 }]);
      expect((await call({ ...DEFAULT_BUSINESS, depId: '1' })).json?.stat.code).toBe(-500);
      expect((await call({ ...DEFAULT_BUSINESS, depId: '1' })).json?.stat.code).toBe(-999);
    });

    it('rate: deterministic for a seed, roughly the given share, different for another seed', async () => {
      async function pattern(seed: number): Promise<string> {
        const e = await startEmulator({ keys: [{ key: 'k1', secret: 'secret-1' }], seed, faults: [{ kind: 'code', code: -500, rate: 0.5 }] });
        try {
          let out = '';
          for (let i = 0; i < 40; i++) out += (await post(e.url, signedParams())).json?.stat.code === -500 ? 'x' : '.';
          return out;
        } finally {
          await e.close();
        }
      }
      const a = await pattern(7);
      expect(await pattern(7)).toBe(a);
      expect(await pattern(8)).not.toBe(a);
      const hits = a.split('').filter((c) => c === 'x').length;
      expect(hits).toBeGreaterThan(8);
      expect(hits).toBeLessThan(32);
    });

    it('rate 0 never fires', async () => {
      emulator.setFaults([{ kind: 'code', code: -500, rate: 0 }]);
      for (let i = 0; i < 5; i++) expect((await call()).json?.stat.code).toBe(0);
    });
  });

  describe('latency and close', () => {
    it('setLatency holds an answer back exactly that long on the clock; setLatency(0) answers at once', async () => {
      // A first call under real timers, so the fetch machinery's own timers exist before the clock is faked.
      expect((await call()).json?.stat.code).toBe(0);
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      try {
        emulator.setLatency(120);
        let answered = false;
        const delayed = call().finally(() => (answered = true));
        await until(() => emulator.callCount() === 2);
        emulator.setLatency(0);
        vi.advanceTimersByTime(119);
        // A whole round trip completes while the delayed answer is still held back.
        expect((await call()).json?.stat.code).toBe(0);
        expect(answered).toBe(false);
        vi.advanceTimersByTime(1);
        expect((await delayed).json?.stat.code).toBe(0);
        expect(emulator.calls.map((c) => c.code)).toEqual([0, 0, 0]);
      } finally {
        vi.useRealTimers();
      }
    });

    it('close() ends hanging requests and mid-latency requests promptly', async () => {
      const e = await startEmulator({ keys: [{ key: 'k1', secret: 'secret-1' }], faults: [{ kind: 'hang', depId: '1' }, { kind: 'stall', depId: '2' }] });
      const hanging = post(e.url, signedParams({ business: { ...DEFAULT_BUSINESS, depId: '1' } })).catch((error: unknown) => error);
      const stalled = post(e.url, signedParams({ business: { ...DEFAULT_BUSINESS, depId: '2' } })).catch((error: unknown) => error);
      await until(() => e.callCount() === 2);
      // The stalled answer's headers and first bytes go out without latency; the next answer is held by it.
      e.setLatency(60_000);
      const slow = post(e.url, signedParams()).catch((error: unknown) => error);
      await until(() => e.callCount() === 3);
      // Neither answer can come by itself within the test (one never, one after 60 s), so close() resolving at
      // all, with both requests failed, is what shows it ended them rather than waited for them.
      await e.close();
      expect(await hanging).toBeInstanceOf(Error);
      expect(await stalled).toBeInstanceOf(Error);
      expect(await slow).toBeInstanceOf(Error);
      expect(e.callCount({ depId: '1', code: null })).toBe(1);
      expect(e.callCount({ depId: '2', code: null })).toBe(1);
      expect(e.callCount({ code: 0 })).toBe(1);
    });
  });
});

describe('data and call log', () => {
  let emulator: Emulator;

  beforeAll(async () => {
    emulator = await startEmulator({ keys: [{ key: 'k1', secret: 'secret-1' }] });
  });
  afterAll(async () => {
    await emulator.close();
  });

  /** Stores chosen by their profile, so each shape is exercised whatever the hash gives. */
  function findDepId(predicate: (depId: number) => boolean): string {
    for (let depId = 100000; depId < 101000; depId++) if (predicate(depId)) return String(depId);
    throw new Error('no such store');
  }

  const query = (depId: string, businessHoursOnly = false) => ({ ...DEFAULT_BUSINESS, depId, isOnBusinessTime: businessHoursOnly ? '1' : '0' });

  describe('getPassengerIndicatorData over HTTP', () => {
    // The emulator cuts its figures at its clock: stop it two days after DEFAULT_BUSINESS's day, so that day is
    // complete (computePassengerIndicator without a clock) whatever the host's date. Only Date is faked.
    beforeEach(() => {
      vi.useFakeTimers({ toFake: ['Date'], now: Date.UTC(2026, 4, 12, 4, 0, 0) });
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    it('answers exactly computePassengerIndicator, numbers for depId % 3 ≠ 0 in mixed style', async () => {
      const depId = findDepId((d) => d % 3 !== 0 && !storeProfile(d).faceDevices && storeProfile(d).fittingRoom);
      const data = dataOf(await post(emulator.url, signedParams({ business: query(depId) })));
      const expected = computePassengerIndicator({ depId, startTime: DEFAULT_BUSINESS.startTime, endTime: DEFAULT_BUSINESS.endTime });
      expect(data).toEqual(expected);
      expect(Object.keys(data).sort()).toEqual(
        ['dressingPassengerFlow', 'dressingRate', 'inShopRate', 'outFlowCount', 'outsidePassengerFlow', 'passPassengerFlow', 'passengerFlow', 'shopId'],
      );
      expect(data['shopId']).toBe('');
    });

    it('mixed style: numeric strings for depId % 3 === 0', async () => {
      const depId = findDepId((d) => d % 3 === 0);
      const data = dataOf(await post(emulator.url, signedParams({ business: query(depId) })));
      const expected = computePassengerIndicator({ depId, startTime: DEFAULT_BUSINESS.startTime, endTime: DEFAULT_BUSINESS.endTime });
      expect(data['passengerFlow']).toBe(String(expected.passengerFlow));
      expect(data['inShopRate']).toBe(String(expected.inShopRate));
      expect(data['shopId']).toBe('');
    });

    it('face-device stores omit outFlowCount; stores without a fitting room omit the dressing fields', async () => {
      const face = findDepId((d) => storeProfile(d).faceDevices && !storeProfile(d).fittingRoom);
      const data = dataOf(await post(emulator.url, signedParams({ business: query(face) })));
      expect(data).not.toHaveProperty('outFlowCount');
      expect(data).not.toHaveProperty('dressingPassengerFlow');
      expect(data).not.toHaveProperty('dressingRate');
      expect(data).toHaveProperty('passengerFlow');
    });

    it.each(['number', 'string'] as const)('numberStyle %s renders every numeric field that way', async (numberStyle) => {
      const styled = await startEmulator({ keys: [{ key: 'k1', secret: 'secret-1' }], numberStyle });
      try {
        for (const depId of ['174679', '174681']) {
          const data = dataOf(await post(styled.url, signedParams({ business: query(depId) })));
          for (const [name, value] of Object.entries(data)) {
            if (name === 'shopId') continue;
            expect(typeof value, name).toBe(numberStyle);
          }
        }
      } finally {
        await styled.close();
      }
    });

    it('isOnBusinessTime=1 answers the business-hours figures (and the configured hours)', async () => {
      const whole = dataOf(await post(emulator.url, signedParams({ business: query('174679') })));
      const open = dataOf(await post(emulator.url, signedParams({ business: query('174679', true) })));
      const base = { depId: '174679', startTime: DEFAULT_BUSINESS.startTime, endTime: DEFAULT_BUSINESS.endTime };
      expect(open['passengerFlow']).toBe(computePassengerIndicator({ ...base, businessHoursOnly: true }).passengerFlow);
      expect(Number(open['passengerFlow'])).toBeLessThan(Number(whole['passengerFlow']));

      const early = await startEmulator({ keys: [{ key: 'k1', secret: 'secret-1' }], businessHours: { open: 8, close: 12 } });
      try {
        const short = dataOf(await post(early.url, signedParams({ business: query('174679', true) })));
        expect(short['passengerFlow']).toBe(
          computePassengerIndicator({ ...base, businessHoursOnly: true }, { businessHours: { open: 8, close: 12 } }).passengerFlow,
        );
      } finally {
        await early.close();
      }
    });

    it('isOnBusinessTime is optional (default 0)', async () => {
      const { isOnBusinessTime: _omit, ...rest } = DEFAULT_BUSINESS;
      const data = dataOf(await post(emulator.url, signedParams({ business: rest })));
      expect(data).toEqual(computePassengerIndicator({ depId: rest.depId, startTime: rest.startTime, endTime: rest.endTime }));
    });
  });

  describe('call log', () => {
    it('records each call with its parameters, code and headers; callCount filters; resetCalls clears', async () => {
      emulator.resetCalls();
      // A stopped Date makes `at` exact; the requests' `_timestamp` reads the same clock, so they stay in the window.
      const at = Date.UTC(2026, 4, 10, 2, 30);
      vi.useFakeTimers({ toFake: ['Date'], now: at });
      try {
        await post(emulator.url, signedParams({ business: query('101') }), { authenticator: 'tok' });
        await get(emulator.url, signedParams({ business: query('102', true) }));
        await post(emulator.url, signedParams({ secret: 'wrong', business: query('101') }));
        await fetch(`${emulator.origin}/nope`);
      } finally {
        vi.useRealTimers();
      }

      expect(emulator.calls).toHaveLength(4);
      const [first, second, third, fourth] = emulator.calls;
      expect(first).toMatchObject({
        httpMethod: 'POST',
        path: '/cloud.api',
        method: GET_INDICATOR,
        akey: 'k1',
        depId: '101',
        startTime: DEFAULT_BUSINESS.startTime,
        endTime: DEFAULT_BUSINESS.endTime,
        isOnBusinessTime: '0',
        code: 0,
        codename: 'SUCCESS',
        fault: null,
        headers: { authenticator: 'tok', ovoAuthorization: null },
      });
      expect(emulator.calls.map((c) => c.at)).toEqual([at, at, at, at]);
      expect(second).toMatchObject({ httpMethod: 'GET', depId: '102', isOnBusinessTime: '1', code: 0 });
      expect(third).toMatchObject({ depId: '101', code: 7, codename: 'SIGN_WRONG' });
      expect(fourth).toMatchObject({ path: '/nope', code: null, method: null });
      expect(emulator.calls.map((c) => c.seq)).toEqual([1, 2, 3, 4].map((n) => n + (first?.seq ?? 0) - 1));

      expect(emulator.callCount()).toBe(4);
      expect(emulator.callCount({ depId: '101' })).toBe(2);
      expect(emulator.callCount({ depId: '101', code: 0 })).toBe(1);
      expect(emulator.callCount({ method: GET_INDICATOR })).toBe(3);
      expect(emulator.callCount({ code: 7 })).toBe(1);
      expect(emulator.callCount({ code: null })).toBe(1);

      emulator.resetCalls();
      expect(emulator.calls).toHaveLength(0);
      expect(emulator.callCount()).toBe(0);
    });

    it('never records or answers the secret', async () => {
      emulator.resetCalls();
      const answers = [await post(emulator.url, signedParams()), await post(emulator.url, signedParams({ secret: 'wrong' }))];
      const everything = JSON.stringify(emulator.calls) + answers.map((a) => a.text).join('');
      expect(everything).not.toContain('secret-1');
    });
  });
});

describe('figures follow the emulator clock', () => {
  let emulator: Emulator;

  beforeAll(async () => {
    emulator = await startEmulator({ keys: [{ key: 'k1', secret: 'secret-1' }], numberStyle: 'number' });
  });
  afterAll(async () => {
    await emulator.close();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A store with every optional field, so each figure is checked. */
  const depId = String(Array.from({ length: 200 }, (_, i) => 100 + i).find((d) => !storeProfile(d).faceDevices && storeProfile(d).fittingRoom));
  const day = (date: string) => ({ depId, startTime: `${date} 00:00:00`, endTime: `${date} 23:59:59`, isOnBusinessTime: '0' });
  const hourOf = (hh: number) => ({ depId, startTime: `2026-05-10 ${String(hh).padStart(2, '0')}:00:00`, endTime: `2026-05-10 ${String(hh).padStart(2, '0')}:59:59` });
  /** Epoch ms of a Beijing wall-clock reading on 2026-05-10 (UTC+8). */
  const beijing = (hh: number, mm: number) => Date.UTC(2026, 4, 10, hh - 8, mm, 0);
  const T1 = beijing(14, 37);
  const T2 = beijing(18, 10);
  const FIGURES = ['passengerFlow', 'passPassengerFlow', 'outFlowCount', 'dressingPassengerFlow'] as const;

  /**
   * Asks with the host's Date stopped at `hostMs` (only Date is faked, so sockets and timers stay real); the
   * request is stamped with the target's own clock so it passes the timestamp check.
   */
  async function askAt(hostMs: number, business: Record<string, string>, target = emulator, clockOffsetMs = 0): Promise<Record<string, unknown>> {
    vi.useFakeTimers({ toFake: ['Date'], now: hostMs });
    try {
      const answer = await post(target.url, signedParams({ at: hostMs + clockOffsetMs, business }));
      expect(answer.json?.stat.code, answer.text).toBe(0);
      return dataOf(answer);
    } finally {
      vi.useRealTimers();
    }
  }

  it('today grows between two clocks: the full past hours plus the elapsed minutes of the current hour', async () => {
    const early = await askAt(T1, day('2026-05-10'));
    const late = await askAt(T2, day('2026-05-10'));

    const past = Array.from({ length: 14 }, (_, hh) => computePassengerIndicator(hourOf(hh)));
    const current = computePassengerIndicator(hourOf(14));
    for (const name of FIGURES) {
      const pastSum = past.reduce((t, r) => t + (r[name] ?? NaN), 0);
      expect(early[name], name).toBe(pastSum + Math.floor(((current[name] ?? NaN) * 37) / 60));
      expect(Number(late[name]), name).toBeGreaterThanOrEqual(Number(early[name]));
    }
    expect(Number(late['passengerFlow'])).toBeGreaterThan(Number(early['passengerFlow']));
    expect(early).toEqual(computePassengerIndicator(day('2026-05-10'), { nowMs: T1 }));
    expect(late).toEqual(computePassengerIndicator(day('2026-05-10'), { nowMs: T2 }));
    // Neither is the complete day yet.
    expect(Number(late['passengerFlow'])).toBeLessThan(computePassengerIndicator(day('2026-05-10')).passengerFlow);
  });

  it('the cut follows clockOffsetMs, the clock that checks _timestamp, not the host clock', async () => {
    const offset = 3 * 60 * 60_000 + 12 * 60_000;
    const skewed = await startEmulator({ keys: [{ key: 'k1', secret: 'secret-1' }], numberStyle: 'number', clockOffsetMs: offset });
    try {
      const data = await askAt(T1, day('2026-05-10'), skewed, offset);
      expect(data).toEqual(computePassengerIndicator(day('2026-05-10'), { nowMs: beijing(17, 49) }));
      expect(data).not.toEqual(computePassengerIndicator(day('2026-05-10'), { nowMs: T1 }));
    } finally {
      await skewed.close();
    }
  });

  it('a future day answers all zeros, rates included', async () => {
    const zero = { passengerFlow: 0, passPassengerFlow: 0, outsidePassengerFlow: 0, inShopRate: 0, outFlowCount: 0, dressingPassengerFlow: 0, dressingRate: 0, shopId: '' };
    expect(await askAt(T2, day('2026-05-11'))).toEqual(zero);
    expect(await askAt(T2, { ...day('2026-05-11'), isOnBusinessTime: '1' })).toEqual(zero);
  });

  it('yesterday is the same whatever the clock', async () => {
    const complete = computePassengerIndicator(day('2026-05-09'));
    expect(complete.passengerFlow).toBeGreaterThan(0);
    for (const hostMs of [beijing(0, 0), T1, T2, Date.UTC(2030, 0, 1)]) {
      expect(await askAt(hostMs, day('2026-05-09'))).toEqual(complete);
    }
  });
});

describe('call log limit', () => {
  it('keeps only the newest callLogLimit calls, so a long-running emulator stays bounded', async () => {
    const limited = await startEmulator({ callLogLimit: 3 });
    try {
      for (let i = 0; i < 8; i++) await fetch(`${limited.origin}/nowhere`);
      expect(limited.calls.map((c) => c.seq)).toEqual([6, 7, 8]);
      expect(limited.callCount()).toBe(3);
    } finally {
      await limited.close();
    }
  });

  it('rejects a negative or fractional limit', async () => {
    await expect(startEmulator({ callLogLimit: -1 })).rejects.toThrow('callLogLimit');
    await expect(startEmulator({ callLogLimit: 1.5 })).rejects.toThrow('callLogLimit');
  });
});
