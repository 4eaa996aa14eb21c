/**
 * The one store-id rule (the vendor's `depId`): a positive integer of 1–11 digits, no sign, spaces or leading
 * zeros. The resolvers, the client-key file and the cache purge all check ids with it.
 */
export const STORE_ID_PATTERN = /^[1-9]\d{0,10}$/;
