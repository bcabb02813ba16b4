import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKey, createTenant, startApp, type ApiClient, type TestApp } from '../support/app.ts';
import { sendEvents } from '../support/scenario.ts';

/** POST /v1/simulations on PGlite: generated data, a what-if replay of the tenant's own history, the limits. */

const plan = (rates: string[]) => ({ templates: [{ id: 'direct', template: 'multi-level', params: { rates, base: 'paid' } }] });
const paid = (order: string, at: string, amount: string) => ({
  type: 'order.paid',
  order,
  buyer: 'C1',
  at,
  lines: [{ line: 1, sku: 'tea', qty: 1, paid: amount }],
});
const refund = (order: string, refundId: string, at: string, amount: string) => ({
  type: 'order.refunded',
  order,
  refund: refundId,
  at,
  lines: [{ line: 1, qty: 0, amount }],
});

describe('POST /v1/simulations', () => {
  let test: TestApp;
  let admin: ApiClient;
  let reader: ApiClient;

  beforeAll(async () => {
    test = await startApp('pglite');
    ({ admin } = await createTenant(test, { id: 'sim', timezone: 'Asia/Shanghai', plan: plan(['10%', '5%']) }));
    reader = test.as((await createKey(admin, 'read')).key);
    await admin.ok(
      admin.post('/v1/network/import', {
        members: [
          { id: 'L1', role: 'leader' },
          { id: 'L2', role: 'leader', parent: 'L1' },
          { id: 'C1', role: 'customer', parent: 'L2' },
        ],
      }),
    );
    const items = await sendEvents(admin, [
      paid('O1', '2026-01-10T10:00:00+08:00', '100.00'),
      // More than 9 events: the log must be replayed in the order of its sequence numbers, not of their text.
      ...Array.from({ length: 10 }, (_, i) => ({ type: 'tick', at: `2026-01-${String(11 + i)}T10:00:00+08:00` })),
      paid('O2', '2026-02-10T10:00:00+08:00', '200.00'),
      refund('O1', 'R1', '2026-02-20T10:00:00+08:00', '50.00'),
    ]);
    expect(items.every((item) => item.status === 'accepted')).toBe(true);
    // A real plan version from March on: 12% / 6%.
    await admin.ok(admin.post('/v1/plans', { plan: plan(['12%', '6%']), effectiveFrom: '2026-03-01T00:00:00+08:00' }), 201);
    const march = await sendEvents(admin, [
      paid('O3', '2026-03-05T10:00:00+08:00', '300.00'),
      refund('O3', 'R3', '2026-03-10T10:00:00+08:00', '100.00'),
    ]);
    expect(march.map((item) => item.status)).toEqual(['accepted', 'accepted']);
  });

  afterAll(async () => {
    await test?.close();
  });

  it("re-prices a window of the tenant's history with a draft: history before it under the real versions, the draft from its start", async () => {
    const before = (await test.sql.query<{ n: number }>('select count(*)::int as n from events')).rows[0]!.n;
    const report = await reader.ok(
      reader.post('/v1/simulations', {
        plans: ['current', { name: 'B', plan: plan(['20%']) }],
        replay: { from: '2026-02', to: '2026-03' },
      }),
    );
    expect(report.kind).toBe('replay');
    expect(report.months).toEqual(['2026-02', '2026-03']);
    const [current, draft] = report.plans;
    expect(current.name).toBe('current');
    expect(draft.name).toBe('B');
    // Cohort figures: O1 (January, refunded in February) is outside the window; O3 is 300.00 − 100.00.
    expect(current.months.map((m: { gmv: string }) => m.gmv)).toEqual(['200.00', '200.00']);
    expect(draft.months.map((m: { gmv: string }) => m.gmv)).toEqual(['200.00', '200.00']);
    // The real plan: 15% in February, the March version's 18% in March; the draft: 20% throughout.
    expect(current.months.map((m: { cost: string }) => m.cost)).toEqual(['30.00', '36.00']);
    expect(draft.months.map((m: { cost: string }) => m.cost)).toEqual(['40.00', '40.00']);
    expect(draft.months[0].costByRule).toEqual({ direct: '40.00' });
    expect(current.months[1].ratio).toBeCloseTo(0.18, 10);
    expect(current.months[0].payouts).toEqual({
      earners: 2,
      median: '10.00',
      max: '20.00',
      top10Share: 0.666666666667,
      gini: 0.166666666667,
    });
    expect(current.months[0].levels).toEqual({ customers: 1, distributors: 2, byLevel: { 1: 2 } });
    expect(current.rejected.count).toBe(0);
    // Nothing written: a simulation only reads the log.
    expect((await test.sql.query<{ n: number }>('select count(*)::int as n from events')).rows[0]!.n).toBe(before);
  });

  it("runs drafts and the current plan over generated data in the tenant's zone and currency", async () => {
    const report = await reader.ok(
      reader.post('/v1/simulations', {
        plans: ['current', { plan: { name: 'rich', ...plan(['40%', '20%']) } }],
        generator: { seed: 5, months: 2, network: { members: 300 }, orders: { ordersPerMonth: 200 } },
      }),
    );
    expect(report.kind).toBe('generated');
    expect(report.timezone).toBe('Asia/Shanghai');
    expect(report.currency).toBe('CNY');
    expect(report.plans.map((p: { name: string }) => p.name)).toEqual(['current', 'rich']);
    const [current, rich] = report.plans;
    expect(rich.months.map((m: { gmv: string }) => m.gmv)).toEqual(current.months.map((m: { gmv: string }) => m.gmv));
    expect(current.totals.ratio).toBeLessThanOrEqual(0.18); // the latest version: 12% + 6% at most
    expect(rich.findings.map((f: { code: string }) => f.code)).toContain('cost-over-cap');
    expect(report.data.params.network.members).toBe(300);
  });

  it('keeps within its limits and refuses what is not valid', async () => {
    const tooMany = await reader.post('/v1/simulations', { plans: ['current'], generator: { network: { members: 200_001 } } });
    expect(tooMany.status).toBe(413);
    expect(tooMany.body.error.code).toBe('too_large');
    const tooLong = await reader.post('/v1/simulations', {
      plans: ['current'],
      generator: { months: 24, network: { members: 100 }, orders: { ordersPerMonth: 100_000 } },
    });
    expect(tooLong.status).toBe(413);
    const both = await reader.post('/v1/simulations', {
      plans: ['current'],
      generator: {},
      replay: { from: '2026-01', to: '2026-02' },
    });
    expect(both.status).toBe(400);
    const badPlan = await reader.post('/v1/simulations', {
      plans: [{ plan: { templates: [{ id: 'x', template: 'nope' }] } }],
      generator: { months: 1, network: { members: 50 }, orders: { ordersPerMonth: 10 } },
    });
    expect(badPlan.status).toBe(400);
    expect(badPlan.body.error.code).toBe('invalid');
    const badWindow = await reader.post('/v1/simulations', { plans: ['current'], replay: { from: 'March', to: '2026-03' } });
    expect(badWindow.status).toBe(400);
    const badParams = await reader.post('/v1/simulations', { plans: ['current'], generator: { orders: { refundRate: 3 } } });
    expect(badParams.status).toBe(400);
    const noPlan = await reader.post('/v1/simulations', { plans: [], generator: {} });
    expect(noPlan.status).toBe(400);
  });
});
