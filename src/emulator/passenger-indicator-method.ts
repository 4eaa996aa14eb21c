import type { BusinessMethod, NumberStyle } from './business-method.js';
import { parseBeijingDateTime } from './beijing-clock.js';
import {
  computePassengerIndicator,
  DEP_ID_PATTERN,
  MAX_WINDOW_DAYS,
  type PassengerIndicator,
  type PassengerQuery,
} from './passenger-data.js';
import { reject } from './rejection.js';

/** `open.shopweb.passengerFlow.getPassengerIndicatorData`: the passenger-flow indicators of one store. */
export const PASSENGER_INDICATOR_METHOD = 'open.shopweb.passengerFlow.getPassengerIndicatorData';

/**
 * Validates the business parameters; returns the query, or the `result` message of an
 * API_SYSTEM_CALL_ERROR. Strict on purpose: a gateway that sends `depId=12.0`, `startTime=2026-05-10`
 * or `isOnBusinessTime=true` has a bug the real platform would not forgive either.
 */
export function parsePassengerQuery(params: ReadonlyMap<string, string>): { ok: true; query: Required<PassengerQuery> & { depId: string } } | { ok: false; message: string } {
  const depId = params.get('depId') ?? '';
  if (depId === '') return { ok: false, message: 'depId is required.' };
  if (!DEP_ID_PATTERN.test(depId)) return { ok: false, message: 'depId must be a positive integer of 1-11 digits (no sign, spaces or leading zeros).' };
  const window = parseWindowParams(params, MAX_WINDOW_DAYS);
  return window.ok ? { ok: true, query: { depId, ...window.window } } : window;
}

/** `startTime`, `endTime` and `isOnBusinessTime`, as every passenger-flow method takes them (strictly). */
export function parseWindowParams(
  params: ReadonlyMap<string, string>,
  maxDays: number,
): { ok: true; window: { startTime: string; endTime: string; businessHoursOnly: boolean } } | { ok: false; message: string } {
  const startTime = params.get('startTime') ?? '';
  const endTime = params.get('endTime') ?? '';
  for (const [name, value] of [['startTime', startTime], ['endTime', endTime]] as const) {
    if (value === '') return { ok: false, message: `${name} is required.` };
    if (parseBeijingDateTime(value) === null) {
      return { ok: false, message: `${name} must be a real date-time in the format yyyy-MM-dd HH:mm:ss.` };
    }
  }
  const start = parseBeijingDateTime(startTime) ?? 0;
  const end = parseBeijingDateTime(endTime) ?? 0;
  if (start > end) return { ok: false, message: 'startTime must not be after endTime.' };
  if (end - start > maxDays * 24 * 60 * 60 * 1000) {
    return { ok: false, message: `The window from startTime to endTime must not exceed ${maxDays} days.` };
  }
  const flag = params.get('isOnBusinessTime');
  if (flag !== undefined && flag !== '0' && flag !== '1') return { ok: false, message: 'isOnBusinessTime must be 0 or 1.' };
  return { ok: true, window: { startTime, endTime, businessHoursOnly: flag === '1' } };
}

/**
 * Renders the figures as the platform does: numbers, numeric strings, or — in 'mixed' style — strings for
 * stores whose depId is a multiple of 3, so a client meets both shapes in one demo.
 */
export function renderPassengerIndicator(
  indicator: PassengerIndicator | Readonly<Record<string, number | string>>,
  depId: string,
  style: NumberStyle,
): Record<string, number | string> {
  const asStrings = rendersAsStrings(depId, style);
  const rendered: Record<string, number | string> = {};
  for (const [name, value] of Object.entries(indicator)) {
    rendered[name] = typeof value === 'number' && asStrings ? String(value) : value;
  }
  return rendered;
}

/** Whether a store's numbers go out as numeric strings (see {@link renderPassengerIndicator}). */
export function rendersAsStrings(depId: string, style: NumberStyle): boolean {
  return style === 'string' || (style === 'mixed' && Number(depId) % 3 === 0);
}

export const passengerIndicatorMethod: BusinessMethod = {
  name: PASSENGER_INDICATOR_METHOD,
  requiresToken: true,
  handle(params, ctx) {
    const parsed = parsePassengerQuery(params);
    if (!parsed.ok) return { ok: false, ...reject('API_SYSTEM_CALL_ERROR', parsed.message) };
    // The emulator's own clock: today's figures grow through the day, future hours count zero.
    const indicator = computePassengerIndicator(parsed.query, { businessHours: ctx.businessHours, nowMs: ctx.now() });
    return { ok: true, data: renderPassengerIndicator(indicator, parsed.query.depId, ctx.numberStyle) };
  },
};
