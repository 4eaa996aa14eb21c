import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createWallClockToEpoch, createWindowLifetime } from '../../src/cache/window-lifetime.js';

/** The wall clock of `epoch` in `timeZone`, as `yyyy-MM-dd HH:mm:ss` (Intl, independent of the code under test). */
function wallClockOf(epoch: number, timeZone: string): string {
  const parts: Record<string, string> = {};
  const format = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  for (const part of format.formatToParts(epoch)) parts[part.type] = part.value;
  return `${parts.year!.padStart(4, '0')}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second}`;
}

describe('createWallClockToEpoch', () => {
  it.each([
    ['Asia/Shanghai', '2026-05-10 23:59:59', Date.UTC(2026, 4, 10, 15, 59, 59)],
    ['Asia/Shanghai', '2026-01-01 00:00:00', Date.UTC(2025, 11, 31, 16, 0, 0)],
    ['UTC', '2026-05-10 23:59:59', Date.UTC(2026, 4, 10, 23, 59, 59)],
    // New York: EST (-5) in winter, EDT (-4) from the second Sunday of March, 03:00.
    ['America/New_York', '2026-01-15 12:00:00', Date.UTC(2026, 0, 15, 17, 0, 0)],
    ['America/New_York', '2026-07-01 12:00:00', Date.UTC(2026, 6, 1, 16, 0, 0)],
    ['America/New_York', '2026-03-08 03:30:00', Date.UTC(2026, 2, 8, 7, 30, 0)],
    ['Asia/Kolkata', '2026-05-10 00:00:00', Date.UTC(2026, 4, 9, 18, 30, 0)],
  ])('%s %s → the instant', (zone, wallClock, epoch) => {
    expect(createWallClockToEpoch(zone)(wallClock)).toBe(epoch);
  });

  it('years 0001–0099 are not read as 1900–1999', () => {
    const toEpoch = createWallClockToEpoch('UTC');
    const expected = new Date(0);
    expected.setUTCFullYear(50, 0, 1);
    expect(toEpoch('0050-01-01 00:00:00')).toBe(expected.getTime());
    expect(toEpoch('9999-12-31 23:59:59')).toBe(Date.UTC(9999, 11, 31, 23, 59, 59));
  });

  it.each(['Asia/Shanghai', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'UTC'])(
    'in %s, any wall clock that exists maps back to itself',
    (zone) => {
      const toEpoch = createWallClockToEpoch(zone);
      fc.assert(
        fc.property(fc.integer({ min: Date.UTC(1970, 0, 1) / 1000, max: Date.UTC(2100, 0, 1) / 1000 }), (seconds) => {
          const wallClock = wallClockOf(seconds * 1000, zone);
          // In a fall-back hour a wall clock names two instants: either is right, as long as it names this wall clock.
          expect(wallClockOf(toEpoch(wallClock), zone)).toBe(wallClock);
        }),
        { numRuns: 300 },
      );
    },
  );
});

describe('createWindowLifetime', () => {
  // A day in Shanghai that ends (exclusive) at 2026-05-10T16:00:00Z.
  const END = '2026-05-10 23:59:59';
  const ENDS_AT = Date.UTC(2026, 4, 10, 16, 0, 0);
  const options = { timeZone: 'Asia/Shanghai', settleMinutes: 120, settledTtlS: 604_800, openTtlS: 60, maxStaleS: 3600 };
  const lifetimeAt = (now: number) => createWindowLifetime({ ...options, now: () => now })(END);
  const SETTLED = { freshMs: 604_800_000, staleMs: 0 };
  const OPEN = { freshMs: 60_000, staleMs: 3_600_000 };

  it('a window still running, or in the future, is open', () => {
    expect(lifetimeAt(ENDS_AT - 3_600_000)).toEqual(OPEN);
    expect(lifetimeAt(ENDS_AT - 30 * 86_400_000)).toEqual(OPEN);
  });

  it('a window that ended less than CACHE_SETTLE_MINUTES ago is still open; one that ended longer ago is settled', () => {
    expect(lifetimeAt(ENDS_AT)).toEqual(OPEN);
    expect(lifetimeAt(ENDS_AT + 120 * 60_000)).toEqual(OPEN);
    expect(lifetimeAt(ENDS_AT + 120 * 60_000 + 1)).toEqual(SETTLED);
    expect(lifetimeAt(ENDS_AT + 365 * 86_400_000)).toEqual(SETTLED);
  });

  it('the end is read in the platform’s zone, not the host’s', () => {
    // 10:00 UTC: a window ending at 08:59:59 ended 9 hours ago in Shanghai (01:00 UTC), but ends only at
    // 13:00 UTC in New York.
    const now = Date.UTC(2026, 4, 10, 10, 0, 0);
    const lifetimeIn = (timeZone: string) => createWindowLifetime({ ...options, timeZone, now: () => now })('2026-05-10 08:59:59');
    expect(lifetimeIn('Asia/Shanghai')).toEqual(SETTLED);
    expect(lifetimeIn('America/New_York')).toEqual(OPEN);
  });

  it('CACHE_SETTLE_MINUTES=0: settled as soon as the window is over', () => {
    const lifetimeOf = (now: number) => createWindowLifetime({ ...options, settleMinutes: 0, now: () => now })(END);
    expect(lifetimeOf(ENDS_AT)).toEqual(OPEN);
    expect(lifetimeOf(ENDS_AT + 1)).toEqual(SETTLED);
  });
});
