import { BUSINESS_CODES } from '../upstream/return-codes.js';
import type { BusinessMethod } from './business-method.js';
import { fnv1a32 } from './passenger-data.js';
import { reject } from './rejection.js';

/** `open.shopweb.security.mobileLogin`: issues the authenticator token used in token mode. */
export const MOBILE_LOGIN_METHOD = 'open.shopweb.security.mobileLogin';

export const mobileLoginMethod: BusinessMethod = {
  name: MOBILE_LOGIN_METHOD,
  // The token comes from here, so it cannot require one.
  requiresToken: false,
  handle(params, ctx) {
    const userName = params.get('userName') ?? '';
    const password = params.get('password') ?? '';
    if (userName === '') return { ok: false, ...reject('API_SYSTEM_CALL_ERROR', 'userName is required.') };
    // The user is looked up before the password is looked at: an unknown user is USERNAME_ERROE even with an
    // empty password, and a known user with an empty password is PASSWORD_ERROE.
    const expected = ctx.users.get(userName);
    if (expected === undefined) {
      return { ok: false, ...BUSINESS_CODES.USERNAME_ERROE, result: 'User name does not exist.' };
    }
    if (expected !== password) {
      return { ok: false, ...BUSINESS_CODES.PASSWORD_ERROE, result: 'Wrong password.' };
    }
    // A stable enterprise id per user, so a client can cache it.
    return { ok: true, data: { token: ctx.tokens.issue(), enterpriseId: 10000 + (fnv1a32(`enterprise|${userName}`) % 90000) } };
  },
};
