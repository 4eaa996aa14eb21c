// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Import boundaries from STYLE.md, enforced here rather than hoped for. */
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
  {
    files: ['src/upstream/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/schema/**', '**/resolvers/**', '**/emulator/**'], message: 'upstream/ must not depend on the GraphQL layer or the emulator.' }] }],
    },
  },
  {
    files: ['src/schema/**/*.ts', 'src/resolvers/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'undici', message: 'The GraphQL layer never talks HTTP: go through src/upstream.' }], patterns: [{ group: ['**/emulator/**'], message: 'The GraphQL layer must not know about the emulator.' }] }],
    },
  },
  {
    files: ['src/resolvers/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'undici', message: 'Resolvers never talk HTTP.' }], patterns: [{ group: ['@pothos/*', '**/schema/**'], message: 'Resolvers are plain functions: no Pothos.' }] }],
    },
  },
  {
    files: ['src/emulator/**/*.ts'],
    rules: {
      // The emulator shares only the return-code table with the client: a shared signer bug would pass every test.
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/upstream/**', '!**/upstream/return-codes.js'], message: 'The emulator may import only upstream/return-codes.js.' }, { group: ['**/schema/**', '**/resolvers/**'], message: 'The emulator is independent of the GraphQL layer.' }] }],
    },
  },
);
