// `npx vitest run --config bench/desk-latency.config.mts`: the desk's key-to-next-stamps latency on
// a 100k-candidate workspace, in Chromium through the browser host. Prints numbers; asserts none.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['bench/desk-latency.bench.ts'],
    environment: 'node',
    testTimeout: 1_200_000,
    hookTimeout: 1_200_000,
    fileParallelism: false,
  },
});
