import type { NumberStyle } from './business-method.js';
import type { Fault } from './faults.js';
import { resolveEmulatorKeys, type EmulatorKey } from './keys.js';
import { assertBusinessHours, DEFAULT_BUSINESS_HOURS, type BusinessHours } from './passenger-data.js';

/** What `startEmulator` accepts, its defaults, and their validation. */

export interface EmulatorOptions {
  /**
   * Accepted developer keys.
   * @default parsed from process.env.EMULATOR_KEYS, else [{ key: 'demo-key', secret: 'demo-secret' }]
   */
  keys?: EmulatorKey[];
  /**
   * Largest accepted |emulator clock − `_timestamp`|, in seconds (the platform's window is undocumented).
   * @default 300
   */
  timestampWindowSeconds?: number;
  /**
   * Emulator clock = Date.now() + offset, to simulate a platform whose clock is skewed. The same clock checks
   * `_timestamp` and cuts the synthetic figures: hours after it count zero, the current hour counts the
   * minutes elapsed.
   * @default 0
   */
  clockOffsetMs?: number;
  /**
   * Delay added before every answer, in milliseconds.
   * @default 0
   */
  latencyMs?: number;
  /**
   * Token mode: business methods need an `authenticator` / `Ovo-Authorization` token from mobileLogin.
   * @default false
   */
  requireToken?: boolean;
  /**
   * userName → password accepted by mobileLogin.
   * @default { demo: 'demo-password' }
   */
  users?: Record<string, string>;
  /**
   * Faults injected into well-authenticated calls (first matching fault that fires wins).
   * @default []
   */
  faults?: Fault[];
  /**
   * Seed of the PRNG that decides rate-limited faults.
   * @default 1
   */
  seed?: number;
  /**
   * Store business hours `[open, close)` in whole hours, for `isOnBusinessTime=1` and the traffic profile.
   * @default { open: 10, close: 22 }
   */
  businessHours?: BusinessHours;
  /**
   * How numeric data fields are rendered: JSON numbers, numeric strings, or strings only for stores whose
   * depId is a multiple of 3.
   * @default 'mixed'
   */
  numberStyle?: NumberStyle;
  /**
   * Most calls kept in `calls` (the oldest are dropped beyond it), so a long-running emulator — demo mode,
   * the CLI — does not grow without bound. Tests keep everything.
   * @default Infinity
   */
  callLogLimit?: number;
}

export interface StartEmulatorOptions extends EmulatorOptions {
  /** @default 0 (an ephemeral port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
}

/** Every option with its default applied. */
export type ResolvedEmulatorOptions = Required<Omit<StartEmulatorOptions, 'users'>> & { users: Map<string, string> };

/**
 * Applies the defaults and validates the scalar options. The fault list and `callLogLimit` are validated by
 * the fault injector and the call log that own them.
 *
 * @throws Error naming the first invalid option.
 */
export function resolveEmulatorOptions(options: StartEmulatorOptions): ResolvedEmulatorOptions {
  const keys = resolveEmulatorKeys(options.keys);
  const timestampWindowSeconds = options.timestampWindowSeconds ?? 300;
  assertNumberOption('timestampWindowSeconds', timestampWindowSeconds, (n) => n > 0);
  const clockOffsetMs = options.clockOffsetMs ?? 0;
  assertNumberOption('clockOffsetMs', clockOffsetMs, () => true);
  const latencyMs = options.latencyMs ?? 0;
  assertLatencyMs(latencyMs);
  const seed = options.seed ?? 1;
  assertNumberOption('seed', seed, () => true);
  const businessHours = { ...(options.businessHours ?? DEFAULT_BUSINESS_HOURS) };
  assertBusinessHours(businessHours);
  const numberStyle = options.numberStyle ?? 'mixed';
  if (!['number', 'string', 'mixed'].includes(numberStyle)) throw new Error(`numberStyle must be 'number', 'string' or 'mixed'`);
  return {
    keys,
    timestampWindowSeconds,
    clockOffsetMs,
    latencyMs,
    requireToken: options.requireToken ?? false,
    users: new Map(Object.entries(options.users ?? { demo: 'demo-password' })),
    faults: options.faults ?? [],
    seed,
    businessHours,
    numberStyle,
    callLogLimit: options.callLogLimit ?? Infinity,
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
  };
}

/** @throws Error unless `ms` is a finite number ≥ 0 (also checked by `Emulator.setLatency`). */
export function assertLatencyMs(ms: number): void {
  assertNumberOption('latencyMs', ms, (n) => n >= 0);
}

/** @throws Error naming the option unless `value` is a finite number that `ok` accepts. */
export function assertNumberOption(name: string, value: number, ok: (n: number) => boolean): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) throw new Error(`emulator option ${name} is invalid: ${String(value)}`);
}
