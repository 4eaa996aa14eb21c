import type { PassengerIndicatorShape } from '../resolvers/store.js';
import { builder } from './builder.js';

export const PassengerIndicatorRef = builder.objectRef<PassengerIndicatorShape>('PassengerIndicator');

PassengerIndicatorRef.implement({
  description:
    'Passenger-flow figures of one store over one window of whole days, as the opretail platform counts them (getPassengerIndicatorData). With face-recognition devices visitors are de-duplicated per window, so a window’s figures are not the sum of shorter windows.',
  fields: (t) => ({
    fetchedAt: t.field({
      type: 'DateTime',
      nullable: false,
      resolve: (indicator) => new Date(indicator.fetchedAtMs),
      description:
        'When the vendor gave these figures (the data’s age). Cached answers keep the time they were fetched; a figure served stale because the vendor failed is listed in `extensions.stale`.',
    }),
    storeId: t.exposeID('storeId', { nullable: false, description: 'The store (opretail `depId`).' }),
    from: t.expose('from', { nullable: false, type: 'LocalDate', description: 'First day of the window, inclusive (store’s local calendar).' }),
    to: t.expose('to', { nullable: false, type: 'LocalDate', description: 'Last day of the window, inclusive.' }),
    businessHoursOnly: t.exposeBoolean('businessHoursOnly', { nullable: false,
      description: 'Whether only the store’s business hours were counted (vendor `isOnBusinessTime=1`).',
    }),
    inflow: t.exposeInt('inflow', { nullable: false,
      description: 'People entering the store, counted by the devices at the main entrance (vendor `passengerFlow`, 进店客流).',
    }),
    passBy: t.exposeInt('passBy', { nullable: false, description: 'People passing the store without entering (vendor `passPassengerFlow`, 过店客流).' }),
    outsideFlow: t.exposeInt('outsideFlow', { nullable: false,
      description: 'Traffic outside the store: entering + passing (vendor `outsidePassengerFlow`, 店外客流).',
    }),
    inShopRate: t.exposeFloat('inShopRate', { nullable: false,
      description: 'Entry rate in percent, 2 decimals: inflow / outsideFlow × 100 (vendor `inShopRate`, 进店率).',
    }),
    outflow: t.exposeInt('outflow', {
      nullable: true,
      description: 'People leaving the store (vendor `outFlowCount`, 出店客流); null when the store’s devices cannot count it (face devices).',
    }),
    fittingRoomFlow: t.exposeInt('fittingRoomFlow', {
      nullable: true,
      description: 'Fitting-room traffic (vendor `dressingPassengerFlow`, 试衣客流); null when the store reports none.',
    }),
    fittingRoomRate: t.exposeFloat('fittingRoomRate', {
      nullable: true,
      description: 'Fitting-room rate in percent (vendor `dressingRate`, 试衣率); null when the store reports none.',
    }),
  }),
});
