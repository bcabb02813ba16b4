import { mkdirSync } from 'node:fs';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { emptyCopy, type CopyInput } from './copy-text.ts';
import { lockFolder } from './folder-lock.ts';
import { DEFAULT_RESERVE_BYTES, diskGuard, readsOnly } from './disk-guard.ts';
import { lockLiteral, type Sql } from './sql.ts';

/**
 * Embedded PostgreSQL (WASM) in a local folder, or in memory when `dataDir` is undefined. In a
 * folder, writes are refused (StorageFull) while the disk has less than `reserveBytes` free.
 */
export async function pgliteSql(dataDir?: string, options: { reserveBytes?: number } = {}): Promise<Sql> {
  // PGlite makes its own folder but not the ones above it (`.data/` on a fresh clone).
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const release = dataDir ? lockFolder(dataDir) : () => undefined;
  let db: PGlite;
  try {
    db = dataDir ? await PGlite.create(dataDir) : await PGlite.create();
  } catch (error) {
    release();
    throw error;
  }
  const roomToWrite = diskGuard(dataDir ?? '', dataDir ? (options.reserveBytes ?? DEFAULT_RESERVE_BYTES) : 0);
  const copy = (target: PGlite | Transaction) => async (table: string, columns: readonly string[], data: CopyInput) => {
    if (emptyCopy(data)) return;
    // PGlite reads COPY data from a blob given with the query.
    const blob = new Blob(typeof data === 'string' ? [data] : [...data]);
    await target.query(`copy ${identifier(table)} (${columns.map(identifier).join(', ')}) from '/dev/blob'`, [], { blob });
  };
  const wrap = (tx: Transaction): Sql => ({
    kind: 'pglite',
    query: async (text, params) => tx.query(text, params as unknown[]) as never,
    transaction: async (work, options) => {
      const firstRead = options?.firstRead;
      return work(wrap(tx), firstRead ? (await tx.query<Record<string, unknown>>(firstRead)).rows : []);
    },
    copy: copy(tx),
    listen: () => Promise.reject(new Error('listen on the database, not inside a transaction')),
    close: async () => undefined,
  });
  return {
    kind: 'pglite',
    query: async (text, params) => {
      if (!readsOnly(text)) await roomToWrite();
      return db.query(text, params as unknown[]) as never;
    },
    transaction: async (work, options) => {
      await roomToWrite();
      return db.transaction(async (tx) => {
        if (options?.lock) await tx.query(`select pg_advisory_xact_lock(${lockLiteral(options.lock)})`);
        const firstRead = options?.firstRead;
        const first = firstRead ? (await tx.query<Record<string, unknown>>(firstRead)).rows : [];
        return work(wrap(tx), first);
      });
    },
    copy: async (table, columns, data) => {
      await roomToWrite();
      return copy(db)(table, columns, data);
    },
    async listen(channel, onMessage) {
      const unsubscribe = await db.listen(identifier(channel), onMessage);
      return { close: () => unsubscribe() };
    },
    close: async () => {
      try {
        await db.close();
      } finally {
        release();
      }
    },
  };
}

/** Table, column and channel names are ours (lowercase words); anything else is refused. */
function identifier(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain identifier: ${name}`);
  return name;
}
