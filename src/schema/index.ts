import { builder } from './builder.js';
import './scalars.js';
import './errors.js';
import './passenger-indicator.js';
import './store.js';

export const schema = builder.toSchema({ sortSchema: false });
