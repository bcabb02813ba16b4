import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase } from '../../src/store/open.ts';
import type { Sql } from '../../src/store/sql.ts';

export type Backend = 'pglite' | 'postgres';

/** The PostgreSQL server the tests use (trust auth); override with TEST_DATABASE_URL. */
export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  readonly sql: Sql;
  readonly backend: Backend;
  /** The schema holding this database's tables (PostgreSQL only). */
  readonly schema: string | null;
  /** Closes the connection and, on PostgreSQL, drops the schema. */
  close(): Promise<void>;
}

/**
 * A fresh, migrated database: PGlite in memory, or a new schema of the PostgreSQL test database
 * reached through `search_path`, so that test files never see each other's rows.
 */
export async function openTestDatabase(backend: Backend): Promise<TestDatabase> {
  if (backend === 'pglite') {
    const sql = await openDatabase({});
    return { sql, backend, schema: null, close: () => sql.close() };
  }
  const schema = `fy_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`create schema ${schema}`);
  const url = new URL(POSTGRES_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  let sql: Sql;
  try {
    sql = await openDatabase({ databaseUrl: url.toString() });
  } catch (error) {
    await adminQuery(`drop schema if exists ${schema} cascade`);
    throw error;
  }
  return {
    sql,
    backend,
    schema,
    async close() {
      await sql.close();
      await adminQuery(`drop schema if exists ${schema} cascade`);
    },
  };
}

async function adminQuery(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}
