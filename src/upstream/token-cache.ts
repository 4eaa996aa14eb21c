/**
 * The user token (`authenticator` header) obtained from `open.shopweb.security.mobileLogin`. Integrators
 * disagree on how long it lives, so it is cached until the platform says TOKEN_NOT_EXIST, then fetched again
 * once. Concurrent callers share one login (single flight).
 */
export interface TokenCache {
  /** The cached token, logging in first when there is none. */
  get(): Promise<string>;
  /** Forgets `token` if it is still the cached one (a newer login is kept). */
  invalidate(token: string): void;
}

export function createTokenCache(login: () => Promise<string>): TokenCache {
  let current: Promise<string> | null = null;
  let currentToken: string | null = null;
  return {
    get() {
      if (current === null) {
        const pending = login().then(
          (token) => {
            currentToken = token;
            return token;
          },
          (error: unknown) => {
            // A failed login is not cached: the next call tries again.
            if (current === pending) current = null;
            throw error;
          },
        );
        current = pending;
      }
      return current;
    },
    invalidate(token) {
      if (currentToken === token) {
        current = null;
        currentToken = null;
      }
    },
  };
}
