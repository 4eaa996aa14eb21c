import type { CallOptions, OpretailClient } from './client.js';
import { UpstreamBadResponseError } from './errors.js';
import { readNumber } from './passenger-flow.js';

/**
 * `…getManyShopsPassengerIndicatorData`: the hours of many stores in one signed call (`id=S_<depId>,S_<depId>,…`,
 * `timeType=1`). Its `_mt` differs between deployments, so the caller passes it (OPRETAIL_HOURLY_METHOD).
 */

/** The window of hours asked for every store of one call, in the stores' wall-clock time (`yyyy-MM-dd HH:mm:ss`, inclusive). */
export interface HourlyWindow {
  startTime: string;
  endTime: string;
  /** `isOnBusinessTime=1`: business hours only. */
  businessHoursOnly: boolean;
}

/** One hour's figures, de-duplicated by the vendor within the hour (never summed into a day by the gateway). */
export interface HourlyFigures {
  /** passengerFlow (进店客流). */
  inflow: number;
  /** passPassengerFlow (过店客流). */
  passBy: number;
  /** outSidePassengerFlow (店外客流; capital S in this method). */
  outsideFlow: number;
  /** inShopRate (进店率), percent. */
  inShopRate: number;
  /** outFlowCount (出店客流); null when the store's devices cannot count it. */
  outflow: number | null;
  /** dressingRate (试衣率), percent; null when the store reports none. */
  fittingRoomRate: number | null;
}

/** One hour the vendor reported for a store: its wall-clock date and hour (0–23). */
export interface HourlyEntry {
  date: string;
  hour: number;
  figures: HourlyFigures;
}

/**
 * One store's part of an answer: its hours as the vendor reported them (sorted; hours it did not report are
 * absent, never invented), or why that part is unusable — the other stores of the call are unaffected.
 */
export type StoreHours = HourlyEntry[] | UpstreamBadResponseError;

export interface HourlyFlowApi {
  /**
   * One call for `depIds` (distinct) over `window`. Resolves with each asked store's part, matched by `depId`
   * (never by position); rejects when the call fails or the answer as a whole is unusable.
   */
  getManyShopsPassengerIndicatorData(method: string, depIds: readonly string[], window: HourlyWindow, options?: CallOptions): Promise<Map<string, StoreHours>>;
}

export function createHourlyFlowApi(client: OpretailClient): HourlyFlowApi {
  return {
    async getManyShopsPassengerIndicatorData(method, depIds, window, options) {
      const data = await client.call(
        method,
        {
          id: depIds.map((depId) => `S_${depId}`).join(','),
          startTime: window.startTime,
          endTime: window.endTime,
          timeType: '1',
          isOnBusinessTime: window.businessHoursOnly ? '1' : '0',
        },
        options,
      );
      return parseManyShopsHourlyData(data, depIds, window, method);
    },
  };
}

const DEP_ID = /^[1-9]\d{0,10}$/;

/**
 * Splits `data` (an array of `{ depId, dataList: [ … ] }`) per asked store. An answer that is not such an array
 * fails the whole call; a store whose element is missing, repeated or malformed gets its own error; elements
 * for stores not asked for (or without a usable `depId`) are ignored.
 */
export function parseManyShopsHourlyData(data: unknown, depIds: readonly string[], window: HourlyWindow, method: string): Map<string, StoreHours> {
  if (!Array.isArray(data)) throw new UpstreamBadResponseError(method, 'data is not an array', 200);
  const asked = new Set(depIds);
  const elements = new Map<string, { element: Record<string, unknown>; index: number }>();
  const repeated = new Set<string>();
  data.forEach((element: unknown, index) => {
    if (typeof element !== 'object' || element === null || Array.isArray(element)) {
      throw new UpstreamBadResponseError(method, `data[${index}] is not an object`, 200);
    }
    const record = element as Record<string, unknown>;
    const depId = canonicalDepId(record.depId);
    if (depId === null || !asked.has(depId)) return;
    if (elements.has(depId)) repeated.add(depId);
    elements.set(depId, { element: record, index });
  });
  const result = new Map<string, StoreHours>();
  for (const depId of depIds) {
    const found = elements.get(depId);
    if (repeated.has(depId)) result.set(depId, new UpstreamBadResponseError(method, `data has several elements for store ${depId}`, 200));
    else if (!found) result.set(depId, new UpstreamBadResponseError(method, `data has no element for store ${depId}`, 200));
    else {
      try {
        result.set(depId, parseStoreHours(found.element, `data[${found.index}]`, window, method));
      } catch (error) {
        if (!(error instanceof UpstreamBadResponseError)) throw error;
        result.set(depId, error);
      }
    }
  }
  return result;
}

function canonicalDepId(raw: unknown): string | null {
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : '';
  return DEP_ID.test(text) ? text : null;
}

/** A store's `dataList`: every entry an hour of the window, each hour at most once. */
function parseStoreHours(element: Record<string, unknown>, where: string, window: HourlyWindow, method: string): HourlyEntry[] {
  const list = element.dataList;
  // No list at all: the vendor reported no hour for this store (each hour is then null, not 0).
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new UpstreamBadResponseError(method, `${where}.dataList is not an array`, 200);
  const first = slotKey(window.startTime.slice(0, 10), Number(window.startTime.slice(11, 13)));
  const last = slotKey(window.endTime.slice(0, 10), Number(window.endTime.slice(11, 13)));
  const singleDay = window.startTime.slice(0, 10) === window.endTime.slice(0, 10) ? window.startTime.slice(0, 10) : null;
  const seen = new Set<string>();
  const entries = list.map((raw: unknown, index): HourlyEntry => {
    const at = `${where}.dataList[${index}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new UpstreamBadResponseError(method, `${at} is not an object`, 200);
    const dto = raw as Record<string, unknown>;
    const slot = parseHourTime(dto.time, singleDay, at, method);
    const key = slotKey(slot.date, slot.hour);
    if (key < first || key > last) throw new UpstreamBadResponseError(method, `${at}.time is outside the window asked for`, 200);
    if (seen.has(key)) throw new UpstreamBadResponseError(method, `${at}.time repeats an hour`, 200);
    seen.add(key);
    const count = (field: string, required: boolean) => readNumber(dto, field, required, true, method, at);
    const rate = (field: string, required: boolean) => readNumber(dto, field, required, false, method, at);
    return {
      date: slot.date,
      hour: slot.hour,
      figures: {
        inflow: count('passengerFlow', true)!,
        passBy: count('passPassengerFlow', true)!,
        // The method's own spelling has a capital S; the indicator method's spelling is accepted as well.
        outsideFlow: count(dto.outSidePassengerFlow === undefined ? 'outsidePassengerFlow' : 'outSidePassengerFlow', true)!,
        inShopRate: rate('inShopRate', true)!,
        outflow: count('outFlowCount', false),
        fittingRoomRate: rate('dressingRate', false),
      },
    };
  });
  return entries.sort((a, b) => (slotKey(a.date, a.hour) < slotKey(b.date, b.hour) ? -1 : 1));
}

const slotKey = (date: string, hour: number): string => `${date} ${String(hour).padStart(2, '0')}`;

const DATED = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/;
const CLOCK = /^(\d{1,2}):(\d{2})$/;
const HOUR = /^\d{1,2}$/;

/**
 * `time` of an entry: `yyyy-MM-dd HH:mm:ss`, `yyyy-MM-dd HH:mm`, `HH:mm`, or an hour number, naming the hour it
 * starts (minutes and seconds 00). A time without a date is taken only in a one-day window: over several days it
 * could as well be an hour-of-day total, and guessing the day from the entry's position is what a heat-map must
 * never do.
 */
function parseHourTime(raw: unknown, singleDay: string | null, at: string, method: string): { date: string; hour: number } {
  const bad = (why: string) => new UpstreamBadResponseError(method, `${at}.time ${why}`, 200);
  let date: string | null = null;
  let hour: number;
  if (typeof raw === 'number') {
    if (!Number.isInteger(raw)) throw bad('is not an hour');
    hour = raw;
  } else if (typeof raw === 'string') {
    const text = raw.trim();
    const dated = DATED.exec(text);
    const clock = CLOCK.exec(text);
    if (dated) {
      if (dated[3] !== '00' || (dated[4] !== undefined && dated[4] !== '00')) throw bad('is not the start of an hour');
      date = dated[1]!;
      hour = Number(dated[2]);
      if (!isRealDate(date)) throw bad('is not a real date');
    } else if (clock) {
      if (clock[2] !== '00') throw bad('is not the start of an hour');
      hour = Number(clock[1]);
    } else if (HOUR.test(text)) {
      hour = Number(text);
    } else {
      throw bad('is not yyyy-MM-dd HH:mm[:ss], HH:mm or an hour');
    }
  } else {
    throw bad(raw === undefined || raw === null ? 'is missing' : 'is not a time');
  }
  if (hour < 0 || hour > 23) throw bad('is not an hour from 0 to 23');
  if (date === null) {
    if (singleDay === null) throw bad('has no date in a window of several days');
    date = singleDay;
  }
  return { date, hour };
}

function isRealDate(date: string): boolean {
  const parsed = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === date;
}
