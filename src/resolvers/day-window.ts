import { daysInclusive, eachDay } from './local-date.js';

/**
 * A window of whole days as the resolvers use it, built once per (from, to, businessHoursOnly) for the whole
 * process: its upstream times, its length, and (for a daily series) the one-day windows it is made of. Dashboards
 * ask the same few windows for every store and every request, so a field reads these instead of building strings.
 */
export interface DayWindow {
  readonly from: string;
  readonly to: string;
  readonly businessHoursOnly: boolean;
  /** Vendor `startTime`: `<from> 00:00:00` (the store's wall clock). */
  readonly startTime: string;
  /** Vendor `endTime`: `<to> 23:59:59`, inclusive. */
  readonly endTime: string;
  /** Days in the window (negative when `from` is after `to`). */
  readonly days: number;
}

interface WindowEntry {
  window: DayWindow;
  /** Its one-day windows, listed when a daily series first asks. */
  daily?: readonly DayWindow[];
}

/** By `from`, then `to`, then the flag (0/1). Bounded: callers choose the windows. */
const windows = new Map<string, Map<string, [WindowEntry | undefined, WindowEntry | undefined]>>();
let remembered = 0;
const MAX_REMEMBERED = 4096;

function entryOf(from: string, to: string, businessHoursOnly: boolean): WindowEntry {
  const flag = businessHoursOnly ? 1 : 0;
  const known = windows.get(from)?.get(to)?.[flag];
  if (known !== undefined) return known;
  // A new window: the table is bounded as a whole, whatever windows callers send (any from, any to).
  if (remembered >= MAX_REMEMBERED) {
    windows.clear();
    remembered = 0;
  }
  let byTo = windows.get(from);
  if (byTo === undefined) windows.set(from, (byTo = new Map()));
  let pair = byTo.get(to);
  if (pair === undefined) byTo.set(to, (pair = [undefined, undefined]));
  let entry = pair[flag];
  if (entry === undefined) {
    remembered++;
    const window: DayWindow = {
      from,
      to,
      businessHoursOnly,
      startTime: `${from} 00:00:00`,
      endTime: `${to} 23:59:59`,
      days: from > to ? -1 : daysInclusive(from, to),
    };
    pair[flag] = entry = { window };
  }
  return entry;
}

/** The window `[from, to]` (dates already valid `yyyy-MM-dd`, as the LocalDate scalar makes them). */
export function dayWindow(from: string, to: string, businessHoursOnly: boolean): DayWindow {
  return entryOf(from, to, businessHoursOnly).window;
}

/** The one-day windows of `window`, in order (call only for a window within the series limit). */
export function dailyWindows(window: DayWindow): readonly DayWindow[] {
  const entry = entryOf(window.from, window.to, window.businessHoursOnly);
  return (entry.daily ??= Object.freeze(eachDay(window.from, window.to).map((day) => dayWindow(day, day, window.businessHoursOnly))));
}
