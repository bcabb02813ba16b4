import { defineConfig } from 'vitest/config';

/**
 * `npm run test:faults`: the fault and scaled-out deployment tests (test/reliability/faults-*,
 * cluster*). They start private PostgreSQL and NATS servers, kill processes and mount a small
 * tmpfs (run as root), so they run one file at a time and only here: in a plain `npm test` they
 * are skipped (FENYONG_FAULTS unset).
 */
export default defineConfig({
  test: {
    include: ['test/reliability/faults-*.test.ts', 'test/reliability/cluster*.test.ts'],
    env: { FENYONG_FAULTS: '1' },
    fileParallelism: false,
    testTimeout: 20 * 60_000,
    hookTimeout: 5 * 60_000,
  },
});
