import { migrate } from './migrate.ts';
import { pgliteSql } from './pglite.ts';
import { postgresSql } from './postgres.ts';
import type { Sql } from './sql.ts';

/** Opens PostgreSQL when `databaseUrl` is given, else PGlite in `dataDir` (memory when absent). */
export async function openDatabase(options: { databaseUrl?: string; dataDir?: string }): Promise<Sql> {
  const sql = options.databaseUrl ? postgresSql(options.databaseUrl) : await pgliteSql(options.dataDir);
  await migrate(sql);
  return sql;
}
