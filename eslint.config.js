// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/*
 * Import boundaries from STYLE.md, enforced here rather than hoped for.
 *
 * In a flat config the last matching block that sets a rule replaces its options wholesale: two blocks that
 * both set `no-restricted-imports` for one file do not add up. So each folder below gets exactly ONE block
 * that sets the rule and lists everything the folder forbids, no two of these blocks match the same file,
 * and no block after them sets the rule. Within a block the groups do not overlap, so one forbidden import
 * is one error. test/unit/lint-boundaries.test.ts lints probe files against every rule.
 */

const GRAPHQL_LAYER_PACKAGES = ['graphql', 'graphql-yoga', 'graphql-scalars'];
/** Subpaths and scopes of the GraphQL layer's packages (gitignore-style, for `patterns`). */
const GRAPHQL_LAYER_PATTERNS = ['graphql/*', 'graphql-yoga/*', '@graphql-yoga/*', '@pothos/*', 'graphql-scalars/*', '@apollo/*'];

/** @param {string[]} names @param {string} message */
const packages = (names, message) => names.map((name) => ({ name, message }));

const upstreamBoundary = {
  paths: packages(GRAPHQL_LAYER_PACKAGES, 'upstream/ speaks the vendor protocol only: no GraphQL.'),
  patterns: [
    { group: GRAPHQL_LAYER_PATTERNS, message: 'upstream/ speaks the vendor protocol only: no GraphQL.' },
    { group: ['**/schema/**', '**/resolvers/**'], message: 'upstream/ must not depend on the GraphQL layer.' },
    { group: ['**/emulator/**'], message: 'upstream/ must not depend on the emulator.' },
    {
      group: ['../config.js', '../context.js', '../yoga.js', '../server.js', '../error-codes.js'],
      message: 'upstream/ takes its settings as arguments: no gateway config, context, server or gateway error table.',
    },
  ],
};

const emulatorBoundary = {
  paths: packages(GRAPHQL_LAYER_PACKAGES, 'The emulator is a stand-in for the vendor: no GraphQL.'),
  patterns: [
    { group: GRAPHQL_LAYER_PATTERNS, message: 'The emulator is a stand-in for the vendor: no GraphQL.' },
    // The emulator shares only the return-code table with the client: a shared signer bug would pass every test.
    { group: ['**/upstream/**', '!**/upstream/return-codes.js'], message: 'The emulator may import only upstream/return-codes.js from the client.' },
    { group: ['**/schema/**', '**/resolvers/**'], message: 'The emulator is independent of the GraphQL layer.' },
    // `../x.js` is a src-level module; config.ts imports the client's signer and timestamp code, so none of them.
    { regex: '^\\.\\./[^/]+$', message: 'The emulator imports no src-level module (config, context, logger, …): it shares nothing with the gateway.' },
  ],
};

const schemaBoundary = {
  paths: [{ name: 'undici', message: 'The GraphQL layer never talks HTTP: go through src/upstream.' }],
  patterns: [
    { group: ['undici/*'], message: 'The GraphQL layer never talks HTTP: go through src/upstream.' },
    { group: ['**/emulator/**'], message: 'The GraphQL layer must not know about the emulator.' },
    // index.js re-exports the client, so it is the same door as client.js.
    { group: ['**/upstream/client.js', '**/upstream/index.js'], message: 'schema/ never builds or calls the upstream client: resolvers use the loaders from the context.' },
  ],
};

const resolversBoundary = {
  paths: [
    { name: 'undici', message: 'Resolvers never talk HTTP: go through src/upstream.' },
    { name: 'graphql-yoga', message: 'Resolvers are plain functions: no server framework.' },
  ],
  patterns: [
    { group: ['undici/*'], message: 'Resolvers never talk HTTP: go through src/upstream.' },
    { group: ['graphql-yoga/*', '@graphql-yoga/*'], message: 'Resolvers are plain functions: no server framework.' },
    { group: ['@pothos/*', '**/schema/**'], message: 'Resolvers are plain functions: no Pothos.' },
    { group: ['**/emulator/**'], message: 'The GraphQL layer must not know about the emulator.' },
  ],
};

const securityBoundary = {
  paths: [{ name: 'undici', message: 'Security checks requests; it never talks to the vendor.' }],
  patterns: [
    { group: ['undici/*'], message: 'Security checks requests; it never talks to the vendor.' },
    { group: ['@pothos/*', '**/schema/**'], message: 'Security sits in front of the schema, not inside it.' },
    { group: ['**/emulator/**'], message: 'Security must not know about the emulator.' },
    { group: ['**/upstream/*', '!**/upstream/gateway-codes.js'], message: 'Security may use only the code table from upstream/.' },
  ],
};

const cacheBoundary = {
  paths: [
    ...packages(GRAPHQL_LAYER_PACKAGES, 'The cache is below the GraphQL layer: no GraphQL.'),
    { name: 'undici', message: 'The cache stores answers; it never talks to the vendor itself.' },
  ],
  patterns: [
    { group: GRAPHQL_LAYER_PATTERNS, message: 'The cache is below the GraphQL layer: no GraphQL.' },
    { group: ['**/schema/**', '**/resolvers/**', '**/security/**'], message: 'The cache is below the GraphQL layer.' },
    { group: ['**/emulator/**', '**/upstream/**'], message: 'The cache is generic: it knows neither the vendor client nor the emulator.' },
    {
      group: ['../config.js', '../context.js', '../yoga.js', '../server.js', '../caching.js', '../logger.js'],
      message: 'The cache takes its settings as arguments: nothing from the top level.',
    },
  ],
};

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'Named exports only.' }],
    },
  },
  // The boundaries: one block per folder, last, and nothing after them sets `no-restricted-imports`.
  { files: ['src/upstream/**/*.ts'], rules: { 'no-restricted-imports': ['error', upstreamBoundary] } },
  { files: ['src/emulator/**/*.ts'], rules: { 'no-restricted-imports': ['error', emulatorBoundary] } },
  { files: ['src/schema/**/*.ts'], rules: { 'no-restricted-imports': ['error', schemaBoundary] } },
  { files: ['src/resolvers/**/*.ts'], rules: { 'no-restricted-imports': ['error', resolversBoundary] } },
  { files: ['src/security/**/*.ts'], rules: { 'no-restricted-imports': ['error', securityBoundary] } },
  { files: ['src/cache/**/*.ts'], rules: { 'no-restricted-imports': ['error', cacheBoundary] } },
);
