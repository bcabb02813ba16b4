import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.ts';
import { Service } from '../../src/service/service.ts';
import { createTenant, PLATFORM_TOKEN, ApiClient, startApp, type Json, type TestApp } from '../support/app.ts';
import type { Backend } from '../support/db.ts';

/**
 * The ways events reach the log besides a plain batch: concurrent requests applied together
 * (group commit), history in bulk (pipelined chunks), values PostgreSQL's COPY must escape, and
 * estimates answered from memory while another instance writes. On PGlite and on PostgreSQL.
 */

const plan = {
  freezeDays: 7,
  templates: [{ id: 'direct', template: 'multi-level', params: { rates: ['10%', '5%'], base: 'paid' } }],
};
const members = [
  { id: 'L1', role: 'leader' },
  { id: 'L2', role: 'leader', parent: 'L1' },
  { id: 'L3', role: 'leader', parent: 'L1' },
  ...Array.from({ length: 20 }, (_, i) => ({ id: `C${i}`, role: 'customer', parent: i % 2 === 0 ? 'L2' : 'L3' })),
];
const at = (minute: number) => new Date(Date.parse('2026-03-01T00:00:00Z') + minute * 60_000).toISOString();
const paid = (order: string, buyer: string, minute: number, amount = '100.00') => ({
  type: 'order.paid',
  at: at(minute),
  order,
  buyer,
  lines: [{ line: 1, sku: 'tea', qty: 1, paid: amount }],
});

async function verified(admin: ApiClient): Promise<void> {
  const report = await admin.ok<{ ok: boolean; checks: { ok: boolean }[] }>(admin.get('/v1/verify'));
  expect(report.checks.filter((check) => !check.ok)).toEqual([]);
}

const loggedPayloads = async (test: TestApp, tenant: string) =>
  (
    await test.sql.query<{ payload: Json }>('select payload from events where tenant_id = $1 and type = $2 order by seq', [
      tenant,
      'order.paid',
    ])
  ).rows.map((row) => row.payload);

describe.each<Backend>(['pglite', 'postgres'])('ingestion paths on %s', (backend) => {
  let test: TestApp;
  beforeAll(async () => {
    test = await startApp(backend);
  });
  afterAll(async () => {
    await test?.close();
  });

  async function tenant(id: string) {
    const handle = await createTenant(test, { id, plan });
    await handle.admin.ok(handle.admin.post('/v1/network/import', { members }));
    return handle;
  }

  it('answers concurrent single events each with its own result, applied in arrival order; a rejected one changes nothing', async () => {
    const { tenant: id, admin } = await tenant('group-commit');
    const first = paid('G0', 'C0', 1);
    await admin.ok(admin.post('/v1/events', first));
    const sent = [
      ...Array.from({ length: 12 }, (_, i) => paid(`G${i + 1}`, `C${i % 20}`, 2 + i)),
      { type: 'order.refunded', at: at(20), order: 'NOPE', refund: 'R1', lines: [{ line: 1, qty: 1, amount: '1.00' }] },
      first,
      paid('G0', 'C0', 21, '5.00'),
      paid('G13', 'C3', 22),
    ];
    const replies = await Promise.all(sent.map((event) => admin.ok<{ results: Json[] }>(admin.post('/v1/events', event))));
    const statuses = replies.map((reply) =>
      reply.results[0].status === 'rejected' ? `rejected ${reply.results[0].error.code}` : reply.results[0].status,
    );
    expect(statuses).toEqual([
      ...Array(12).fill('accepted'),
      'rejected unknown_order',
      'duplicate',
      'rejected conflict',
      'accepted',
    ]);
    const seqs = replies.filter((reply) => reply.results[0].status === 'accepted').map((reply) => reply.results[0].seq as number);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(await loggedPayloads(test, id)).toEqual([first, ...sent.slice(0, 12), sent[15]]);
    await verified(admin);
  });

  it('keeps apart awards whose ids differ only in where a / falls', async () => {
    const { admin } = await tenant('slashes');
    await admin.ok(
      admin.post('/v1/network/import', {
        members: [
          { id: 'B/C', role: 'leader' },
          { id: 'C', role: 'leader' },
          { id: 'buyer-of-B/C', role: 'customer', parent: 'B/C' },
          { id: 'buyer-of-C', role: 'customer', parent: 'C' },
        ],
      }),
    );
    // Unescaped, both awards were `order:A/B/C/direct`.
    const reply = await admin.ok<{ results: Json[] }>(
      admin.post('/v1/events', { events: [paid('A', 'buyer-of-B/C', 1), paid('A/B', 'buyer-of-C', 2)] }),
    );
    expect(reply.results.map((r) => r.status)).toEqual(['accepted', 'accepted']);
    const awards = await admin.ok<{ awards: Json[] }>(admin.get('/v1/awards', { rule: 'direct', limit: 5000 }));
    expect(awards.awards.map((a) => `${a.order} ${a.to} ${a.amount}`).filter((a) => a.startsWith('A'))).toEqual([
      'A B/C 10.00',
      'A/B C 10.00',
    ]);
    await verified(admin);
  });

  it('writes text with tabs, newlines and backslashes exactly as sent', async () => {
    const { admin } = await tenant('copy-escapes');
    const order = 'O\t1\\n\nx\r\\';
    const reply = await admin.ok<{ results: Json[] }>(
      admin.post('/v1/events', { events: [paid(order, 'C1', 1), { type: 'order.completed', at: at(2), order }] }),
    );
    expect(reply.results.map((r) => r.status)).toEqual(['accepted', 'accepted']);
    const awards = await admin.ok<{ awards: Json[] }>(admin.get('/v1/awards', { order }));
    expect(awards.awards.map((a) => `${a.to} ${a.order} ${a.amount}`).sort()).toEqual([`L1 ${order} 5.00`, `L3 ${order} 10.00`]);
    const events = await admin.ok<{ events: Json[] }>(admin.get('/v1/events', { order }));
    expect(events.events.map((e) => e.payload.order)).toEqual([order, order]);
    await verified(admin);
  });

  it('applies history in bulk, chunk after chunk, like the same events in batches; sent again, all duplicate', async () => {
    const bulk = await tenant('bulk');
    const batched = await tenant('bulk-batched');
    const events: Json[] = [];
    for (let n = 0; n < 6000; n++) {
      events.push(paid(`B${n}`, `C${n % 20}`, 2 * n));
      // Refunds of orders paid ~130 events earlier: some in the chunk after their order's (on
      // PostgreSQL that chunk's transaction opens while the one before still commits).
      if (n >= 100 && n % 7 === 0) {
        const order = `B${n - 100}`;
        events.push({
          type: 'order.refunded',
          at: at(2 * n),
          order,
          refund: `R${order}`,
          lines: [{ line: 1, qty: 1, amount: '40.00' }],
        });
      }
      if (n % 3 === 0) events.push({ type: 'order.completed', at: at(2 * n + 1), order: `B${n}` });
    }
    // A move with an explicit id in the first chunk, and the very same again in the next one
    // (while the first may still be being written).
    const move = { type: 'member.moved', id: 'move-1', at: at(1), member: 'L3', parent: 'L2' };
    events.splice(1, 0, move);
    events.splice(3000, 0, { ...move });
    events.push({
      type: 'order.refunded',
      at: at(20_000),
      order: 'NOPE',
      refund: 'R9',
      lines: [{ line: 1, qty: 1, amount: '1.00' }],
    });
    const reply = await bulk.admin.ok<{ accepted: number; duplicate: number; rejected: Json[] }>(
      bulk.admin.post('/v1/backfill/events', { events }),
    );
    expect(reply).toEqual({
      accepted: events.length - 2,
      duplicate: 1,
      rejected: [{ index: events.length - 1, error: expect.objectContaining({ code: 'unknown_order' }) }],
    });
    for (let i = 0; i < events.length; i += 1000)
      await batched.admin.ok(batched.admin.post('/v1/events', { events: events.slice(i, i + 1000) }));
    const awards = async (admin: ApiClient) =>
      (await admin.ok<{ awards: Json[] }>(admin.get('/v1/awards', { includeZero: true, limit: 5000 }))).awards;
    expect(await awards(bulk.admin)).toEqual(await awards(batched.admin));
    await verified(bulk.admin);
    const again = await bulk.admin.ok<{ accepted: number; duplicate: number; rejected: Json[] }>(
      bulk.admin.post('/v1/backfill/events', { events: events.slice(0, -1) }),
    );
    expect(again).toEqual({ accepted: 0, duplicate: events.length - 1, rejected: [] });
    await verified(bulk.admin);
  });

  it('stops a bulk ingestion at a chunk that fails to write: the chunks before it stay, nothing after it is written; sent again, the rest is applied', async () => {
    const failing = await tenant('bulk-fail');
    const batched = await tenant('bulk-fail-batched');
    const events: Json[] = [];
    for (let n = 0; n < 9000; n++) {
      events.push(paid(`F${n}`, `C${n % 20}`, 2 * n));
      if (n % 3 === 0) events.push({ type: 'order.completed', at: at(2 * n + 1), order: `F${n}` });
    }
    // The database refuses one event of the third chunk (of five): the first two are committed
    // by then, and on PostgreSQL the fourth chunk's transaction may already have its rows in.
    const refused = (events[6000] as { order: string }).order;
    const count = async () =>
      Number(
        (await test.sql.query<{ n: string }>('select count(*)::text as n from events where tenant_id = $1', ['bulk-fail']))
          .rows[0]!.n,
      );
    const before = await count();
    await test.sql.query(`create function refuse_marked() returns trigger language plpgsql as $$
      begin
        if new.tenant_id = 'bulk-fail' and new.payload->>'order' = '${refused}' then raise exception 'refused for the test'; end if;
        return new;
      end $$`);
    await test.sql.query('create trigger refuse_marked before insert on events for each row execute function refuse_marked()');
    try {
      const failed = await failing.admin.post('/v1/backfill/events', { events });
      expect(failed.status).toBeGreaterThanOrEqual(500);
    } finally {
      await test.sql.query('drop trigger refuse_marked on events');
      await test.sql.query('drop function refuse_marked');
    }
    expect((await count()) - before).toBe(5000);
    await verified(failing.admin);
    const again = await failing.admin.ok<{ accepted: number; duplicate: number; rejected: Json[] }>(
      failing.admin.post('/v1/backfill/events', { events }),
    );
    expect(again).toEqual({ accepted: events.length - 5000, duplicate: 5000, rejected: [] });
    for (let i = 0; i < events.length; i += 1000)
      await batched.admin.ok(batched.admin.post('/v1/events', { events: events.slice(i, i + 1000) }));
    // (More awards than a page holds: compared as stored.)
    const awards = async (id: string) =>
      (await test.sql.query('select award_key, amount::text, status from awards where tenant_id = $1 order by award_key', [id]))
        .rows;
    const stored = await awards('bulk-fail');
    expect(stored.length).toBeGreaterThan(15_000);
    expect(stored).toEqual(await awards('bulk-fail-batched'));
    await verified(failing.admin);
  });

  it('writes a large batch in parts while applying the rest: the same results as small batches, and still all or nothing', async () => {
    const parted = await tenant('parts');
    const small = await tenant('parts-small');
    // 1000 events crossing every part boundary: orders refunded and completed in later parts, an
    // explicit id repeated (same content: duplicate) and reused (other content: conflict) parts
    // later, an order id sent twice, a rejection, all in one request.
    const events: Json[] = [];
    for (let n = 0; events.length < 990; n++) {
      events.push(paid(`P${n}`, `C${n % 20}`, 2 * n));
      if (n % 4 === 1) events.push({ type: 'order.completed', at: at(2 * n + 1), order: `P${n - 1}` });
    }
    const move = { type: 'member.moved', id: 'move-p', at: events[9]!.at, member: 'L3', parent: 'L2' };
    events.splice(10, 0, move);
    events.splice(600, 0, { ...move });
    events.splice(800, 0, { ...move, parent: 'L1' });
    events.push({
      type: 'order.refunded',
      at: at(5000),
      order: 'P3',
      refund: 'R1',
      lines: [{ line: 1, qty: 1, amount: '40.00' }],
    });
    events.push(paid('P5', 'C5', 5001));
    events.push({
      type: 'order.refunded',
      at: at(5002),
      order: 'NOPE',
      refund: 'R2',
      lines: [{ line: 1, qty: 1, amount: '1.00' }],
    });
    while (events.length < 1000) events.push(paid(`Q${events.length}`, 'C7', 6000 + events.length));
    const statuses = (results: Json[]) =>
      results.map((r) =>
        r.status === 'rejected' ? `rejected ${r.error.code}` : r.status === 'accepted' ? 'accepted' : r.status,
      );
    const whole = await parted.admin.ok<{ results: Json[] }>(parted.admin.post('/v1/events', { events }));
    const inSmallBatches: Json[] = [];
    for (let i = 0; i < events.length; i += 100) {
      const reply = await small.admin.ok<{ results: Json[] }>(
        small.admin.post('/v1/events', { events: events.slice(i, i + 100) }),
      );
      inSmallBatches.push(...reply.results);
    }
    expect(statuses(whole.results)).toEqual(statuses(inSmallBatches));
    expect(statuses(whole.results).filter((s) => s !== 'accepted')).toEqual([
      'duplicate',
      'rejected conflict',
      'rejected conflict',
      'rejected unknown_order',
    ]);
    const awards = async (admin: ApiClient) =>
      (await admin.ok<{ awards: Json[] }>(admin.get('/v1/awards', { includeZero: true, limit: 5000 }))).awards;
    expect(await awards(parted.admin)).toEqual(await awards(small.admin));
    await verified(parted.admin);

    // A failure in the last part rolls back the parts written before it: nothing of the batch stays.
    const failing = await tenant('parts-fail');
    await test.sql.query(`create function refuse_boom() returns trigger language plpgsql as $$
      begin if new.payload->>'order' = 'BOOM' then raise exception 'refused for the test'; end if; return new; end $$`);
    await test.sql.query('create trigger refuse_boom before insert on events for each row execute function refuse_boom()');
    try {
      const doomed = [...events.slice(0, 999), paid('BOOM', 'C1', 9000)];
      const reply = await failing.admin.post('/v1/events', { events: doomed });
      expect(reply.status).toBeGreaterThanOrEqual(500);
      const logged = await test.sql.query<{ n: string }>('select count(*)::text as n from events where tenant_id = $1', [
        failing.tenant,
      ]);
      expect(logged.rows[0]!.n).toBe('1'); // (the network import)
    } finally {
      await test.sql.query('drop trigger refuse_boom on events');
      await test.sql.query('drop function refuse_boom()');
    }
    const retried = await failing.admin.ok<{ results: Json[] }>(failing.admin.post('/v1/events', { events }));
    expect(statuses(retried.results)).toEqual(statuses(whole.results));
    expect(await awards(failing.admin)).toEqual(await awards(parted.admin));
    await verified(failing.admin);
  });

  it('answers an estimate from memory, and after another instance commits, with what it committed', async () => {
    const { tenant: id, adminKey, admin } = await tenant('estimate-watch');
    const estimate = async (client: ApiClient) =>
      (
        await client.ok<{ awards: Json[] }>(
          client.post('/v1/estimate', { buyer: 'C0', lines: [{ sku: 'tea', qty: 1, price: '100.00' }] }),
        )
      ).awards.map((a) => `${a.to} ${a.amount}`);
    // Answered from memory once the instance listens for other instances' commits.
    for (let i = 0; i < 3; i++) {
      expect(await estimate(admin)).toEqual(['L2 10.00', 'L1 5.00']);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // A second instance on the same database moves the buyer's leader.
    const other = new Service(test.sql);
    const otherApp = await buildApp({ service: other, platformToken: PLATFORM_TOKEN });
    try {
      await new ApiClient(otherApp, adminKey).ok(
        new ApiClient(otherApp, adminKey).post('/v1/events', {
          type: 'member.moved',
          id: 'mv',
          at: at(1),
          member: 'L2',
          parent: 'L3',
        }),
      );
      let seen: string[] = [];
      for (let attempt = 0; attempt < 100; attempt++) {
        seen = await estimate(admin);
        if (seen.join() !== 'L2 10.00,L1 5.00') break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(seen).toEqual(['L2 10.00', 'L3 5.00']);
      expect(
        Number(
          (await test.sql.query<{ n: string }>('select count(*)::text as n from events where tenant_id = $1', [id])).rows[0]!.n,
        ),
      ).toBeGreaterThan(0);
    } finally {
      await otherApp.close();
      await other.close();
    }
  });
});
