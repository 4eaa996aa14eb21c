/** The opretail gateway emulator: demo mode of `npm start` and the upstream of every test. */
export { startEmulator } from './emulator.js';
export type { Emulator } from './emulator.js';
export type { Fault } from './faults.js';
export { computePassengerIndicator, storeProfile } from './passenger-data.js';
export { MOBILE_LOGIN_METHOD } from './mobile-login-method.js';
export { DEPARTMENTS_METHOD } from './departments-method.js';
export { EMULATOR_DIRECTORY } from './store-directory-data.js';
export { computeHourlyIndicators } from './hourly-data.js';
export { MANY_SHOPS_METHOD, MANY_SHOPS_METHOD_ALIAS } from './many-shops-method.js';
