import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEPARTMENTS_METHOD, EMULATOR_DIRECTORY, startEmulator, type Emulator } from '../../src/emulator/index.js';
import { dataOf, get, MOBILE_LOGIN, post, signedParams } from './emulator-requests.js';

/**
 * The emulator's `open.organize.departments.getDepartments`, with hand-built signed requests (no client code):
 * as strict as the indicator method — signature, token mode, faults, bad parameters → API_SYSTEM_CALL_ERROR.
 */

const departments = (business: Record<string, string>, spec: Parameters<typeof signedParams>[0] = {}) =>
  signedParams({ mt: DEPARTMENTS_METHOD, business, ...spec });

type Row = Record<string, unknown>;
const rowsOf = (data: Record<string, unknown>) => data['rows'] as Row[];

describe('getDepartments', () => {
  let emulator: Emulator;

  beforeAll(async () => {
    emulator = await startEmulator({ keys: [{ key: 'k1', secret: 'secret-1' }] });
  });
  afterAll(() => emulator.close());
  beforeEach(() => {
    emulator.setFaults([]);
    emulator.resetCalls();
  });

  it('pageSize 100 answers all 64 stores in one page, in id order, with the total', async () => {
    const data = dataOf(await post(emulator.url, departments({ pageNumber: '1', pageSize: '100' })));
    expect(data['total']).toBe(64);
    const rows = rowsOf(data);
    expect(rows.map((row) => Number(row['id']))).toEqual(EMULATOR_DIRECTORY.map((store) => store.id));
    expect(rows.map((row) => Number(row['id']))).toContain(174679);
    expect(emulator.calls.map((call) => [call.method, call.pageNumber, call.code])).toEqual([[DEPARTMENTS_METHOD, '1', 0]]);
  });

  it('pages of 10: 7 pages, the last with 4 stores, a page past the end empty; defaults pageNumber 1, pageSize 10', async () => {
    const sizes: number[] = [];
    for (let page = 1; page <= 8; page++) sizes.push(rowsOf(dataOf(await get(emulator.url, departments({ pageNumber: String(page), pageSize: '10' })))).length);
    expect(sizes).toEqual([10, 10, 10, 10, 10, 10, 4, 0]);
    const defaults = dataOf(await post(emulator.url, departments({})));
    expect(rowsOf(defaults).map((row) => Number(row['id']))).toEqual(EMULATOR_DIRECTORY.slice(0, 10).map((store) => store.id));
  });

  it('names, regions and addresses are UTF-8 on the wire, CJK intact', async () => {
    const answer = await post(emulator.url, departments({ pageNumber: '1', pageSize: '1' }));
    expect(answer.contentType).toBe('application/json;charset=UTF-8');
    expect(answer.text).toContain('"name":"上海万达广场店"');
    expect(rowsOf(dataOf(answer))[0]).toMatchObject({ name: '上海万达广场店', organizeName: '华东区', organizeId: 9001, shopId: '' });
  });

  it('mixed number style: ids that are multiples of 3 come as numeric strings; a store without position omits it', async () => {
    const rows = rowsOf(dataOf(await post(emulator.url, departments({ pageNumber: '1', pageSize: '100' }))));
    const stringy = rows.find((row) => Number(row['id']) % 3 === 0)!;
    const numeric = rows.find((row) => Number(row['id']) % 3 !== 0 && row['latitude'] !== undefined)!;
    expect(typeof stringy['id']).toBe('string');
    expect(typeof numeric['id']).toBe('number');
    expect(typeof numeric['latitude']).toBe('number');
    const unplaced = rows.find((row) => row['id'] === 174741 || row['id'] === '174741')!;
    expect(unplaced).not.toHaveProperty('latitude');
    expect(unplaced).not.toHaveProperty('address');
    expect(new Set(rows.map((row) => String(row['openStatus'])))).toEqual(new Set(['1', '0', '2', 'null']));
  });

  it.each([
    [{ pageNumber: '1', pageSize: '101' }, 'pageSize'],
    [{ pageNumber: '1', pageSize: '0' }, 'pageSize'],
    [{ pageNumber: '1', pageSize: '10.0' }, 'pageSize'],
    [{ pageNumber: '0', pageSize: '10' }, 'pageNumber'],
    [{ pageNumber: '01', pageSize: '10' }, 'pageNumber'],
    [{ pageNumber: '-1', pageSize: '10' }, 'pageNumber'],
    [{ pageNumber: '', pageSize: '10' }, 'pageNumber'],
  ])('bad parameters %o → -500 API_SYSTEM_CALL_ERROR naming %s, no data', async (business, name) => {
    const answer = await post(emulator.url, departments(business));
    expect(answer.json?.stat).toMatchObject({ code: -500, codename: 'API_SYSTEM_CALL_ERROR' });
    expect(answer.json?.result).toContain(name);
    expect(answer.json?.data).toBeNull();
  });

  it('is signed like every method: a wrong secret → 7 SIGN_WRONG, an altered pageSize → 7', async () => {
    expect((await post(emulator.url, departments({ pageSize: '10' }, { secret: 'wrong' }))).json?.stat.code).toBe(7);
    expect((await post(emulator.url, departments({ pageSize: '10' }, { after: { pageSize: '100' } }))).json?.stat.code).toBe(7);
  });

  it('faults by method hit it (and not the indicator method)', async () => {
    emulator.setFaults([{ kind: 'code', code: -999, method: DEPARTMENTS_METHOD }]);
    expect((await post(emulator.url, departments({}))).json?.stat.code).toBe(-999);
    expect((await post(emulator.url, signedParams())).json?.stat.code).toBe(0);
  });

  it('a key not granted the method → 9 METHOD_NOTEXIST_CODE', async () => {
    const narrow = await startEmulator({ keys: [{ key: 'k1', secret: 'secret-1', methods: ['open.shopweb.passengerFlow.getPassengerIndicatorData'] }] });
    try {
      expect((await post(narrow.url, departments({}))).json?.stat.code).toBe(9);
    } finally {
      await narrow.close();
    }
  });
});

describe('getDepartments in token mode', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ keys: [{ key: 'k1', secret: 'secret-1' }], requireToken: true, users: { alice: 'pw-alice' } });
  });
  afterAll(() => emulator.close());

  it('needs a token (9990001 without one) and answers with one', async () => {
    expect((await post(emulator.url, departments({}))).json?.stat).toMatchObject({ code: 9990001, codename: 'TOKEN_NOT_EXIST' });
    const { token } = dataOf(await post(emulator.url, signedParams({ mt: MOBILE_LOGIN, business: { userName: 'alice', password: 'pw-alice' } })));
    const answer = await post(emulator.url, departments({ pageSize: '100' }), { authenticator: String(token) });
    expect(rowsOf(dataOf(answer))).toHaveLength(64);
  });
});
