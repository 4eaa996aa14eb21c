/** Calendar arithmetic on `yyyy-MM-dd` strings (already validated by the LocalDate scalar), in UTC days. */

const DAY_MS = 86_400_000;

export function localDateToDayNumber(date: string): number {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return Date.UTC(year, month - 1, day) / DAY_MS;
}

export function dayNumberToLocalDate(dayNumber: number): string {
  return new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);
}

/** Days in `[from, to]`, both inclusive. */
export function daysInclusive(from: string, to: string): number {
  return localDateToDayNumber(to) - localDateToDayNumber(from) + 1;
}

/** Every date from `from` to `to`, inclusive. */
export function eachDay(from: string, to: string): string[] {
  const first = localDateToDayNumber(from);
  return Array.from({ length: daysInclusive(from, to) }, (_, i) => dayNumberToLocalDate(first + i));
}
