import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Service, StreamOverlap } from '../../src/service/service.ts';
import { createTenant } from '../../src/service/tenants.ts';
import { openDatabase } from '../../src/store/open.ts';
import type { Sql } from '../../src/store/sql.ts';
import { createSchema, type TestSchema } from './support/postgres.ts';
import { WORKLOAD_PLAN, workload } from './support/workload.ts';

/** The exactly-once hook of Service.ingest: a stream position stored with the batch it delivered. */
describe('Service.ingest with a stream position', () => {
  let db: TestSchema;
  let sql: Sql;
  let service: Service;
  const events = workload(12, 4, { ids: false });
  const count = async () =>
    Number((await sql.query<{ n: string }>("select count(*)::text as n from events where tenant_id = 'pos'")).rows[0]!.n);

  beforeAll(async () => {
    db = await createSchema('position');
    sql = await openDatabase({ databaseUrl: db.url });
    service = new Service(sql);
    await createTenant(service, { id: 'pos', name: 'pos', timezone: 'Asia/Shanghai', currency: 'CNY', plan: WORKLOAD_PLAN });
  });

  afterAll(async () => {
    await sql?.close();
    await db?.drop();
  });

  it('answers duplicate for a consumed position and refuses a batch overlapping it', async () => {
    const applied = await service.ingest('pos', events.slice(0, 4), 'nats', { stream: 'S', seq: 5, first: 2 });
    expect(applied.map((r) => r.status)).toEqual(['accepted', 'accepted', 'accepted', 'accepted']);
    // The same messages again (a redelivery): nothing applied, whatever the events are.
    expect((await service.ingest('pos', events.slice(0, 4), 'nats', { stream: 'S', seq: 5 })).map((r) => r.status)).toEqual([
      'duplicate',
      'duplicate',
      'duplicate',
      'duplicate',
    ]);
    // Messages 4..7 of which 4 and 5 were consumed: refused whole, never half applied twice.
    await expect(service.ingest('pos', events.slice(2, 8), 'nats', { stream: 'S', seq: 7, first: 4 })).rejects.toBeInstanceOf(
      StreamOverlap,
    );
    expect(await count()).toBe(4);
    // Another stream has its own offset.
    expect((await service.ingest('pos', events.slice(4, 6), 'nats', { stream: 'T', seq: 1 })).map((r) => r.status)).toEqual([
      'accepted',
      'accepted',
    ]);
    expect(
      (await service.ingest('pos', events.slice(6, 8), 'nats', { stream: 'S', seq: 9, first: 6 })).map((r) => r.status),
    ).toEqual(['accepted', 'accepted']);
    expect(await count()).toBe(8);
    const offsets = (
      await sql.query<{ stream: string; seq: string }>(
        "select stream, seq::text as seq from stream_offsets where tenant_id = 'pos' order by stream",
      )
    ).rows;
    expect(offsets).toEqual([
      { stream: 'S', seq: '9' },
      { stream: 'T', seq: '1' },
    ]);
  });
});
