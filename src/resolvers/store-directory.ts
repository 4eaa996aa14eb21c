import type { GatewayContext } from '../context.js';
import type { LoadedDirectory } from '../upstream/directory-loader.js';
import type { DirectoryStore } from '../upstream/store-directory.js';
import { checkAccess, type StoreShape } from './store.js';

/** Backing shape of `GeoPoint`. */
export interface GeoPointShape {
  latitude: number;
  longitude: number;
}

type Path = () => ReadonlyArray<string | number>;

/** What one directory field shows of a listed store. */
export type DirectoryPick<T> = (store: DirectoryStore, context: GatewayContext) => T | null;

/**
 * A directory field of a store (name, address…): from the request's one snapshot of the directory, null for a
 * store the directory does not list. A store outside the key's allow-list is FORBIDDEN, as for its figures;
 * when the directory cannot be fetched (and no stale copy may stand in), the field fails with that typed error.
 */
export function resolveDirectoryField<T>(store: StoreShape, context: GatewayContext, path: Path, pick: DirectoryPick<T>): T | null | Promise<T | null> {
  checkAccess(store, context);
  const answer = (directory: LoadedDirectory) => {
    const entry = directory.byId.get(store.id);
    return entry === undefined ? null : pick(entry, context);
  };
  const directory = context.storeDirectory().get(path);
  return directory instanceof Promise ? directory.then(answer) : answer(directory);
}

export const pickName: DirectoryPick<string> = (store) => store.name;
export const pickAddress: DirectoryPick<string> = (store) => store.address;
export const pickRegion: DirectoryPick<string> = (store) => store.region;
export const pickIsOpen: DirectoryPick<boolean> = (store, context) => context.storeDirectory().isOpen(store);
export const pickLocation: DirectoryPick<GeoPointShape> = (store) =>
  store.latitude === null || store.longitude === null ? null : { latitude: store.latitude, longitude: store.longitude };

/** Every store of the directory the caller's key may read, ordered by id (numerically). */
export function resolveStoreDirectory(context: GatewayContext, path: Path): StoreShape[] | Promise<StoreShape[]> {
  const visible = (directory: LoadedDirectory): StoreShape[] => {
    const stores: StoreShape[] = [];
    for (const store of directory.stores) if (context.mayReadStore(store.id)) stores.push({ id: store.id });
    return stores;
  };
  const directory = context.storeDirectory().get(path);
  return directory instanceof Promise ? directory.then(visible) : visible(directory);
}
