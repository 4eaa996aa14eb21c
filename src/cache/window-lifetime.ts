import type { Lifetime } from './answer-cache.js';

export interface WindowLifetimeOptions {
  /** The platform's zone (OPRETAIL_TIMEZONE): window ends are wall-clock times there. */
  timeZone: string;
  /** CACHE_SETTLE_MINUTES: a window that ended longer ago is settled (devices upload late). */
  settleMinutes: number;
  /** CACHE_SETTLED_TTL_S. */
  settledTtlS: number;
  /** CACHE_OPEN_TTL_S. */
  openTtlS: number;
  /** CACHE_MAX_STALE_S: how long an open window's answer may be served stale when the vendor fails. */
  maxStaleS: number;
  now?: () => number;
}

/**
 * How long the answer for a window is served, from the window's end (`yyyy-MM-dd HH:mm:ss` in the platform's
 * zone): settled windows — ended more than CACHE_SETTLE_MINUTES ago — never change, so they are kept
 * CACHE_SETTLED_TTL_S and served for as long as they exist; open, future or recently ended windows are fresh
 * for CACHE_OPEN_TTL_S, then servable only when the vendor fails, for CACHE_MAX_STALE_S more.
 */
export function createWindowLifetime(options: WindowLifetimeOptions): (endTime: string) => Lifetime {
  const now = options.now ?? Date.now;
  const toEpoch = createWallClockToEpoch(options.timeZone);
  // A wall clock's instant never changes, and a dashboard asks for the same few window ends again and again:
  // remember them (Intl is the costly part), in a map bounded by clearing it when full.
  const endsAt = new Map<string, number>();
  const settled: Lifetime = { freshMs: options.settledTtlS * 1000, staleMs: 0 };
  const open: Lifetime = { freshMs: options.openTtlS * 1000, staleMs: options.maxStaleS * 1000 };
  return (endTime) => {
    let end = endsAt.get(endTime);
    if (end === undefined) {
      if (endsAt.size >= 10_000) endsAt.clear();
      // The end is inclusive to the second: the window is over at the next one.
      end = toEpoch(endTime) + 1000;
      endsAt.set(endTime, end);
    }
    return now() - end > options.settleMinutes * 60_000 ? settled : open;
  };
}

/** `yyyy-MM-dd HH:mm:ss` as a wall clock in `timeZone` → epoch ms (any year 0001–9999, DST-aware). */
export function createWallClockToEpoch(timeZone: string): (wallClock: string) => number {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
    era: 'short',
  });
  /** The zone's offset from UTC at an instant, in ms. */
  const offsetAt = (epoch: number): number => {
    const parts: Record<string, string> = {};
    for (const part of format.formatToParts(epoch)) parts[part.type] = part.value;
    const year = parts.era === 'BC' ? 1 - Number(parts.year) : Number(parts.year);
    return utc(year, Number(parts.month), Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second)) - Math.floor(epoch / 1000) * 1000;
  };
  return (wallClock) => {
    const [date, time] = wallClock.split(' ') as [string, string];
    const [year, month, day] = date.split('-').map(Number) as [number, number, number];
    const [hour, minute, second] = time.split(':').map(Number) as [number, number, number];
    const asUtc = utc(year, month, day, hour, minute, second);
    // Two passes settle the offset across a DST change.
    const first = asUtc - offsetAt(asUtc);
    return asUtc - offsetAt(first);
  };
}

function utc(year: number, month: number, day: number, hour: number, minute: number, second: number): number {
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map the years 0–99 to 1900–1999.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  return date.getTime();
}
