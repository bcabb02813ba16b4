import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { openDatabase } from '../../src/store/open.ts';
import type { Sql } from '../../src/store/sql.ts';

/** The PostgreSQL the tests use (trust auth); each database below is a fresh schema in it. */
export const POSTGRES_URL = process.env.FENYONG_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export type Backend = 'pglite' | 'postgres';

export interface TestDatabase {
  readonly sql: Sql;
  /** Another connection (pool) to the same database; on PGlite, the same single connection. */
  connect(): Promise<Sql>;
  close(): Promise<void>;
}

/** A fresh, migrated database: PGlite in memory, or a PostgreSQL schema of its own (dropped on close). */
export async function openTestDatabase(backend: Backend): Promise<TestDatabase> {
  if (backend === 'pglite') {
    const sql = await openDatabase({});
    return { sql, connect: async () => sql, close: () => sql.close() };
  }
  const schema = `fy_webhooks_${randomBytes(5).toString('hex')}`;
  await admin((client) => client.query(`create schema ${schema}`));
  const url = `${POSTGRES_URL}?options=-c%20search_path%3D${schema}`;
  const sql = await openDatabase({ databaseUrl: url });
  const others: Sql[] = [];
  return {
    sql,
    async connect() {
      const other = await openDatabase({ databaseUrl: url });
      others.push(other);
      return other;
    },
    async close() {
      for (const other of others) await other.close();
      await sql.close();
      await admin((client) => client.query(`drop schema ${schema} cascade`));
    },
  };
}

async function admin(work: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}
