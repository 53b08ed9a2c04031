import { resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

const { version } = JSON.parse(readFileSync(resolve(__dirname, 'package.json'), 'utf8')) as {
  version: string;
};
const define = { __SKYSIFT_VERSION__: JSON.stringify(version) };

export default defineConfig({
  // Node side: Electron main plus the entries that run under plain Node (browser host, CLI, the
  // compute worker). One bundle config, so they share chunks and the same dependency handling.
  main: {
    define,
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          worker: resolve(__dirname, 'src/main/jobs/worker.ts'),
          host: resolve(__dirname, 'src/host/main.ts'),
          cli: resolve(__dirname, 'src/cli/main.ts'),
          // The ingest decoder threads (worker_threads needs a file of its own to start).
          ingestDecoder: resolve(__dirname, 'src/main/worker/ingest/decodeWorker.ts'),
        },
        output: { format: 'cjs', entryFileNames: '[name].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].js' },
      },
    },
  },
  renderer: {
    root: 'src/renderer',
    define,
    plugins: [react()],
    base: './',
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } },
    },
  },
});
