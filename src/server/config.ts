import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

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
    port: Number(env.PORT ?? 3000),
    host: env.HOST ?? '127.0.0.1',
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: env.FENYONG_DATA_DIR ?? join(process.cwd(), '.data', 'pglite'),
    reserveBytes: Number(env.FENYONG_MIN_FREE_MB ?? 64) * 1024 * 1024,
    natsUrl: env.NATS_URL || undefined,
    nats: {
      stream: env.FENYONG_NATS_STREAM || 'FENYONG',
      subjectPrefix: env.FENYONG_NATS_SUBJECT || 'fenyong',
      durable: env.FENYONG_NATS_DURABLE || 'fenyong',
      ackWaitMs: Number(env.FENYONG_NATS_ACK_WAIT_SECONDS || 30) * 1000,
      replicas: Number(env.FENYONG_NATS_REPLICAS || 1),
    },
    platformToken: token ?? `fyp_${randomBytes(18).toString('base64url')}`,
    platformTokenGenerated: token === undefined,
    tickIntervalMs: Number(env.FENYONG_TICK_SECONDS ?? 30) * 1000,
    tickLagMs: Number(env.FENYONG_TICK_LAG_SECONDS ?? 300) * 1000,
    webhookIntervalMs: Number(env.FENYONG_WEBHOOK_SECONDS ?? 1) * 1000,
    seedDemo: env.FENYONG_DEMO !== '0',
    logRequests: env.FENYONG_LOG === '1',
    rateLimit: {
      max: Number(env.FENYONG_RATE_LIMIT ?? 6000),
      windowMs: Number(env.FENYONG_RATE_LIMIT_WINDOW_SECONDS ?? 10) * 1000,
    },
    consoleDir: env.FENYONG_CONSOLE_DIR || CONSOLE_DIST,
  };
}
