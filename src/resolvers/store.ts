import { responsePathAsArray } from 'graphql';
import type { GatewayContext } from '../context.js';
import type { LoadedFigures } from '../upstream/loaders.js';
import type { PassengerIndicatorFigures } from '../upstream/passenger-flow.js';
import { badUserInput, failedAt, forbidden, type FieldAt } from './errors.js';
import { dailyWindows, dayWindow, type DayWindow } from './day-window.js';
import { STORE_ID_PATTERN } from './store-id.js';

/** Backing shape of `Store`: only the id, so selecting a store costs no upstream call. */
export interface StoreShape {
  id: string;
}

/** Backing shape of `PassengerIndicator`. */
export interface PassengerIndicatorShape extends PassengerIndicatorFigures {
  /** When the vendor answered (epoch ms; a `Date` is made only when the field is selected). */
  fetchedAtMs: number;
  storeId: string;
  from: string;
  to: string;
  businessHoursOnly: boolean;
}

export interface WindowArgs {
  from: string;
  to: string;
  businessHoursOnly: boolean;
}


function checkStoreId(id: string, argument: string): StoreShape {
  if (!STORE_ID_PATTERN.test(id)) {
    throw badUserInput(`Store id "${truncate(id)}" is not a 1–11 digit positive integer.`, argument);
  }
  return { id };
}

export function resolveStore(id: string): StoreShape {
  return checkStoreId(id, 'id');
}

/** A federation representation `{ __typename: "Store", id }`; an invalid id fails that entity only. */
export function resolveStoreReference(id: unknown): StoreShape {
  return checkStoreId(typeof id === 'string' ? id : typeof id === 'number' ? String(id) : '', 'representations');
}

export function resolveStores(ids: readonly string[], context: GatewayContext): StoreShape[] {
  if (ids.length > context.limits.maxStoreIds) {
    throw badUserInput(`stores(ids:) takes at most ${context.limits.maxStoreIds} ids; got ${ids.length}.`, 'ids');
  }
  return ids.map((id) => checkStoreId(id, 'ids'));
}

/** The arguments' window, checked: `from` not after `to`, at most `maxDays` days. */
export function checkWindow(args: WindowArgs, maxDays: number, field: string): DayWindow {
  if (args.from > args.to) throw badUserInput(`${field}: from (${args.from}) is after to (${args.to}).`, 'from');
  const window = dayWindow(args.from, args.to, args.businessHoursOnly);
  if (window.days > maxDays) throw badUserInput(`${field}: the window spans ${window.days} days; the limit is ${maxDays}.`, 'to');
  return window;
}

/** A store outside the caller key's allow-list: its figures are null with FORBIDDEN, and nothing is fetched. */
export function checkAccess(store: StoreShape, context: GatewayContext): void {
  if (!context.mayReadStore(store.id)) throw forbidden(`This client key may not read store ${store.id}.`);
}

function loadWindow(
  store: StoreShape,
  window: DayWindow,
  context: GatewayContext,
  field: FieldAt,
  index?: number,
): PassengerIndicatorShape | Promise<PassengerIndicatorShape> {
  // A window this request already answered from the warm cache (another alias or widget asks it again).
  const warm = warmShapesOf(context);
  let byWindow = warm.get(store.id);
  const remembered = byWindow?.get(window);
  if (remembered) {
    context.counters.cacheHits++;
    return remembered;
  }
  const { from, to, businessHoursOnly } = window;
  const query = { depId: store.id, startTime: window.startTime, endTime: window.endTime, businessHoursOnly };
  const toShape = (loaded: LoadedFigures): PassengerIndicatorShape => {
    const { figures, fetchedAt, stale } = loaded;
    if (stale) {
      // The response path is worked out only here: most fields are never stale.
      const at = responsePathAsArray(field.path);
      context.stale.push({ path: index === undefined ? at : [...at, index], ageSeconds: Math.max(0, Math.round((Date.now() - fetchedAt) / 1000)) });
    }
    // A literal of fixed shape (no spread).
    return {
      inflow: figures.inflow,
      passBy: figures.passBy,
      outsideFlow: figures.outsideFlow,
      inShopRate: figures.inShopRate,
      outflow: figures.outflow,
      fittingRoomFlow: figures.fittingRoomFlow,
      fittingRoomRate: figures.fittingRoomRate,
      shopId: figures.shopId,
      storeId: store.id,
      from,
      to,
      businessHoursOnly,
      fetchedAtMs: fetchedAt,
    };
  };
  // A warm cache answers at once: no promise per field, so graphql-js completes the field synchronously.
  const cached = context.passengerIndicators.peek(query);
  if (!cached) return context.passengerIndicators.load(query).then(toShape, failedAt(field, index));
  const shape = toShape(cached);
  if (byWindow === undefined) warm.set(store.id, (byWindow = new Map()));
  byWindow.set(window, shape);
  return shape;
}

/**
 * The shapes a request answered from the warm cache, by store id and window (the process's one object per window,
 * see day-window.ts), so asking again builds no key and no query: a dashboard asks each window twice or more.
 */
type WarmShapes = Map<string, Map<DayWindow, PassengerIndicatorShape>>;
const warmShapes = new WeakMap<GatewayContext, WarmShapes>();

function warmShapesOf(context: GatewayContext): WarmShapes {
  let warm = warmShapes.get(context);
  if (warm === undefined) {
    warm = new Map();
    warmShapes.set(context, warm);
  }
  return warm;
}

export function resolvePassengerIndicator(
  store: StoreShape,
  args: WindowArgs,
  context: GatewayContext,
  field: FieldAt,
): PassengerIndicatorShape | Promise<PassengerIndicatorShape> {
  const window = checkWindow(args, context.limits.maxSpanDays, 'passengerIndicator');
  checkAccess(store, context);
  return loadWindow(store, window, context, field);
}

/**
 * One entry per day, each its own one-day upstream window: the vendor de-duplicates visitors per window, so a
 * day can never be derived by splitting or summing another answer.
 */
export function resolveDailyPassengerIndicators(
  store: StoreShape,
  args: WindowArgs,
  context: GatewayContext,
  field: FieldAt,
): Array<PassengerIndicatorShape | Promise<PassengerIndicatorShape>> {
  const window = checkWindow(args, context.limits.maxDailyDays, 'dailyPassengerIndicators');
  checkAccess(store, context);
  // Promises per item (not Promise.all): a failing day is reported at its own index in the error path.
  return dailyWindows(window).map((day, index) => loadWindow(store, day, context, field, index));
}

function truncate(text: string): string {
  return text.length > 32 ? `${text.slice(0, 32)}…` : text;
}
