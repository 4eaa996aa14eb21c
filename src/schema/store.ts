import {
  resolveDailyPassengerIndicators,
  resolvePassengerIndicator,
  resolveStore,
  resolveStoreReference,
  resolveStores,
  type StoreShape,
} from '../resolvers/store.js';
import { builder } from './builder.js';
import { PassengerIndicatorRef } from './passenger-indicator.js';

export const StoreRef = builder.objectRef<StoreShape>('Store');

export const windowArgs = builder.args((t) => ({
  from: t.field({ type: 'LocalDate', required: true, description: 'First day, inclusive (store’s local calendar).' }),
  to: t.field({ type: 'LocalDate', required: true, description: 'Last day, inclusive.' }),
  businessHoursOnly: t.boolean({
    required: true,
    defaultValue: false,
    description: 'Count business hours only (vendor `isOnBusinessTime`).',
  }),
}));

StoreRef.implement({
  description:
    'A store (门店) on the opretail platform. Selecting a store costs nothing; each indicator window costs one upstream call per request; ' +
    'the directory fields (name, address, region, location, isOpen) cost the directory’s pages once per request, none while it is cached.',
  fields: (t) => ({
    id: t.exposeID('id', { nullable: false, description: 'The opretail store id (vendor `depId`): a 1–11 digit positive integer.' }),
    passengerIndicator: t.field({
      type: PassengerIndicatorRef,
      nullable: true,
      description:
        'Figures for the whole window `[from, to]` (vendor startTime `from 00:00:00`, endTime `to 23:59:59`), de-duplicated by the vendor over the window. Null with a typed error when the upstream call fails.',
      args: windowArgs,
      resolve: (store, args, context, info) => resolvePassengerIndicator(store, args, context, info),
    }),
    dailyPassengerIndicators: t.field({
      type: [PassengerIndicatorRef],
      nullable: true,
      description:
        'One entry per day from `from` to `to`, each fetched as its own one-day window (never derived from another answer). Null with a typed error at the failing day when one day fails.',
      args: windowArgs,
      resolve: (store, args, context, info) => resolveDailyPassengerIndicators(store, args, context, info),
    }),
  }),
});


/**
 * A federation entity: another subgraph owns stores (names, addresses); this one contributes their indicators.
 * A router's representations resolve with no upstream call, and the indicator fields selected on them go
 * through the same per-request loader as `stores(ids:)`.
 */
builder.asEntity(StoreRef, {
  key: builder.selection<{ id: string }>('id'),
  // Async on purpose: a rejection fails only its own entity, a synchronous throw would fail all `_entities`.
  resolveReference: async (reference) => resolveStoreReference(reference.id),
});

builder.queryType({});

builder.queryField('store', (t) =>
  t.field({
    type: StoreRef,
    description: 'One store by its opretail id. Makes no upstream call until an indicator is selected.',
    args: { id: t.arg.id({ required: true, description: 'The opretail store id (`depId`).' }) },
    resolve: (_root, args) => resolveStore(args.id),
  }),
);

builder.queryField('stores', (t) =>
  t.field({
    type: [StoreRef],
    description: 'Several stores, in the order of `ids` (duplicates allowed and fetched once). At most 500 ids by default (GATEWAY_MAX_STORE_IDS).',
    args: { ids: t.arg.idList({ required: true, description: 'Opretail store ids.' }) },
    resolve: (_root, args, context) => resolveStores(args.ids, context),
  }),
);
