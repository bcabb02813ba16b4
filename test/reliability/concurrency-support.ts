import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.ts';
import { NatsIngest } from '../../src/ingest/nats.ts';
import type { NatsSettings } from '../../src/ingest/nats-settings.ts';
import { Service } from '../../src/service/service.ts';
import { openDatabase } from '../../src/store/open.ts';
import type { Sql } from '../../src/store/sql.ts';
import { PLATFORM_TOKEN } from '../nats/support/server.ts';

/**
 * One fenyong instance inside the test process: its own connection pool, Service (engines, queue)
 * and HTTP server on a loopback port, and optionally its own NATS consumer on the shared durable.
 * Two of them on one database schema are two instances as deployed, minus the process boundary.
 */
export interface Instance {
  readonly name: string;
  readonly service: Service;
  readonly sql: Sql;
  readonly app: FastifyInstance;
  readonly url: string;
  readonly nats: NatsIngest | null;
  close(): Promise<void>;
}

export interface InstanceOptions {
  /** `postgres://…` of the shared schema; PGlite in memory when absent (or `sql` to share one). */
  readonly databaseUrl?: string;
  /** An open database to share (PGlite has one connection: two Services over it). */
  readonly sql?: Sql;
  readonly nats?: NatsSettings;
}

/** Starts an instance; start them one after the other (migrations and stream setup are not raced). */
export async function startInstance(name: string, options: InstanceOptions = {}): Promise<Instance> {
  const owned = options.sql === undefined;
  const sql = options.sql ?? (await openDatabase(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}));
  const service = new Service(sql);
  await service.loadNotifying();
  const app = await buildApp({ service, platformToken: PLATFORM_TOKEN });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const nats = options.nats ? await NatsIngest.start(service, options.nats) : null;
  return {
    name,
    service,
    sql,
    app,
    url,
    nats,
    async close() {
      await nats?.stop();
      await app.close();
      if (owned) await sql.close();
    },
  };
}

/** Resolves all promises at the same moment: each waits for a shared start signal first. */
export async function atOnce<T>(tasks: readonly (() => Promise<T>)[]): Promise<T[]> {
  let go!: () => void;
  const start = new Promise<void>((resolve) => (go = resolve));
  const running = tasks.map(async (task) => {
    await start;
    return task();
  });
  go();
  return Promise.all(running);
}

/** A seeded Fisher–Yates shuffle (a copy). */
export function shuffled<T>(items: readonly T[], random: { int(min: number, max: number): number }): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

/** Ledger totals of a tenant per account (minor units as text): the fingerprint of "nothing doubled". */
export async function ledgerTotals(sql: Sql, tenant: string): Promise<Record<string, string>> {
  const rows = (
    await sql.query<{ account: string; total: string }>(
      'select account, sum(amount)::text as total from postings where tenant_id = $1 group by account order by account',
      [tenant],
    )
  ).rows;
  return Object.fromEntries(rows.map((row) => [row.account, row.total]));
}

/** Polls until `check` holds (or throws after `timeoutMs`). */
export async function eventually(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
