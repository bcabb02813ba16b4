import { describe, expect, it } from 'vitest';
import { InputError } from '../domain/errors.ts';
import { configFromEnv } from './config.ts';

describe('configFromEnv', () => {
  it('takes the documented defaults when a variable is unset or empty', () => {
    const config = configFromEnv({ PORT: '', FENYONG_TICK_SECONDS: undefined });
    expect(config.port).toBe(3000);
    expect(config.tickIntervalMs).toBe(30_000);
    expect(config.rateLimit).toEqual({ max: 6000, windowMs: 10_000 });
  });

  it('seeds the demo tenant on PGlite, not on PostgreSQL unless FENYONG_DEMO asks', () => {
    expect(configFromEnv({}).seedDemo).toBe(true);
    expect(configFromEnv({ DATABASE_URL: 'postgres://127.0.0.1/test' }).seedDemo).toBe(false);
    expect(configFromEnv({ DATABASE_URL: 'postgres://127.0.0.1/test', FENYONG_DEMO: '1' }).seedDemo).toBe(true);
    expect(configFromEnv({ FENYONG_DEMO: '0' }).seedDemo).toBe(false);
  });

  it('reads numbers, fractions where they make sense', () => {
    const config = configFromEnv({ PORT: '3917', FENYONG_TICK_SECONDS: '0.5', FENYONG_RATE_LIMIT: '0' });
    expect([config.port, config.tickIntervalMs, config.rateLimit.max]).toEqual([3917, 500, 0]);
  });

  it('stops at start on a value that is not a number in range, naming the variable', () => {
    for (const [name, value] of [
      ['FENYONG_TICK_SECONDS', '30s'],
      ['FENYONG_TICK_SECONDS', '0'],
      ['FENYONG_RATE_LIMIT', 'lots'],
      ['PORT', '70000'],
      ['FENYONG_NATS_REPLICAS', '1.5'],
    ]) {
      expect(() => configFromEnv({ [name!]: value }), `${name}=${value}`).toThrow(InputError);
      expect(() => configFromEnv({ [name!]: value })).toThrow(`${name}=${value}`);
    }
  });

  it('lets an event be a day ahead of the clock by default, more or less when asked, any with off', () => {
    expect(configFromEnv({}).maxAheadMs).toBe(86_400_000);
    expect(configFromEnv({ FENYONG_MAX_AHEAD_DAYS: '7' }).maxAheadMs).toBe(7 * 86_400_000);
    expect(configFromEnv({ FENYONG_MAX_AHEAD_DAYS: ' Off ' }).maxAheadMs).toBeNull();
    expect(() => configFromEnv({ FENYONG_MAX_AHEAD_DAYS: '0' })).toThrow('FENYONG_MAX_AHEAD_DAYS=0');
  });
});
