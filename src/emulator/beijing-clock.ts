/**
 * Beijing wall-clock arithmetic (UTC+8, no daylight saving since 1991), independent of the host's TZ.
 *
 * The platform reads `_timestamp` and the business `startTime`/`endTime` as Beijing wall-clock time, so
 * every conversion here goes through UTC getters/setters only: a local-time getter (`getHours`, …) would
 * make the emulator's answer depend on the machine it runs on.
 */

/** Beijing is UTC+8 all year. */
export const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000;

/** A wall-clock reading; `month` is 1–12. */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const TIMESTAMP_PATTERN = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/;
const DATE_TIME_PATTERN = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/**
 * The wall clock read as if it were UTC, in epoch milliseconds — or `null` when it is not a real date and
 * time (month 13, 30 February, hour 24, year 0000, …).
 *
 * `setUTCFullYear` rather than `Date.UTC`: `Date.UTC` maps years 0–99 to 1900–1999, which would let
 * `00010101000000` pass as 1901.
 */
export function wallClockAsUtcMs(wall: WallClock): number | null {
  const { year, month, day, hour, minute, second } = wall;
  if (year < 1 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  // The Date rolls over (31 April → 1 May); a real date survives the round trip unchanged.
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return date.getTime();
}

/** Parses `yyyyMMddHHmmss` (exactly 14 digits) as Beijing time → epoch ms, or `null` if malformed/unreal. */
export function parseBeijingTimestamp(text: string): number | null {
  const wall = matchWallClock(TIMESTAMP_PATTERN, text);
  if (wall === null) return null;
  const asUtc = wallClockAsUtcMs(wall);
  return asUtc === null ? null : asUtc - BEIJING_OFFSET_MS;
}

/** Parses `yyyy-MM-dd HH:mm:ss` as Beijing time → epoch ms, or `null` if malformed/unreal. */
export function parseBeijingDateTime(text: string): number | null {
  const wall = matchWallClock(DATE_TIME_PATTERN, text);
  if (wall === null) return null;
  const asUtc = wallClockAsUtcMs(wall);
  return asUtc === null ? null : asUtc - BEIJING_OFFSET_MS;
}

/** The Beijing wall clock at an instant. */
export function toBeijingWallClock(epochMs: number): WallClock {
  const shifted = new Date(epochMs + BEIJING_OFFSET_MS);
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    hour: shifted.getUTCHours(),
    minute: shifted.getUTCMinutes(),
    second: shifted.getUTCSeconds(),
  };
}

/** `yyyyMMddHHmmss` in Beijing time, the `_timestamp` format. */
export function formatBeijingTimestamp(epochMs: number): string {
  const w = toBeijingWallClock(epochMs);
  return `${pad(w.year, 4)}${pad(w.month)}${pad(w.day)}${pad(w.hour)}${pad(w.minute)}${pad(w.second)}`;
}

/** `yyyy-MM-dd HH:mm:ss` in Beijing time, the business date-time format. */
export function formatBeijingDateTime(epochMs: number): string {
  const w = toBeijingWallClock(epochMs);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)} ${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}`;
}

function matchWallClock(pattern: RegExp, text: string): WallClock | null {
  const m = pattern.exec(text);
  if (m === null) return null;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  return { year, month, day, hour, minute, second };
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, '0');
}
