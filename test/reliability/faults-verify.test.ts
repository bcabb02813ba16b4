import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/load.ts';
import { Service } from '../../src/service/service.ts';
import { createTenant } from '../../src/service/tenants.ts';
import { verifyTenant } from '../../src/service/verify.ts';
import { openDatabase } from '../../src/store/open.ts';
import type { Sql } from '../../src/store/sql.ts';
import { workload, WORKLOAD_PLAN } from '../nats/support/workload.ts';

/**
 * `fenyong verify` is what every fault test trusts at the end: here it is shown to catch what a
 * fault could leave behind, each damage done by hand to an otherwise clean database, including
 * damage the ledger's own sums cannot see (a balanced journal applied twice, with its balances).
 * Short: runs in `npm test` as well as in `npm run test:faults`.
 */
const SCENARIO = join(import.meta.dirname, '..', '..', 'conformance', 'public', '07-withdrawal-tax.yaml');

let sql: Sql;
let service: Service;

beforeAll(async () => {
  sql = await openDatabase({});
  service = new Service(sql);
  // A tenant with a starting network, orders, settlements and withdrawals with tax…
  const scenario = loadScenario(SCENARIO);
  await createTenant(service, {
    id: 'w',
    name: 'w',
    timezone: scenario.timezone,
    currency: scenario.currency,
    plan: scenario.plan,
  });
  await service.importNetwork('w', scenario.members ?? [], 'test');
  await service.ingest('w', scenario.events, 'test');
  // …and one with a network that moves, levels, refunds.
  await createTenant(service, { id: 'o', name: 'o', timezone: 'Asia/Shanghai', currency: 'CNY', plan: WORKLOAD_PLAN });
  await service.ingest('o', workload(600, 7, { ids: false }), 'test');
});

afterAll(async () => {
  await service.close();
  await sql.close();
});

class RolledBack extends Error {}

/**
 * Damages the database in a transaction, answers the names of the checks that then fail, and
 * rolls the damage back (every case starts from the same clean tenants).
 */
async function failingAfter(tenant: string, damage: (tx: Sql) => Promise<void>): Promise<string[]> {
  let failed: string[] = [];
  await sql
    .transaction(async (tx) => {
      await damage(tx);
      failed = (await verifyTenant(new Service(tx), tenant)).checks.filter((c) => !c.ok).map((c) => c.name);
      throw new RolledBack();
    })
    .catch((error: unknown) => {
      if (!(error instanceof RolledBack)) throw error;
    });
  return failed;
}

/** The log entry whose postings are the most numerous (an order with its chain of awards). */
async function busiestEntry(sql: Sql, tenant: string): Promise<number> {
  const rows = (
    await sql.query<{ seq: string }>(
      'select event_seq::text as seq from postings where tenant_id = $1 group by event_seq order by count(*) desc, event_seq limit 1',
      [tenant],
    )
  ).rows;
  return Number(rows[0]!.seq);
}

describe('fenyong verify', () => {
  it('passes clean tenants, with every check named', async () => {
    for (const tenant of ['w', 'o']) {
      const report = await verifyTenant(service, tenant);
      expect(report.checks.map((c) => c.name)).toEqual([
        'journals balance',
        'balances equal postings',
        'the log is gapless',
        'postings equal a clean replay',
        'balances equal a clean replay',
        'awards equal a clean replay',
        'withdrawals equal a clean replay',
      ]);
      expect(report.checks.filter((c) => !c.ok)).toEqual([]);
      expect(report.ok).toBe(true);
    }
  });

  it('finds an event whose postings were written twice, even with balanced journals and balances to match', async () => {
    const failed = await failingAfter('o', async (tx) => {
      const seq = await busiestEntry(tx, 'o');
      await tx.query(
        `insert into postings (tenant_id, journal, line, event_seq, at, kind, account, member, amount, order_id, period, rule, refund_id, withdrawal_id, adjustment_id)
         select tenant_id, journal + 1000000, line, event_seq, at, kind, account, member, amount, order_id, period, rule, refund_id, withdrawal_id, adjustment_id
           from postings where tenant_id = 'o' and event_seq = $1`,
        [seq],
      );
      await tx.query(
        `update balances b set pending = b.pending + d.pending, available = b.available + d.available
           from (select member, coalesce(sum(amount) filter (where account = 'pending'), 0) as pending, coalesce(sum(amount) filter (where account = 'available'), 0) as available
                   from postings where tenant_id = 'o' and event_seq = $1 and journal > 1000000 and member is not null group by member) d
          where b.tenant_id = 'o' and b.member = d.member`,
        [seq],
      );
    });
    expect(failed).not.toContain('journals balance');
    expect(failed).not.toContain('balances equal postings');
    expect(failed).toEqual(expect.arrayContaining(['postings equal a clean replay', 'balances equal a clean replay']));
  });

  it('finds a posting moved to another member, balances moved along', async () => {
    const failed = await failingAfter('o', async (tx) => {
      const row = (
        await tx.query<{ journal: string; line: number; member: string; amount: string }>(
          "select journal::text as journal, line, member, amount::text as amount from postings where tenant_id = 'o' and account = 'pending' and member is not null limit 1",
        )
      ).rows[0]!;
      const other = (
        await tx.query<{ member: string }>("select member from balances where tenant_id = 'o' and member <> $1 limit 1", [
          row.member,
        ])
      ).rows[0]!.member;
      await tx.query("update postings set member = $3 where tenant_id = 'o' and journal = $1 and line = $2", [
        row.journal,
        row.line,
        other,
      ]);
      await tx.query("update balances set pending = pending - $2::bigint where tenant_id = 'o' and member = $1", [
        row.member,
        row.amount,
      ]);
      await tx.query("update balances set pending = pending + $2::bigint where tenant_id = 'o' and member = $1", [
        other,
        row.amount,
      ]);
    });
    expect(failed).toEqual(['postings equal a clean replay', 'balances equal a clean replay']);
  });

  it('finds an entry missing from the log, also when the rest no longer replays (reported, not thrown)', async () => {
    // The last entry: nothing after it to trip over, only the gap in the log tells.
    const last = await failingAfter('o', (tx) =>
      tx
        .query("delete from events where tenant_id = 'o' and seq = (select max(seq) from events where tenant_id = 'o')")
        .then(() => undefined),
    );
    expect(last).toContain('the log is gapless');
    // The last entry that posted something: its postings are left without an event.
    const posted = await failingAfter('o', (tx) =>
      tx
        .query("delete from events where tenant_id = 'o' and seq = (select max(event_seq) from postings where tenant_id = 'o')")
        .then(() => undefined),
    );
    expect(posted).toContain('the log is gapless');
    expect(posted.some((name) => name === 'the log replays' || name === 'postings equal a clean replay')).toBe(true);
    const early = await failingAfter('o', (tx) =>
      tx.query("delete from events where tenant_id = 'o' and seq = 5").then(() => undefined),
    );
    expect(early).toContain('the log is gapless');
    expect(early.some((name) => name === 'the log replays' || name === 'postings equal a clean replay')).toBe(true);
  });

  it('finds an award and a withdrawal whose rows drifted from the ledger', async () => {
    const award = await failingAfter('o', (tx) =>
      tx
        .query(
          "update awards set status = case when status = 'pending' then 'settled' else 'pending' end where tenant_id = 'o' and award_key = (select min(award_key) from awards where tenant_id = 'o')",
        )
        .then(() => undefined),
    );
    expect(award).toEqual(['awards equal a clean replay']);
    const withdrawal = await failingAfter('w', (tx) =>
      tx.query("update withdrawals set status = 'paid' where tenant_id = 'w' and id = 'W1'").then(() => undefined),
    );
    expect(withdrawal).toEqual(['withdrawals equal a clean replay']);
  });
});
