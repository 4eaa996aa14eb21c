/** The opretail gateway emulator: demo mode of `npm start` and the upstream of every test. */
export { startEmulator, EMULATOR_PATHS } from './emulator.js';
export type { Emulator, EmulatorCall, EmulatorOptions, StartEmulatorOptions } from './emulator.js';
export { parseEmulatorKeys, resolveEmulatorKeys, DEFAULT_AID, DEFAULT_EMULATOR_KEYS } from './keys.js';
export type { EmulatorKey } from './keys.js';
export type { Fault, FaultKind } from './faults.js';
export type { NumberStyle } from './business-method.js';
export {
  computePassengerIndicator,
  storeProfile,
  hourSlotFigures,
  fnv1a32,
  percent2,
  DEFAULT_BUSINESS_HOURS,
  HOURLY_PEAK,
  MAX_WINDOW_DAYS,
} from './passenger-data.js';
export type { BusinessHours, PassengerIndicator, PassengerQuery, StoreProfile } from './passenger-data.js';
export { PASSENGER_INDICATOR_METHOD } from './passenger-indicator-method.js';
export { MOBILE_LOGIN_METHOD } from './mobile-login-method.js';
export { REGISTERED_METHODS } from './methods.js';
export { expectedSignature, verifySignature, parseSignMethod } from './verify-signature.js';
export type { EmulatorSignMethod } from './verify-signature.js';
export {
  formatBeijingDateTime,
  formatBeijingTimestamp,
  parseBeijingDateTime,
  parseBeijingTimestamp,
  BEIJING_OFFSET_MS,
} from './beijing-clock.js';
