/**
 * `_timestamp` values: `yyyyMMddHHmmss` wall-clock time in the platform's zone (Beijing for the public
 * opretail cloud), computed from an epoch so the result never depends on the host's `TZ`.
 */
export type TimestampFormatter = (epochMs: number) => string;

/** Throws a `RangeError` naming the zone when it is not a valid IANA time zone. */
export function createTimestampFormatter(timeZone: string): TimestampFormatter {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
  } catch {
    throw new RangeError(`Unknown time zone "${timeZone}"`);
  }
  // The value changes once a second: the last second's text is reused (a busy gateway signs thousands of
  // calls a second, and `formatToParts` was a visible share of a call's CPU).
  let lastSecond = Number.NaN;
  let lastText = '';
  return (epochMs) => {
    const second = Math.floor(epochMs / 1000);
    if (second === lastSecond) return lastText;
    const parts: Record<string, string> = {};
    for (const part of format.formatToParts(second * 1000)) parts[part.type] = part.value;
    lastText = `${parts.year}${parts.month}${parts.day}${parts.hour}${parts.minute}${parts.second}`;
    lastSecond = second;
    return lastText;
  };
}
