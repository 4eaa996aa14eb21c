import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { computePassengerIndicator, startEmulator, type Emulator } from '../../src/emulator/index.js';
import { FAILURE_CODES } from '../../src/upstream/return-codes.js';
import {
  DEFAULT_BUSINESS,
  formEncode,
  get,
  MOBILE_LOGIN,
  post,
  postForm,
  signedParams,
  type EmulatorAnswer,
} from './emulator-requests.js';

let emulator: Emulator;

/**
 * The host clock, stopped for every test at a whole second (so `_timestamp`, which has second resolution,
 * is exact). The emulator's clock and the requests' `_timestamp` both read it, so no test depends on how
 * long anything takes, and window edges and `systime` can be asserted exactly. Only Date is faked: sockets
 * and timers stay real.
 */
const NOW = Date.UTC(2026, 4, 10, 4, 0, 0);
const MINUTE = 60_000;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'], now: NOW });
});
afterEach(() => {
  vi.useRealTimers();
});

beforeAll(async () => {
  emulator = await startEmulator({
    keys: [
      { key: 'k1', secret: 'secret-1' },
      { key: 'expired', secret: 'expired-secret', expired: true },
      { key: 'tenant', secret: 'tenant-secret', aid: 'A-TENANT' },
      { key: 'login-only', secret: 'login-secret', methods: [MOBILE_LOGIN] },
    ],
    numberStyle: 'number',
  });
});
afterAll(async () => {
  await emulator.close();
});

function codeOf(answer: EmulatorAnswer): number | undefined {
  return answer.json?.stat.code;
}

/** One crafted request per non-success code; no fault injection anywhere. */
const CRAFTED: Record<string, () => Promise<EmulatorAnswer>> = {
  KEY_NOTNULL: () => post(emulator.url, signedParams({ after: { _akey: '' } })),
  KEY_UNLAWFUL: () => post(emulator.url, signedParams({ key: 'nobody' })),
  KEY_HAS_EXPIRED: () => post(emulator.url, signedParams({ key: 'expired', secret: 'expired-secret' })),
  SIGN_METHOD_NOTNULL: () => post(emulator.url, signedParams({ after: { _sm: undefined } })),
  SIGN_TYPE_NOTEXIST: () => post(emulator.url, signedParams({ before: { _sm: 'sha256' } })),
  SIGN_NOTNULL: () => post(emulator.url, signedParams({ after: { _sig: '' } })),
  SIGN_WRONG: () => post(emulator.url, signedParams({ secret: 'not-the-secret' })),
  METHOD_NOTNULL: () => post(emulator.url, signedParams({ after: { _mt: undefined } })),
  METHOD_NOTEXIST_CODE: () => post(emulator.url, signedParams({ mt: 'open.demo.noSuchMethod' })),
  REQUESTMODE_NOTNULL: () => post(emulator.url, signedParams({ after: { _requestMode: undefined } })),
  APPLICATIONID_NOTNULL: () => post(emulator.url, signedParams({ after: { _aid: '' } })),
  APPLICATIONID_NOTSAME: () => post(emulator.url, signedParams({ aid: 'A-OTHER' })),
  VERSION_NOTNULL: () => post(emulator.url, signedParams({ after: { _version: '' } })),
  TIMESTAMP_NOTNULL: () => post(emulator.url, signedParams({ after: { _timestamp: undefined } })),
  TIMESTAMP_FORMAT_ERROR: () => post(emulator.url, signedParams({ before: { _timestamp: '20261301120000' } })),
  TIMESTAMP_OVERTIME: () => post(emulator.url, signedParams({ at: NOW - 6 * MINUTE })),
  FORMAT_TYPE_NOTEXIST: () => post(emulator.url, signedParams({ before: { _format: 'yaml' } })),
  API_CALL_REPEAT: async () => {
    const params = signedParams();
    const first = await post(emulator.url, params);
    expect(codeOf(first)).toBe(0);
    return post(emulator.url, params);
  },
  API_SYSTEM_CALL_ERROR: () => post(emulator.url, signedParams({ business: { ...DEFAULT_BUSINESS, depId: 'abc' } })),
  UNKNOWN_ERROR: () => postForm(emulator.url, `${formEncode(signedParams())}&note=100%ZZ`),
};

describe('every non-success code is reachable by a crafted request', () => {
  it('covers exactly the 20 failure rows of RETURN_CODES', () => {
    expect(FAILURE_CODES).toHaveLength(20);
    expect(Object.keys(CRAFTED).sort()).toEqual(FAILURE_CODES.map((c) => c.codename).sort());
  });

  it.each(FAILURE_CODES.map((row) => [row.codename, row.code] as const))('%s (%i)', async (codename, code) => {
    const crafted = CRAFTED[codename];
    if (crafted === undefined) throw new Error(`no crafted request for ${codename}`);
    const answer = await crafted();
    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe('application/json;charset=UTF-8');
    expect(answer.json?.stat).toMatchObject({ code, codename });
    expect(answer.json?.stat.cid).toMatch(/^[0-9a-f]{32}$/);
    expect(answer.json?.data).toBeNull();
    expect(answer.json?.result).toEqual(expect.any(String));
    expect(answer.text).not.toContain('secret-1');
  });
});

describe('check order and details', () => {
  const presenceOrder = [
    ['_akey', 1],
    ['_sm', 4],
    ['_sig', 6],
    ['_mt', 8],
    ['_requestMode', 10],
    ['_aid', 11],
    ['_version', 13],
    ['_timestamp', 14],
  ] as const;

  it.each(presenceOrder.map(([name, code], index) => [name, code, index] as const))(
    'presence: without %s and every later public parameter → %i',
    async (_name, code, index) => {
      const missing = Object.fromEntries(presenceOrder.slice(index).map(([n]) => [n, undefined]));
      expect(codeOf(await post(emulator.url, signedParams({ after: missing })))).toBe(code);
    },
  );

  it('an empty request answers KEY_NOTNULL', async () => {
    expect(codeOf(await postForm(emulator.url, ''))).toBe(1);
  });

  it('presence before format: a bad _sm with an empty _timestamp is 14, not 5', async () => {
    expect(codeOf(await post(emulator.url, signedParams({ after: { _sm: 'sha256', _timestamp: '' } })))).toBe(14);
  });

  it('format checks in order: _sm (5) before _format (17) before _timestamp (15), all before the key (2)', async () => {
    const bad = { _sm: 'sha512', _format: 'yaml', _timestamp: '2026' };
    expect(codeOf(await post(emulator.url, signedParams({ key: 'nobody', after: bad })))).toBe(5);
    expect(codeOf(await post(emulator.url, signedParams({ key: 'nobody', after: { ...bad, _sm: 'md5' } })))).toBe(17);
    expect(codeOf(await post(emulator.url, signedParams({ key: 'nobody', after: { ...bad, _sm: 'md5', _format: 'XML' } })))).toBe(15);
    expect(codeOf(await post(emulator.url, signedParams({ key: 'nobody' })))).toBe(2);
  });

  it.each([
    ['month 13', '20261301120000'],
    ['30 February', '20260230120000'],
    ['hour 24', '20260510240000'],
    ['minute 60', '20260510126000'],
    ['13 digits', '2026051012000'],
    ['15 digits', '202605101200000'],
    ['separators', '2026-05-10 12:00:00'],
    ['full-width digits', '２０２６０５１０１２００００'],
    ['year 0000', '00000101000000'],
  ])('_timestamp with %s → 15', async (_label, timestamp) => {
    expect(codeOf(await post(emulator.url, signedParams({ before: { _timestamp: timestamp } })))).toBe(15);
  });

  it('key checks in order: unknown (2), expired (3), aid (12) — all before the signature (7)', async () => {
    expect(codeOf(await post(emulator.url, signedParams({ key: 'expired', secret: 'wrong', aid: 'A-OTHER' })))).toBe(3);
    expect(codeOf(await post(emulator.url, signedParams({ key: 'tenant', secret: 'wrong' })))).toBe(12);
    expect(codeOf(await post(emulator.url, signedParams({ key: 'tenant', secret: 'wrong', aid: 'A-TENANT' })))).toBe(7);
    expect(codeOf(await post(emulator.url, signedParams({ key: 'tenant', secret: 'tenant-secret', aid: 'A-TENANT' })))).toBe(0);
  });

  it('the signature covers business parameters and empty values', async () => {
    expect(codeOf(await post(emulator.url, signedParams({ after: { depId: '174680' } })))).toBe(7);
    expect(codeOf(await post(emulator.url, signedParams({ before: { shopCode: '' } })))).toBe(0);
    expect(codeOf(await post(emulator.url, signedParams({ before: { shopCode: '' }, after: { shopCode: undefined } })))).toBe(7);
    expect(codeOf(await post(emulator.url, signedParams({ after: { extra: '' } })))).toBe(7);
  });

  it('signature check (7) comes before the timestamp window (16), and the window before the method (9)', async () => {
    const old = NOW - 10 * MINUTE;
    expect(codeOf(await post(emulator.url, signedParams({ at: old, secret: 'wrong' })))).toBe(7);
    expect(codeOf(await post(emulator.url, signedParams({ at: old, mt: 'open.demo.noSuchMethod' })))).toBe(16);
  });

  it('a stale request counts as seen: its replay is still TIMESTAMP_OVERTIME, a fresh one is fine', async () => {
    const stale = signedParams({ at: NOW - 6 * MINUTE });
    expect(codeOf(await post(emulator.url, stale))).toBe(16);
    expect(codeOf(await post(emulator.url, stale))).toBe(16);
  });

  it('a replay is detected whatever the case of _sig, and across GET and POST', async () => {
    const params = signedParams();
    expect(codeOf(await get(emulator.url, params))).toBe(0);
    expect(codeOf(await post(emulator.url, { ...params, _sig: (params['_sig'] ?? '').toLowerCase() }))).toBe(-100);
  });

  it('METHOD_NOTEXIST_CODE for an unregistered method, _version=v2, and a method not granted to the key', async () => {
    const v2 = await post(emulator.url, signedParams({ version: 'v2' }));
    const ungranted = await post(emulator.url, signedParams({ key: 'login-only', secret: 'login-secret' }));
    const granted = await post(emulator.url, signedParams({ key: 'login-only', secret: 'login-secret', mt: MOBILE_LOGIN, business: { userName: 'demo', password: 'demo-password' } }));
    expect([codeOf(v2), codeOf(ungranted), codeOf(granted)]).toEqual([9, 9, 0]);
    expect(v2.json?.stat.codename).toBe('METHOD_NOTEXIST_CODE');
  });

  it.each([
    ['missing depId', { depId: undefined }, 'depId is required'],
    ['depId with a sign', { depId: '+174679' }, 'depId must be'],
    ['depId 0', { depId: '0' }, 'depId must be'],
    ['depId with a leading zero', { depId: '0174679' }, 'depId must be'],
    ['depId of 12 digits', { depId: '123456789012' }, 'depId must be'],
    ['depId with spaces', { depId: ' 174679' }, 'depId must be'],
    ['depId decimal', { depId: '174679.0' }, 'depId must be'],
    ['missing startTime', { startTime: undefined }, 'startTime is required'],
    ['date-only startTime', { startTime: '2026-05-10' }, 'startTime must be a real date-time'],
    ['31 April endTime', { endTime: '2026-04-31 23:59:59' }, 'endTime must be a real date-time'],
    ['hour 24 endTime', { endTime: '2026-05-10 24:00:00' }, 'endTime must be a real date-time'],
    ['start after end', { startTime: '2026-05-11 00:00:00' }, 'startTime must not be after endTime'],
    ['isOnBusinessTime=true', { isOnBusinessTime: 'true' }, 'isOnBusinessTime must be 0 or 1'],
    ['isOnBusinessTime=2', { isOnBusinessTime: '2' }, 'isOnBusinessTime must be 0 or 1'],
    ['empty isOnBusinessTime', { isOnBusinessTime: '' }, 'isOnBusinessTime must be 0 or 1'],
    ['an 11-year window', { startTime: '2015-01-01 00:00:00', endTime: '2026-05-10 00:00:00' }, 'must not exceed'],
  ])('-500 for %s', async (_label, change, message) => {
    const answer = await post(emulator.url, signedParams({ before: change }));
    expect(answer.json?.stat).toMatchObject({ code: -500, codename: 'API_SYSTEM_CALL_ERROR' });
    expect(answer.json?.result).toContain(message);
    expect(answer.json?.data).toBeNull();
  });

  it.each([
    ['a malformed % in the body', (body: string) => postForm(emulator.url, `${body}&x=%G1`)],
    ['a truncated % in the body', (body: string) => postForm(emulator.url, `${body}&x=%4`)],
    ['invalid UTF-8 (%FF) in the body', (body: string) => postForm(emulator.url, `${body}&x=%FF`)],
    ['an overlong UTF-8 sequence (%C0%AF)', (body: string) => postForm(emulator.url, `${body}&x=%C0%AF`)],
    ['a malformed % in the query string', (body: string) => postForm(`${emulator.url}?y=%ZZ`, body)],
    ['raw invalid UTF-8 bytes in the body', (body: string) =>
      fetch(emulator.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: Buffer.concat([Buffer.from(`${body}&x=`), Buffer.from([0xff, 0xfe])]) })
        .then(async (r) => ({ status: r.status, contentType: r.headers.get('content-type'), text: '', json: await r.json() }))],
  ])('-999 for %s', async (_label, send) => {
    const answer = await send(formEncode(signedParams()));
    expect(answer.json?.stat).toMatchObject({ code: -999, codename: 'UNKNOWN_ERROR' });
  });
});

describe('success', () => {
  // NOW is 12:00 Beijing on DEFAULT_BUSINESS's day: the emulator counts that day's hours up to its clock.
  const expected = computePassengerIndicator(
    { depId: DEFAULT_BUSINESS.depId, startTime: DEFAULT_BUSINESS.startTime, endTime: DEFAULT_BUSINESS.endTime },
    { nowMs: NOW },
  );

  it.each(['md5', 'sha1', 'MD5', 'Sha1'] as const)('a correct %s call answers SUCCESS with the computed figures', async (sm) => {
    const answer = await post(emulator.url, signedParams({ sm: sm.toLowerCase() as 'md5' | 'sha1', before: { _sm: sm } }));
    expect(answer.status).toBe(200);
    expect(answer.json?.stat).toMatchObject({ code: 0, codename: 'SUCCESS' });
    expect(answer.json?.result).toBe('success');
    expect(answer.json?.data).toEqual(expected);
    expect(answer.json?.stat.systime).toBe(NOW);
  });

  it('a lowercase _sig, _format=JSON and no _format at all are accepted', async () => {
    const lower = signedParams();
    lower['_sig'] = (lower['_sig'] ?? '').toLowerCase();
    expect(codeOf(await post(emulator.url, lower))).toBe(0);
    expect(codeOf(await post(emulator.url, signedParams({ before: { _format: 'JSON' } })))).toBe(0);
    expect(codeOf(await post(emulator.url, signedParams({ before: { _format: undefined } })))).toBe(0);
  });

  it('accepts GET (query string) and POST (body), on /cloud.api and /m.api', async () => {
    expect(codeOf(await get(emulator.url, signedParams()))).toBe(0);
    expect(codeOf(await post(emulator.url, signedParams()))).toBe(0);
    expect(codeOf(await post(`${emulator.origin}/m.api`, signedParams()))).toBe(0);
    expect(codeOf(await get(`${emulator.origin}/m.api`, signedParams()))).toBe(0);
  });

  it('merges the query string with the body; the body wins on a name in both', async () => {
    const params = signedParams();
    const publicOnly = Object.fromEntries(Object.entries(params).filter(([n]) => n.startsWith('_')));
    const businessOnly = Object.fromEntries(Object.entries(params).filter(([n]) => !n.startsWith('_')));
    emulator.resetCalls();
    const merged = await postForm(`${emulator.url}?${formEncode({ ...publicOnly, depId: '999' })}`, formEncode(businessOnly));
    expect(codeOf(merged)).toBe(0);
    expect(emulator.calls[0]?.depId).toBe('174679');
    expect(merged.json?.data).toEqual(expected);
  });

  it('a repeated name: the first occurrence wins', async () => {
    const params = signedParams();
    expect(codeOf(await postForm(emulator.url, `${formEncode(params)}&depId=1`))).toBe(0);
  });

  it('+ is a space, %2B is a plus, and a name without = is empty', async () => {
    const params = signedParams({ before: { note: 'a+b c', flag: '' } });
    const body = formEncode(params).replace('flag=', 'flag');
    expect(body).toContain('note=a%2Bb+c');
    expect(codeOf(await postForm(emulator.url, body))).toBe(0);
  });

  it('ignores a body that is not form-encoded (the parameters are then missing)', async () => {
    const res = await fetch(emulator.url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: formEncode(signedParams()) });
    expect((await res.json()).stat.code).toBe(1);
  });

  it('the 300 s window includes its edges: 300 s old or ahead is accepted, 301 s is TIMESTAMP_OVERTIME', async () => {
    const at = (offsetMs: number) => post(emulator.url, signedParams({ at: NOW + offsetMs }));
    expect(codeOf(await at(-300_000))).toBe(0);
    expect(codeOf(await at(300_000))).toBe(0);
    expect(codeOf(await at(-301_000))).toBe(16);
    expect(codeOf(await at(301_000))).toBe(16);
  });
});

describe('HTTP surface', () => {
  it('other paths are 404 HTML, other methods 405 HTML; the query string does not affect path matching', async () => {
    const notFound = await fetch(`${emulator.origin}/cloud.api/x?_mt=a`);
    expect(notFound.status).toBe(404);
    expect(notFound.headers.get('content-type')).toContain('text/html');
    expect(await notFound.text()).toContain('404');
    const put = await fetch(emulator.url, { method: 'PUT', body: 'a=1' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, POST');
    const del = await fetch(emulator.url, { method: 'DELETE' });
    expect(del.status).toBe(405);
  });
});

describe('options', () => {
  it('clockOffsetMs skews the emulator clock: systime moves and the window follows it', async () => {
    const skewed = await startEmulator({ keys: [{ key: 'k1', secret: 'secret-1' }], clockOffsetMs: -10 * MINUTE });
    try {
      const skewedNow = NOW - 10 * MINUTE;
      // A request stamped with the host's time is 10 minutes ahead of the emulator's clock.
      const hostTime = await post(skewed.url, signedParams({ at: NOW }));
      expect(codeOf(hostTime)).toBe(16);
      expect(hostTime.json?.stat.systime).toBe(skewedNow);
      const ok = await post(skewed.url, signedParams({ at: skewedNow }));
      expect(codeOf(ok)).toBe(0);
      expect(ok.json?.stat.systime).toBe(skewedNow);
      // The window's edges are measured from the skewed clock.
      expect(codeOf(await post(skewed.url, signedParams({ at: skewedNow + 300_000 })))).toBe(0);
      expect(codeOf(await post(skewed.url, signedParams({ at: skewedNow + 301_000 })))).toBe(16);
    } finally {
      await skewed.close();
    }
  });

  it('timestampWindowSeconds narrows the window', async () => {
    const narrow = await startEmulator({ keys: [{ key: 'k1', secret: 'secret-1' }], timestampWindowSeconds: 30 });
    try {
      expect(codeOf(await post(narrow.url, signedParams({ at: NOW - 30_000 })))).toBe(0);
      expect(codeOf(await post(narrow.url, signedParams({ at: NOW - 31_000 })))).toBe(16);
      expect(codeOf(await post(narrow.url, signedParams({ at: NOW + 31_000 })))).toBe(16);
    } finally {
      await narrow.close();
    }
  });

  it('keys default to EMULATOR_KEYS, else demo-key:demo-secret', async () => {
    const saved = process.env['EMULATOR_KEYS'];
    try {
      process.env['EMULATOR_KEYS'] = 'env-key:env:secret';
      const fromEnv = await startEmulator();
      try {
        expect(codeOf(await post(fromEnv.url, signedParams({ key: 'env-key', secret: 'env:secret' })))).toBe(0);
      } finally {
        await fromEnv.close();
      }
      delete process.env['EMULATOR_KEYS'];
      const demo = await startEmulator();
      try {
        expect(codeOf(await post(demo.url, signedParams({ key: 'demo-key', secret: 'demo-secret' })))).toBe(0);
      } finally {
        await demo.close();
      }
    } finally {
      if (saved === undefined) delete process.env['EMULATOR_KEYS'];
      else process.env['EMULATOR_KEYS'] = saved;
    }
  });

  it('rejects invalid options with a clear error', async () => {
    await expect(startEmulator({ keys: [] })).rejects.toThrow(/at least one key/);
    await expect(startEmulator({ timestampWindowSeconds: 0 })).rejects.toThrow(/timestampWindowSeconds/);
    await expect(startEmulator({ businessHours: { open: 22, close: 10 } })).rejects.toThrow(/businessHours/);
    await expect(startEmulator({ faults: [{ kind: 'code', code: 424242 }] })).rejects.toThrow(/codename/);
    await expect(startEmulator({ faults: [{ kind: 'empty', rate: 2 }] })).rejects.toThrow(/rate/);
  });
});

