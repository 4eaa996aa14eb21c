import { BEIJING_OFFSET_MS, parseBeijingDateTime } from './beijing-clock.js';

/**
 * Deterministic synthetic passenger-flow figures.
 *
 * Tests and the demo need numbers that are stable (same request at the same clock → same answer), plausible
 * (quiet at night, peaks in the late afternoon and evening) and checkable (a test can recompute them with
 * `computePassengerIndicator`). Everything derives from FNV-1a hashes, so there is no state; the only clock is
 * the `nowMs` the caller passes (the emulator passes its own, possibly skewed, Beijing clock — the one that
 * checks `_timestamp`), so today's figures grow through the day like the platform's and an open window
 * really changes between two calls.
 *
 * THE RULE (tests rely on it; change it only together with them):
 *
 * Store profile, from `s = fnv1a32('store|' + depId)` (depId as its canonical decimal string):
 * - `faceDevices  = s % 5 === 0`          (~1 store in 5): face devices cannot count leaving → `outFlowCount` omitted;
 * - `fittingRoom  = (s >>> 3) % 2 === 0`  (~half): without one → `dressingPassengerFlow`/`dressingRate` omitted;
 * - `scalePercent = 50 + (s >>> 8) % 151` (50–200): the store's size.
 *
 * Hour slot (Beijing wall-clock date `yyyy-MM-dd`, hour `HH`), from `h = fnv1a32(depId + '|' + date + '|' + HH)`,
 * with `open ≤ hour < close` meaning "in business hours" and `PEAK = HOURLY_PEAK[hour]`:
 * - `entering = floor(E × scalePercent × (80 + h % 41) / 10000)`,          E = in hours ? PEAK : 1
 * - `passing  = floor(P × scalePercent × (80 + (h >>> 8) % 41) / 10000)`,  P = in hours ? PEAK × 9 : PEAK × 2
 * - `leaving  = floor(entering × (90 + (h >>> 16) % 21) / 100)`
 * - `dressing = floor(entering × ((h >>> 24) % 41) / 100)`                 (≤ 40 % of entering)
 *
 * The clock, `now` = `nowMs` (the emulator's Beijing clock; no cut-off when absent), decides how much of a
 * slot has happened yet:
 * - a slot that starts after `now` counts zero for every figure (future hours, future days);
 * - the slot containing `now` counts `floor(full × m / 60)` of each of entering/passing/leaving/dressing,
 *   `m` = whole minutes elapsed in that hour (0–59); all integers, and the cut keeps the figures' order
 *   (the floor of the same fraction is monotonic): dressing ≤ entering, and leaving ≤ entering whenever the
 *   full hour has it (the full rule lets leaving reach 110 % of entering: people who came in earlier);
 * - a slot that ended before `now` counts its full figures (so a past day never changes).
 *
 * Window: every slot `[HH:00:00, HH:59:59]` that intersects `[startTime, endTime]`; with business hours only,
 * just the slots in business hours. Totals are plain sums over the included slots (each cut by the clock as
 * above), so a day is exactly the sum of its hours (simpler than the real face-device de-duplication, which
 * the gateway must never rely on anyway). The derived figures come from the totals (all 0 for a window that
 * has not started yet):
 * - `outsidePassengerFlow = passengerFlow + passPassengerFlow`
 * - `inShopRate  = round2(passengerFlow / outsidePassengerFlow × 100)`, 0 when outside is 0
 * - `dressingRate = round2(dressingPassengerFlow / passengerFlow × 100)`, 0 when entering is 0
 * where `round2` rounds half up to 2 decimals, computed as `Math.round(a × 10000 / b) / 100` on integers.
 */

/** Relative traffic by hour of day (index 0–23): quiet at night, peaks 17:00–19:00. */
export const HOURLY_PEAK: readonly number[] = [3, 2, 1, 1, 1, 2, 4, 8, 12, 16, 20, 24, 28, 27, 30, 34, 38, 42, 45, 43, 36, 28, 18, 8];

/** A store's opening hours, whole hours, `[open, close)`. */
export interface BusinessHours {
  /** First hour in business hours (0–23). */
  open: number;
  /** First hour after business hours (1–24). */
  close: number;
}

export const DEFAULT_BUSINESS_HOURS: Readonly<BusinessHours> = { open: 10, close: 22 };

/**
 * Longest window the emulator computes (about 10 years). Not a documented platform limit — a guard so one
 * request for `0001-01-01 … 9999-12-31` cannot pin the CPU; longer windows answer API_SYSTEM_CALL_ERROR.
 */
export const MAX_WINDOW_DAYS = 3660;

/** A positive integer of 1–11 digits without sign, spaces or leading zeros (canonical, so it hashes one way). */
export const DEP_ID_PATTERN = /^[1-9][0-9]{0,10}$/;

export interface StoreProfile {
  faceDevices: boolean;
  fittingRoom: boolean;
  scalePercent: number;
}

export interface PassengerQuery {
  depId: string | number;
  /** `yyyy-MM-dd HH:mm:ss`, Beijing wall clock, inclusive. */
  startTime: string;
  /** `yyyy-MM-dd HH:mm:ss`, Beijing wall clock, inclusive. */
  endTime: string;
  /** `isOnBusinessTime=1`. @default false */
  businessHoursOnly?: boolean;
}

/** The figures of one window; optional fields are absent for stores without the matching devices. */
export interface PassengerIndicator {
  passengerFlow: number;
  passPassengerFlow: number;
  outsidePassengerFlow: number;
  inShopRate: number;
  outFlowCount?: number;
  dressingPassengerFlow?: number;
  dressingRate?: number;
  shopId: '';
}

/** 32-bit FNV-1a over UTF-16 code units (the inputs are ASCII). */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Half-up rounding of `numerator / denominator × 100` to 2 decimals; 0 when the denominator is 0. */
export function percent2(numerator: number, denominator: number): number {
  if (denominator === 0) return 0;
  return Math.round((numerator * 10000) / denominator) / 100;
}

export function storeProfile(depId: string | number): StoreProfile {
  const s = fnv1a32(`store|${canonicalDepId(depId)}`);
  return { faceDevices: s % 5 === 0, fittingRoom: (s >>> 3) % 2 === 0, scalePercent: 50 + ((s >>> 8) % 151) };
}

/**
 * Validates business hours.
 * @throws Error unless `open` and `close` are integers with `0 ≤ open < close ≤ 24`.
 */
export function assertBusinessHours(hours: BusinessHours): void {
  const { open, close } = hours;
  if (!Number.isInteger(open) || !Number.isInteger(close) || open < 0 || close > 24 || open >= close) {
    throw new Error(`businessHours must be whole hours with 0 <= open < close <= 24 (got open=${open}, close=${close})`);
  }
}

export interface PassengerIndicatorOptions {
  /**
   * The store's business hours, for `businessHoursOnly` and the traffic profile.
   * @default DEFAULT_BUSINESS_HOURS
   */
  businessHours?: BusinessHours;
  /**
   * The clock the figures are cut at, epoch ms (see THE RULE): later slots count zero, the current slot
   * counts the minutes elapsed. The emulator passes its own clock; tests pass a fixed instant.
   * @default Infinity (no cut-off: every slot counts in full, so the function stays pure and a test's
   * expectation never depends on when it runs)
   */
  nowMs?: number;
}

/**
 * The figures for one window (see THE RULE above); a pure function of its inputs so tests can compute
 * expected answers.
 *
 * @throws Error on an invalid depId, unparseable or unreal times, start after end, a window longer than
 * MAX_WINDOW_DAYS, or a `nowMs` that is NaN.
 */
export function computePassengerIndicator(query: PassengerQuery, options: PassengerIndicatorOptions = {}): PassengerIndicator {
  const depId = canonicalDepId(query.depId);
  const hours = options.businessHours ?? DEFAULT_BUSINESS_HOURS;
  assertBusinessHours(hours);
  const nowMs = options.nowMs ?? Infinity;
  if (Number.isNaN(nowMs)) throw new Error('nowMs must be a number of epoch milliseconds');
  const start = parseBeijingDateTime(query.startTime);
  const end = parseBeijingDateTime(query.endTime);
  if (start === null) throw new Error(`startTime must be a real date-time "yyyy-MM-dd HH:mm:ss"`);
  if (end === null) throw new Error(`endTime must be a real date-time "yyyy-MM-dd HH:mm:ss"`);
  if (start > end) throw new Error('startTime must not be after endTime');
  if (end - start > MAX_WINDOW_DAYS * 24 * HOUR_MS) throw new Error(`the window must not exceed ${MAX_WINDOW_DAYS} days`);

  const profile = storeProfile(depId);
  let entering = 0;
  let passing = 0;
  let leaving = 0;
  let dressing = 0;
  // Slots are counted on the Beijing wall clock read as UTC: Beijing has no DST, so every day has 24 slots.
  const firstSlot = Math.floor((start + BEIJING_OFFSET_MS) / HOUR_MS);
  const lastSlot = Math.floor((end + BEIJING_OFFSET_MS) / HOUR_MS);
  // ±Infinity stays ±Infinity: no cut-off, or nothing has happened yet.
  const nowWall = nowMs + BEIJING_OFFSET_MS;
  const nowSlot = Math.floor(nowWall / HOUR_MS);
  const minutesIntoNowSlot = Number.isFinite(nowSlot) ? Math.floor((nowWall - nowSlot * HOUR_MS) / MINUTE_MS) : 0;
  // Slots after the clock's count zero, so the loop stops at the clock's slot.
  const lastCounted = Math.min(lastSlot, nowSlot);
  for (let slot = firstSlot; slot <= lastCounted; slot++) {
    const wall = new Date(slot * HOUR_MS);
    const hour = wall.getUTCHours();
    const inHours = hour >= hours.open && hour < hours.close;
    if (query.businessHoursOnly === true && !inHours) continue;
    const full = hourSlotFigures(depId, slotDate(wall), hour, inHours, profile.scalePercent);
    const figures = slot === nowSlot ? elapsedShare(full, minutesIntoNowSlot) : full;
    entering += figures.entering;
    passing += figures.passing;
    leaving += figures.leaving;
    dressing += figures.dressing;
  }

  const indicator: PassengerIndicator = {
    passengerFlow: entering,
    passPassengerFlow: passing,
    outsidePassengerFlow: entering + passing,
    inShopRate: percent2(entering, entering + passing),
    shopId: '',
  };
  if (!profile.faceDevices) indicator.outFlowCount = leaving;
  if (profile.fittingRoom) {
    indicator.dressingPassengerFlow = dressing;
    indicator.dressingRate = percent2(dressing, entering);
  }
  return indicator;
}

/** The raw figures of one hour slot (exported for tests of the rule). */
export function hourSlotFigures(
  depId: string,
  date: string,
  hour: number,
  inBusinessHours: boolean,
  scalePercent: number,
): { entering: number; passing: number; leaving: number; dressing: number } {
  const h = fnv1a32(`${depId}|${date}|${String(hour).padStart(2, '0')}`);
  const peak = HOURLY_PEAK[hour] ?? 0;
  const enterBase = inBusinessHours ? peak : 1;
  const passBase = inBusinessHours ? peak * 9 : peak * 2;
  const entering = Math.floor((enterBase * scalePercent * (80 + (h % 41))) / 10000);
  const passing = Math.floor((passBase * scalePercent * (80 + ((h >>> 8) % 41))) / 10000);
  const leaving = Math.floor((entering * (90 + ((h >>> 16) % 21))) / 100);
  const dressing = Math.floor((entering * ((h >>> 24) % 41)) / 100);
  return { entering, passing, leaving, dressing };
}

export const MINUTE_MS = 60 * 1000;
export const HOUR_MS = 60 * MINUTE_MS;

export type SlotFigures = ReturnType<typeof hourSlotFigures>;

/** The part of an hour slot that has happened after `minutes` whole minutes (THE RULE's current slot). */
export function elapsedShare(full: SlotFigures, minutes: number): SlotFigures {
  const share = (value: number): number => Math.floor((value * minutes) / 60);
  return { entering: share(full.entering), passing: share(full.passing), leaving: share(full.leaving), dressing: share(full.dressing) };
}

function canonicalDepId(depId: string | number): string {
  const text = String(depId);
  if (!DEP_ID_PATTERN.test(text)) throw new Error('depId must be a positive integer of 1-11 digits');
  return text;
}

export function slotDate(wall: Date): string {
  const y = String(wall.getUTCFullYear()).padStart(4, '0');
  const m = String(wall.getUTCMonth() + 1).padStart(2, '0');
  const d = String(wall.getUTCDate()).padStart(2, '0');
  return `${y}-${m}-${d}`;
}
