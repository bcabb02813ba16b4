import { writeFileSync } from 'node:fs';
import { fail, InputError } from '../domain/errors.ts';
import { configFromEnv } from '../server/config.ts';
import { Service, UnknownTenant } from '../service/service.ts';
import { openDatabase } from '../store/open.ts';
import type { Sql } from '../store/sql.ts';

/** Runs `work` with a Service over DATABASE_URL, or the PGlite data dir (FENYONG_DATA_DIR). */
export async function withService<T>(work: (service: Service) => Promise<T>): Promise<T> {
  const config = configFromEnv();
  const sql = await openDatabase(config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir });
  try {
    return await work(new Service(sql));
  } catch (error) {
    if (error instanceof UnknownTenant) throw new InputError(fail('invalid', error.message, ['tenant']));
    throw error;
  } finally {
    await sql.close();
  }
}

/**
 * Refuses a tenant id the database does not hold (UnknownTenant: one line, exit 2), before a
 * command reads nothing for it and reports that as if all were well.
 */
export async function requireTenant(sql: Sql, tenant: string): Promise<void> {
  const found = await sql.query('select 1 from tenants where id = $1', [tenant]);
  if (found.rows.length === 0) throw new UnknownTenant(tenant);
}

/** Writes a command's output to `out`, or to standard output when none is given. */
export function writeOutput(body: string | Buffer, out: string | undefined): void {
  if (out) writeFileSync(out, body);
  else process.stdout.write(body);
}
