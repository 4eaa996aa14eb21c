import type { GatewayConfig } from './config.js';
import type { SharedCache } from './context.js';
import type { OpretailClient } from './upstream/client.js';
import { createStoreDirectory, type StoreDirectory } from './upstream/directory-loader.js';
import { createStoreDirectoryApi } from './upstream/store-directory.js';

/** The configuration the store directory is built from. */
export type DirectoryConfig = Pick<GatewayConfig, 'directoryPageSize' | 'directoryMaxPages' | 'directoryOpenStatuses' | 'cacheDirectoryTtlS' | 'cacheMaxStaleS'>;

/** The process's store directory over `client`, cached in `cache` (null: GATEWAY_CACHE=off). Same names as the knobs. */
export function createGatewayDirectory(client: OpretailClient, config: DirectoryConfig, cache: SharedCache | null): StoreDirectory {
  return createStoreDirectory({
    api: createStoreDirectoryApi(client),
    cache,
    pageSize: config.directoryPageSize,
    maxPages: config.directoryMaxPages,
    openStatuses: config.directoryOpenStatuses,
    ttlS: config.cacheDirectoryTtlS,
    maxStaleS: config.cacheMaxStaleS,
  });
}
