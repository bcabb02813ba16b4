import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant, startApp, type ApiClient, type TestApp } from '../support/app.ts';
import type { Backend } from '../support/db.ts';
import { sendEvents } from '../support/scenario.ts';

/** GET /v1/reports/summary, GET /v1/me and the filters of GET /v1/events, on PGlite and PostgreSQL. */

const NOW = Date.parse('2026-04-20T00:00:00Z');

const paid = (order: string, at: string, amount: string, extra: Record<string, unknown> = {}) => ({
  type: 'order.paid',
  order,
  buyer: 'C1',
  at,
  lines: [{ line: 1, sku: 'tea', qty: 1, paid: amount }],
  ...extra,
});

describe.each<Backend>(['pglite', 'postgres'])('reports on %s', (backend) => {
  let test: TestApp;
  let admin: ApiClient;

  beforeAll(async () => {
    test = await startApp(backend, { now: () => NOW });
    ({ admin } = await createTenant(test, {
      id: 'report',
      name: '报表商城',
      timezone: 'Asia/Shanghai',
      plan: {
        freezeDays: 7,
        minWithdrawal: '1.00',
        templates: [
          { id: 'direct', template: 'multi-level', params: { rates: ['10%', '5%'], base: 'paid' } },
          { id: 'pickup', template: 'group-buy', params: { pickupRate: '5%', recommenderRate: '1%', base: 'paid' } },
        ],
      },
    }));
    await admin.ok(
      admin.post('/v1/network/import', {
        members: [
          { id: 'L1', role: 'leader' },
          { id: 'L2', role: 'leader', parent: 'L1' },
          { id: 'P1', role: 'leader', parent: 'L1' },
          { id: 'C1', role: 'customer', parent: 'L2' },
        ],
      }),
    );
    const items = await sendEvents(admin, [
      paid('O1', '2026-03-01T10:00:00+08:00', '100.00', { pickupPoint: 'P1' }),
      // 01:00 in Shanghai is still 1 March in UTC: the bucket follows the tenant's zone.
      paid('O2', '2026-03-02T01:00:00+08:00', '50.00'),
      {
        type: 'order.refunded',
        at: '2026-03-03T10:00:00+08:00',
        order: 'O2',
        refund: 'R2',
        lines: [{ line: 1, qty: 1, amount: '50.00' }],
      },
      { type: 'order.completed', at: '2026-03-03T11:00:00+08:00', order: 'O1' },
      paid('O3', '2026-04-01T10:00:00+08:00', '200.00'),
      { type: 'order.completed', at: '2026-04-01T11:00:00+08:00', order: 'O3' },
      { type: 'tick', at: '2026-04-10T00:00:00+08:00' },
      { type: 'withdrawal.requested', at: '2026-04-11T00:00:00+08:00', withdrawal: 'W1', member: 'L2', amount: '5.00' },
      { type: 'withdrawal.requested', at: '2026-04-12T00:00:00+08:00', withdrawal: 'W2', member: 'L2', amount: '0.50' },
    ]);
    expect(items.map((item) => item.status)).toEqual([...Array(8).fill('accepted'), 'rejected']);
  });

  afterAll(async () => {
    await test?.close();
  });

  it('sums GMV, refunds and commission cost by rule per day in the tenant zone, with empty days', async () => {
    const body = await admin.ok(admin.get('/v1/reports/summary', { from: '2026-03-01', to: '2026-03-04', bucket: 'day' }));
    expect(body.timezone).toBe('Asia/Shanghai');
    expect(body.currency).toBe('CNY');
    expect(body.from).toBe('2026-02-28T16:00:00.000Z');
    expect(body.to).toBe('2026-03-04T16:00:00.000Z');
    expect(body.buckets.map((b: { bucket: string }) => b.bucket)).toEqual([
      '2026-03-01',
      '2026-03-02',
      '2026-03-03',
      '2026-03-04',
    ]);
    const [d1, d2, d3, d4] = body.buckets;
    // O1: direct 10.00 to L2 and 5.00 to L1, pickup 5.00 to P1 and 1.00 to its recommender L1.
    expect(d1).toMatchObject({
      orders: 1,
      gmv: '100.00',
      refunds: '0.00',
      cost: '21.00',
      costByRule: { direct: '15.00', pickup: '6.00' },
    });
    expect(d2).toMatchObject({
      orders: 1,
      gmv: '50.00',
      refunds: '0.00',
      cost: '7.50',
      costByRule: { direct: '7.50', pickup: '0.00' },
    });
    // The refund of O2 reverses its awards on the day of the refund.
    expect(d3).toMatchObject({
      orders: 0,
      gmv: '0.00',
      refunds: '50.00',
      cost: '-7.50',
      costByRule: { direct: '-7.50', pickup: '0.00' },
    });
    expect(d4).toMatchObject({ orders: 0, gmv: '0.00', cost: '0.00' });
    expect(body.rules).toEqual(['direct', 'pickup']);
    expect(body.totals).toEqual({
      orders: 2,
      gmv: '150.00',
      refunds: '50.00',
      cost: '21.00',
      costByRule: { direct: '15.00', pickup: '6.00' },
    });
  });

  it('buckets by month, agrees with the awards, and reports the ledger and rejected events', async () => {
    const body = await admin.ok(admin.get('/v1/reports/summary', { from: '2026-03-01', to: '2026-04-30', bucket: 'month' }));
    expect(body.buckets.map((b: { bucket: string; gmv: string; cost: string }) => `${b.bucket} ${b.gmv} ${b.cost}`)).toEqual([
      '2026-03 150.00 21.00',
      '2026-04 200.00 30.00',
    ]);
    const awards = await admin.ok(admin.get('/v1/awards'));
    const awarded = awards.awards.reduce(
      (sum: number, award: { amount: string }) => sum + Math.round(Number(award.amount) * 100),
      0,
    );
    expect(awarded).toBe(5100);
    // All of it settled after 7 days except nothing; 5.00 withdrawn, the 0.50 one refused (below the minimum).
    expect(body.ledger).toEqual({
      pending: '0.00',
      available: '46.00',
      settled: '51.00',
      withdrawn: '5.00',
      tax: '0.00',
      net: '5.00',
    });
    expect(body.rejected.recent).toHaveLength(1);
    expect(body.rejected.recent[0]).toMatchObject({ type: 'withdrawal.requested', code: 'below_minimum' });
  });

  it('defaults to the last 30 days by day, or 12 months by month, ending now', async () => {
    const days = await admin.ok(admin.get('/v1/reports/summary'));
    expect(days.buckets).toHaveLength(30);
    expect(days.buckets.at(-1).bucket).toBe('2026-04-20');
    const months = await admin.ok(admin.get('/v1/reports/summary', { bucket: 'month' }));
    expect(months.buckets.map((b: { bucket: string }) => b.bucket).slice(-2)).toEqual(['2026-03', '2026-04']);
    expect(months.buckets).toHaveLength(12);
  });

  it('refuses a bad window', async () => {
    for (const query of [
      { from: 'yesterday' },
      { from: '2026-04-02', to: '2026-04-01' },
      { from: '2020-01-01', to: '2026-01-01', bucket: 'day' },
    ]) {
      const reply = await admin.get('/v1/reports/summary', query);
      expect(reply.status, JSON.stringify(query)).toBe(400);
      expect(reply.body.error.code).toBe('invalid');
    }
  });

  it("GET /v1/me answers the tenant (with its currency's decimals) and the scope of the key", async () => {
    const me = await admin.ok(admin.get('/v1/me'));
    expect(me.tenant).toEqual({ id: 'report', name: '报表商城', timezone: 'Asia/Shanghai', currency: 'CNY', decimals: 2 });
    expect(me.key.scope).toBe('admin');
    const read = await admin.ok(admin.post('/v1/keys', { scope: 'read' }), 201);
    expect((await test.as(read.key).ok(test.as(read.key).get('/v1/me'))).key).toEqual({ id: read.id, scope: 'read' });
  });

  it('filters the event log by order and member, newest first with sort=desc', async () => {
    const byOrder = await admin.ok(admin.get('/v1/events', { order: 'O2' }));
    expect(byOrder.events.map((e: { type: string }) => e.type)).toEqual(['order.paid', 'order.refunded']);
    const newest = await admin.ok(admin.get('/v1/events', { sort: 'desc', limit: 2 }));
    expect(newest.events.map((e: { type: string }) => e.type)).toEqual(['time.passed', 'withdrawal.requested']); // the refused W2 let time pass
    const older = await admin.ok(admin.get('/v1/events', { sort: 'desc', before: newest.events[1].seq, limit: 1 }));
    expect(older.events[0].seq).toBe(newest.events[1].seq - 1);
    const pickup = await admin.ok(admin.get('/v1/events', { member: 'P1', type: 'order.paid' }));
    expect(pickup.events.map((e: { payload: { order: string } }) => e.payload.order)).toEqual(['O1']);
    const l2 = await admin.ok(admin.get('/v1/events', { member: 'L2' }));
    expect(l2.events.map((e: { type: string }) => e.type)).toEqual(['withdrawal.requested']);
  });
});
