import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant, startApp, type ApiClient, type Json, type TestApp } from '../support/app.ts';
import type { Backend } from '../support/db.ts';
import { sendEvents } from '../support/scenario.ts';
import { fen, MEMBERS, seedFixture } from './fixture.ts';
import { embeddedFonts, pdfText } from './pdf.ts';

/** GET /v1/statements/:member as JSON, CSV and PDF, on PGlite and PostgreSQL. */

const MONTHS = ['2026-01', '2026-02', '2026-03', '2026-04'];

/** opening + every item of every section, per balance, recomputed from the JSON. */
function recompute(body: Json): { pending: bigint; available: bigint } {
  let pending = fen(body.opening.pending);
  let available = fen(body.opening.available);
  const to = (account: string, amount: string) => {
    if (account === 'pending') pending += fen(amount);
    else available += fen(amount);
  };
  for (const rule of body.awards.byRule) for (const item of rule.items) to(item.account, item.amount);
  for (const item of body.reversals.items) to(item.account, item.amount);
  for (const item of body.settlements.items) {
    pending -= fen(item.amount);
    available += fen(item.amount);
  }
  for (const item of body.withdrawals.items) available -= fen(item.gross);
  for (const item of body.withdrawalReversals.items) available -= fen(item.gross);
  for (const item of body.taxTrueUps.items) available += fen(item.amount);
  for (const item of body.manualAdjustments.items) available += fen(item.amount);
  for (const item of body.other) {
    pending += fen(item.pending);
    available += fen(item.available);
  }
  return { pending, available };
}

describe.each<Backend>(['pglite', 'postgres'])('statements on %s', (backend) => {
  let test: TestApp;
  let admin: ApiClient;
  const statement = (member: string, month: string) => admin.ok(admin.get(`/v1/statements/${member}`, { month }));

  beforeAll(async () => {
    test = await startApp(backend, { now: () => Date.parse('2026-04-20T00:00:00Z') });
    admin = await seedFixture(test, `stmt-${backend}`);
  });

  afterAll(async () => {
    await test?.close();
  });

  it('February: awards by rule with explanation links, a refund before settlement out of pending, settlements, withdrawals with tax', async () => {
    const body = await statement('L1', '2026-02');
    expect(body.member).toEqual({ id: 'L1', role: 'leader', level: 1 });
    expect(body.tenant.name).toBe('对账商城 Statement shop');
    expect([body.from, body.to]).toEqual(['2026-01-31T16:00:00.000Z', '2026-02-28T16:00:00.000Z']);
    expect(body.opening).toEqual({ pending: '0.00', available: '0.00', total: '0.00' });
    expect(body.awards.total).toBe('3150.00');
    expect(body.awards.byRule).toEqual([
      {
        rule: 'direct',
        count: 3,
        amount: '3150.00',
        items: [
          {
            at: '2026-02-03T02:00:00.000Z',
            order: 'O1',
            period: null,
            amount: '3000.00',
            account: 'pending',
            explain: '/v1/awards/explain?member=L1&order=O1&rule=direct',
          },
          {
            at: '2026-02-05T02:00:00.000Z',
            order: 'O2',
            period: null,
            amount: '100.00',
            account: 'pending',
            explain: '/v1/awards/explain?member=L1&order=O2&rule=direct',
          },
          {
            at: '2026-02-27T02:00:00.000Z',
            order: 'O3',
            period: null,
            amount: '50.00',
            account: 'pending',
            explain: '/v1/awards/explain?member=L1&order=O3&rule=direct',
          },
        ],
      },
    ]);
    // Refunded before settlement: the reversal is taken from pending.
    expect(body.reversals.items).toEqual([
      {
        at: '2026-02-06T02:00:00.000Z',
        order: 'O2',
        period: null,
        rule: 'direct',
        refund: 'R2',
        amount: '-40.00',
        account: 'pending',
        explain: '/v1/awards/explain?member=L1&order=O2&rule=direct',
      },
    ]);
    expect(body.settlements.items.map((s: Json) => [s.order, s.amount])).toEqual([
      ['O1', '3000.00'],
      ['O2', '60.00'],
    ]);
    // W1 is rejected in March: in February's statement it stands as approved, rejected since.
    expect(body.withdrawals).toEqual({
      gross: '2000.00',
      tax: '240.00',
      net: '1760.00',
      items: [
        {
          at: '2026-02-20T02:00:00.000Z',
          withdrawal: 'W1',
          gross: '1500.00',
          tax: '140.00',
          net: '1360.00',
          taxMonth: '2026-02',
          status: 'approved',
          statusNow: 'rejected',
        },
        {
          at: '2026-02-25T02:00:00.000Z',
          withdrawal: 'W2',
          gross: '500.00',
          tax: '100.00',
          net: '400.00',
          taxMonth: '2026-02',
          status: 'approved',
          statusNow: 'approved',
        },
      ],
    });
    expect(body.closing).toEqual({ pending: '50.00', available: '1060.00', total: '1110.00' });
    expect(body.check).toMatchObject({ ok: true, expected: body.closing, ledger: body.closing, readModel: body.closing });
  });

  it('March: a period award, a refund after settlement out of available, a withdrawal rejected after the month boundary with its tax true-up, a manual adjustment', async () => {
    const [february, body] = [await statement('L1', '2026-02'), await statement('L1', '2026-03')];
    expect(body.opening).toEqual(february.closing);
    expect(body.awards.byRule.map((r: Json) => [r.rule, r.amount, r.items.map((i: Json) => i.order ?? i.period)])).toEqual([
      ['direct', '10.00', ['O5']],
      ['team', '311.00', ['2026-02']],
    ]);
    expect(body.reversals.items).toEqual([
      {
        at: '2026-03-02T02:00:00.000Z',
        order: 'O1',
        period: null,
        rule: 'direct',
        refund: 'R1',
        amount: '-200.00',
        account: 'available',
        explain: '/v1/awards/explain?member=L1&order=O1&rule=direct',
      },
    ]);
    expect(body.withdrawalReversals.items).toEqual([
      {
        at: '2026-03-03T02:00:00.000Z',
        withdrawal: 'W1',
        gross: '-1500.00',
        tax: '-140.00',
        net: '-1360.00',
        taxMonth: '2026-02',
        status: 'rejected',
        note: '银行卡信息有误 wrong bank account',
      },
    ]);
    // February's tax is trued up to what remains (500.00 withdrawn: no tax): W2's 100.00 comes back.
    expect(body.taxTrueUps.items).toEqual([
      { at: '2026-03-03T02:00:00.000Z', withdrawal: 'W1', taxMonth: '2026-02', amount: '100.00' },
    ]);
    expect(body.manualAdjustments.items).toEqual([
      {
        at: '2026-03-05T02:00:00.000Z',
        adjustment: 'ADJ1',
        amount: '88.00',
        reason: '三月活动奖励 March campaign bonus',
        by: null,
      },
    ]);
    expect(body.withdrawals.items).toEqual([
      {
        at: '2026-03-10T02:00:00.000Z',
        withdrawal: 'W4',
        gross: '1000.00',
        tax: '40.00',
        net: '960.00',
        taxMonth: '2026-03',
        status: 'paid',
        statusNow: 'paid',
      },
    ]);
    expect(body.closing).toEqual({ pending: '10.00', available: '1909.00', total: '1919.00' });
    expect(body.check.ok).toBe(true);
    expect(body.movements.find((m: Json) => m.section === 'settlement')).toEqual({
      section: 'settlement',
      pending: '-361.00',
      available: '361.00',
    });
  });

  it('links every award to its explanation, which answers the same award', async () => {
    const body = await statement('L1', '2026-03');
    for (const rule of body.awards.byRule) {
      for (const item of rule.items) {
        const url = new URL(item.explain, 'http://x');
        const explained = await admin.ok(admin.get(url.pathname, Object.fromEntries(url.searchParams)));
        expect(explained.award).toMatchObject({ to: 'L1', rule: rule.rule, order: item.order, period: item.period });
        expect(explained.sentences.length).toBeGreaterThan(0);
      }
    }
  });

  it('a deduction with its reason, and a withdrawal that failed in its own month', async () => {
    const body = await statement('A1', '2026-03');
    expect(body.manualAdjustments).toEqual({
      total: '-20.00',
      items: [
        { at: '2026-03-05T03:00:00.000Z', adjustment: 'ADJ2', amount: '-20.00', reason: '扣回多发佣金 clawback', by: null },
      ],
    });
    expect(body.withdrawals.items.map((w: Json) => [w.withdrawal, w.gross, w.status, w.statusNow])).toEqual([
      ['W5', '100.00', 'approved', 'approved'],
      ['W6', '300.00', 'failed', 'failed'],
    ]);
    expect(body.withdrawalReversals.items.map((w: Json) => [w.withdrawal, w.gross, w.status, w.note])).toEqual([
      ['W6', '-300.00', 'failed', '账户冻结 account frozen'],
    ]);
    expect(body.check.ok).toBe(true);
  });

  it('adds up for every member and month: opening + movements = closing, months chain, the last closing is the balance now', async () => {
    const balances = (await admin.ok(admin.get('/v1/balances'))).balances as {
      member: string;
      pending: string;
      available: string;
    }[];
    for (const { id } of MEMBERS) {
      let previous: Json = null;
      for (const month of MONTHS) {
        const body = await statement(id, month);
        expect(body.check.ok, `${id} ${month}`).toBe(true);
        const sum = recompute(body);
        expect([sum.pending, sum.available], `${id} ${month}`).toEqual([fen(body.closing.pending), fen(body.closing.available)]);
        if (previous) expect(body.opening, `${id} ${month}`).toEqual(previous.closing);
        previous = body;
      }
      const now = balances.find((b) => b.member === id) ?? { pending: '0.00', available: '0.00' };
      expect({ pending: previous.closing.pending, available: previous.closing.available }, id).toEqual({
        pending: now.pending,
        available: now.available,
      });
    }
  });

  it('answers CSV that parses back to the same figures', async () => {
    const reply = await admin.get('/v1/statements/L1', { month: '2026-03', format: 'csv' });
    expect(reply.status).toBe(200);
    expect(
      String(
        (
          await test.app.inject({
            url: '/v1/statements/L1?month=2026-03&format=csv',
            headers: { authorization: `Bearer ${admin.key}` },
          })
        ).headers['content-type'],
      ),
    ).toMatch(/^text\/csv/);
    const json = await statement('L1', '2026-03');
    const rows = parse(reply.text, { columns: true, bom: true }) as Record<string, string>[];
    expect(rows[0]!.section).toBe('opening');
    expect(rows.at(-2)!.section).toBe('closing');
    expect(rows.at(-1)).toMatchObject({ section: 'check', status: 'ok' });
    expect([rows[0]!.pending, rows[0]!.available]).toEqual([json.opening.pending, json.opening.available]);
    const closing = rows.at(-2)!;
    expect([closing.pending, closing.available]).toEqual([json.closing.pending, json.closing.available]);
    const lines = rows.slice(1, -2);
    const sum = (field: 'pending' | 'available') => lines.reduce((total, row) => total + fen(row[field]), fen(rows[0]![field]));
    expect([sum('pending'), sum('available')]).toEqual([fen(closing.pending), fen(closing.available)]);
    // Every section of the JSON, line for line.
    const bySection = (section: string) => lines.filter((row) => row.section === section);
    expect(bySection('award').map((r) => [r.rule, r.order || r.period, fen(r.pending) + fen(r.available), r.explain])).toEqual(
      json.awards.byRule
        .flatMap((rule: Json) => rule.items.map((item: Json) => ({ ...item, rule: rule.rule })))
        .sort((a: Json, b: Json) => a.at.localeCompare(b.at))
        .map((item: Json) => [item.rule, item.order ?? item.period, fen(item.amount), item.explain]),
    );
    expect(bySection('withdrawal').map((r) => [r.withdrawal, r.gross, r.tax, r.net, r.status])).toEqual(
      json.withdrawals.items.map((w: Json) => [w.withdrawal, w.gross, w.tax, w.net, w.status]),
    );
    expect(bySection('withdrawal_reversal').map((r) => [r.withdrawal, r.gross, r.tax, r.net, r.status, r.note])).toEqual(
      json.withdrawalReversals.items.map((w: Json) => [w.withdrawal, w.gross, w.tax, w.net, w.status, w.note]),
    );
    expect(bySection('manual').map((r) => [r.adjustment, r.available, r.note])).toEqual(
      json.manualAdjustments.items.map((a: Json) => [a.adjustment, a.amount, a.reason]),
    );
    expect(bySection('tax_true_up').map((r) => r.available)).toEqual(json.taxTrueUps.items.map((t: Json) => t.amount));
    expect(bySection('reversal').map((r) => [r.order, r.refund, r.available])).toEqual(
      json.reversals.items.map((r: Json) => [r.order, r.refund, r.amount]),
    );
    expect(bySection('settlement').map((r) => r.available)).toEqual(json.settlements.items.map((s: Json) => s.amount));
  });

  it('answers a valid PDF whose text holds the Chinese and the figures, in fonts whose glyphs all have outlines', async () => {
    const reply = await test.app.inject({
      url: '/v1/statements/L1?month=2026-03&format=pdf',
      headers: { authorization: `Bearer ${admin.key}` },
    });
    expect(reply.statusCode).toBe(200);
    expect(reply.headers['content-type']).toBe('application/pdf');
    expect(reply.headers['content-disposition']).toBe('attachment; filename="statement-L1-2026-03.pdf"');
    const pdf = reply.rawPayload;
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.subarray(-6).toString('latin1')).toMatch(/%%EOF\s*$/);
    const { pages, text } = await pdfText(pdf);
    expect(pages).toBeGreaterThanOrEqual(1);
    for (const expected of [
      '佣金对账单',
      '对账商城',
      '团长',
      '期初余额',
      '期末余额',
      '冻结中',
      '可提现',
      '退款冲销',
      '提现退回',
      '个税调整',
      '人工调整',
      '三月活动奖励 March campaign bonus',
      '银行卡信息有误',
      '已驳回',
      '已打款',
      '核对',
      '1909.00',
      '1060.00',
      '-200.00',
      '311.00',
      'W1',
      'W4',
      'O1',
      'R1',
      'ADJ1',
    ]) {
      expect(text, expected).toContain(expected);
    }
    const fonts = embeddedFonts(pdf);
    expect(fonts.length).toBeGreaterThan(1);
    expect(
      fonts.every((font) => /NotoSansSC/.test(font.name)),
      fonts.map((f) => f.name).join(),
    ).toBe(true);
    for (const font of fonts) {
      expect(font.glyphs, font.name).toBeGreaterThan(0);
      // Only a blank (a space) may have no outline.
      expect(font.glyphs - font.outlined, font.name).toBeLessThanOrEqual(1);
    }
  });

  it('renders a month with many awards over several pages, each with the table header', async () => {
    const { admin: other } = await createTenant(test, {
      id: `stmt-pages-${backend}`,
      timezone: 'Asia/Shanghai',
      plan: { freezeDays: 7, templates: [{ id: 'direct', template: 'multi-level', params: { rates: ['10%'], base: 'paid' } }] },
    });
    await other.ok(
      other.post('/v1/network/import', {
        members: [
          { id: 'L9', role: 'leader' },
          { id: 'C9', role: 'customer', parent: 'L9' },
        ],
      }),
    );
    const orders = Array.from({ length: 120 }, (_, i) => ({
      type: 'order.paid',
      order: `P${i + 1}`,
      buyer: 'C9',
      at: new Date(Date.parse('2026-05-01T00:00:00+08:00') + i * 3_600_000).toISOString(),
      lines: [{ line: 1, sku: '龙井', qty: 1, paid: '10.00' }],
    }));
    await sendEvents(other, orders);
    const reply = await test.app.inject({
      url: '/v1/statements/L9?month=2026-05&format=pdf',
      headers: { authorization: `Bearer ${other.key}` },
    });
    expect(reply.statusCode).toBe(200);
    const { pages, text } = await pdfText(reply.rawPayload);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(text.split('\n').every((page) => page.includes('时间 Time'))).toBe(true);
    expect(text).toContain('120 笔 awards');
    expect(text).toContain(`${pages} / ${pages}`);
  });

  it('refuses an unknown member (404) and a malformed month (400); defaults to the current month', async () => {
    const unknown = await admin.get('/v1/statements/NOBODY', { month: '2026-03' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');
    for (const month of ['2026-3', '2026-13', 'March']) {
      const bad = await admin.get('/v1/statements/L1', { month });
      expect(bad.status, month).toBe(400);
      expect(bad.body.error.code).toBe('invalid');
    }
    const current = await admin.ok(admin.get('/v1/statements/L1'));
    expect(current.month).toBe('2026-04');
    expect(current.check.ok).toBe(true);
  });
});
