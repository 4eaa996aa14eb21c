import { resolveHourlyPassengerIndicators, type HourlyPassengerIndicatorShape } from '../resolvers/hourly.js';
import { builder } from './builder.js';
import { StoreRef, windowArgs } from './store.js';

export const HourlyPassengerIndicatorRef = builder.objectRef<HourlyPassengerIndicatorShape>('HourlyPassengerIndicator');

const NOT_REPORTED = 'null when the vendor reported nothing for this hour (e.g. outside business hours with `businessHoursOnly`) — never an invented 0';

HourlyPassengerIndicatorRef.implement({
  description:
    'Passenger-flow figures of one store in one hour of its wall clock (getManyShopsPassengerIndicatorData, `timeType=1`). ' +
    'The vendor de-duplicates visitors per hour, so the hours of a day do not add up to that day’s `passengerIndicator` ' +
    '(someone who comes back in another hour counts in both hours, once in the day); the gateway never sums hours into days ' +
    'or derives hours from days.',
  fields: (t) => ({
    fetchedAt: t.expose('fetchedAt', {
      type: 'DateTime',
      nullable: false,
      description:
        'When the vendor gave these figures (the data’s age); the same for every hour of one store’s answer. A store served stale because the vendor failed is listed in `extensions.stale`.',
    }),
    storeId: t.exposeID('storeId', { nullable: false, description: 'The store (opretail `depId`).' }),
    date: t.expose('date', { type: 'LocalDate', nullable: false, description: 'The day (store’s local calendar).' }),
    hour: t.exposeInt('hour', { nullable: false, description: 'Hour of the day, 0–23 on the store’s wall clock: the hour from `hour:00` to `hour:59`.' }),
    businessHoursOnly: t.exposeBoolean('businessHoursOnly', {
      nullable: false,
      description: 'Whether only the store’s business hours were asked for (vendor `isOnBusinessTime=1`).',
    }),
    inflow: t.exposeInt('inflow', { nullable: true, description: `People entering in this hour (vendor \`passengerFlow\`, 进店客流); ${NOT_REPORTED}.` }),
    passBy: t.exposeInt('passBy', { nullable: true, description: `People passing without entering (vendor \`passPassengerFlow\`, 过店客流); ${NOT_REPORTED}.` }),
    outsideFlow: t.exposeInt('outsideFlow', {
      nullable: true,
      description: `Traffic outside the store: entering + passing (vendor \`outSidePassengerFlow\`, 店外客流); ${NOT_REPORTED}.`,
    }),
    inShopRate: t.exposeFloat('inShopRate', { nullable: true, description: `Entry rate in percent, 2 decimals (vendor \`inShopRate\`, 进店率); ${NOT_REPORTED}.` }),
    outflow: t.exposeInt('outflow', {
      nullable: true,
      description: 'People leaving (vendor `outFlowCount`, 出店客流); also null when the store’s devices cannot count it (face devices).',
    }),
    fittingRoomRate: t.exposeFloat('fittingRoomRate', {
      nullable: true,
      description: 'Fitting-room rate in percent (vendor `dressingRate`, 试衣率); also null when the store reports none. The hourly list has no fitting-room count.',
    }),
  }),
});

builder.objectField(StoreRef, 'hourlyPassengerIndicators', (t) =>
  t.field({
    type: [HourlyPassengerIndicatorRef],
    nullable: true,
    description:
      'Every hour of the window `[from, to]` exactly once, in order: 24 entries per day (at most OPRETAIL_MAX_HOURLY_DAYS days, default 7). ' +
      'All stores of one request that ask for the same window are fetched together, up to OPRETAIL_HOURLY_BATCH_SIZE (default 20) stores per upstream call. ' +
      'Hours are de-duplicated per hour: they never add up to a day’s figures. Null with a typed error when this store’s part of the answer cannot be had (its batch call failed, or the vendor left the store out) — the other stores are unaffected.',
    args: windowArgs,
    resolve: (store, args, context, info) => resolveHourlyPassengerIndicators(store, args, context, info),
  }),
);
