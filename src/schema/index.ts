import { builder } from './builder.js';
import { guardEntities } from './entities.js';
import './scalars.js';
import './errors.js';
import './passenger-indicator.js';
import './store.js';
import './store-directory.js';
import './hourly-passenger-indicator.js';

/** Federation v2 link: the version whose directives the subgraph SDL imports. */
export const FEDERATION_LINK = 'https://specs.apollo.dev/federation/v2.6';

/**
 * Builds the subgraph schema: our types plus `_service { sdl }` and `_entities` for a federation router. Each
 * call returns new type and field objects, so a plugin that wraps resolvers in place (ftv1 tracing) can have a
 * copy of its own.
 */
export function buildSchema() {
  return guardEntities(builder.toSubGraphSchema({ linkUrl: FEDERATION_LINK }));
}

/** The subgraph schema every untraced request runs on. */
export const schema = buildSchema();
