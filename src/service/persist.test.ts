import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type Backend, type TestDatabase } from '../../test/webhooks/databases.ts';
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

describe.each<Backend>(['pglite', 'postgres'])('outbox rows on %s', (backend) => {
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

  it('are the same whether a batch writes them with COPY (large) or one statement (small)', async () => {
    await db.sql.transaction(async (tx) => {
      expect(await persistBatch(tx, 'large', batch(64), undefined)).toBe(false);
      expect(await persistBatch(tx, 'small', batch(64), { seq: 64, versions: 1 })).toBe(true);
    });
    const large = await outboxOf('large');
    expect(large).toHaveLength(128);
    expect(large).toEqual(await outboxOf('small'));
    expect(large[0]).toEqual({ topic: 'award.created', payload: batch(1).outbox[0]!.payload, event_seq: '1' });
  });
});
