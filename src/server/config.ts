import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fail, InputError } from '../domain/errors.ts';

/** Server settings, from the environment (documented in README.md). */
export interface ServerConfig {
  readonly port: number;
  readonly host: string;
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  /** Free space kept on PGlite's disk: writes are refused (507 storage_unavailable) below it. */
  readonly reserveBytes: number;
  readonly natsUrl: string | undefined;
  /**
   * JetStream names of the NATS consumer (src/ingest/nats.ts); defaults FENYONG, fenyong, fenyong.
   * `replicas`: copies of the stream when fenyong creates it (3 on a 3-node cluster).
   */
  readonly nats: {
    readonly stream: string;
    readonly subjectPrefix: string;
    readonly durable: string;
    readonly ackWaitMs: number;
    readonly replicas: number;
  };
  readonly platformToken: string;
  readonly platformTokenGenerated: boolean;
  /**
   * How far ahead of the server's clock an event's `at` may be (null: any): one typo in a year
   * (2099) would otherwise move the tenant's clock there for good, and every later event be refused.
   */
  readonly maxAheadMs: number | null;
  readonly tickIntervalMs: number;
  readonly tickLagMs: number;
  /** Pause between webhook dispatcher passes (default 1 s). */
  readonly webhookIntervalMs?: number;
  readonly seedDemo: boolean;
  readonly logRequests: boolean;
  /** Requests per API key (or address) per window; max 0 turns the limit off. */
  readonly rateLimit: { readonly max: number; readonly windowMs: number };
  /** The built web console served at `/` (default console/dist of this package). */
  readonly consoleDir?: string;
}

/** console/dist of this package, wherever the server is started from. */
export const CONSOLE_DIST = join(import.meta.dirname, '..', '..', 'console', 'dist');

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const token = env.FENYONG_PLATFORM_TOKEN;
  return {
    port: setting(env, 'PORT', 3000, { min: 0, max: 65535, integer: true }),
    host: env.HOST ?? '127.0.0.1',
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: env.FENYONG_DATA_DIR ?? join(process.cwd(), '.data', 'pglite'),
    reserveBytes: setting(env, 'FENYONG_MIN_FREE_MB', 64) * 1024 * 1024,
    natsUrl: env.NATS_URL || undefined,
    nats: {
      stream: env.FENYONG_NATS_STREAM || 'FENYONG',
      subjectPrefix: env.FENYONG_NATS_SUBJECT || 'fenyong',
      durable: env.FENYONG_NATS_DURABLE || 'fenyong',
      ackWaitMs: setting(env, 'FENYONG_NATS_ACK_WAIT_SECONDS', 30, { min: 1 }) * 1000,
      replicas: setting(env, 'FENYONG_NATS_REPLICAS', 1, { min: 1, max: 5, integer: true }),
    },
    platformToken: token ?? `fyp_${randomBytes(18).toString('base64url')}`,
    platformTokenGenerated: token === undefined,
    maxAheadMs:
      env.FENYONG_MAX_AHEAD_DAYS?.trim().toLowerCase() === 'off'
        ? null
        : // (At least an hour: clocks of shops and servers differ by minutes.)
          setting(env, 'FENYONG_MAX_AHEAD_DAYS', 1, { min: 1 / 24 }) * 24 * 3600 * 1000,
    tickIntervalMs: setting(env, 'FENYONG_TICK_SECONDS', 30, { min: 0.01 }) * 1000,
    tickLagMs: setting(env, 'FENYONG_TICK_LAG_SECONDS', 300) * 1000,
    webhookIntervalMs: setting(env, 'FENYONG_WEBHOOK_SECONDS', 1, { min: 0.01 }) * 1000,
    // The demo tenant (and its printed admin key) is for trying fenyong on PGlite: on PostgreSQL,
    // a production database, it is seeded only when asked for.
    seedDemo: env.FENYONG_DEMO ? env.FENYONG_DEMO !== '0' : !env.DATABASE_URL,
    logRequests: env.FENYONG_LOG === '1',
    rateLimit: {
      max: setting(env, 'FENYONG_RATE_LIMIT', 6000, { integer: true }),
      windowMs: setting(env, 'FENYONG_RATE_LIMIT_WINDOW_SECONDS', 10, { min: 0.01 }) * 1000,
    },
    consoleDir: env.FENYONG_CONSOLE_DIR || CONSOLE_DIST,
  };
}

/**
 * A number from the environment, or its default when unset or empty. Anything else that is not a
 * number in range stops the server at start, naming the variable: NaN would run the scheduler in
 * a tight loop, or switch a limit off without a word.
 */
function setting(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  { min = 0, max = Number.MAX_SAFE_INTEGER, integer = false }: { min?: number; max?: number; integer?: boolean } = {},
): number {
  const text = env[name]?.trim();
  if (!text) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    const kind = integer ? 'a whole number' : 'a number';
    const range = max === Number.MAX_SAFE_INTEGER ? `of ${min} or more` : `from ${min} to ${max}`;
    throw new InputError(fail('invalid', `${name}=${text} is not ${kind} ${range} (unset, it is ${fallback})`));
  }
  return value;
}
