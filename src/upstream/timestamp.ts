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
  return (epochMs) => {
    const parts: Record<string, string> = {};
    for (const part of format.formatToParts(epochMs)) parts[part.type] = part.value;
    return `${parts.year}${parts.month}${parts.day}${parts.hour}${parts.minute}${parts.second}`;
  };
}
