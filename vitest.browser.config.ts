import { defineConfig } from 'vitest/config';

/** Browser journeys in Debian's Chromium via playwright-core; run by scripts/test.mjs when Chromium exists. */
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
