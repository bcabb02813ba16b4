import { migrate } from './migrate.ts';
import { pgliteSql } from './pglite.ts';
import { postgresSql } from './postgres.ts';
import type { Sql } from './sql.ts';

/**
 * Opens PostgreSQL when `databaseUrl` is given, else PGlite in `dataDir` (memory when absent),
 * refusing writes while that folder's disk has less than `reserveBytes` free (disk-guard.ts).
 */
export async function openDatabase(options: { databaseUrl?: string; dataDir?: string; reserveBytes?: number }): Promise<Sql> {
  const sql = options.databaseUrl
    ? postgresSql(options.databaseUrl)
    : await pgliteSql(options.dataDir, options.reserveBytes === undefined ? {} : { reserveBytes: options.reserveBytes });
  await migrate(sql);
  return sql;
}
