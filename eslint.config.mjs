// Lint + the layer rule of DESIGN.md: renderer -> shared; main -> shared; host and cli ->
// main/api + shared (cli/lab: main + shared); shared imports nothing of ours; only main/index.ts
// and preload import electron. Inside main, only src/main/worker (and its entry jobs/worker.ts)
// loads the engine: tfjs and ONNX Runtime never enter the main process.
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
    // Where code runs: src/main/worker/ is the engine (tfjs, ONNX Runtime, training, scoring, the
    // simulator, ingest decoding) and runs only in compute workers; jobs/worker.ts, the worker's
    // entry, is the one bridge. The rest of main (lifecycle, api, services, job manager, home,
    // catalog, export, the model library as JSON) runs in the Electron main / host process and
    // must not load the engine (test/unit/architecture/mainBundle.test.ts checks the bundles).
    files: ['src/main/**/*.ts'],
    ignores: ['src/main/worker/**', 'src/main/jobs/worker.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/renderer/**', '**/host/**', '**/cli/**'],
              message: 'main imports only main and shared.',
            },
            {
              group: ['**/worker/**'],
              message:
                'src/main/worker is engine code that runs only in compute workers (jobs/worker.ts is the one way in): start a job, or read the model library as JSON (src/main/library).',
            },
            {
              group: ['@tensorflow/*', 'onnxruntime-node', 'onnxruntime-*'],
              message:
                'the main process never loads the engine: tfjs and ONNX Runtime run in src/main/worker only.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/main/**/*.ts'],
    ignores: ['src/main/index.ts'],
    rules: {
      // A second no-restricted-imports entry would replace the one above for these files, so
      // 'electron' (main/index.ts only) is a rule of its own.
      'no-restricted-syntax': [
        'error',
        {
          selector: "ImportDeclaration[source.value='electron']",
          message: 'electron only in main/index.ts.',
        },
      ],
    },
  },
  {
    // The compute worker and its engine: anything of main and shared, never the UI side.
    files: ['src/main/worker/**/*.ts', 'src/main/jobs/worker.ts'],
    rules: restrict(
      ['**/renderer/**', '**/host/**', '**/cli/**', 'electron'],
      'worker code imports only main and shared; electron only in main/index.ts.',
    ),
  },
  {
    // One way in: the browser host and the CLI reach main only through main/api (createApp,
    // createApi), like Electron's IPC does; no side door into main's internals.
    files: ['src/host/**/*.ts', 'src/cli/**/*.ts'],
    ignores: ['src/cli/lab/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/renderer/**', 'electron'],
              message: 'host and cli never use the renderer or electron.',
            },
            {
              group: ['@tensorflow/*', 'onnxruntime-node', 'onnxruntime-*'],
              message: 'host and cli never load the engine (the lab tools in src/cli/lab do, lazily).',
            },
            {
              regex: '(^|/)main/(?!api$)',
              message:
                'host and cli import main/api and shared only (engine tools for model work live in src/cli/lab).',
            },
          ],
        },
      ],
    },
  },
  {
    // The engine tools act on files directly (evaluation on data labels, baseline, ONNX export,
    // the simulator): main's modules, never the renderer or electron.
    files: ['src/cli/lab/**/*.ts'],
    rules: restrict(['**/renderer/**', 'electron'], 'engine tools use main and shared only.'),
  },
);
