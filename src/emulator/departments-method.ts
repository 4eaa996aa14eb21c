import type { BusinessMethod, NumberStyle } from './business-method.js';
import { reject } from './rejection.js';
import { EMULATOR_DIRECTORY, type DirectoryStoreData } from './store-directory-data.js';

/** `open.organize.departments.getDepartments`: the tenant's store directory, one page at a time. */
export const DEPARTMENTS_METHOD = 'open.organize.departments.getDepartments';

/** The platform's default page size [seen: a tenant's notes] and its largest. */
export const DEFAULT_PAGE_SIZE = 10;
export const MAX_PAGE_SIZE = 100;

const POSITIVE_INTEGER = /^[1-9]\d{0,8}$/;

/**
 * Validates `pageNumber` (from 1, default 1) and `pageSize` (1–100, default 10); a bad value is
 * API_SYSTEM_CALL_ERROR, as for the indicator method's parameters. Strict like it: `pageSize=100.0`, `01` or
 * `-1` are bugs the platform would not forgive either.
 */
export function parseDepartmentsQuery(params: ReadonlyMap<string, string>): { ok: true; pageNumber: number; pageSize: number } | { ok: false; message: string } {
  const pageNumber = params.get('pageNumber') ?? '1';
  const pageSize = params.get('pageSize') ?? String(DEFAULT_PAGE_SIZE);
  if (!POSITIVE_INTEGER.test(pageNumber)) return { ok: false, message: 'pageNumber must be a positive integer (from 1).' };
  if (!POSITIVE_INTEGER.test(pageSize) || Number(pageSize) > MAX_PAGE_SIZE) {
    return { ok: false, message: `pageSize must be an integer from 1 to ${MAX_PAGE_SIZE}.` };
  }
  return { ok: true, pageNumber: Number(pageNumber), pageSize: Number(pageSize) };
}

/**
 * One row as the platform renders it: numbers, or — in 'string' style, or 'mixed' for ids that are multiples
 * of 3 — numeric strings; absent values are omitted (address, coordinates) or null (openStatus), and the
 * tenant's own codes are empty, as seen.
 */
export function renderDepartment(store: DirectoryStoreData, style: NumberStyle): Record<string, unknown> {
  const asStrings = style === 'string' || (style === 'mixed' && store.id % 3 === 0);
  const number = (value: number) => (asStrings ? String(value) : value);
  const row: Record<string, unknown> = {
    id: number(store.id),
    name: store.name,
    organizeId: number(store.organizeId),
    organizeName: store.organizeName,
    shopId: '',
    trilateralId: '',
    openStatus: store.openStatus === null ? null : number(store.openStatus),
  };
  if (store.address !== null) row.address = store.address;
  if (store.latitude !== null && store.longitude !== null) {
    row.latitude = number(store.latitude);
    row.longitude = number(store.longitude);
  }
  return row;
}

export const departmentsMethod: BusinessMethod = {
  name: DEPARTMENTS_METHOD,
  requiresToken: true,
  handle(params, ctx) {
    const parsed = parseDepartmentsQuery(params);
    if (!parsed.ok) return { ok: false, ...reject('API_SYSTEM_CALL_ERROR', parsed.message) };
    const start = (parsed.pageNumber - 1) * parsed.pageSize;
    // A page past the end is empty, with the total: what list methods of the platform answer.
    const rows = EMULATOR_DIRECTORY.slice(start, start + parsed.pageSize).map((store) => renderDepartment(store, ctx.numberStyle));
    const total = EMULATOR_DIRECTORY.length;
    return { ok: true, data: { total: ctx.numberStyle === 'string' ? String(total) : total, rows } };
  },
};
