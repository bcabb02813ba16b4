import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type ApiClient, type Json, type TestApp } from '../support/app.ts';
import type { Backend } from '../support/db.ts';
import { fen, seedFixture } from './fixture.ts';

/** GET /v1/reports/tax and GET /v1/reports/commission, on PGlite and PostgreSQL. */

const FIGURES = ['gross', 'taxable', 'withheld', 'net'] as const;

describe.each<Backend>(['pglite', 'postgres'])('finance reports on %s', (backend) => {
  let test: TestApp;
  let admin: ApiClient;
  let tenant: string;

  beforeAll(async () => {
    test = await startApp(backend, { now: () => Date.parse('2026-04-20T00:00:00Z') });
    tenant = `fin-${backend}`;
    admin = await seedFixture(test, tenant);
  });

  afterAll(async () => {
    await test?.close();
  });

  /** The month's tax_payable postings, summed straight from the ledger table. */
  async function taxPayable(from: string, to: string): Promise<bigint> {
    const row = (
      await test.sql.query<{ total: string | null }>(
        "select sum(amount)::text as total from postings where tenant_id = $1 and account = 'tax_payable' and at >= $2 and at < $3",
        [tenant, from, to],
      )
    ).rows[0]!;
    return BigInt(row.total ?? '0');
  }

  /** Every row adds up (net = gross − withheld), the totals are the sum of the rows and the ledger's. */
  async function expectAddsUp(body: Json): Promise<void> {
    for (const row of body.rows) expect(fen(row.net), row.member).toBe(fen(row.gross) - fen(row.withheld));
    for (const figure of FIGURES) {
      expect(fen(body.totals[figure]), figure).toBe(body.rows.reduce((sum: bigint, row: Json) => sum + fen(row[figure]), 0n));
    }
    expect(fen(body.totals.withheld)).toBe(await taxPayable(body.from, body.to));
    expect(body.ledger.taxPayable).toBe(body.totals.withheld);
    expect(body.check).toEqual({ ok: true, withheldEqualsLedger: true, grossEqualsLedger: true, netAddsUp: true });
  }

  it('February: gross, taxable, withheld and net per member under cn-labor', async () => {
    const body = await admin.ok(admin.get('/v1/reports/tax', { month: '2026-02' }));
    expect(body.rows).toEqual([
      // 900.00: taxable 900 − 800 = 100.00, tax 20% = 20.00
      {
        member: 'A1',
        taxMonth: '2026-02',
        correction: false,
        regime: 'cn-labor',
        withdrawals: 1,
        reversals: 0,
        gross: '900.00',
        taxable: '100.00',
        withheld: '20.00',
        net: '880.00',
      },
      // 1500.00 then 500.00: cumulative 2000.00, taxable 1200.00, tax 240.00 (140.00 + 100.00)
      {
        member: 'L1',
        taxMonth: '2026-02',
        correction: false,
        regime: 'cn-labor',
        withdrawals: 2,
        reversals: 0,
        gross: '2000.00',
        taxable: '1200.00',
        withheld: '240.00',
        net: '1760.00',
      },
    ]);
    expect(body.totals).toEqual({
      withdrawals: 3,
      reversals: 0,
      gross: '2900.00',
      taxable: '1300.00',
      withheld: '260.00',
      net: '2640.00',
    });
    await expectAddsUp(body);
  });

  it("March: a February withdrawal rejected in March corrects February's tax in March's ledger", async () => {
    const body = await admin.ok(admin.get('/v1/reports/tax', { month: '2026-03' }));
    expect(body.rows).toEqual([
      // W5 100.00 paid out; W6 300.00 failed in the same month: nothing left of it.
      {
        member: 'A1',
        taxMonth: '2026-03',
        correction: false,
        regime: 'cn-labor',
        withdrawals: 2,
        reversals: 1,
        gross: '100.00',
        taxable: '0.00',
        withheld: '0.00',
        net: '100.00',
      },
      {
        member: 'L1',
        taxMonth: '2026-03',
        correction: false,
        regime: 'cn-labor',
        withdrawals: 1,
        reversals: 0,
        gross: '1000.00',
        taxable: '200.00',
        withheld: '40.00',
        net: '960.00',
      },
      // W1 given back: February's gross falls from 2000.00 to 500.00 (taxable 1200.00 → 0), its tax
      // 140.00 is reversed and W2's 100.00 trued up.
      {
        member: 'L1',
        taxMonth: '2026-02',
        correction: true,
        regime: 'cn-labor',
        withdrawals: 0,
        reversals: 1,
        gross: '-1500.00',
        taxable: '-1200.00',
        withheld: '-240.00',
        net: '-1260.00',
      },
    ]);
    await expectAddsUp(body);
    // February and its correction together: what L1 owes for February now (500.00 → no tax).
    const february = (await admin.ok(admin.get('/v1/reports/tax', { month: '2026-02' }))).rows.find(
      (r: Json) => r.member === 'L1',
    );
    const correction = body.rows.find((r: Json) => r.correction);
    expect(fen(february.gross) + fen(correction.gross)).toBe(50000n);
    expect(fen(february.withheld) + fen(correction.withheld)).toBe(0n);
  });

  it('a month without withdrawals is empty and still adds up', async () => {
    const body = await admin.ok(admin.get('/v1/reports/tax', { month: '2026-01' }));
    expect(body.rows).toEqual([]);
    expect(body.totals).toEqual({ withdrawals: 0, reversals: 0, gross: '0.00', taxable: '0.00', withheld: '0.00', net: '0.00' });
    await expectAddsUp(body);
  });

  it('answers tax CSV that parses back to the same figures, with a TOTAL row', async () => {
    const json = await admin.ok(admin.get('/v1/reports/tax', { month: '2026-03' }));
    const reply = await admin.get('/v1/reports/tax', { month: '2026-03', format: 'csv' });
    expect(reply.status).toBe(200);
    const rows = parse(reply.text, { columns: true, bom: true }) as Record<string, string>[];
    const total = rows.pop()!;
    expect(total.member).toBe('TOTAL');
    expect(rows.map((r) => [r.member, r.tax_month, r.correction, r.gross, r.taxable, r.withheld, r.net])).toEqual(
      json.rows.map((r: Json) => [r.member, r.taxMonth, String(r.correction), r.gross, r.taxable, r.withheld, r.net]),
    );
    for (const figure of FIGURES) {
      expect(total[figure]).toBe(json.totals[figure]);
      expect(fen(total[figure])).toBe(rows.reduce((sum, row) => sum + fen(row[figure]), 0n));
    }
  });

  /** The awards of the orders paid in [from, to) and of the periods ending in it, from GET /v1/awards. */
  async function awardsIn(orders: string[], periods: string[]): Promise<Json[]> {
    const all = (await admin.ok(admin.get('/v1/awards', { includeZero: true, limit: 5000 }))).awards as Json[];
    return all.filter((award) => (award.order !== null ? orders.includes(award.order) : periods.includes(award.period)));
  }

  it('commission by rule: totals equal the sum of the awards and the ledger, GMV is the net paid of the orders', async () => {
    const body = await admin.ok(admin.get('/v1/reports/commission', { from: '2026-02-01', to: '2026-02-28', by: 'rule' }));
    expect([body.from, body.to]).toEqual(['2026-01-31T16:00:00.000Z', '2026-02-28T16:00:00.000Z']);
    const awards = await awardsIn(['O1', 'O2', 'O3'], ['2026-02']);
    const sum = awards.reduce((total, award) => total + fen(award.amount), 0n);
    expect(fen(body.totals.commission)).toBe(sum);
    expect(body.totals).toEqual({ orders: 3, gmv: '29100.00', commission: '4676.00', awards: 7, ratio: '16.0687%' });
    expect(body.groups).toEqual([
      { key: 'direct', orders: null, gmv: null, commission: '4365.00', awards: 6, ratio: null, share: '93.349%' },
      { key: 'team', orders: null, gmv: null, commission: '311.00', awards: 1, ratio: null, share: '6.651%' },
    ]);
    expect(body.ledger.commission).toBe(body.totals.commission);
    expect(body.check).toEqual({ ok: true, groupsEqualTotals: true, ledgerEqualsTotals: true });
    // Straight from the awards table too.
    const stored = (
      await test.sql.query<{ total: string }>(
        "select sum(amount)::text as total from awards where tenant_id = $1 and (order_id = any($2::text[]) or period = '2026-02')",
        [tenant, ['O1', 'O2', 'O3']],
      )
    ).rows[0]!;
    expect(BigInt(stored.total)).toBe(sum);
  });

  it.each(['rule', 'period', 'branch', 'agency'])(
    'commission by %s over two months: the groups add up to the totals and the awards',
    async (by) => {
      const body = await admin.ok(admin.get('/v1/reports/commission', { from: '2026-02', to: '2026-03', by }));
      const awards = await awardsIn(['O1', 'O2', 'O3', 'O4', 'O5'], ['2026-02', '2026-03']);
      expect(fen(body.totals.commission)).toBe(awards.reduce((total, award) => total + fen(award.amount), 0n));
      expect(body.totals).toMatchObject({ orders: 5, gmv: '29500.00', commission: '4736.00' });
      expect(body.groups.reduce((total: bigint, g: Json) => total + fen(g.commission), 0n)).toBe(fen(body.totals.commission));
      expect(body.groups.reduce((total: number, g: Json) => total + g.awards, 0)).toBe(body.totals.awards);
      if (by !== 'rule') {
        expect(body.groups.reduce((total: bigint, g: Json) => total + fen(g.gmv), 0n)).toBe(fen(body.totals.gmv));
        expect(body.groups.reduce((total: number, g: Json) => total + g.orders, 0)).toBe(5);
      }
      expect(body.check.ok).toBe(true);
    },
  );

  it("groups by the seller's branch and agency at payment, not now", async () => {
    const branch = await admin.ok(admin.get('/v1/reports/commission', { from: '2026-02', to: '2026-03', by: 'branch' }));
    // A1 moved to B2 on 20 March: O1–O3 (and the February team award) stay with B1, O5 goes to B2.
    expect(branch.groups.map((g: Json) => [g.key, g.orders, g.gmv, g.commission])).toEqual([
      ['B1', 3, '29100.00', '4676.00'],
      ['B2', 2, '400.00', '60.00'],
    ]);
    const agency = await admin.ok(admin.get('/v1/reports/commission', { from: '2026-02', to: '2026-03', by: 'agency' }));
    // O4 was sold by L2, right under B2: no agency.
    expect(agency.groups.map((g: Json) => [g.key, g.orders, g.commission, g.ratio])).toEqual([
      ['A1', 4, '4691.00', '16.0651%'],
      [null, 1, '45.00', '15%'],
    ]);
    const period = await admin.ok(admin.get('/v1/reports/commission', { from: '2026-02', to: '2026-03', by: 'period' }));
    expect(period.groups.map((g: Json) => [g.key, g.orders, g.gmv, g.commission])).toEqual([
      ['2026-02', 3, '29100.00', '4676.00'],
      ['2026-03', 2, '400.00', '60.00'],
    ]);
  });

  it('answers commission CSV that parses back to the same figures, with a TOTAL row', async () => {
    const json = await admin.ok(admin.get('/v1/reports/commission', { from: '2026-02', to: '2026-03', by: 'agency' }));
    const reply = await admin.get('/v1/reports/commission', { from: '2026-02', to: '2026-03', by: 'agency', format: 'csv' });
    expect(reply.status).toBe(200);
    const rows = parse(reply.text, { columns: true, bom: true }) as Record<string, string>[];
    const total = rows.pop()!;
    expect(rows.map((r) => [r.key, Number(r.orders), r.gmv, r.commission, r.ratio])).toEqual(
      json.groups.map((g: Json) => [g.key ?? '', g.orders, g.gmv, g.commission, g.ratio]),
    );
    expect([total.key, total.gmv, total.commission, total.ratio]).toEqual([
      'TOTAL',
      json.totals.gmv,
      json.totals.commission,
      json.totals.ratio,
    ]);
    expect(fen(total.commission)).toBe(rows.reduce((sum, row) => sum + fen(row.commission), 0n));
  });

  it('refuses a malformed window or grouping (400)', async () => {
    for (const query of [
      { from: '2026-03-01', to: '2026-02-01' },
      { from: 'yesterday', to: '2026-03' },
      { from: '2026-02', to: '2026-03', by: 'city' },
    ]) {
      const reply = await admin.get('/v1/reports/commission', query);
      expect(reply.status, JSON.stringify(query)).toBe(400);
      expect(reply.body.error.code).toBe('invalid');
    }
    expect((await admin.get('/v1/reports/tax', { month: '2026-3' })).status).toBe(400);
  });
});
