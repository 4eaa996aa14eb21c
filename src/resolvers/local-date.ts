/**
 * Calendar arithmetic on `yyyy-MM-dd` strings (already validated by the LocalDate scalar), as day numbers in the
 * proleptic Gregorian calendar. Pure integer arithmetic (H. Hinnant's days-from-civil), so it is right for every
 * year 0001–9999 — `Date.UTC` would map the years 0–99 to 1900–1999.
 */

/** Days since 1970-01-01 (negative before it). */
export function localDateToDayNumber(date: string): number {
  // `yyyy-MM-dd`: fixed positions (a malformed string gives NaN or a date that does not print back the same).
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  const day = Number(date.slice(8, 10));
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

export function dayNumberToLocalDate(dayNumber: number): string {
  const z = dayNumber + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Days in `[from, to]`, both inclusive. */
export function daysInclusive(from: string, to: string): number {
  return localDateToDayNumber(to) - localDateToDayNumber(from) + 1;
}

/** Every date from `from` to `to`, inclusive (day-window.ts keeps the lists the resolvers ask for). */
export function eachDay(from: string, to: string): string[] {
  const first = localDateToDayNumber(from);
  return Array.from({ length: daysInclusive(from, to) }, (_, i) => dayNumberToLocalDate(first + i));
}
