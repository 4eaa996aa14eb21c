import { fileURLToPath } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import { describe, expect, it } from 'vitest';

/*
 * The import boundaries of STYLE.md live in eslint.config.js. A flat config silently lets a later block's
 * `no-restricted-imports` replace an earlier one, so the rules are proved here: probe sources are linted at
 * virtual paths inside each folder with the repository's own config, exactly as `npm run lint` would.
 */

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const eslint = new ESLint({ cwd: repoRoot });
// Loading the config and typescript-eslint takes a few seconds on the first lint.
const LINT_TIMEOUT_MS = 30_000;

type Folder = 'upstream' | 'emulator' | 'schema' | 'resolvers' | 'security' | 'cache';

async function lintProbe(folder: Folder, code: string): Promise<Linter.LintMessage[]> {
  const [result] = await eslint.lintText(code, { filePath: `src/${folder}/__probe__.ts` });
  if (!result) throw new Error('ESLint returned no result for the probe');
  return result.messages;
}

const forbidden: Array<[Folder, string]> = [
  ['cache', 'graphql'],
  ['cache', '../upstream/client.js'],
  ['cache', '../config.js'],
  ['cache', '../emulator/index.js'],
  ['security', 'undici'],
  ['security', '../emulator/index.js'],
  ['security', '../schema/builder.js'],
  ['security', '../upstream/client.js'],
  ['resolvers', '../emulator/index.js'],
  ['resolvers', 'undici'],
  ['resolvers', '@pothos/core'],
  ['resolvers', '../schema/builder.js'],
  ['resolvers', 'graphql-yoga'],
  ['emulator', '../config.js'],
  ['emulator', '../logger.js'],
  ['emulator', '../context.js'],
  ['emulator', '../upstream/sign.js'],
  ['emulator', '../upstream/timestamp.js'],
  ['emulator', '../upstream/client.js'],
  ['emulator', '../upstream/index.js'],
  ['emulator', '../schema/builder.js'],
  ['emulator', '../resolvers/store.js'],
  ['emulator', 'graphql'],
  ['emulator', '@pothos/core'],
  ['upstream', '../schema/builder.js'],
  ['upstream', '../resolvers/store.js'],
  ['upstream', '../emulator/index.js'],
  ['upstream', 'graphql-yoga'],
  ['upstream', '@graphql-yoga/render-graphiql'],
  ['upstream', 'graphql'],
  ['upstream', 'graphql/error/index.js'],
  ['upstream', '@pothos/core'],
  ['upstream', 'graphql-scalars'],
  ['upstream', '@apollo/subgraph'],
  ['upstream', '../config.js'],
  ['upstream', '../context.js'],
  ['upstream', '../yoga.js'],
  ['upstream', '../server.js'],
  ['upstream', '../error-codes.js'],
  ['schema', 'undici'],
  ['schema', '../emulator/index.js'],
  ['schema', '../upstream/client.js'],
  ['schema', '../upstream/index.js'],
];

const allowed: Array<[Folder, string]> = [
  ['cache', 'ioredis'],
  ['cache', './cache-store.js'],
  ['security', '../upstream/gateway-codes.js'],
  ['security', 'graphql-yoga'],
  ['security', '../public-errors.js'],
  ['emulator', '../upstream/return-codes.js'],
  ['emulator', './keys.js'],
  ['emulator', 'node:http'],
  ['resolvers', '../upstream/passenger-flow.js'],
  ['resolvers', '../upstream/errors.js'],
  ['resolvers', '../context.js'],
  ['resolvers', '../error-codes.js'],
  ['resolvers', 'graphql'],
  ['schema', '../resolvers/store.js'],
  ['schema', '../error-codes.js'],
  ['schema', '../context.js'],
  ['schema', '@pothos/core'],
  ['upstream', 'undici'],
  ['upstream', 'dataloader'],
  ['upstream', './sign.js'],
  ['upstream', './return-codes.js'],
];

describe('import boundaries (eslint.config.js)', () => {
  it.each(forbidden)(
    'src/%s/ may not import %s',
    async (folder, source) => {
      const messages = await lintProbe(folder, `import '${source}';\n`);
      expect(messages.map((m) => [m.ruleId, m.severity])).toEqual([['no-restricted-imports', 2]]);
    },
    LINT_TIMEOUT_MS,
  );

  it.each(allowed)(
    'src/%s/ may import %s',
    async (folder, source) => {
      // No messages at all: an ignored probe would come back with a warning, not silently pass.
      expect(await lintProbe(folder, `import '${source}';\n`)).toEqual([]);
    },
    LINT_TIMEOUT_MS,
  );

  it(
    'catches type-only imports and re-exports too',
    async () => {
      const code = [
        "import type { SignMethod } from '../upstream/sign.js';",
        "export { loadConfig } from '../config.js';",
        "export * from '../upstream/timestamp.js';",
        'export type Probe = SignMethod;',
        '',
      ].join('\n');
      const messages = await lintProbe('emulator', code);
      expect(messages.map((m) => [m.ruleId, m.line])).toEqual([
        ['no-restricted-imports', 1],
        ['no-restricted-imports', 2],
        ['no-restricted-imports', 3],
      ]);
    },
    LINT_TIMEOUT_MS,
  );
});
