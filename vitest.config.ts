import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'bench/**/*.test.ts'],
    // The scale-out proof needs a PostgreSQL server (the PostgreSQL pass); the bench's CLI
    // checks and the scenario crash test drive the embedded database in child processes
    // (the PGlite pass).
    exclude: [
      'test/browser/**',
      'node_modules/**',
      ...(process.env.TEST_DATABASE_URL ? ['test/bench/**', 'src/nurture/scenarios/crash.test.ts'] : ['test/scale/**']),
    ],
    globalSetup: ['test/helpers/global-setup.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: true,
  },
});
