import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    globalSetup: ['test/support/tempRoot.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // One browser at a time: the e2e specs share the machine's two cores.
    fileParallelism: false,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-output/e2e-results.json' },
  },
});
