import type { BusinessMethod, MethodContext } from './business-method.js';
import { computeHourlyIndicators } from './hourly-data.js';
import { parseWindowParams, renderPassengerIndicator, rendersAsStrings } from './passenger-indicator-method.js';
import { DEP_ID_PATTERN } from './passenger-data.js';
import { reject } from './rejection.js';

/** The two `_mt` names deployments use for the same method ([seen] in the vendor notes). */
export const MANY_SHOPS_METHOD = 'open.shopwebpassengerflow.customerflow.getManyShopsPassengerIndicatorData';
export const MANY_SHOPS_METHOD_ALIAS = 'open.passengerflow.getManyShopsPassengerIndicatorData';

/**
 * Guards of the emulator, not documented platform limits (as MAX_WINDOW_DAYS): one call computes at most this
 * many stores × days of hours, so one request cannot pin the CPU.
 */
export const MAX_MANY_SHOPS_STORES = 100;
export const MAX_MANY_SHOPS_DAYS = 31;

/** The store ids of an `id` parameter (`S_<depId>,S_<depId>,…`), or null when it is absent or not such a list. */
export function storeIdsOfIdParam(id: string | undefined): string[] | null {
  if (id === undefined || id === '') return null;
  const ids = id.split(',').map((part) => /^S_(\d+)$/.exec(part)?.[1]);
  return ids.every((depId): depId is string => depId !== undefined) ? ids : null;
}

type ManyShopsQuery = {
  depIds: string[];
  startTime: string;
  endTime: string;
  businessHoursOnly: boolean;
  startHour?: number;
  endHour?: number;
};

/** Validates the business parameters as strictly as the indicator method: any fault is API_SYSTEM_CALL_ERROR. */
export function parseManyShopsQuery(params: ReadonlyMap<string, string>): { ok: true; query: ManyShopsQuery } | { ok: false; message: string } {
  const id = params.get('id') ?? '';
  if (id === '') return { ok: false, message: 'id is required.' };
  const depIds: string[] = [];
  for (const part of id.split(',')) {
    if (part.startsWith('O_')) return { ok: false, message: 'Organisation ids (O_) are not served by this emulator; list stores as S_<depId>.' };
    const depId = /^S_(.*)$/.exec(part)?.[1];
    if (depId === undefined || !DEP_ID_PATTERN.test(depId)) {
      return { ok: false, message: 'id must be a comma-separated list of S_<depId>, each depId a positive integer of 1-11 digits.' };
    }
    if (!depIds.includes(depId)) depIds.push(depId);
  }
  if (depIds.length > MAX_MANY_SHOPS_STORES) return { ok: false, message: `id must not list more than ${MAX_MANY_SHOPS_STORES} stores.` };
  const window = parseWindowParams(params, MAX_MANY_SHOPS_DAYS);
  if (!window.ok) return window;
  const timeType = params.get('timeType') ?? '';
  if (timeType === '') return { ok: false, message: 'timeType is required.' };
  if (timeType !== '1') return { ok: false, message: 'timeType must be 1 (by hour); coarser periods are not served.' };
  const query: ManyShopsQuery = { depIds, ...window.window };
  for (const [name, key] of [['starthour', 'startHour'], ['endhour', 'endHour']] as const) {
    const value = params.get(name);
    if (value === undefined) continue;
    if (!/^(\d|1\d|2[0-3])$/.test(value)) return { ok: false, message: `${name} must be an hour from 0 to 23.` };
    query[key] = Number(value);
  }
  if (query.startHour !== undefined && query.endHour !== undefined && query.startHour > query.endHour) {
    return { ok: false, message: 'starthour must not be after endhour.' };
  }
  return { ok: true, query };
}

function handle(params: ReadonlyMap<string, string>, ctx: MethodContext) {
  const parsed = parseManyShopsQuery(params);
  if (!parsed.ok) return { ok: false as const, ...reject('API_SYSTEM_CALL_ERROR', parsed.message) };
  const { depIds, ...window } = parsed.query;
  // Stores in ascending id order, whatever order `id` lists them in: a client must match by depId.
  const sorted = [...depIds].sort((a, b) => Number(a) - Number(b));
  const data = sorted.map((depId) => {
    const hours = computeHourlyIndicators({ depId, ...window }, { businessHours: ctx.businessHours, nowMs: ctx.now() });
    return {
      name: `门店${depId}`,
      depId: rendersAsStrings(depId, ctx.numberStyle) ? depId : Number(depId),
      shopId: '',
      dataList: hours.map((hour) => renderPassengerIndicator(hour as unknown as Record<string, number | string>, depId, ctx.numberStyle)),
    };
  });
  return { ok: true as const, data };
}

/** `…getManyShopsPassengerIndicatorData` (`timeType=1`): the hours of many stores in one call. */
export const manyShopsMethod: BusinessMethod = { name: MANY_SHOPS_METHOD, requiresToken: true, handle };
/** The same method under the name integrators' PHP uses on `m.api`. */
export const manyShopsMethodAlias: BusinessMethod = { name: MANY_SHOPS_METHOD_ALIAS, requiresToken: true, handle };
