import type { BusinessHours } from './passenger-data.js';
import type { Rejection } from './rejection.js';
import type { TokenStore } from './token-store.js';

/** How numeric data fields are rendered: the platform sends numbers for some stores, numeric strings for others. */
export type NumberStyle = 'number' | 'string' | 'mixed';

/** What a business method may use. */
export interface MethodContext {
  businessHours: BusinessHours;
  /** The emulator's (possibly skewed) clock, epoch ms — the same one that checks `_timestamp`. */
  now: () => number;
  numberStyle: NumberStyle;
  /** userName → password. */
  users: ReadonlyMap<string, string>;
  tokens: TokenStore;
}

export type MethodOutcome = { ok: true; data: unknown } | ({ ok: false } & Rejection);

/** One registered `_mt`. */
export interface BusinessMethod {
  readonly name: string;
  /** Whether token mode insists on an authenticator token for this method. */
  readonly requiresToken: boolean;
  handle(params: ReadonlyMap<string, string>, ctx: MethodContext): MethodOutcome;
}
