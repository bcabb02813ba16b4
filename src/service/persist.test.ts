import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type Backend, type TestDatabase } from '../../test/webhooks/databases.ts';
import type { AwardRecord } from '../engine/awards.ts';
import type { WithdrawalRecord } from '../engine/state.ts';
import { BatchRows } from './batch-rows.ts';
import { persistBatch } from './persist.ts';

/** A batch of `events` log entries whose effects notify webhooks (two outbox rows per entry). */
function batch(events: number): BatchRows {
  const rows = new BatchRows(2);
  const at = Date.UTC(2026, 2, 1);
  for (let seq = 1; seq <= events; seq++) {
    rows.events.push({
      seq,
      key: `order.paid:o${seq}`,
      type: 'order.paid',
      at: at + seq * 1000,
      payload: { type: 'order.paid', order: `o${seq}` },
      source: 'http',
    });
    rows.outbox.push({
      topic: 'award.created',
      payload: { to: `m${seq}`, order: `o${seq}`, amount: '1.00', note: 'tab\there, "quoted" \\ 名字' },
      eventSeq: seq,
    });
    rows.outbox.push({ topic: 'level.changed', payload: { member: `m${seq}`, from: 1, to: 2 }, eventSeq: seq });
  }
  return rows;
}

/** An award as the engine reports it (only what persisting reads). */
function award(to: string, order: string, amount: bigint, status: 'pending' | 'settled'): AwardRecord {
  return { to, order, rule: 'direct', amount, status, explanations: [], changes: [] };
}

/**
 * Three batches of award changes: payments (X, Y; Z made at zero, so it has no journal), then X
 * settled and Z adjusted (Z has no row if the first batch skipped it), then Z settled after it
 * was brought back to zero, which moves no money: its row keeps its position and journal.
 */
function awardBatches(): BatchRows[] {
  const first = new BatchRows(2);
  const x = award('m1', 'o1', 100n, 'pending');
  const y = award('m2', 'o1', 50n, 'pending');
  for (const [record, journal] of [
    [x, 10],
    [y, 11],
  ] as const) {
    first.awards.set(record, 1);
    first.awardsCreated.add(record);
    first.awardJournals.set(record, journal);
  }
  const second = new BatchRows(2);
  const xSettled = award('m1', 'o1', 100n, 'settled');
  const z = award('m3', 'o1', 30n, 'pending');
  second.awards.set(xSettled, 2);
  second.awardJournals.set(xSettled, 20);
  second.awards.set(z, 2); // changed, not created here: a row it never had is inserted
  second.awardJournals.set(z, 21);
  const third = new BatchRows(2);
  const zQuiet = award('m3', 'o1', 0n, 'settled');
  third.awards.set(zQuiet, 3);
  third.awardsQuiet.add(zQuiet);
  return [first, second, third];
}

describe.each<Backend>(['pglite', 'postgres'])('batch rows on %s', (backend) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(backend);
  });
  afterAll(async () => {
    await db.close();
  });

  const outboxOf = async (tenant: string) =>
    (
      await db.sql.query<{ topic: string; payload: unknown; event_seq: string }>(
        'select topic, payload, event_seq::text as event_seq from outbox where tenant_id = $1 order by id',
        [tenant],
      )
    ).rows;

  it('write outbox rows the same whether a batch uses COPY (large) or one statement (small)', async () => {
    await db.sql.transaction(async (tx) => {
      expect(await persistBatch(tx, 'large', batch(64), undefined)).toBe(false);
      expect(await persistBatch(tx, 'small', batch(64), { seq: 64, versions: 1 })).toBe(true);
    });
    const large = await outboxOf('large');
    expect(large).toHaveLength(128);
    expect(large).toEqual(await outboxOf('small'));
    expect(large[0]).toEqual({ topic: 'award.created', payload: batch(1).outbox[0]!.payload, event_seq: '1' });
  });

  const awardsOf = async (tenant: string) =>
    (
      await db.sql.query(
        `select award_key, amount::text as amount, status, updated_seq::text as seq, updated_journal::text as journal
         from awards where tenant_id = $1 order by award_key`,
        [tenant],
      )
    ).rows;

  it('keep each award row at the journal of its last change that moved money, inserted or updated, large or small', async () => {
    for (const [tenant, small] of [
      ['awards-large', false],
      ['awards-small', true],
    ] as const)
      for (const [index, rows] of awardBatches().entries())
        await db.sql.transaction((tx) =>
          persistBatch(tx, tenant, rows, small ? { seq: index + 1, versions: 1 } : undefined).then(() => undefined),
        );
    const large = await awardsOf('awards-large');
    expect(large).toEqual([
      { award_key: 'order:o1/m1/direct', amount: '100', status: 'settled', seq: '2', journal: '20' },
      { award_key: 'order:o1/m2/direct', amount: '50', status: 'pending', seq: '1', journal: '11' },
      { award_key: 'order:o1/m3/direct', amount: '0', status: 'settled', seq: '2', journal: '21' },
    ]);
    expect(await awardsOf('awards-small')).toEqual(large);
  });

  it('give a withdrawal requested and decided in one batch the position of its request', async () => {
    const rows = new BatchRows(2);
    const at = Date.UTC(2026, 2, 1);
    const record: WithdrawalRecord = {
      id: 'w1',
      fingerprint: 'f',
      member: 'm1',
      at,
      amount: 1000n,
      tax: 0n,
      net: 1000n,
      month: '2026-03',
      day: '2026-03-01',
      status: 'requested',
      history: [{ status: 'requested', at }],
    };
    rows.withdrawals.push({ record, eventSeq: 5 });
    record.status = 'approved';
    record.history.push({ status: 'approved', at: at + 1000 });
    rows.withdrawals.push({ record, eventSeq: 6 });
    await db.sql.transaction((tx) => persistBatch(tx, 'withdrawn-at-once', rows));
    const row = (
      await db.sql.query<{ event_seq: string; status: string }>(
        `select event_seq::text as event_seq, status from withdrawals where tenant_id = 'withdrawn-at-once'`,
      )
    ).rows;
    expect(row).toEqual([{ event_seq: '5', status: 'approved' }]);
  });
});
