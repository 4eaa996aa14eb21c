import type { BusinessMethod } from './business-method.js';
import { departmentsMethod } from './departments-method.js';
import { manyShopsMethod, manyShopsMethodAlias } from './many-shops-method.js';
import { mobileLoginMethod } from './mobile-login-method.js';
import { passengerIndicatorMethod } from './passenger-indicator-method.js';

/** Every `_mt` the emulator serves; anything else answers METHOD_NOTEXIST_CODE. */
export const REGISTERED_METHODS: ReadonlyMap<string, BusinessMethod> = new Map(
  [passengerIndicatorMethod, mobileLoginMethod, departmentsMethod, manyShopsMethod, manyShopsMethodAlias].map((m) => [m.name, m]),
);
