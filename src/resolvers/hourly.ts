import { responsePathAsArray } from 'graphql';
import type { GatewayContext } from '../context.js';
import type { HourlyFigures } from '../upstream/hourly-flow.js';
import type { HourlyQuery, LoadedHours } from '../upstream/hourly-loader.js';
import { dailyWindows } from './day-window.js';
import { failedAt, type FieldAt } from './errors.js';
import { checkAccess, checkWindow, type StoreShape, type WindowArgs } from './store.js';

/**
 * Backing shape of `HourlyPassengerIndicator`: one hour of one store. The figures are null when the vendor's
 * answer has no entry for that hour (e.g. outside business hours with `businessHoursOnly`): the gateway never
 * invents a 0, and never derives an hour from a day or a day from hours.
 */
export interface HourlyPassengerIndicatorShape {
  storeId: string;
  date: string;
  hour: number;
  businessHoursOnly: boolean;
  /** When the vendor answered (the data's age). */
  fetchedAt: Date;
  inflow: number | null;
  passBy: number | null;
  outsideFlow: number | null;
  inShopRate: number | null;
  outflow: number | null;
  fittingRoomRate: number | null;
}

const HOURS = Array.from({ length: 24 }, (_, hour) => hour);

/**
 * Every hour of `[from, to]` exactly once, in order (24 per day, the store's wall clock), from one multi-store
 * answer shared by every store of the request that asks for the same window.
 */
export function resolveHourlyPassengerIndicators(
  store: StoreShape,
  args: WindowArgs,
  context: GatewayContext,
  field: FieldAt,
): HourlyPassengerIndicatorShape[] | Promise<HourlyPassengerIndicatorShape[]> {
  const window = checkWindow(args, context.limits.maxHourlyDays, 'hourlyPassengerIndicators');
  checkAccess(store, context);
  const { businessHoursOnly } = window;
  const query: HourlyQuery = { depId: store.id, startTime: window.startTime, endTime: window.endTime, businessHoursOnly };
  const toShapes = ({ hours, fetchedAt, stale }: LoadedHours): HourlyPassengerIndicatorShape[] => {
    if (stale) context.stale.push({ path: responsePathAsArray(field.path), ageSeconds: Math.max(0, Math.round((Date.now() - fetchedAt) / 1000)) });
    const reported = new Map<string, HourlyFigures>(hours.map((entry) => [`${entry.date}|${entry.hour}`, entry.figures]));
    const at = new Date(fetchedAt);
    return dailyWindows(window).flatMap(({ from: date }) =>
      HOURS.map((hour) => {
        const figures = reported.get(`${date}|${hour}`);
        return {
          storeId: store.id,
          date,
          hour,
          businessHoursOnly,
          fetchedAt: at,
          inflow: figures?.inflow ?? null,
          passBy: figures?.passBy ?? null,
          outsideFlow: figures?.outsideFlow ?? null,
          inShopRate: figures?.inShopRate ?? null,
          outflow: figures?.outflow ?? null,
          fittingRoomRate: figures?.fittingRoomRate ?? null,
        };
      }),
    );
  };
  const cached = context.hourlyIndicators().peek(query);
  return cached ? toShapes(cached) : context.hourlyIndicators().load(query).then(toShapes, failedAt(field));
}
