import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { postgresSql } from '../../../src/store/postgres.ts';
import type { Sql } from '../../../src/store/sql.ts';

/** The PostgreSQL server the tests use (trust auth); override with TEST_DATABASE_URL. */
export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface TestSchema {
  readonly schema: string;
  /** DATABASE_URL reaching the schema (through search_path). */
  readonly url: string;
  /** A connection pool on the schema, for the test's own reads. */
  readonly sql: Sql;
  /** Closes the pool and drops the schema. */
  drop(): Promise<void>;
}

/** A new, empty schema of the test database (the server migrates it on start). */
export async function createSchema(label: string): Promise<TestSchema> {
  const schema = `fy_nats_${label}_${randomBytes(4).toString('hex')}`;
  await admin(`create schema ${schema}`);
  const url = new URL(POSTGRES_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const sql = postgresSql(url.toString(), { max: 4 });
  return {
    schema,
    url: url.toString(),
    sql,
    async drop() {
      await sql.close();
      await admin(`drop schema if exists ${schema} cascade`);
    },
  };
}

async function admin(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}
