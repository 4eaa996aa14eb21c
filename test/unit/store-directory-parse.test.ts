import { describe, expect, it } from 'vitest';
import { UpstreamBadResponseError } from '../../src/upstream/errors.js';
import { fetchWholeDirectory, parseDepartmentsPage, type DepartmentsPage, type DirectoryStore } from '../../src/upstream/store-directory.js';

/** getDepartments' answer, validated, and the walk over its pages. */

const store = (id: number, extra: Partial<DirectoryStore> = {}): DirectoryStore => ({
  id: String(id),
  name: null,
  organizeId: null,
  region: null,
  address: null,
  latitude: null,
  longitude: null,
  openStatus: null,
  ...extra,
});

function rejection(run: () => unknown): UpstreamBadResponseError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UpstreamBadResponseError);
    return error as UpstreamBadResponseError;
  }
  throw new Error('expected a bad response');
}

describe('parseDepartmentsPage', () => {
  it('maps every field; numbers or numeric strings; text trimmed', () => {
    const page = parseDepartmentsPage({
      total: '2',
      rows: [
        { id: 174679, name: ' 上海万达广场店 ', organizeId: 9001, organizeName: '华东区', address: '上海市中山路1号', latitude: 31.23, longitude: '121.47', openStatus: 1, shopId: '' },
        { id: '174680', name: '杭州店', organizeId: '9001', latitude: '-12.5', longitude: -45, openStatus: '0' },
      ],
    });
    expect(page).toEqual({
      total: 2,
      rows: [
        store(174679, { name: '上海万达广场店', organizeId: '9001', region: '华东区', address: '上海市中山路1号', latitude: 31.23, longitude: 121.47, openStatus: '1' }),
        store(174680, { name: '杭州店', organizeId: '9001', latitude: -12.5, longitude: -45, openStatus: '0' }),
      ],
    });
  });

  it('accepts `records` or `list` for `rows`; tolerates absent optional fields and a missing total', () => {
    expect(parseDepartmentsPage({ total: 1, records: [{ id: 1 }] }).rows).toEqual([store(1)]);
    expect(parseDepartmentsPage({ list: [{ id: 2, name: '', address: null, openStatus: '' }] })).toEqual({ total: null, rows: [store(2)] });
    expect(parseDepartmentsPage({ total: 0 })).toEqual({ total: 0, rows: [] });
  });

  it('no position when half of it is missing, or when it is 0,0', () => {
    expect(parseDepartmentsPage({ rows: [{ id: 1, latitude: 30 }] }).rows[0]).toMatchObject({ latitude: null, longitude: null });
    expect(parseDepartmentsPage({ rows: [{ id: 1, latitude: 0, longitude: '0' }] }).rows[0]).toMatchObject({ latitude: null, longitude: null });
  });

  it.each([
    ['data not an object', [{ id: 1 }]],
    ['no rows with a total', { total: 3 }],
    ['rows not an array', { rows: { id: 1 } }],
    ['a row not an object', { rows: ['174679'] }],
    ['a row without id', { rows: [{ name: 'x' }] }],
    ['an id that is not a positive integer', { rows: [{ id: '12a' }] }],
    ['an id of 0', { rows: [{ id: 0 }] }],
    ['a name that is an object', { rows: [{ id: 1, name: { zh: 'x' } }] }],
    ['a latitude that is not a number', { rows: [{ id: 1, latitude: 'north', longitude: 1 }] }],
    ['a latitude beyond 90', { rows: [{ id: 1, latitude: 91, longitude: 1 }] }],
    ['a longitude beyond 180', { rows: [{ id: 1, latitude: 1, longitude: '-180.5' }] }],
    ['a total that is not a count', { total: 'many', rows: [] }],
  ])('%s → UPSTREAM_BAD_RESPONSE', (_what, data) => {
    const error = rejection(() => parseDepartmentsPage(data));
    expect(error.code).toBe('UPSTREAM_BAD_RESPONSE');
    expect(error.method).toBe('open.organize.departments.getDepartments');
  });

  it('never quotes the body in its message', () => {
    expect(rejection(() => parseDepartmentsPage({ rows: [{ id: 'secret-looking-value' }] })).message).not.toContain('secret-looking-value');
  });
});

describe('fetchWholeDirectory', () => {
  /** A vendor over `count` stores, answering pages like the platform; records the pages asked. */
  function vendor(count: number, options: { total?: boolean; ignorePageNumber?: boolean } = {}) {
    const asked: number[] = [];
    const send = async (pageNumber: number): Promise<DepartmentsPage> => {
      asked.push(pageNumber);
      const page = options.ignorePageNumber ? 1 : pageNumber;
      const ids = Array.from({ length: count }, (_, i) => 100 + i).slice((page - 1) * 10, page * 10);
      return { total: options.total === false ? null : count, rows: ids.map((id) => store(id)) };
    };
    return { send, asked };
  }

  it('stops at the total: 64 stores in pages of 10 → pages 1–7 once each, stores in id order', async () => {
    const { send, asked } = vendor(64);
    const whole = await fetchWholeDirectory(send, { pageSize: 10, maxPages: 50 });
    expect(asked.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(whole.pages).toBe(7);
    expect(whole.stores.map((s) => Number(s.id))).toEqual(Array.from({ length: 64 }, (_, i) => 100 + i));
  });

  it('an empty directory is one call', async () => {
    const { send, asked } = vendor(0);
    expect(await fetchWholeDirectory(send, { pageSize: 10, maxPages: 50 })).toEqual({ stores: [], pages: 1 });
    expect(asked).toEqual([1]);
  });

  it('without a total, pages follow one another until a short page', async () => {
    const { send, asked } = vendor(30, { total: false });
    const whole = await fetchWholeDirectory(send, { pageSize: 10, maxPages: 50 });
    expect(asked).toEqual([1, 2, 3, 4]);
    expect(whole.stores).toHaveLength(30);
  });

  it('a total beyond maxPages fails after the first page', async () => {
    const { send, asked } = vendor(64);
    await expect(fetchWholeDirectory(send, { pageSize: 10, maxPages: 6 })).rejects.toThrow(/OPRETAIL_DIRECTORY_MAX_PAGES/);
    expect(asked).toEqual([1]);
  });

  it('a vendor that never ends (no total, always full pages) stops at maxPages', async () => {
    const { send, asked } = vendor(10_000, { total: false });
    await expect(fetchWholeDirectory(send, { pageSize: 10, maxPages: 5 })).rejects.toBeInstanceOf(UpstreamBadResponseError);
    expect(asked).toEqual([1, 2, 3, 4, 5]);
  });

  it('a vendor that ignores pageNumber is a bad response, not an endless walk', async () => {
    const { send, asked } = vendor(25, { total: false, ignorePageNumber: true });
    await expect(fetchWholeDirectory(send, { pageSize: 10, maxPages: 50 })).rejects.toThrow(/repeats/);
    expect(asked).toEqual([1, 2]);
  });

  it('orders ids numerically, not as text, and keeps the first of a repeated id', async () => {
    const send = async (): Promise<DepartmentsPage> => ({ total: 4, rows: [store(1000, { name: 'a' }), store(99), store(100000), store(99, { name: 'dup' })] });
    const whole = await fetchWholeDirectory(send, { pageSize: 100, maxPages: 1 });
    expect(whole.stores.map((s) => [s.id, s.name])).toEqual([['99', null], ['1000', 'a'], ['100000', null]]);
  });
});
