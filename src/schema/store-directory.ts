import { responsePathAsArray, type GraphQLResolveInfo } from 'graphql';
import { LatitudeResolver, LongitudeResolver } from 'graphql-scalars';
import {
  pickAddress,
  pickIsOpen,
  pickLocation,
  pickName,
  pickRegion,
  resolveDirectoryField,
  resolveStoreDirectory,
  type GeoPointShape,
} from '../resolvers/store-directory.js';
import { builder } from './builder.js';
import { StoreRef } from './store.js';

builder.addScalarType('Latitude', LatitudeResolver, {
  description: 'A latitude in decimal degrees, −90 to 90 (WGS-84 as the vendor gives it), at most 8 decimals.',
});
builder.addScalarType('Longitude', LongitudeResolver, {
  description: 'A longitude in decimal degrees, −180 to 180 (WGS-84 as the vendor gives it), at most 8 decimals.',
});

const GeoPointRef = builder.objectRef<GeoPointShape>('GeoPoint').implement({
  description: 'Where a store is, as the vendor’s directory gives it (vendor `latitude`, `longitude`).',
  fields: (t) => ({
    latitude: t.expose('latitude', { type: 'Latitude', nullable: false, description: 'Vendor `latitude`.' }),
    longitude: t.expose('longitude', { type: 'Longitude', nullable: false, description: 'Vendor `longitude`.' }),
  }),
});

/** Where the field is, computed only when the directory is served stale (for `extensions.stale`). */
const pathOf = (info: GraphQLResolveInfo) => () => responsePathAsArray(info.path);

const DIRECTORY_NOTE =
  'From the store directory (vendor `open.organize.departments.getDepartments`), fetched once and cached for CACHE_DIRECTORY_TTL_S: ' +
  'null for a store the directory does not list; null with a typed error when the directory cannot be fetched.';

builder.objectFields(StoreRef, (t) => ({
  name: t.string({
    nullable: true,
    description: `The store’s name (vendor \`name\`, e.g. 南京路店). ${DIRECTORY_NOTE}`,
    resolve: (store, _args, context, info) => resolveDirectoryField(store, context, pathOf(info), pickName),
  }),
  address: t.string({
    nullable: true,
    description: `The store’s street address (vendor \`address\`). ${DIRECTORY_NOTE}`,
    resolve: (store, _args, context, info) => resolveDirectoryField(store, context, pathOf(info), pickAddress),
  }),
  region: t.string({
    nullable: true,
    description: `The organisation (region, area) the store belongs to (vendor \`organizeName\`, e.g. 华东区). ${DIRECTORY_NOTE}`,
    resolve: (store, _args, context, info) => resolveDirectoryField(store, context, pathOf(info), pickRegion),
  }),
  location: t.field({
    type: GeoPointRef,
    nullable: true,
    description: `Where the store is; also null when the directory gives no position (or 0,0). ${DIRECTORY_NOTE}`,
    resolve: (store, _args, context, info) => resolveDirectoryField(store, context, pathOf(info), pickLocation),
  }),
  isOpen: t.boolean({
    nullable: true,
    description:
      'Whether the store is open for business (vendor `openStatus`; the values that mean open are OPRETAIL_DIRECTORY_OPEN_STATUSES, default `1`: ' +
      `any other value is false, none is null). ${DIRECTORY_NOTE}`,
    resolve: (store, _args, context, info) => resolveDirectoryField(store, context, pathOf(info), pickIsOpen),
  }),
}));

builder.queryField('storeDirectory', (t) =>
  t.field({
    type: [StoreRef],
    nullable: { list: false, items: false },
    description:
      'Every store of the tenant’s directory that the caller’s key may read, ordered by id (numerically). The directory ' +
      '(every page of vendor `getDepartments`) is fetched once and shared by all requests for CACHE_DIRECTORY_TTL_S. When it ' +
      'cannot be fetched the answer carries the typed error and, this field being non-null, no data: ask for it in a request ' +
      'of its own where other root fields must not depend on it.',
    resolve: (_root, _args, context, info) => resolveStoreDirectory(context, pathOf(info)),
  }),
);
