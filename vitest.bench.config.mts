import { defineConfig } from 'vitest/config';

/**
 * `npm run bench` (scripts/bench.mjs): the benchmark suites in bench/, one file at a time so they do
 * not share the two cores. Not part of `npm test` (vitest.config.mts includes only test/unit).
 */
export default defineConfig({
  test: {
    include: ['bench/**/*.bench.test.ts'],
    environment: 'node',
    // A home of their own: benchmarks never write versions into the user's ~/.skysift.
    globalSetup: ['test/support/tempRoot.ts'],
    setupFiles: ['test/unit/helpers/tempHome.ts'],
    testTimeout: 1_800_000,
    hookTimeout: 1_800_000,
    fileParallelism: false,
    maxWorkers: 1,
    reporters: ['default'],
  },
});
