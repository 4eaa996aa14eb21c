/**
 * Client API keys: the file named by `GATEWAY_API_KEYS_FILE`, and `Authorization: Bearer <key>`.
 *
 * The file holds only SHA-256 hashes of the keys, never the keys; a presented key is hashed and compared in
 * constant time against every stored hash. An `ApiKey` carries the key's name (the only thing about a key that
 * may be logged) and its grants, never its hash. Node built-ins only: no GraphQL here.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { STORE_ID_PATTERN } from '../resolvers/store-id.js';

/** What one client key may do. Holds no secret and no hash: safe to keep on the request context. */
export interface ApiKey {
  /** Shown in logs instead of the key. */
  readonly name: string;
  /** Store ids the key may read, or `'*'` for every store. */
  readonly stores: ReadonlySet<string> | '*';
  /**
   * The key's own cap on upstream calls per GraphQL request; it can only lower the gateway-wide
   * `GATEWAY_MAX_UPSTREAM_CALLS` (see `effectiveMaxUpstreamCalls`).
   * @default null (the gateway-wide limit)
   */
  readonly maxUpstreamCalls: number | null;
  /** May receive Apollo `ftv1` inline traces (the federation router's key). @default false */
  readonly traces: boolean;
  /** May run only trusted (persisted) documents. @default false */
  readonly trustedDocumentsOnly: boolean;
  /** May force a refetch with `Cache-Control: no-cache` (an operator's key). @default false */
  readonly cacheBypass: boolean;
}

/** One entry of the keys file after validation: the grants and the lowercase hex SHA-256 of the key. */
export interface StoredApiKey {
  readonly apiKey: ApiKey;
  readonly sha256: string;
}

/** The fields an entry of the keys file may have; any other field is refused (most likely a typo). */
export const API_KEY_ENTRY_FIELDS = ['name', 'sha256', 'stores', 'maxUpstreamCalls', 'traces', 'trustedDocumentsOnly', 'cacheBypass'] as const;
export type ApiKeyEntryField = (typeof API_KEY_ENTRY_FIELDS)[number];

/** The JSON shape of one entry, as `npm run api-key` prints it. */
export interface ApiKeyEntryJson {
  name: string;
  sha256: string;
  stores: string[] | '*';
  maxUpstreamCalls?: number;
  traces?: true;
  trustedDocumentsOnly?: true;
  cacheBypass?: true;
}

const NAME_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
const SHA256_HEX_PATTERN = /^[0-9a-f]{64}$/i;
/** RFC 7235 token68 (base64url, base64 and padding), 16–512 characters: anything else is not one of our keys. */
const BEARER_PATTERN = /^bearer +([A-Za-z0-9._~+/-]+=*)$/i;
const MIN_TOKEN_LENGTH = 16;
const MAX_TOKEN_LENGTH = 512;

/**
 * One entry breaks a rule. `field` names the entry's field (null for the entry as a whole), `item` the index
 * inside `stores`; `problem` says what is wrong without repeating the value (it may be a hash or a key).
 */
export class ApiKeyEntryError extends Error {
  override readonly name = 'ApiKeyEntryError';
  readonly code = 'API_KEY_ENTRY_INVALID';
  constructor(
    readonly field: string | null,
    readonly item: number | null,
    readonly problem: string,
  ) {
    super(`${field === null ? 'entry' : field}${item === null ? '' : `[${item}]`} ${problem}`);
  }
}

/**
 * The keys file is unreadable (`API_KEYS_FILE_UNREADABLE`: the message names the path and the errno code) or
 * invalid (`API_KEYS_FILE_INVALID`: the message names the file, the entry index and the field). Messages never
 * contain a hash or a key.
 */
export class ApiKeysFileError extends Error {
  override readonly name = 'ApiKeysFileError';
  constructor(
    readonly code: 'API_KEYS_FILE_UNREADABLE' | 'API_KEYS_FILE_INVALID',
    message: string,
    readonly source: string,
    /** Index of the offending entry in the top-level array, or null for the file as a whole. */
    readonly index: number | null = null,
    readonly field: string | null = null,
  ) {
    super(message);
  }
}

/** True when the key may read the store. */
export function mayReadStore(key: ApiKey, storeId: string): boolean {
  return key.stores === '*' || key.stores.has(storeId);
}

/** The upstream-call cap for one request made with this key: a key can only lower the gateway-wide limit. */
export function effectiveMaxUpstreamCalls(key: ApiKey, gatewayLimit: number): number {
  return key.maxUpstreamCalls === null ? gatewayLimit : Math.min(key.maxUpstreamCalls, gatewayLimit);
}

/** Lowercase hex SHA-256 of the key's UTF-8 bytes: what the keys file stores. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A new key: 32 random bytes as base64url (43 characters), and its SHA-256 for the keys file. */
export function generateApiKey(): { key: string; sha256: string } {
  const key = randomBytes(32).toString('base64url');
  return { key, sha256: hashApiKey(key) };
}

/**
 * Validates one entry (already parsed from JSON). Does not check uniqueness across entries: `parseApiKeys`
 * does. `npm run api-key` runs its arguments through this same function.
 * @throws ApiKeyEntryError naming the field, never echoing a hash.
 */
export function parseApiKeyEntry(value: unknown): StoredApiKey {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ApiKeyEntryError(null, null, `must be an object with the fields ${API_KEY_ENTRY_FIELDS.join(', ')}`);
  }
  const entry = value as Record<string, unknown>;
  for (const field of Object.keys(entry)) {
    if (!(API_KEY_ENTRY_FIELDS as readonly string[]).includes(field)) {
      // A long or odd "field name" may be a pasted key or hash: name it only when it looks like a field name.
      const shown = /^[A-Za-z_][A-Za-z0-9_-]{0,39}$/.test(field) ? `"${field}"` : '(name not shown)';
      throw new ApiKeyEntryError(null, null, `has an unknown field ${shown}; the fields are ${API_KEY_ENTRY_FIELDS.join(', ')}`);
    }
  }

  const { name, sha256, stores } = entry;
  if (name === undefined) throw new ApiKeyEntryError('name', null, 'is required');
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    throw new ApiKeyEntryError('name', null, 'must be 1–64 characters of A-Z a-z 0-9 . _ -');
  }

  if (sha256 === undefined) throw new ApiKeyEntryError('sha256', null, 'is required');
  if (typeof sha256 !== 'string' || !SHA256_HEX_PATTERN.test(sha256)) {
    const length = typeof sha256 === 'string' ? `, got ${sha256.length} characters` : '';
    throw new ApiKeyEntryError('sha256', null, `must be the key's SHA-256 as 64 hex characters (never the key itself)${length}`);
  }

  return {
    apiKey: Object.freeze({
      name,
      stores: parseStores(stores),
      maxUpstreamCalls: optionalPositiveInteger(entry.maxUpstreamCalls),
      traces: optionalFlag('traces', entry.traces),
      trustedDocumentsOnly: optionalFlag('trustedDocumentsOnly', entry.trustedDocumentsOnly),
      cacheBypass: optionalFlag('cacheBypass', entry.cacheBypass),
    }),
    sha256: sha256.toLowerCase(),
  };
}

function parseStores(stores: unknown): ReadonlySet<string> | '*' {
  if (stores === undefined) throw new ApiKeyEntryError('stores', null, 'is required');
  if (stores === '*') return '*';
  if (!Array.isArray(stores) || stores.length === 0) {
    throw new ApiKeyEntryError('stores', null, 'must be "*" (every store) or a non-empty array of store ids');
  }
  const seen = new Map<string, number>();
  stores.forEach((id: unknown, index) => {
    if (typeof id !== 'string' || !STORE_ID_PATTERN.test(id)) {
      throw new ApiKeyEntryError('stores', index, 'must be a store id: a string of 1–11 digits without a leading zero, e.g. "174679"');
    }
    const first = seen.get(id);
    if (first !== undefined) throw new ApiKeyEntryError('stores', index, `repeats stores[${first}]`);
    seen.set(id, index);
  });
  return new Set(seen.keys());
}

function optionalPositiveInteger(value: unknown): number | null {
  if (value === undefined) return null;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new ApiKeyEntryError('maxUpstreamCalls', null, 'must be a positive integer (it can only lower GATEWAY_MAX_UPSTREAM_CALLS)');
  }
  return value;
}

function optionalFlag(field: ApiKeyEntryField, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new ApiKeyEntryError(field, null, 'must be true or false');
  return value;
}

/**
 * Parses and validates the content of a keys file: a JSON array of entries with unique names and unique
 * hashes. An empty array is valid (nobody gets in). `source` names the file in error messages.
 * @throws ApiKeysFileError (`API_KEYS_FILE_INVALID`) naming the source, the entry index and the field.
 */
export function parseApiKeys(json: string, source: string): StoredApiKey[] {
  const invalid = (message: string, index: number | null = null, field: string | null = null): ApiKeysFileError =>
    new ApiKeysFileError('API_KEYS_FILE_INVALID', `${source}: ${message}`, source, index, field);
  let document: unknown;
  try {
    // A BOM (some editors write one) is not an error worth stopping for.
    document = JSON.parse(json.replace(/^\uFEFF/, ''));
  } catch {
    // The parser's message quotes the text around the error, which may be a hash: say only that it is not JSON.
    throw invalid('is not valid JSON');
  }
  if (!Array.isArray(document)) throw invalid('must be a JSON array of key entries');

  const byName = new Map<string, number>();
  const byHash = new Map<string, number>();
  return document.map((value: unknown, index) => {
    let stored: StoredApiKey;
    try {
      stored = parseApiKeyEntry(value);
    } catch (error) {
      if (!(error instanceof ApiKeyEntryError)) throw error;
      throw invalid(`entry ${index}${describeName(value)}: ${error.message}`, index, error.field);
    }
    const { name } = stored.apiKey;
    const sameName = byName.get(name);
    if (sameName !== undefined) throw invalid(`entry ${index}: name "${name}" is already used by entry ${sameName}`, index, 'name');
    const sameHash = byHash.get(stored.sha256);
    if (sameHash !== undefined) {
      throw invalid(`entry ${index} ("${name}"): sha256 is the same as entry ${sameHash}'s (one key, two entries)`, index, 'sha256');
    }
    byName.set(name, index);
    byHash.set(stored.sha256, index);
    return stored;
  });
}

/** ` ("web-dashboard")` when the entry has a valid name (names are not secret: they are what logs show). */
function describeName(value: unknown): string {
  const name = typeof value === 'object' && value !== null ? (value as Record<string, unknown>).name : undefined;
  return typeof name === 'string' && NAME_PATTERN.test(name) ? ` ("${name}")` : '';
}

/** How a client is authenticated: `authenticate` takes the raw `Authorization` header. */
export interface ApiKeyRegistry {
  /** The key whose hash matches the presented `Bearer` token, or null (no header, another scheme, unknown key…). */
  authenticate(authorization: string | null | undefined): ApiKey | null;
  /** Number of keys. */
  readonly size: number;
}

/**
 * @throws TypeError when a hash is not 64 hex characters or two entries share one (`parseApiKeys` prevents both).
 */
export function createApiKeyRegistry(keys: readonly StoredApiKey[]): ApiKeyRegistry {
  // The hashes live only in this closure, as 32-byte buffers, never on the ApiKey objects handed out.
  const entries = keys.map(({ apiKey, sha256 }) => {
    if (!SHA256_HEX_PATTERN.test(sha256)) throw new TypeError(`API key "${apiKey.name}": sha256 must be 64 hex characters`);
    return { apiKey, digest: Buffer.from(sha256, 'hex') };
  });
  if (new Set(entries.map((entry) => entry.digest.toString('hex'))).size !== entries.length) {
    throw new TypeError('two API keys share one sha256');
  }

  return {
    size: entries.length,
    authenticate(authorization) {
      if (typeof authorization !== 'string') return null;
      const token = BEARER_PATTERN.exec(authorization)?.[1];
      if (token === undefined || token.length < MIN_TOKEN_LENGTH || token.length > MAX_TOKEN_LENGTH) return null;
      const presented = createHash('sha256').update(token, 'utf8').digest();
      // Compare with every hash, without stopping at a match, so the time taken does not tell which entry matched.
      let match: ApiKey | null = null;
      for (const entry of entries) {
        const equal = timingSafeEqual(presented, entry.digest);
        match = equal ? entry.apiKey : match;
      }
      return match;
    },
  };
}

/**
 * Reads and validates the keys file synchronously (at start-up).
 * @throws ApiKeysFileError — `API_KEYS_FILE_UNREADABLE` (path and errno code only) or `API_KEYS_FILE_INVALID`.
 */
export function loadApiKeysFile(path: string): ApiKeyRegistry {
  let json: string;
  try {
    json = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new ApiKeysFileError('API_KEYS_FILE_UNREADABLE', `${path}: cannot read the API keys file (${code})`, path);
  }
  return createApiKeyRegistry(parseApiKeys(json, path));
}
