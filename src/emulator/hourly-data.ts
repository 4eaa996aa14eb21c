import { BEIJING_OFFSET_MS, parseBeijingDateTime } from './beijing-clock.js';
import {
  assertBusinessHours,
  DEFAULT_BUSINESS_HOURS,
  elapsedShare,
  fnv1a32,
  HOUR_MS,
  hourSlotFigures,
  MINUTE_MS,
  percent2,
  slotDate,
  storeProfile,
  type PassengerIndicatorOptions,
  type PassengerQuery,
} from './passenger-data.js';

/**
 * The hours of one store as getManyShopsPassengerIndicatorData (`timeType=1`) reports them, consistent with
 * `computePassengerIndicator` under the platform's counting rule: figures are de-duplicated per hour, windows
 * per window.
 *
 * THE HOURLY RULE (tests rely on it; change it only together with them), on top of THE RULE of
 * passenger-data.ts, for each hour slot of the window (`yyyy-MM-dd HH`, Beijing wall clock; with business hours
 * only, just the slots in business hours — the others are left out of the list, not sent as 0):
 * - the slot's `entering` of THE RULE are the people first seen that day in that hour; a store with face devices
 *   also counts, in the hour, `returning = floor(earlier × ((fnv1a32('return|' + depId + '|' + date + '|' + HH) % 26)) / 100)`
 *   people it already saw earlier that day (`earlier` = the full `entering` of the day's slots before this one,
 *   business hours or not). Per-hour de-duplication counts them again; the day's de-duplication did not. Other
 *   stores' counting devices count entries, so for them `returning = 0`;
 * - `passengerFlow = entering + returning`, `duplicatedFlow = returning`, `inCountHavingPassDevice = passengerFlow`,
 *   `passPassengerFlow = passing`, `outSidePassengerFlow = passengerFlow + passPassengerFlow`,
 *   `inShopRate = round2(passengerFlow / outSidePassengerFlow × 100)`, `outFlowCount = leaving` (stores without
 *   face devices only), `dressingRate = round2(dressing / passengerFlow × 100)` (stores with a fitting room only);
 * - the clock cuts every count as THE RULE does (later slots 0, the current slot its elapsed minutes).
 * So a store's hours add up to exactly its day for counting devices, and to more than its day for face devices
 * (never less) — an honest vendor's answer a gateway must not add up.
 */

/** One entry of a store's `dataList`, before rendering. */
export interface HourlyIndicator {
  time: string;
  passengerFlow: number;
  passPassengerFlow: number;
  outSidePassengerFlow: number;
  inShopRate: number;
  outFlowCount?: number;
  dressingRate?: number;
  inCountHavingPassDevice: number;
  duplicatedFlow: number;
}

export interface HourlyQuery extends PassengerQuery {
  /** `starthour`/`endhour`: only hours of the day in `[startHour, endHour]`. */
  startHour?: number;
  endHour?: number;
}

/** The hours of `[startTime, endTime]` for one store (see THE HOURLY RULE); a pure function of its inputs. */
export function computeHourlyIndicators(query: HourlyQuery, options: PassengerIndicatorOptions = {}): HourlyIndicator[] {
  const depId = String(query.depId);
  const hours = options.businessHours ?? DEFAULT_BUSINESS_HOURS;
  assertBusinessHours(hours);
  const start = parseBeijingDateTime(query.startTime);
  const end = parseBeijingDateTime(query.endTime);
  if (start === null || end === null || start > end) throw new Error('startTime and endTime must be real date-times, start first');
  const profile = storeProfile(depId);
  const nowWall = (options.nowMs ?? Infinity) + BEIJING_OFFSET_MS;
  const nowSlot = Math.floor(nowWall / HOUR_MS);
  const minutesIntoNowSlot = Number.isFinite(nowSlot) ? Math.floor((nowWall - nowSlot * HOUR_MS) / MINUTE_MS) : 0;
  const firstSlot = Math.floor((start + BEIJING_OFFSET_MS) / HOUR_MS);
  const lastSlot = Math.floor((end + BEIJING_OFFSET_MS) / HOUR_MS);
  const list: HourlyIndicator[] = [];
  for (let slot = firstSlot; slot <= lastSlot; slot++) {
    const wall = new Date(slot * HOUR_MS);
    const hour = wall.getUTCHours();
    const inHours = hour >= hours.open && hour < hours.close;
    if (query.businessHoursOnly === true && !inHours) continue;
    if ((query.startHour !== undefined && hour < query.startHour) || (query.endHour !== undefined && hour > query.endHour)) continue;
    const date = slotDate(wall);
    const full = hourSlotFigures(depId, date, hour, inHours, profile.scalePercent);
    let returning = 0;
    if (profile.faceDevices) {
      let earlier = 0;
      for (let h = 0; h < hour; h++) earlier += hourSlotFigures(depId, date, h, h >= hours.open && h < hours.close, profile.scalePercent).entering;
      returning = Math.floor((earlier * (fnv1a32(`return|${depId}|${date}|${String(hour).padStart(2, '0')}`) % 26)) / 100);
    }
    const counted = { ...full, entering: full.entering + returning };
    const cut = (figures: typeof counted) => (slot > nowSlot ? { entering: 0, passing: 0, leaving: 0, dressing: 0 } : slot === nowSlot ? elapsedShare(figures, minutesIntoNowSlot) : figures);
    const figures = cut(counted);
    const duplicated = cut({ entering: returning, passing: 0, leaving: 0, dressing: 0 }).entering;
    const entry: HourlyIndicator = {
      time: `${date} ${String(hour).padStart(2, '0')}:00:00`,
      passengerFlow: figures.entering,
      passPassengerFlow: figures.passing,
      outSidePassengerFlow: figures.entering + figures.passing,
      inShopRate: percent2(figures.entering, figures.entering + figures.passing),
      inCountHavingPassDevice: figures.entering,
      duplicatedFlow: duplicated,
    };
    if (!profile.faceDevices) entry.outFlowCount = figures.leaving;
    if (profile.fittingRoom) entry.dressingRate = percent2(figures.dressing, figures.entering);
    list.push(entry);
  }
  return list;
}
