import type { CallOptions, OpretailClient } from './client.js';
import { UpstreamBadResponseError } from './errors.js';

export const GET_DEPARTMENTS = 'open.organize.departments.getDepartments';

/** One row of getDepartments as it arrives [seen]; ids and coordinates as numbers or numeric strings. */
export interface DepartmentDto {
  id: number | string;
  name?: string | null;
  organizeId?: number | string | null;
  organizeName?: string | null;
  address?: string | null;
  longitude?: number | string | null;
  latitude?: number | string | null;
  openStatus?: number | string | boolean | null;
}

/** `data` of getDepartments: `rows` [seen], or `records` / `list` as other store-list methods answer. */
export interface DepartmentsPageDto {
  total?: number | string | null;
  rows?: DepartmentDto[];
  records?: DepartmentDto[];
  list?: DepartmentDto[];
}

/** One store of the directory, validated. Plain JSON: the whole directory is cached (in Redis too). */
export interface DirectoryStore {
  /** The store id (`depId` of the other methods), canonical decimal. */
  id: string;
  name: string | null;
  organizeId: string | null;
  /** organizeName: the organisation (region, area) the store belongs to. */
  region: string | null;
  address: string | null;
  /** Both null when the vendor gives none (or 0,0: a store whose position was never set). */
  latitude: number | null;
  longitude: number | null;
  /** openStatus as the vendor sent it (trimmed text); its meaning is the gateway's configured assumption. */
  openStatus: string | null;
}

/** One page, validated. */
export interface DepartmentsPage {
  /** Stores in the whole directory; null when the vendor did not say. */
  total: number | null;
  rows: DirectoryStore[];
}

export interface StoreDirectoryApi {
  getDepartments(page: { pageNumber: number; pageSize: number }, options?: CallOptions): Promise<DepartmentsPage>;
}

export function createStoreDirectoryApi(client: OpretailClient): StoreDirectoryApi {
  return {
    async getDepartments({ pageNumber, pageSize }, options) {
      return parseDepartmentsPage(await client.call(GET_DEPARTMENTS, { pageNumber, pageSize }, options));
    },
  };
}

/** How the whole directory is walked. */
export interface DirectoryPaging {
  /** OPRETAIL_DIRECTORY_PAGE_SIZE (the vendor takes at most 100). */
  pageSize: number;
  /** OPRETAIL_DIRECTORY_MAX_PAGES: a vendor that never ends, or a directory larger than this, is an error. */
  maxPages: number;
}

/** The whole directory: every store once, ordered by id (numerically), and how many pages it took. */
export interface WholeDirectory {
  stores: DirectoryStore[];
  pages: number;
}

/**
 * Fetches every page once. With a `total`, page 1 tells how many pages there are and the others are fetched
 * together; without one, pages are fetched one after another until a short (or empty) one. Either way at most
 * `maxPages` are fetched: a directory that needs more, or a vendor that keeps answering full pages, fails with
 * UPSTREAM_BAD_RESPONSE rather than running up the quota. A page that brings only stores already seen means
 * the vendor ignores `pageNumber`: also a bad response (it would never end).
 */
export async function fetchWholeDirectory(sendPage: (pageNumber: number) => Promise<DepartmentsPage>, paging: DirectoryPaging): Promise<WholeDirectory> {
  const { pageSize, maxPages } = paging;
  const byId = new Map<string, DirectoryStore>();
  const add = (page: DepartmentsPage, pageNumber: number) => {
    let fresh = 0;
    for (const row of page.rows) {
      if (byId.has(row.id)) continue;
      byId.set(row.id, row);
      fresh++;
    }
    if (pageNumber > 1 && page.rows.length > 0 && fresh === 0) {
      throw new UpstreamBadResponseError(GET_DEPARTMENTS, `page ${pageNumber} repeats stores of earlier pages (pageNumber ignored?)`, 200);
    }
  };
  const tooLarge = (what: string) =>
    new UpstreamBadResponseError(GET_DEPARTMENTS, `${what}: more than ${maxPages} pages of ${pageSize} (OPRETAIL_DIRECTORY_MAX_PAGES)`, 200);

  const first = await sendPage(1);
  add(first, 1);
  let pages = 1;
  if (first.total !== null) {
    pages = Math.max(1, Math.ceil(first.total / pageSize));
    if (pages > maxPages) throw tooLarge(`the directory has ${first.total} stores`);
    const rest = await Promise.all(Array.from({ length: pages - 1 }, (_, index) => sendPage(index + 2)));
    rest.forEach((page, index) => add(page, index + 2));
  } else {
    for (let last = first; last.rows.length >= pageSize; ) {
      if (pages >= maxPages) throw tooLarge('the directory does not end');
      pages++;
      last = await sendPage(pages);
      add(last, pages);
    }
  }
  return { stores: [...byId.values()].sort(byNumericId), pages };
}

/** Store ids are decimal integers without leading zeros: shorter is smaller, then text order. */
export function byNumericId(a: { id: string }, b: { id: string }): number {
  return a.id.length - b.id.length || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * Validates one page. Structure is strict (an object with an array of rows, each with an id); optional fields
 * are tolerant (missing, null or empty → null); a present field of the wrong kind (a coordinate that is not a
 * number, a name that is an object) is a bad response, never a silent null.
 */
export function parseDepartmentsPage(data: unknown): DepartmentsPage {
  if (!isRecord(data)) throw bad('data is not an object');
  const total = readCount(data.total, 'total');
  const rows = data.rows ?? data.records ?? data.list;
  if (rows === undefined || rows === null) {
    if (total === 0 || total === null) return { total, rows: [] };
    throw bad('data has no rows, records or list array');
  }
  if (!Array.isArray(rows)) throw bad('data.rows is not an array');
  return { total, rows: rows.map((row, index) => parseRow(row, index)) };
}

function parseRow(row: unknown, index: number): DirectoryStore {
  if (!isRecord(row)) throw bad(`rows[${index}] is not an object`);
  const where = (field: string) => `rows[${index}].${field}`;
  const id = readId(row.id, where('id'));
  if (id === null) throw bad(`${where('id')} is missing`);
  let latitude = readCoordinate(row.latitude, 90, where('latitude'));
  let longitude = readCoordinate(row.longitude, 180, where('longitude'));
  // A half-given position is no position; 0,0 (in the Atlantic) is what an unset position looks like.
  if (latitude === null || longitude === null || (latitude === 0 && longitude === 0)) latitude = longitude = null;
  return {
    id,
    name: readText(row.name, where('name')),
    organizeId: readId(row.organizeId, where('organizeId')),
    region: readText(row.organizeName, where('organizeName')),
    address: readText(row.address, where('address')),
    latitude,
    longitude,
    openStatus: readText(row.openStatus, where('openStatus')),
  };
}

const absent = (value: unknown) => value === undefined || value === null || value === '';

/** Text, or a number or boolean as text; null when absent or blank. */
function readText(value: unknown, where: string): string | null {
  if (absent(value)) return null;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value !== 'string') throw bad(`${where} is not text`);
  const text = value.trim();
  return text === '' ? null : text;
}

/** A positive integer id, as a number or a digit string; canonical decimal (no leading zeros). */
function readId(value: unknown, where: string): string | null {
  if (absent(value)) return null;
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  if (!/^\d{1,15}$/.test(text) || !Number.isSafeInteger(Number(text)) || Number(text) < 1) throw bad(`${where} is not a positive integer`);
  return String(Number(text));
}

function readCount(value: unknown, where: string): number | null {
  if (absent(value)) return null;
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  if (!/^\d{1,15}$/.test(text)) throw bad(`data.${where} is not a non-negative integer`);
  return Number(text);
}

const DECIMAL = /^[-+]?\d+(\.\d+)?$/;

function readCoordinate(value: unknown, limit: number, where: string): number | null {
  if (absent(value)) return null;
  let number: number;
  if (typeof value === 'number') number = value;
  else if (typeof value === 'string' && DECIMAL.test(value.trim())) number = Number(value.trim());
  else throw bad(`${where} is not a number`);
  if (!Number.isFinite(number) || Math.abs(number) > limit) throw bad(`${where} is outside ±${limit}`);
  return number;
}

function bad(reason: string): UpstreamBadResponseError {
  return new UpstreamBadResponseError(GET_DEPARTMENTS, reason, 200);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
