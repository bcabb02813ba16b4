import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 180_000, // tests that spawn the CLI or a server compile TypeScript on start: slow on a loaded 2-core machine
    hookTimeout: 120_000,
    // Two files at a time, whatever the core count (vitest's default on 2 cores is one): most of a
    // file's time is waiting on PostgreSQL, NATS, Chromium or a spawned server, and each file has
    // its own schema, stream and ports. Measured on 2 cores: 8.0 min serially, 5.9 min so.
    maxWorkers: 2,
  },
});
