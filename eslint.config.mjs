// Lint + the layer rule of DESIGN.md: renderer -> shared; main -> shared; host and cli ->
// main + shared; shared imports nothing of ours; only main/index.ts and preload import electron.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const restrict = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: patterns.map((group) => ({ group: [group], message })) }],
});

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'test-output/**', 'resources/models/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: restrict(
      [
        '**/main/**',
        '**/host/**',
        '**/cli/**',
        '**/preload/**',
        'node:*',
        'electron',
        'fs',
        'path',
        'child_process',
      ],
      'The renderer talks only to the contract (src/shared); no Node, no main.',
    ),
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: restrict(
      ['**/main/**', '**/renderer/**', '**/host/**', '**/cli/**', '**/preload/**', 'node:*', 'electron'],
      'src/shared is the contract: it imports nothing else of ours and no Node modules.',
    ),
  },
  {
    files: ['src/main/**/*.ts'],
    ignores: ['src/main/index.ts'],
    rules: restrict(
      ['**/renderer/**', '**/host/**', '**/cli/**', 'electron'],
      'main imports only main and shared; electron only in main/index.ts.',
    ),
  },
  {
    files: ['src/host/**/*.ts', 'src/cli/**/*.ts'],
    rules: restrict(
      ['**/renderer/**', 'electron'],
      'host and cli use main and shared, never the renderer or electron.',
    ),
  },
);
