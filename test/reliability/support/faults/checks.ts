import { expect } from 'vitest';
import { postgresSql } from '../../../../src/store/postgres.ts';
import type { Sql } from '../../../../src/store/sql.ts';
import { expectAppliedExactlyOnce } from '../../../nats/support/checks.ts';
import { engineOutcome, storedOutcome } from '../../../nats/support/outcome.ts';
import type { Http } from '../../../nats/support/server.ts';
import { runInMemory } from '../../../nats/support/workload.ts';
import { fenyongVerify } from './fenyong.ts';

/** Whether fault tests run: `npm run test:faults` (vitest.faults.config.ts) sets FENYONG_FAULTS=1. */
export const FAULTS = process.env.FENYONG_FAULTS === '1';

/**
 * The proof after a fault, for each tenant: its log is exactly its accepted events, once each and
 * in order, awards and balances equal a clean in-memory replay of them, GET /v1/verify is clean
 * (test/nats/support/checks.ts); and then `fenyong verify`, as an operator runs it, exits 0.
 */
export async function expectRecovered(
  databaseUrl: string,
  tenants: readonly { tenant: string; http: Http; events: readonly unknown[] }[],
): Promise<string> {
  const sql: Sql = postgresSql(databaseUrl, { max: 2 });
  try {
    for (const { tenant, http, events } of tenants) await expectAppliedExactlyOnce(sql, http, tenant, events);
  } finally {
    await sql.close();
  }
  return expectVerifyClean({ DATABASE_URL: databaseUrl });
}

/** Runs `fenyong verify` over a database and expects exit code 0; answers its report. */
export async function expectVerifyClean(env: Record<string, string>): Promise<string> {
  const { code, report } = await fenyongVerify(env);
  expect(report).not.toContain('FAIL');
  expect(code, report).toBe(0);
  return report;
}

/** Polls until `condition` holds, or throws after `timeoutMs`. */
export async function until(condition: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Number of events in a tenant's log, or null while the database cannot answer. */
export async function loggedCount(sql: Sql, tenant: string): Promise<number | null> {
  try {
    return Number(
      (await sql.query<{ n: string }>('select count(*)::text as n from events where tenant_id = $1', [tenant])).rows[0]!.n,
    );
  } catch {
    return null;
  }
}

/**
 * The database side of the proof, for a database no server holds open (a PGlite folder): the log
 * is exactly `events`, in order, and awards and balances equal a clean in-memory replay of them.
 */
export async function expectStoredEquals(sql: Sql, tenant: string, events: readonly unknown[]): Promise<void> {
  const log = (await sql.query<{ payload: unknown }>('select payload from events where tenant_id = $1 order by seq', [tenant]))
    .rows;
  expect(log.length).toBe(events.length);
  expect(log.map((row) => row.payload)).toEqual(events);
  const reference = runInMemory(events);
  expect(reference.rejected).toBe(0);
  expect(await storedOutcome(sql, tenant, 2)).toEqual(engineOutcome(reference.engine));
}
