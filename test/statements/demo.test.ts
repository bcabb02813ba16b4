import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../src/server/demo.ts';
import { startApp, type ApiClient, type Json, type TestApp } from '../support/app.ts';
import { fen } from './fixture.ts';
import { pdfText } from './pdf.ts';

/** The demo tenant of `npm start` yields statements and reports with something in them. */

const NOW = Date.parse('2026-11-28T00:00:00Z');

describe('the demo tenant', () => {
  let test: TestApp;
  let admin: ApiClient;

  beforeAll(async () => {
    test = await startApp('pglite', { now: () => NOW });
    const { key } = await seedDemo(test.service, NOW, () => undefined);
    admin = test.as(key);
  });

  afterAll(async () => {
    await test?.close();
  });

  it('has a statement of last month with awards of several rules, refunds, withdrawals with tax and a manual adjustment', async () => {
    const body = await admin.ok(admin.get('/v1/statements/L111', { month: '2026-10' }));
    expect(body.check.ok).toBe(true);
    expect(body.awards.byRule.length).toBeGreaterThanOrEqual(3);
    expect(body.reversals.items.length).toBeGreaterThan(0);
    expect(body.settlements.items.length).toBeGreaterThan(0);
    expect(body.withdrawals.items.map((w: Json) => w.withdrawal)).toEqual(['WX-L111', 'W2-L111']);
    expect(fen(body.withdrawals.tax)).toBeGreaterThan(0n);
    expect(body.manualAdjustments.items).toEqual([
      expect.objectContaining({ amount: '66.00', reason: '月度团长激励 monthly leader incentive' }),
    ]);
    const pdf = await test.app.inject({
      url: '/v1/statements/L111?month=2026-10&format=pdf',
      headers: { authorization: `Bearer ${admin.key}` },
    });
    expect(pdf.statusCode).toBe(200);
    expect((await pdfText(pdf.rawPayload)).text).toContain('月度团长激励');
  });

  it('has a tax report with tax withheld last month, and a correction this month for a withdrawal rejected after the month ended', async () => {
    const october = await admin.ok(admin.get('/v1/reports/tax', { month: '2026-10' }));
    expect(october.check.ok).toBe(true);
    expect(fen(october.totals.withheld)).toBeGreaterThan(0n);
    expect(october.rows.length).toBeGreaterThan(10);
    const november = await admin.ok(admin.get('/v1/reports/tax', { month: '2026-11' }));
    expect(november.check.ok).toBe(true);
    expect(november.rows).toEqual([
      expect.objectContaining({ member: 'L116', taxMonth: '2026-10', correction: true, gross: '-1200.00' }),
    ]);
    const statement = await admin.ok(admin.get('/v1/statements/L116', { month: '2026-11' }));
    expect(statement.withdrawalReversals.items).toEqual([
      expect.objectContaining({ withdrawal: 'WX-L116', status: 'rejected', note: '收款账户姓名不符 payee name does not match' }),
    ]);
    expect(statement.check.ok).toBe(true);
  });

  it('has commission by branch over its three months that adds up', async () => {
    const body = await admin.ok(admin.get('/v1/reports/commission', { from: '2026-08-01', to: '2026-11-30', by: 'branch' }));
    expect(body.check.ok).toBe(true);
    expect(body.groups.map((g: Json) => g.key).sort()).toEqual(expect.arrayContaining(['B1', 'B2', 'B3']));
    expect(fen(body.totals.commission)).toBeGreaterThan(0n);
  });
});
