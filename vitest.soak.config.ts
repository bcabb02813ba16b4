import { defineConfig } from 'vitest/config';

/**
 * `npm run test:soak`: the bounded soak (test/reliability/soak.soak.ts), SOAK_MINUTES long
 * (default 10), in a worker started with --expose-gc so that memory is sampled after full collections.
 */
const minutes = Number(process.env.SOAK_MINUTES ?? 10);

export default defineConfig({
  test: {
    include: ['test/reliability/soak.soak.ts'],
    execArgv: ['--expose-gc'],
    testTimeout: (minutes + 10) * 60_000,
    hookTimeout: 120_000,
  },
});
