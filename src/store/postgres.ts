import pg from 'pg';
import type { Sql } from './sql.ts';

/** PostgreSQL through a pg pool. */
export function postgresSql(connectionString: string, options: { max?: number } = {}): Sql {
  const pool = new pg.Pool({ connectionString, max: options.max ?? 10 });
  pool.on('error', () => {
    // An idle client lost its connection (e.g. PostgreSQL restarted); the pool replaces it.
  });
  const wrap = (client: pg.PoolClient): Sql => ({
    kind: 'postgres',
    query: async (text, params) => client.query(text, params as unknown[]) as never,
    transaction: async (work) => work(wrap(client)),
    close: async () => undefined,
  });
  return {
    kind: 'postgres',
    query: async (text, params) => pool.query(text, params as unknown[]) as never,
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const result = await work(wrap(client));
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
