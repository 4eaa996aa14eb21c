/**
 * `npm run api-key -- --name web-dashboard --stores 174679,174680` (or `--stores '*'`): makes a new client key,
 * prints it once, and prints the entry (with only the key's SHA-256) to add to the GATEWAY_API_KEYS_FILE array.
 * The arguments go through the same validation as the file (`parseApiKeyEntry`). Exit status 2 for bad arguments,
 * with nothing on stdout: no key is made until the entry is known to be valid.
 */
import { parseArgs } from 'node:util';
import { ApiKeyEntryError, generateApiKey, parseApiKeyEntry, type ApiKeyEntryJson } from '../src/security/api-keys.js';

const USAGE = [
  "usage: npm run api-key -- --name NAME --stores ID,ID…|'*' [--max-upstream-calls N] [--traces] [--trusted-documents-only] [--cache-bypass]",
  '  --name NAME                 shown in logs instead of the key: 1–64 characters of A-Z a-z 0-9 . _ -',
  "  --stores ID,ID…|'*'         the store ids the key may read, comma-separated, or '*' for every store",
  '  --max-upstream-calls N      this key\'s cap on upstream calls per request (can only lower GATEWAY_MAX_UPSTREAM_CALLS)',
  '  --traces                    may receive Apollo ftv1 traces (the federation router\'s key)',
  '  --trusted-documents-only    may run only trusted (persisted) documents',
  '  -h, --help                  this text',
].join('\n');

/** The entry's fields and the flags they come from, for error messages. */
const FLAG_OF_FIELD: Record<string, string> = {
  name: '--name',
  stores: '--stores',
  maxUpstreamCalls: '--max-upstream-calls',
  traces: '--traces',
  trustedDocumentsOnly: '--trusted-documents-only',
  cacheBypass: '--cache-bypass',
};

class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly code = 'CLI_USAGE';
}

/** The entry without its hash, built from the flags; validated by `parseApiKeyEntry` before any key exists. */
function entryFromArgs(argv: string[]): Omit<ApiKeyEntryJson, 'sha256'> | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        name: { type: 'string' },
        stores: { type: 'string' },
        'max-upstream-calls': { type: 'string' },
        traces: { type: 'boolean' },
        'cache-bypass': { type: 'boolean' },
        'trusted-documents-only': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return 'help';
  if (values.name === undefined) throw new UsageError('--name is required');
  if (values.stores === undefined) throw new UsageError('--stores is required');

  const entry: Omit<ApiKeyEntryJson, 'sha256'> = {
    name: values.name,
    stores: values.stores.trim() === '*' ? '*' : values.stores.split(',').map((id) => id.trim()),
  };
  const max = values['max-upstream-calls'];
  if (max !== undefined) {
    // A non-number stays a string, so the shared validation refuses it with its own message.
    entry.maxUpstreamCalls = (/^[0-9]+$/.test(max) ? Number(max) : max) as number;
  }
  if (values.traces) entry.traces = true;
  if (values['trusted-documents-only']) entry.trustedDocumentsOnly = true;
  if (values['cache-bypass']) entry.cacheBypass = true;
  return entry;
}

function main(argv: string[]): number {
  let entry;
  try {
    entry = entryFromArgs(argv);
    if (entry !== 'help') {
      // The hash's value does not matter here: only the flags are being checked.
      parseApiKeyEntry({ ...entry, sha256: '0'.repeat(64) });
    }
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`api-key: ${error.message}\n${USAGE}\n`);
      return 2;
    }
    if (error instanceof ApiKeyEntryError) {
      const flag = (error.field !== null && FLAG_OF_FIELD[error.field]) || 'arguments';
      const item = error.item === null ? '' : ` value ${error.item + 1}`;
      process.stderr.write(`api-key: ${flag}${item} ${error.problem}\n${USAGE}\n`);
      return 2;
    }
    throw error;
  }
  if (entry === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  const { key, sha256 } = generateApiKey();
  const { name, ...grants } = entry;
  const fileEntry: ApiKeyEntryJson = { name, sha256, ...grants };
  process.stdout.write(
    `API key (shown once, store it now): ${key}\n` +
      `Clients send it as "Authorization: Bearer <key>". Add this entry to the JSON array in GATEWAY_API_KEYS_FILE (it holds only the hash):\n` +
      `${JSON.stringify(fileEntry, null, 2)}\n`,
  );
  return 0;
}

process.exitCode = main(process.argv.slice(2));
