import { expect } from 'vitest';
import type { Sql } from '../../../src/store/sql.ts';
import { engineOutcome, storedOutcome } from './outcome.ts';
import type { Http } from './server.ts';
import { runInMemory } from './workload.ts';

/** Number of events in a tenant's log. */
export async function loggedEvents(sql: Sql, tenant: string): Promise<number> {
  return Number(
    (await sql.query<{ n: string }>('select count(*)::text as n from events where tenant_id = $1', [tenant])).rows[0]!.n,
  );
}

/**
 * The proof of exactly-once: the tenant's log is the published events, each once and in order
 * (nothing rejected, nothing twice), the server's own check passes, and balances and awards equal
 * a clean in-memory run of the same events.
 */
export async function expectAppliedExactlyOnce(sql: Sql, http: Http, tenant: string, events: readonly unknown[]): Promise<void> {
  const log = (
    await sql.query<{ payload: unknown; event_key: string | null }>(
      'select payload, event_key from events where tenant_id = $1 order by seq',
      [tenant],
    )
  ).rows;
  expect(log.length).toBe(events.length);
  expect(log.map((row) => row.payload)).toEqual(events);
  const keys = log.map((row) => row.event_key).filter((key) => key !== null);
  expect(new Set(keys).size).toBe(keys.length);
  const rejected = (
    await sql.query<{ n: string }>('select count(*)::text as n from rejected_events where tenant_id = $1', [tenant])
  ).rows[0]!.n;
  expect(Number(rejected)).toBe(0);

  const verify = await http.ok<{ ok: boolean; checks: { name: string; ok: boolean; detail: string }[] }>('GET', '/v1/verify');
  expect(verify.checks.filter((c) => !c.ok)).toEqual([]);
  expect(verify.ok).toBe(true);

  const reference = runInMemory(events);
  expect(reference.rejected).toBe(0);
  const expected = engineOutcome(reference.engine);
  expect(await storedOutcome(sql, tenant, 2)).toEqual(expected);
  const api = await http.ok<{ balances: { member: string; pending: string; available: string }[] }>(
    'GET',
    '/v1/balances?limit=10000',
  );
  expect(api.balances.map((b) => `${b.member}|${b.pending}|${b.available}`).sort()).toEqual(expected.balances);
}
