import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Lavapipe already uses every core: one test file at a time keeps timings sane and memory low.
    fileParallelism: false,
    pool: 'forks',
  },
});
