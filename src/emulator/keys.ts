/** Developer keys the emulator accepts, and `EMULATOR_KEYS` parsing. */

export interface EmulatorKey {
  /** `_akey` as issued by the platform. */
  key: string;
  /** The signing secret. Never logged, never put in a response. */
  secret: string;
  /**
   * The application id bound to the key (`_aid` must equal it, else APPLICATIONID_NOTSAME).
   * @default 'S107'
   */
  aid?: string;
  /**
   * An expired key authenticates but answers KEY_HAS_EXPIRED.
   * @default false
   */
  expired?: boolean;
  /**
   * `_mt` names granted to this key; any other registered method answers METHOD_NOTEXIST_CODE.
   * @default all registered methods
   */
  methods?: string[];
}

/** The aid the vendor documents as fixed. */
export const DEFAULT_AID = 'S107';

/** Used when neither `keys` nor `EMULATOR_KEYS` is given. */
export const DEFAULT_EMULATOR_KEYS: readonly EmulatorKey[] = [{ key: 'demo-key', secret: 'demo-secret' }];

/**
 * Parses `EMULATOR_KEYS`: `key:secret,key2:secret2`. Each entry is split on its FIRST `:` so a secret may
 * itself contain `:`; whitespace around entries is ignored. Error messages name entries by position and key,
 * never by secret.
 *
 * @throws Error on an empty list, an empty entry, a missing `:`, an empty key or secret, or a duplicate key.
 */
export function parseEmulatorKeys(text: string): EmulatorKey[] {
  if (text.trim() === '') throw new Error('EMULATOR_KEYS is empty: expected "key:secret[,key2:secret2…]"');
  const keys: EmulatorKey[] = [];
  const seen = new Set<string>();
  text.split(',').forEach((rawEntry, index) => {
    const entry = rawEntry.trim();
    const position = `EMULATOR_KEYS entry #${index + 1}`;
    if (entry === '') throw new Error(`${position} is empty: expected "key:secret[,key2:secret2…]"`);
    const colon = entry.indexOf(':');
    if (colon === -1) throw new Error(`${position} has no ':' between key and secret: expected "key:secret"`);
    const key = entry.slice(0, colon);
    const secret = entry.slice(colon + 1);
    if (key === '') throw new Error(`${position} has an empty key: expected "key:secret"`);
    if (secret === '') throw new Error(`${position} (key "${key}") has an empty secret: expected "key:secret"`);
    if (seen.has(key)) throw new Error(`${position}: key "${key}" is listed twice`);
    seen.add(key);
    keys.push({ key, secret });
  });
  return keys;
}

/** `options.keys`, else `EMULATOR_KEYS` from the environment, else the demo key. */
export function resolveEmulatorKeys(keys: EmulatorKey[] | undefined, env: NodeJS.ProcessEnv = process.env): EmulatorKey[] {
  if (keys !== undefined) {
    validateKeys(keys);
    return keys.map((k) => ({ ...k }));
  }
  const fromEnv = env['EMULATOR_KEYS'];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return parseEmulatorKeys(fromEnv);
  return DEFAULT_EMULATOR_KEYS.map((k) => ({ ...k }));
}

function validateKeys(keys: readonly EmulatorKey[]): void {
  if (keys.length === 0) throw new Error('emulator keys: at least one key is required');
  const seen = new Set<string>();
  keys.forEach((k, index) => {
    if (typeof k.key !== 'string' || k.key === '') throw new Error(`emulator keys[${index}]: key must be a non-empty string`);
    if (typeof k.secret !== 'string' || k.secret === '') throw new Error(`emulator keys[${index}] ("${k.key}"): secret must be a non-empty string`);
    if (seen.has(k.key)) throw new Error(`emulator keys[${index}]: key "${k.key}" is listed twice`);
    seen.add(k.key);
  });
}
