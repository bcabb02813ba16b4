import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient, TenantHandle } from '../support/app.ts';
import type { Backend } from '../support/db.ts';
import { audit, balance, createKey, payoutTenant, startPayoutApp, withdraw, withdrawal, type PayoutWorld } from './support.ts';
import { accountDigest, payeeKey } from '../../src/service/account-digest.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const ACCOUNTS: Record<string, { realName: string; account: string; masked: string }> = {
  L1: { realName: '张三', account: '6222 0212 3456 1234', masked: '6222********1234' },
  L2: { realName: '=HYPERLINK("http://evil")', account: '6217-0000-1111-2222-333', masked: '6217***********2333' },
  L3: { realName: '王五', account: 'Wang.Wu@Example.com', masked: 'w*****u@example.com' },
};

async function exportFile(world: PayoutWorld, key: string, batch: string, format: 'csv' | 'xlsx') {
  const response = await world.test.app.inject({
    method: 'GET',
    url: `/v1/payouts/batches/${batch}/export?format=${format}`,
    headers: { authorization: `Bearer ${key}` },
  });
  return {
    status: response.statusCode,
    type: String(response.headers['content-type']),
    disposition: String(response.headers['content-disposition']),
    raw: response.rawPayload,
  };
}

async function xlsxRows(data: Buffer): Promise<unknown[][]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(data as unknown as ArrayBuffer);
  const rows: unknown[][] = [];
  workbook.worksheets[0]!.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
  return rows;
}

function csv(rows: string[][]): string {
  return (
    rows.map((row) => row.map((cell) => (/[",\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell)).join(',')).join('\r\n') +
    '\r\n'
  );
}

async function importCsv(client: ApiClient, batch: string, text: string, type: 'text/csv' | 'text/plain' = 'text/csv') {
  return client.request('POST', `/v1/payouts/batches/${batch}/results`, { body: text, headers: { 'content-type': type } });
}

/** Counts of what the ledger and the log hold for a tenant (a double import must change none). */
async function footprint(world: PayoutWorld, tenant: string) {
  const count = async (table: string) =>
    (await world.test.sql.query<{ n: string }>(`select count(*)::text as n from ${table} where tenant_id = $1`, [tenant]))
      .rows[0]!.n;
  const lines = await world.test.sql.query(
    'select line, result_status, result_reason, payer_reference, result_at from payout_lines where tenant_id = $1 order by batch_id, line',
    [tenant],
  );
  return {
    events: await count('events'),
    postings: await count('postings'),
    rejected: await count('rejected_events'),
    withdrawals: (
      await world.test.sql.query('select id, status, history from withdrawals where tenant_id = $1 order by id', [tenant])
    ).rows,
    lines: lines.rows,
  };
}

describe.each<Backend>(['pglite', 'postgres'])('payout batches on %s', (backend) => {
  let world: PayoutWorld;
  let t: TenantHandle;
  let batch: string;

  beforeAll(async () => {
    world = await startPayoutApp(backend);
    t = await payoutTenant(world, `pb-${backend}`, 5);
  });

  afterAll(async () => {
    await world?.test.close();
  });

  it('keeps payee accounts masked, hashed and nowhere in the clear', async () => {
    for (const [member, payee] of Object.entries(ACCOUNTS)) {
      const set = await t.admin.ok(
        t.admin.request('PUT', `/v1/members/${member}/payee`, { body: { realName: payee.realName, account: payee.account } }),
      );
      expect(set).toMatchObject({ member, realName: payee.realName, account: payee.masked });
      expect(await t.admin.ok(t.admin.get(`/v1/members/${member}/payee`))).toMatchObject({ account: payee.masked });
    }
    const read = world.test.as((await createKey(t.admin, 'read')).key);
    expect((await read.ok(read.get('/v1/members/L1/payee'))).account).toBe('6222********1234');
    expect(
      (await read.request('PUT', '/v1/members/L1/payee', { body: { realName: 'x', account: '6222000011112222' } })).status,
    ).toBe(403);
    expect(
      (await t.admin.request('PUT', '/v1/members/nobody/payee', { body: { realName: 'x', account: '6222000011112222' } })).status,
    ).toBe(404);
    expect((await t.admin.get('/v1/members/L4/payee')).status).toBe(404);
    const bad = await t.admin.request('PUT', '/v1/members/L4/payee', { body: { realName: '赵六', account: '62*2 secret!' } });
    expect(bad.status).toBe(400);
    expect(bad.text).not.toContain('secret');
    // Only a keyed digest of the normalised account is kept: no plain hash, no account.
    const stored = await world.test.sql.query<{ account_digest: string }>(
      "select account_digest from payees where tenant_id = $1 and member = 'L1'",
      [t.tenant],
    );
    const digest = stored.rows[0]!.account_digest;
    expect(digest).toBe(accountDigest('6222021234561234', await payeeKey(world.test.sql)));
    expect(digest).not.toContain(createHash('sha256').update('6222021234561234').digest('hex'));
  });

  it('makes a batch of the approved withdrawals not on a batch, skipping members without payee details', async () => {
    const admin = t.admin;
    await withdraw(world, admin, 'W1', 'L1', '800.00'); // tax (800 - 800) → 0.00
    await withdraw(world, admin, 'W2', 'L2', '900.00'); // tax 20.00
    await withdraw(world, admin, 'W3', 'L3', '500.00');
    await withdraw(world, admin, 'W4', 'L4', '600.00'); // L4 has no payee details
    await withdraw(world, admin, 'W5', 'L1', '2000.00'); // waits for review: not payable yet
    const created = await admin.ok(admin.post('/v1/payouts/batches', {}), 201);
    batch = created.batch.id;
    expect(batch).toMatch(/^PB\d{8}-[0-9A-F]{6}$/);
    expect(created.batch).toMatchObject({
      status: 'open',
      lines: 3,
      gross: '2200.00',
      tax: '20.00',
      net: '2180.00',
      currency: 'CNY',
      counts: { open: 3, paid: 0, failed: 0, rejected: 0 },
    });
    expect(created.skipped).toEqual([{ withdrawal: 'W4', member: 'L4', reason: expect.stringContaining('payee') }]);

    const got = await admin.ok(admin.get(`/v1/payouts/batches/${batch}`));
    expect(
      got.lines.map((l: { withdrawal: string; reference: string; account: string; realName: string; status: string }) => [
        l.withdrawal,
        l.reference,
        l.account,
        l.realName,
        l.status,
      ]),
    ).toEqual([
      ['W1', `${batch}-000001`, ACCOUNTS.L1!.masked, '张三', 'open'],
      ['W2', `${batch}-000002`, ACCOUNTS.L2!.masked, ACCOUNTS.L2!.realName, 'open'],
      ['W3', `${batch}-000003`, ACCOUNTS.L3!.masked, '王五', 'open'],
    ]);
    expect(got.lines[1]).toMatchObject({ gross: '900.00', tax: '20.00', net: '880.00', result: null });
    expect((await admin.ok(admin.get('/v1/payouts/batches'))).batches.map((b: { id: string }) => b.id)).toEqual([batch]);

    // Nothing is left to pay: W4 still lacks payee details, W1–W3 are on the batch.
    const again = await admin.post('/v1/payouts/batches', {});
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain('payee');
    // A withdrawal the payer holds is not rejected by hand.
    const reject = await admin.post('/v1/withdrawals/W1/reject', { reason: 'changed my mind' });
    expect(reject.status).toBe(409);
    expect(reject.body.error.message).toContain(batch);
    // Nor paid or failed by hand: its result file settles it (a hand and the file could disagree).
    for (const [path, body] of [
      ['/v1/withdrawals/W1/paid', { reference: 'BANK-1' }],
      ['/v1/withdrawals/W1/failed', { reason: 'bounced' }],
    ] as const) {
      const byHand = await admin.post(path, body);
      expect(byHand.status, path).toBe(409);
      expect(byHand.body.error.message).toContain(`/v1/payouts/batches/${batch}/results`);
    }
    // Filters: a member, a maximum count.
    await admin.ok(admin.request('PUT', '/v1/members/L4/payee', { body: { realName: '赵六', account: '6228480000000004' } }));
    await withdraw(world, admin, 'W6', 'L5', '100.00');
    const onlyL4 = await admin.ok(admin.post('/v1/payouts/batches', { members: ['L4'], max: 5 }), 201);
    expect(onlyL4.batch).toMatchObject({ lines: 1, gross: '600.00', filter: { members: ['L4'], max: 5 } });
    expect((await admin.ok(admin.get(`/v1/payouts/batches/${onlyL4.batch.id}`))).lines[0].withdrawal).toBe('W4');
  });

  it('exports the batch as CSV and XLSX with masked accounts and inert formulas', async () => {
    const file = await exportFile(world, t.adminKey, batch, 'csv');
    expect(file.status).toBe(200);
    expect(file.type).toContain('text/csv');
    expect(file.disposition).toContain(`${batch}.csv`);
    const text = file.raw.toString('utf8');
    expect(text.startsWith('\uFEFF')).toBe(true);
    const rows = parse(text, { bom: true }) as string[][];
    expect(rows[0]).toEqual([
      'reference',
      'withdrawal',
      'member',
      'real_name',
      'account',
      'gross',
      'tax',
      'net',
      'currency',
      'status',
      'reason',
      'payer_reference',
    ]);
    expect(rows.slice(1)).toEqual([
      [`${batch}-000001`, 'W1', 'L1', '张三', '6222********1234', '800.00', '0.00', '800.00', 'CNY', '', '', ''],
      [
        `${batch}-000002`,
        'W2',
        'L2',
        `'=HYPERLINK("http://evil")`,
        ACCOUNTS.L2!.masked,
        '900.00',
        '20.00',
        '880.00',
        'CNY',
        '',
        '',
        '',
      ],
      [`${batch}-000003`, 'W3', 'L3', '王五', ACCOUNTS.L3!.masked, '500.00', '0.00', '500.00', 'CNY', '', '', ''],
    ]);
    const xlsx = await exportFile(world, t.adminKey, batch, 'xlsx');
    expect(xlsx.status).toBe(200);
    expect(xlsx.type).toBe(XLSX);
    const sheet = await xlsxRows(xlsx.raw);
    expect(sheet[0]).toEqual(rows[0]);
    expect(sheet[2]!.slice(0, 9)).toEqual([
      `${batch}-000002`,
      'W2',
      'L2',
      ACCOUNTS.L2!.realName,
      ACCOUNTS.L2!.masked,
      900,
      20,
      880,
      'CNY',
    ]);
    for (const payee of Object.values(ACCOUNTS)) {
      const full = payee.account.replace(/[\s-]/g, '');
      expect(text).not.toContain(full);
      expect(xlsx.raw.toString('latin1')).not.toContain(full);
    }
    expect((await t.admin.get('/v1/payouts/batches/PB-nope/export')).status).toBe(404);
  });

  it('imports a result file of paid and failed lines; importing it again changes nothing', async () => {
    const admin = t.admin;
    world.clock.next();
    const result = csv([
      ['reference', 'withdrawal', 'status', 'reason', 'payer_reference'],
      [`${batch}-000001`, 'W1', 'paid', '', 'BANK-0001'],
      [`${batch}-000002`, 'W2', 'failed', 'account frozen', ''],
      [`${batch}-000003`, 'W3', '', '', ''],
      ['PB20990101-FFFFFF-000009', 'W9', 'paid', '', 'BANK-0009'],
      [`${batch}-000001`, 'W1', 'refunded', '', ''],
    ]);
    const first = await admin.ok(importCsv(admin, batch, result));
    expect(first).toMatchObject({ batch, rows: 5, applied: 2, duplicates: 0, skipped: 1 });
    expect(first.problems).toEqual([
      { row: 5, reference: 'PB20990101-FFFFFF-000009', code: 'unknown_reference', message: expect.any(String) },
      { row: 6, reference: `${batch}-000001`, code: 'invalid', message: expect.stringContaining('paid or failed') },
    ]);
    expect(await withdrawal(admin, 'W1')).toMatchObject({ status: 'paid' });
    expect((await withdrawal(admin, 'W1')).history.at(-1).note).toBe('BANK-0001');
    expect(await withdrawal(admin, 'W2')).toMatchObject({ status: 'failed' });
    expect(await withdrawal(admin, 'W3')).toMatchObject({ status: 'approved' });
    // W2's 900.00 is back, its tax reversed.
    expect(await balance(admin, 'L2')).toEqual({ pending: '0.00', available: '40000.00' });
    const unknownEvent = await admin.ok(admin.get('/v1/events', { type: 'withdrawal.paid' }));
    expect(unknownEvent.events.map((e: { payload: { id: string } }) => e.payload.id)).toEqual([`payout:${batch}:1:paid`]);

    const before = await footprint(world, t.tenant);
    world.clock.next();
    // (Sent again as text/plain, as some payers' tools label CSV: read the same.)
    const second = await admin.ok(importCsv(admin, batch, result, 'text/plain'));
    expect(second).toMatchObject({ applied: 0, duplicates: 2, skipped: 1 });
    expect(second.problems.map((p: { code: string }) => p.code)).toEqual(['unknown_reference', 'invalid']);
    expect(await footprint(world, t.tenant)).toEqual(before);

    // A payer's file that names the account it paid: another account than the payee's is refused
    // (never echoed); the payee's own account, differently spelled, would match its digest.
    const mismatch = await admin.ok(
      importCsv(
        admin,
        batch,
        csv([
          ['reference', 'status', 'paid_account'],
          [`${batch}-000003`, 'paid', 'zhang.san@example.com'],
        ]),
      ),
    );
    expect(mismatch).toMatchObject({ applied: 0, problems: [{ row: 2, code: 'account_mismatch' }] });
    expect(JSON.stringify(mismatch)).not.toContain('zhang.san');
    expect(await withdrawal(admin, 'W3')).toMatchObject({ status: 'approved' });

    // The same result for one line, from an XLSX the payer filled in: W3 paid; then the batch is closed.
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('results');
    sheet.addRow(['Reference', 'Status', 'Payer Reference', 'Paid Account']);
    sheet.addRow([`${batch}-000003`, 'PAID', 'BANK-0003', ' WANG.WU@example.com ']);
    const data = Buffer.from(await workbook.xlsx.writeBuffer());
    const viaXlsx = await admin.ok(
      admin.request('POST', `/v1/payouts/batches/${batch}/results`, { body: data, headers: { 'content-type': XLSX } }),
    );
    expect(viaXlsx).toMatchObject({ rows: 1, applied: 1, problems: [] });
    const header = (await admin.ok(admin.get(`/v1/payouts/batches/${batch}`))).batch;
    expect(header).toMatchObject({ status: 'closed', counts: { open: 0, paid: 2, failed: 1, rejected: 0 } });
    const lines = (await admin.ok(admin.get(`/v1/payouts/batches/${batch}`))).lines;
    expect(lines.map((l: { status: string; result: { status: string } | null }) => [l.status, l.result?.status])).toEqual([
      ['paid', 'paid'],
      ['failed', 'failed'],
      ['paid', 'paid'],
    ]);
    expect(lines[1].result).toMatchObject({ reason: 'account frozen' });

    const garbage = await admin.request('POST', `/v1/payouts/batches/${batch}/results`, {
      body: 'just,some\ncells,here\n',
      headers: { 'content-type': 'text/csv' },
    });
    expect(garbage.status).toBe(400);
    expect(garbage.body.error.code).toBe('invalid');
    const json = await admin.post(`/v1/payouts/batches/${batch}/results`, { rows: [] });
    expect(json.status).toBe(400);
    expect((await importCsv(admin, 'PB-nope', result)).status).toBe(404);
  });

  it('reconciles the batch: every line matched, totals equal to the lines and the ledger, and the ledger verifies', async () => {
    const report = await t.admin.ok(t.admin.get(`/v1/payouts/batches/${batch}/reconcile`));
    expect(report.differences).toEqual([]);
    expect(report).toMatchObject({ ok: true, status: 'closed', counts: { paid: 2, failed: 1, open: 0, rejected: 0 } });
    expect(report.totals.batch).toEqual({ gross: '2200.00', tax: '20.00', net: '2180.00' });
    expect(report.totals.lines).toEqual(report.totals.batch);
    expect(report.totals.ledger).toEqual(report.totals.batch);
    expect(report.totals.paid).toEqual({ count: 2, gross: '1300.00', tax: '0.00', net: '1300.00', paidOut: '1300.00' });
    expect(report.totals.failed).toEqual({
      count: 1,
      gross: '900.00',
      tax: '20.00',
      net: '880.00',
      givenBack: '900.00',
      taxReversed: '20.00',
    });
    expect(report.lines.every((l: { matched: boolean }) => l.matched)).toBe(true);
    expect((await t.admin.ok(t.admin.get('/v1/verify'))).ok).toBe(true);

    // An open batch: its line's net is still owed.
    const open = (await t.admin.ok(t.admin.get('/v1/payouts/batches', { status: 'open' }))).batches[0];
    const openReport = await t.admin.ok(t.admin.get(`/v1/payouts/batches/${open.id}/reconcile`));
    expect(openReport).toMatchObject({
      ok: true,
      status: 'open',
      counts: { open: 1 },
      totals: { open: { count: 1, net: '600.00', outstanding: '600.00' } },
    });
  });

  it('flags a difference between a line and the withdrawal or ledger', async () => {
    await world.test.sql.query('update payout_lines set net = net + 1 where tenant_id = $1 and batch_id = $2 and line = 1', [
      t.tenant,
      batch,
    ]);
    const report = await t.admin.ok(t.admin.get(`/v1/payouts/batches/${batch}/reconcile`));
    expect(report.ok).toBe(false);
    expect(report.differences.map((d: { check: string }) => d.check)).toEqual(
      expect.arrayContaining([
        'line net = withdrawal net',
        'line net = ledger net owed',
        'paid line: net paid out',
        'batch totals = sum of lines (net)',
        'sum of lines = ledger (net)',
      ]),
    );
    expect(report.lines[0].matched).toBe(false);
    expect(report.lines[1].matched).toBe(true);
    await world.test.sql.query('update payout_lines set net = net - 1 where tenant_id = $1 and batch_id = $2 and line = 1', [
      t.tenant,
      batch,
    ]);
  });

  it('audits batch creation, exports and imports, and each line the payer settled', async () => {
    const entries = await audit(t.admin, { target: batch });
    expect(entries.map((e) => e.action).reverse()).toEqual([
      'payout_batch.created',
      'payout_batch.exported',
      'payout_batch.exported',
      'payout_batch.imported',
      'payout_batch.imported',
      'payout_batch.imported', // the file whose account did not match: nothing applied
      'payout_batch.imported',
    ]);
    expect(entries.at(-2).details).toEqual({ format: 'csv', lines: 3 });
    expect(entries[0].details).toMatchObject({ format: 'xlsx', rows: 1, applied: 1 });
    expect(entries[1].details).toMatchObject({ format: 'csv', rows: 1, applied: 0, problems: 1 });
    expect(entries[2].details).toMatchObject({
      format: 'csv',
      rows: 5,
      applied: 0,
      duplicates: 2,
      problems: 2,
      sha256: entries[3].details.sha256,
    });
    expect(entries.at(-1).details).toMatchObject({ lines: 3, gross: '2200.00' });
    const paid = await audit(t.admin, { action: 'withdrawal.paid', target: 'W1' });
    expect(paid).toHaveLength(1);
    expect(paid[0]).toMatchObject({
      reason: 'BANK-0001',
      details: { batch, line: 1, reference: `${batch}-000001`, payerReference: 'BANK-0001' },
    });
    const failed = await audit(t.admin, { action: 'withdrawal.failed', target: 'W2' });
    expect(failed[0]).toMatchObject({ reason: 'account frozen' });
  });

  it('never stores a payee account in the clear, in any table', async () => {
    const tables = (
      await world.test.sql.query<{ table_name: string }>(
        "select table_name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'",
      )
    ).rows.map((r) => r.table_name);
    expect(tables).toEqual(expect.arrayContaining(['payees', 'payout_lines', 'audit_log']));
    const full = [
      ...Object.values(ACCOUNTS).map((p) => p.account.replace(/[\s-]/g, '')),
      'wang.wu@example.com',
      'Wang.Wu@Example.com',
      '6228480000000004',
    ];
    for (const table of tables) {
      const text =
        (await world.test.sql.query<{ all: string | null }>(`select string_agg(t::text, '|') as all from ${table} t`)).rows[0]!
          .all ?? '';
      expect(
        full.filter((account) => text.includes(account)),
        `table ${table}`,
      ).toEqual([]);
    }
  });
});
