import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['test/support/tempRoot.ts'],
    setupFiles: ['test/unit/helpers/tempHome.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: the heavier suites (training, fuzzing) must not fight each other.
    maxWorkers: 2,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-output/unit-results.json' },
  },
});
