import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsIngest } from '../../src/ingest/nats.ts';
import type { Rejection } from '../../src/ingest/nats-rejected.ts';
import { eventsSubject, rejectedSubject } from '../../src/ingest/nats-settings.ts';
import { MAX_BATCH, Service } from '../../src/service/service.ts';
import { createTenant } from '../../src/service/tenants.ts';
import { openDatabase } from '../../src/store/open.ts';
import type { Sql } from '../../src/store/sql.ts';
import { connectNats, publish, readSubject, uniqueSettings, waitConsumed, type TestNats } from './support/nats.ts';
import { createSchema, type TestSchema } from './support/postgres.ts';
import { WORKLOAD_PLAN, workload } from './support/workload.ts';

/** Bad messages are refused on the rejected subject and acked; they never block the messages after them. */
describe('NATS poison messages and failures', () => {
  const settings = uniqueSettings(30_000);
  let db: TestSchema;
  let sql: Sql;
  let service: Service;
  let ingest: NatsIngest;
  let nats: TestNats;
  const subject = () => eventsSubject(settings.subjectPrefix, 'shop');
  const logged = async () =>
    (await sql.query<{ payload: unknown }>("select payload from events where tenant_id = 'shop' order by seq")).rows.map(
      (r) => r.payload,
    );

  beforeAll(async () => {
    db = await createSchema('poison');
    sql = await openDatabase({ databaseUrl: db.url });
    service = new Service(sql);
    await createTenant(service, { id: 'shop', name: 'shop', timezone: 'Asia/Shanghai', currency: 'CNY', plan: WORKLOAD_PLAN });
    nats = await connectNats(settings);
    ingest = await NatsIngest.start(service, settings);
  });

  afterAll(async () => {
    await ingest?.stop();
    await nats?.close();
    await sql?.close();
    await db?.drop();
  });

  it('refuses malformed messages, unknown tenants and bad events, and goes on', async () => {
    const events = workload(40, 3, { ids: false });
    const bad = { type: 'order.completed', at: events[24]!.at, order: 'NOPE' }; // at the clock: moves no time
    const seqs = await publish(nats.js, subject(), [
      events.slice(0, 10),
      'not json {',
      42,
      [],
      new Array(MAX_BATCH + 1).fill(events[10]),
      ...events.slice(10, 20),
      [...events.slice(20, 25), bad, ...events.slice(25, 30)],
    ]);
    const [strangerSeq] = await publish(nats.js, eventsSubject(settings.subjectPrefix, 'nosuch'), [events[0]]);
    await waitConsumed(nats.jsm, settings, 20_000);

    expect(await logged()).toEqual(events.slice(0, 30));
    const rejected = (
      await readSubject<Rejection>(nats.jsm, settings.stream, rejectedSubject(settings.subjectPrefix, 'shop'))
    ).map((m) => m.body);
    expect(rejected.map((r) => ({ seq: r.seq, index: r.index, code: r.error.code }))).toEqual([
      { seq: seqs[1], index: undefined, code: 'invalid' },
      { seq: seqs[2], index: undefined, code: 'invalid' },
      { seq: seqs[4], index: undefined, code: 'invalid' },
      { seq: seqs[seqs.length - 1], index: 5, code: 'unknown_order' },
    ]);
    expect(rejected[0]!.error.message).toMatch(/not JSON/);
    expect(rejected[0]!.event).toBe('not json {');
    expect(rejected[2]!.error.message).toMatch(new RegExp(`at most ${MAX_BATCH} events`));
    expect(rejected[3]!.event).toEqual(bad);
    // The same code and message as over HTTP (the same engine): stored with the tenant's rejections.
    const stored = (
      await sql.query<{ code: string; message: string; source: string }>(
        "select code, message, source from rejected_events where tenant_id = 'shop'",
      )
    ).rows;
    expect(stored).toEqual([{ code: 'unknown_order', message: rejected[3]!.error.message, source: 'nats' }]);

    const stranger = await readSubject<Rejection>(nats.jsm, settings.stream, rejectedSubject(settings.subjectPrefix, 'nosuch'));
    expect(stranger.map((m) => ({ seq: m.body.seq, code: m.body.error.code, event: m.body.event }))).toEqual([
      { seq: strangerSeq, code: 'not_found', event: events[0] },
    ]);
    expect(stranger[0]!.body.error.message).toMatch(/tenant nosuch does not exist/);
  });

  it('gives a message back when its transaction fails, and applies it once, in order, on redelivery', async () => {
    const events = workload(40, 3, { ids: false });
    const original = service.ingest.bind(service);
    let failures = 0;
    service.ingest = async (...args: Parameters<Service['ingest']>) => {
      if (failures === 0 && args[2] === 'nats') {
        failures += 1;
        throw new Error('injected failure (as if PostgreSQL were unreachable)');
      }
      return original(...args);
    };
    try {
      await publish(
        nats.js,
        subject(),
        events.slice(30, 40).map((event) => [event]),
      );
      await waitConsumed(nats.jsm, settings, 20_000);
    } finally {
      service.ingest = original;
    }
    expect(failures).toBe(1);
    expect(ingest.counters.failed).toBeGreaterThan(0);
    expect(await logged()).toEqual(events.slice(0, 40));
  });

  it('does not apply again a message whose transaction committed but whose ack was lost', async () => {
    const events = workload(50, 3, { ids: false });
    const original = service.ingest.bind(service);
    let lost = 0;
    service.ingest = async (...args: Parameters<Service['ingest']>) => {
      const results = await original(...args);
      if (lost === 0 && args[2] === 'nats') {
        lost += 1;
        throw new Error('injected failure after the commit (as if the process died before acking)');
      }
      return results;
    };
    const before = ingest.counters;
    try {
      await publish(
        nats.js,
        subject(),
        events.slice(40, 50).map((event) => [event]),
      );
      await waitConsumed(nats.jsm, settings, 20_000);
    } finally {
      service.ingest = original;
    }
    expect(lost).toBe(1);
    // The redelivered messages were recognised by the stored offset and only acked.
    expect(ingest.counters.redelivered).toBeGreaterThan(before.redelivered);
    expect(await logged()).toEqual(events.slice(0, 50));
    const rejected = (await sql.query<{ code: string }>("select code from rejected_events where tenant_id = 'shop'")).rows;
    expect(rejected).toEqual([{ code: 'unknown_order' }]);
  });
});
