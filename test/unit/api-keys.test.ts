import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ApiKeysFileError,
  createApiKeyRegistry,
  effectiveMaxUpstreamCalls,
  generateApiKey,
  hashApiKey,
  loadApiKeysFile,
  mayReadStore,
  parseApiKeys,
  type ApiKey,
} from '../../src/security/api-keys.js';

// Fixed keys with their SHA-256 computed here, independently of the module.
const DASHBOARD_KEY = 'dashboard-key-0123456789abcdefghijklmnopqrstuvw';
const ROUTER_KEY = 'router-key-ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210';
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const DASHBOARD_HASH = sha256(DASHBOARD_KEY);
const ROUTER_HASH = sha256(ROUTER_KEY);

const FILE = 'keys.json';

function validFile(): string {
  return JSON.stringify([
    { name: 'web-dashboard', sha256: DASHBOARD_HASH, stores: ['174679', '174680'] },
    // Upper-case hex is accepted and normalized.
    { name: 'federation.router_1', sha256: ROUTER_HASH.toUpperCase(), stores: '*', maxUpstreamCalls: 40, traces: true, trustedDocumentsOnly: true },
  ]);
}

/** The message of the ApiKeysFileError that parsing `entries` throws; fails the test when nothing is thrown. */
function fileError(entries: unknown): ApiKeysFileError {
  try {
    parseApiKeys(typeof entries === 'string' ? entries : JSON.stringify(entries), FILE);
  } catch (error) {
    expect(error).toBeInstanceOf(ApiKeysFileError);
    return error as ApiKeysFileError;
  }
  throw new Error('expected an ApiKeysFileError');
}

const base = { name: 'web-dashboard', sha256: DASHBOARD_HASH, stores: ['174679'] };

describe('parseApiKeys', () => {
  it('reads both store forms and the flags, normalizes the hash, and keeps hashes off the ApiKey', () => {
    const [dashboard, router, ...rest] = parseApiKeys(validFile(), FILE);
    expect(rest).toEqual([]);
    expect(dashboard?.sha256).toBe(DASHBOARD_HASH);
    expect(dashboard?.apiKey).toEqual({
      name: 'web-dashboard',
      stores: new Set(['174679', '174680']),
      maxUpstreamCalls: null,
      traces: false,
      trustedDocumentsOnly: false,
      cacheBypass: false,
    });
    expect(router?.sha256).toBe(ROUTER_HASH);
    expect(router?.apiKey).toEqual({ name: 'federation.router_1', stores: '*', maxUpstreamCalls: 40, traces: true, trustedDocumentsOnly: true, cacheBypass: false });
    expect(Object.keys(router?.apiKey ?? {}).sort()).toEqual(['cacheBypass', 'maxUpstreamCalls', 'name', 'stores', 'traces', 'trustedDocumentsOnly']);
    expect(Object.isFrozen(router?.apiKey)).toBe(true);
  });

  it('accepts an empty array (nobody gets in), explicit false flags and a leading BOM', () => {
    expect(parseApiKeys('[]', FILE)).toEqual([]);
    const [entry] = parseApiKeys(`\uFEFF${JSON.stringify([{ ...base, traces: false, trustedDocumentsOnly: false, cacheBypass: false }])}`, FILE);
    expect(entry?.apiKey.traces).toBe(false);
    expect(entry?.apiKey.trustedDocumentsOnly).toBe(false);
  });

  it.each([
    ['not JSON', `[{"name":"a","sha256":"${DASHBOARD_HASH}"`, 'keys.json: is not valid JSON', null, null],
    ['an object at the top', { keys: [] }, 'keys.json: must be a JSON array of key entries', null, null],
    ['an entry that is not an object', [base, 'x'], 'keys.json: entry 1: entry must be an object with the fields name, sha256, stores, maxUpstreamCalls, traces, trustedDocumentsOnly, cacheBypass', 1, null],
    ['an unknown field', [{ ...base, store: ['1'] }], 'keys.json: entry 0 ("web-dashboard"): entry has an unknown field "store"; the fields are name, sha256, stores, maxUpstreamCalls, traces, trustedDocumentsOnly, cacheBypass', 0, null],
    ['no name', [{ sha256: DASHBOARD_HASH, stores: '*' }], 'keys.json: entry 0: name is required', 0, 'name'],
    ['an empty name', [{ ...base, name: '' }], 'keys.json: entry 0: name must be 1–64 characters of A-Z a-z 0-9 . _ -', 0, 'name'],
    ['a name with a space', [{ ...base, name: 'web dashboard' }], 'keys.json: entry 0: name must be 1–64 characters of A-Z a-z 0-9 . _ -', 0, 'name'],
    ['a 65-character name', [{ ...base, name: 'a'.repeat(65) }], 'keys.json: entry 0: name must be 1–64 characters of A-Z a-z 0-9 . _ -', 0, 'name'],
    ['a numeric name', [{ ...base, name: 7 }], 'keys.json: entry 0: name must be 1–64 characters of A-Z a-z 0-9 . _ -', 0, 'name'],
    ['no sha256', [{ name: 'a', stores: '*' }], 'keys.json: entry 0 ("a"): sha256 is required', 0, 'sha256'],
    ['a 63-hex sha256', [{ ...base, sha256: DASHBOARD_HASH.slice(1) }], `keys.json: entry 0 ("web-dashboard"): sha256 must be the key's SHA-256 as 64 hex characters (never the key itself), got 63 characters`, 0, 'sha256'],
    ['the key instead of its hash', [{ ...base, sha256: DASHBOARD_KEY }], `keys.json: entry 0 ("web-dashboard"): sha256 must be the key's SHA-256 as 64 hex characters (never the key itself), got ${DASHBOARD_KEY.length} characters`, 0, 'sha256'],
    ['no stores', [{ name: 'a', sha256: DASHBOARD_HASH }], 'keys.json: entry 0 ("a"): stores is required', 0, 'stores'],
    ['empty stores', [{ ...base, stores: [] }], 'keys.json: entry 0 ("web-dashboard"): stores must be "*" (every store) or a non-empty array of store ids', 0, 'stores'],
    ['stores "all"', [{ ...base, stores: 'all' }], 'keys.json: entry 0 ("web-dashboard"): stores must be "*" (every store) or a non-empty array of store ids', 0, 'stores'],
    ['a numeric store id', [{ ...base, stores: ['174679', 174680] }], 'keys.json: entry 0 ("web-dashboard"): stores[1] must be a store id: a string of 1–11 digits without a leading zero, e.g. "174679"', 0, 'stores'],
    ['a store id with a leading zero', [{ ...base, stores: ['0174679'] }], 'keys.json: entry 0 ("web-dashboard"): stores[0] must be a store id: a string of 1–11 digits without a leading zero, e.g. "174679"', 0, 'stores'],
    ['a 12-digit store id', [{ ...base, stores: ['123456789012'] }], 'keys.json: entry 0 ("web-dashboard"): stores[0] must be a store id: a string of 1–11 digits without a leading zero, e.g. "174679"', 0, 'stores'],
    ['a repeated store id', [{ ...base, stores: ['1', '2', '1'] }], 'keys.json: entry 0 ("web-dashboard"): stores[2] repeats stores[0]', 0, 'stores'],
    ['maxUpstreamCalls 0', [{ ...base, maxUpstreamCalls: 0 }], 'keys.json: entry 0 ("web-dashboard"): maxUpstreamCalls must be a positive integer (it can only lower GATEWAY_MAX_UPSTREAM_CALLS)', 0, 'maxUpstreamCalls'],
    ['maxUpstreamCalls 1.5', [{ ...base, maxUpstreamCalls: 1.5 }], 'keys.json: entry 0 ("web-dashboard"): maxUpstreamCalls must be a positive integer (it can only lower GATEWAY_MAX_UPSTREAM_CALLS)', 0, 'maxUpstreamCalls'],
    ['maxUpstreamCalls "10"', [{ ...base, maxUpstreamCalls: '10' }], 'keys.json: entry 0 ("web-dashboard"): maxUpstreamCalls must be a positive integer (it can only lower GATEWAY_MAX_UPSTREAM_CALLS)', 0, 'maxUpstreamCalls'],
    ['traces "yes"', [{ ...base, traces: 'yes' }], 'keys.json: entry 0 ("web-dashboard"): traces must be true or false', 0, 'traces'],
    ['trustedDocumentsOnly 1', [{ ...base, trustedDocumentsOnly: 1 }], 'keys.json: entry 0 ("web-dashboard"): trustedDocumentsOnly must be true or false', 0, 'trustedDocumentsOnly'],
  ])('refuses %s, naming the file, the entry and the field', (_case, entries, message, index, field) => {
    const error = fileError(entries);
    expect(error.message).toBe(message);
    expect(error.code).toBe('API_KEYS_FILE_INVALID');
    expect(error.source).toBe(FILE);
    expect(error.index).toBe(index);
    expect(error.field).toBe(field);
    expect(error.message).not.toContain(DASHBOARD_HASH);
    expect(error.message.toLowerCase()).not.toContain(DASHBOARD_HASH.slice(1, 20));
    expect(error.message).not.toContain(DASHBOARD_KEY);
  });

  it('never echoes an unknown field whose name looks like a pasted key or hash', () => {
    const error = fileError([{ ...base, [DASHBOARD_KEY]: true }, { ...base, [DASHBOARD_HASH]: true }]);
    expect(error.message).toBe(
      'keys.json: entry 0 ("web-dashboard"): entry has an unknown field (name not shown); the fields are name, sha256, stores, maxUpstreamCalls, traces, trustedDocumentsOnly, cacheBypass',
    );
    expect(fileError([{ ...base, [DASHBOARD_HASH]: true }]).message).not.toContain(DASHBOARD_HASH);
  });

  it('refuses a name used twice and one hash in two entries (whatever its case), without echoing the hash', () => {
    const names = fileError([base, { name: 'router', sha256: ROUTER_HASH, stores: '*' }, { ...base, sha256: sha256('other') }]);
    expect(names.message).toBe('keys.json: entry 2: name "web-dashboard" is already used by entry 0');
    expect([names.index, names.field]).toEqual([2, 'name']);

    const hashes = fileError([base, { name: 'router', sha256: ROUTER_HASH, stores: '*' }, { ...base, name: 'copy', sha256: DASHBOARD_HASH.toUpperCase() }]);
    expect(hashes.message).toBe(`keys.json: entry 2 ("copy"): sha256 is the same as entry 0's (one key, two entries)`);
    expect([hashes.index, hashes.field]).toEqual([2, 'sha256']);
    expect(hashes.message.toLowerCase()).not.toContain(DASHBOARD_HASH);
  });
});

describe('createApiKeyRegistry / authenticate', () => {
  const registry = createApiKeyRegistry(parseApiKeys(validFile(), FILE));

  it('returns the key whose hash matches, and no hash on it', () => {
    expect(registry.size).toBe(2);
    expect(registry.authenticate(`Bearer ${DASHBOARD_KEY}`)?.name).toBe('web-dashboard');
    const router = registry.authenticate(`Bearer ${ROUTER_KEY}`);
    expect(router?.name).toBe('federation.router_1');
    expect(JSON.stringify(router)).not.toContain(ROUTER_HASH);
    expect(Object.values(router ?? {})).not.toContain(ROUTER_HASH);
  });

  it('takes the scheme in any case and RFC 7235 spacing', () => {
    expect(registry.authenticate(`bearer ${DASHBOARD_KEY}`)?.name).toBe('web-dashboard');
    expect(registry.authenticate(`BEARER ${DASHBOARD_KEY}`)?.name).toBe('web-dashboard');
    expect(registry.authenticate(`Bearer   ${DASHBOARD_KEY}`)?.name).toBe('web-dashboard');
  });

  it.each([
    ['no header', undefined],
    ['null', null],
    ['an empty header', ''],
    ['a wrong key', `Bearer ${DASHBOARD_KEY}x`],
    ['the hash instead of the key', `Bearer ${DASHBOARD_HASH}`],
    ['Basic', `Basic ${Buffer.from(`user:${DASHBOARD_KEY}`).toString('base64')}`],
    ['Basic with the key itself', `Basic ${DASHBOARD_KEY}`],
    ['Bearer with no token', 'Bearer'],
    ['Bearer and a space', 'Bearer '],
    ['two tokens', `Bearer ${DASHBOARD_KEY} ${ROUTER_KEY}`],
    ['two headers joined with a comma', `Bearer ${DASHBOARD_KEY}, Bearer ${ROUTER_KEY}`],
    ['the key with no scheme', DASHBOARD_KEY],
    ['a tab instead of a space', `Bearer\t${DASHBOARD_KEY}`],
    ['a character outside token68', `Bearer ${DASHBOARD_KEY.slice(0, -1)}!`],
  ])('%s → null', (_case, header) => {
    expect(registry.authenticate(header)).toBeNull();
  });

  it('accepts tokens of 16 to 512 characters: shorter or longer ones are refused even when their hash is registered', () => {
    const tokens = { short: 'abcdefghijklmnop', long: `${'A'.repeat(510)}==`, tooShort: 'abcdefghijklmno', tooLong: 'a'.repeat(513) };
    const edges = createApiKeyRegistry(Object.entries(tokens).map(([name, token]) => ({ apiKey: apiKey(name), sha256: sha256(token) })));
    expect(edges.authenticate(`Bearer ${tokens.short}`)?.name).toBe('short');
    expect(edges.authenticate(`Bearer ${tokens.long}`)?.name).toBe('long');
    expect(edges.authenticate(`Bearer ${tokens.tooShort}`)).toBeNull();
    expect(edges.authenticate(`Bearer ${tokens.tooLong}`)).toBeNull();
  });

  it('an empty registry lets nobody in', () => {
    const empty = createApiKeyRegistry(parseApiKeys('[]', FILE));
    expect(empty.size).toBe(0);
    expect(empty.authenticate(`Bearer ${DASHBOARD_KEY}`)).toBeNull();
  });

  it('refuses a malformed or repeated hash', () => {
    expect(() => createApiKeyRegistry([{ apiKey: apiKey('a'), sha256: 'abc' }])).toThrow('API key "a": sha256 must be 64 hex characters');
    expect(() =>
      createApiKeyRegistry([
        { apiKey: apiKey('a'), sha256: DASHBOARD_HASH },
        { apiKey: apiKey('b'), sha256: DASHBOARD_HASH.toUpperCase() },
      ]),
    ).toThrow('two API keys share one sha256');
  });
});

function apiKey(name: string): ApiKey {
  return { name, stores: new Set(['1']), maxUpstreamCalls: null, traces: false, trustedDocumentsOnly: false, cacheBypass: false };
}

describe('mayReadStore and effectiveMaxUpstreamCalls', () => {
  it('a listed store or "*" may be read, another store may not', () => {
    const [dashboard, router] = parseApiKeys(validFile(), FILE).map((entry) => entry.apiKey);
    expect(dashboard && mayReadStore(dashboard, '174680')).toBe(true);
    expect(dashboard && mayReadStore(dashboard, '174681')).toBe(false);
    expect(router && mayReadStore(router, '999')).toBe(true);
  });

  it("a key's cap only lowers the gateway's", () => {
    expect(effectiveMaxUpstreamCalls({ ...apiKey('a'), maxUpstreamCalls: 40 }, 2000)).toBe(40);
    expect(effectiveMaxUpstreamCalls({ ...apiKey('a'), maxUpstreamCalls: 5000 }, 2000)).toBe(2000);
    expect(effectiveMaxUpstreamCalls(apiKey('a'), 2000)).toBe(2000);
  });
});

describe('generateApiKey / hashApiKey', () => {
  it('makes a 43-character base64url key (32 bytes) and its SHA-256, which authenticates', () => {
    const { key, sha256: hash } = generateApiKey();
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(key, 'base64url')).toHaveLength(32);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).toBe(sha256(key));
    expect(hashApiKey(key)).toBe(hash);
    expect(generateApiKey().key).not.toBe(key);
    const registry = createApiKeyRegistry(parseApiKeys(JSON.stringify([{ name: 'new', sha256: hash, stores: '*' }]), FILE));
    expect(registry.authenticate(`Bearer ${key}`)?.name).toBe('new');
  });

  it('hashApiKey is the hex SHA-256 of the UTF-8 bytes', () => {
    expect(hashApiKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('loadApiKeysFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'api-keys-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a valid file into a registry', () => {
    const path = join(dir, 'keys.json');
    writeFileSync(path, validFile());
    const registry = loadApiKeysFile(path);
    expect(registry.size).toBe(2);
    expect(registry.authenticate(`Bearer ${ROUTER_KEY}`)?.name).toBe('federation.router_1');
  });

  it('a missing file → the path and the errno code only', () => {
    const path = join(dir, 'missing.json');
    let error: unknown;
    try {
      loadApiKeysFile(path);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ApiKeysFileError);
    expect((error as ApiKeysFileError).code).toBe('API_KEYS_FILE_UNREADABLE');
    expect((error as Error).message).toBe(`${path}: cannot read the API keys file (ENOENT)`);
  });

  it('an invalid file names its path', () => {
    const path = join(dir, 'bad.json');
    writeFileSync(path, JSON.stringify([{ ...base, stores: [] }]));
    expect(() => loadApiKeysFile(path)).toThrow(`${path}: entry 0 ("web-dashboard"): stores must be "*"`);
  });
});

// Each case spawns tsx (~0.5 s start-up): a few cases here; the validation they share is tested above.
describe('scripts/api-key.ts', () => {
  async function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const child = spawn('node_modules/.bin/tsx', ['scripts/api-key.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'close')) as [number | null];
    return { code, stdout, stderr };
  }

  it('prints a new key once and an entry whose sha256 is that key\'s', async () => {
    const { code, stdout, stderr } = await run(['--name', 'web-dashboard', '--stores', '174679,174680', '--max-upstream-calls', '50', '--traces']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const key = /^API key \(shown once, store it now\): ([A-Za-z0-9_-]{43})$/m.exec(stdout)?.[1] ?? '';
    expect(key).toHaveLength(43);
    expect(stdout.split(key)).toHaveLength(2);
    const entry: unknown = JSON.parse(stdout.slice(stdout.indexOf('\n{') + 1));
    expect(entry).toEqual({ name: 'web-dashboard', sha256: sha256(key), stores: ['174679', '174680'], maxUpstreamCalls: 50, traces: true });
    // The printed entry is a valid file entry, and the printed key gets in with it.
    const registry = createApiKeyRegistry(parseApiKeys(JSON.stringify([entry]), 'printed'));
    expect(registry.authenticate(`Bearer ${key}`)?.name).toBe('web-dashboard');
  }, 15_000);

  it("takes --stores '*' and --trusted-documents-only", async () => {
    const { code, stdout } = await run(['--name', 'all', '--stores', '*', '--trusted-documents-only']);
    expect(code).toBe(0);
    const entry = JSON.parse(stdout.slice(stdout.indexOf('\n{') + 1)) as Record<string, unknown>;
    expect(Object.keys(entry)).toEqual(['name', 'sha256', 'stores', 'trustedDocumentsOnly']);
    expect([entry.stores, entry.trustedDocumentsOnly]).toEqual(['*', true]);
  }, 15_000);

  it('--stores abc → message and usage on stderr, no key, exit 2', async () => {
    const { code, stdout, stderr } = await run(['--name', 'web-dashboard', '--stores', 'abc']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('api-key: --stores value 1 must be a store id: a string of 1–11 digits without a leading zero, e.g. "174679"\n');
    expect(stderr).toContain('usage: npm run api-key --');
  }, 15_000);
});
