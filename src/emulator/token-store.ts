import { randomBytes } from 'node:crypto';

/** Authenticator tokens issued by `mobileLogin`, checked in token mode. */
export interface TokenStore {
  issue(): string;
  isValid(token: string | null): boolean;
  /** Forgets every issued token, as if the accounts changed (forces the client to log in again). */
  revokeAll(): void;
}

export function createTokenStore(): TokenStore {
  const tokens = new Set<string>();
  return {
    issue() {
      const token = randomBytes(16).toString('hex');
      tokens.add(token);
      return token;
    },
    isValid(token) {
      return token !== null && tokens.has(token);
    },
    revokeAll() {
      tokens.clear();
    },
  };
}
