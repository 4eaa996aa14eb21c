import { readFileSync, writeFileSync } from 'node:fs';
import { graphql } from 'graphql';
import { ERROR_CODES } from '../src/error-codes.js';
import { schema } from '../src/schema/index.js';

/**
 * `npm run schema:print` writes schema.graphql (the federation subgraph SDL) and the README's error-code table, both derived from code;
 * `--check` (npm run schema:check) fails when either checked-in copy has drifted.
 */
const START = '<!-- error-codes:start -->';
const END = '<!-- error-codes:end -->';

function errorTable(): string {
  const rows = ERROR_CODES.map(
    (info) => `| \`${info.code}\` | ${info.vendorCode ?? '—'} | ${info.retryable ? 'yes' : 'no'} | ${info.description.replace(/\|/g, '\\|')} |`,
  );
  return ['| `extensions.code` | vendor `stat.code` | retryable | meaning and remedy |', '|---|---|---|---|', ...rows].join('\n');
}

function withTable(readme: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md lacks the ${START} … ${END} markers`);
  return `${readme.slice(0, start + START.length)}\n${errorTable()}\n${readme.slice(end)}`;
}

/** schema.graphql is exactly what a federation router reads from `_service { sdl }`. */
async function subgraphSdl(): Promise<string> {
  const result = await graphql({ schema, source: '{ _service { sdl } }' });
  const sdl = (result.data?._service as { sdl?: string } | undefined)?.sdl;
  if (result.errors?.length || !sdl) throw new Error(`_service { sdl } failed: ${result.errors?.map((e) => e.message).join('; ')}`);
  return `${sdl.trim()}\n`;
}

const sdl = await subgraphSdl();
const files = [
  { url: new URL('../schema.graphql', import.meta.url), render: () => sdl },
  { url: new URL('../README.md', import.meta.url), render: (current: string) => withTable(current) },
];

const check = process.argv.includes('--check');
let drifted = false;
for (const file of files) {
  let current = '';
  try {
    current = readFileSync(file.url, 'utf8');
  } catch {
    // a missing file counts as drift
  }
  const wanted = file.render(current);
  if (current === wanted) continue;
  if (check) {
    drifted = true;
    process.stderr.write(`${file.url.pathname} is out of date: run \`npm run schema:print\` and commit it.\n`);
  } else {
    writeFileSync(file.url, wanted);
    process.stdout.write(`wrote ${file.url.pathname}\n`);
  }
}
if (check && drifted) process.exit(1);
if (check) process.stdout.write('schema.graphql and the README error table are up to date.\n');
