import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { Sql } from './sql.ts';

/** Embedded PostgreSQL (WASM) in a local folder, or in memory when `dataDir` is undefined. */
export async function pgliteSql(dataDir?: string): Promise<Sql> {
  const db = dataDir ? await PGlite.create(dataDir) : await PGlite.create();
  const wrap = (tx: Transaction): Sql => ({
    kind: 'pglite',
    query: async (text, params) => tx.query(text, params as unknown[]) as never,
    transaction: async (work) => work(wrap(tx)),
    close: async () => undefined,
  });
  return {
    kind: 'pglite',
    query: async (text, params) => db.query(text, params as unknown[]) as never,
    transaction: (work) => db.transaction((tx) => work(wrap(tx))),
    close: () => db.close(),
  };
}
