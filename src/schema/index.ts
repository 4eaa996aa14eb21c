import { builder } from './builder.js';
import { guardEntities } from './entities.js';
import './scalars.js';
import './errors.js';
import './passenger-indicator.js';
import './store.js';
import './hourly-passenger-indicator.js';

/** Federation v2 link: the version whose directives the subgraph SDL imports. */
export const FEDERATION_LINK = 'https://specs.apollo.dev/federation/v2.6';

/** The subgraph schema: our types plus `_service { sdl }` and `_entities` for a federation router. */
export const schema = guardEntities(builder.toSubGraphSchema({ linkUrl: FEDERATION_LINK }));
