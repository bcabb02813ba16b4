import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fenyongWith } from '../support/cli.ts';
import { Service } from '../../src/service/service.ts';
import { createTenant } from '../../src/service/tenants.ts';
import { openDatabase } from '../../src/store/open.ts';
import type { Sql } from '../../src/store/sql.ts';
import { openTestDatabase, POSTGRES_URL, type TestDatabase } from '../support/db.ts';
import { EVENTS, fen, MEMBERS, PLAN } from './fixture.ts';
import { pdfText } from './pdf.ts';

/** `fenyong statement` and `fenyong report tax|commission` against PGlite's data dir and PostgreSQL. */

/** The fixture tenant, written through the service as the server would. */
async function seed(sql: Sql, tenant: string): Promise<void> {
  const service = new Service(sql);
  await createTenant(service, {
    id: tenant,
    name: '对账商城 Statement shop',
    timezone: 'Asia/Shanghai',
    currency: 'CNY',
    plan: PLAN,
  });
  await service.importNetwork(tenant, MEMBERS, 'test');
  const results = await service.ingest(tenant, EVENTS, 'test');
  expect(results.filter((result) => result.status !== 'accepted')).toEqual([]);
}

describe('fenyong statement and report on a PGlite data dir', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fenyong-cli-'));
  const env = { DATABASE_URL: '', FENYONG_DATA_DIR: join(dir, 'pglite') };

  beforeAll(async () => {
    const sql = await openDatabase({ dataDir: env.FENYONG_DATA_DIR });
    try {
      await seed(sql, 'cli-shop');
    } finally {
      await sql.close();
    }
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a statement as PDF', async () => {
    const pdfFile = join(dir, 'l1.pdf');
    const pdf = await fenyongWith(
      env,
      'statement',
      '--tenant',
      'cli-shop',
      '--member',
      'L1',
      '--month',
      '2026-03',
      '--format',
      'pdf',
      '--out',
      pdfFile,
    );
    expect(pdf.code, pdf.stderr).toBe(0);
    expect(pdf.stderr).toContain('check ok');
    const { text } = await pdfText(readFileSync(pdfFile));
    expect(text).toContain('佣金对账单');
    expect(text).toContain('三月活动奖励');
    expect(text).toContain('1909.00');
  });

  it('prints the tax report and the commission report', async () => {
    const tax = await fenyongWith(env, 'report', 'tax', '--tenant', 'cli-shop', '--month', '2026-02');
    expect(tax.code, tax.stderr).toBe(0);
    const body = JSON.parse(tax.stdout);
    expect(body.totals).toMatchObject({ gross: '2900.00', withheld: '260.00', net: '2640.00' });
    expect(body.check.ok).toBe(true);

    const commission = await fenyongWith(
      env,
      'report',
      'commission',
      '--tenant',
      'cli-shop',
      '--from',
      '2026-02',
      '--to',
      '2026-03',
      '--by',
      'branch',
      '--format',
      'csv',
    );
    expect(commission.code, commission.stderr).toBe(0);
    const rows = parse(commission.stdout, { columns: true, bom: true }) as Record<string, string>[];
    expect(rows.map((row) => [row.key, row.commission])).toEqual([
      ['B1', '4676.00'],
      ['B2', '60.00'],
      ['TOTAL', '4736.00'],
    ]);
  });
});

describe('fenyong statement and report on PostgreSQL (DATABASE_URL)', () => {
  let db: TestDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    db = await openTestDatabase('postgres');
    await seed(db.sql, 'cli-shop-pg');
    const url = new URL(POSTGRES_URL);
    url.searchParams.set('options', `-c search_path=${db.schema}`);
    env = { DATABASE_URL: url.toString() };
  });

  afterAll(async () => {
    await db?.close();
  });

  it('prints a statement as JSON and the tax report as CSV; an unknown member exits 2', async () => {
    const [statement, tax, unknown, tenant] = await Promise.all([
      fenyongWith(env, 'statement', '--tenant', 'cli-shop-pg', '--member', 'A1', '--month', '2026-03'),
      fenyongWith(env, 'report', 'tax', '--tenant', 'cli-shop-pg', '--month', '2026-03', '--format', 'csv'),
      fenyongWith(env, 'statement', '--tenant', 'cli-shop-pg', '--member', 'NOBODY', '--month', '2026-03'),
      fenyongWith(env, 'report', 'tax', '--tenant', 'no-such-tenant', '--month', '2026-03'),
    ]);
    expect(statement.code, statement.stderr).toBe(0);
    const body = JSON.parse(statement.stdout);
    expect(body.manualAdjustments.items[0]).toMatchObject({
      adjustment: 'ADJ2',
      amount: '-20.00',
      reason: '扣回多发佣金 clawback',
    });
    expect(body.check.ok).toBe(true);

    expect(tax.code, tax.stderr).toBe(0);
    const rows = parse(tax.stdout, { columns: true, bom: true }) as Record<string, string>[];
    const total = rows.pop()!;
    expect(total).toMatchObject({ member: 'TOTAL', withheld: '-200.00' });
    expect(rows.reduce((sum, row) => sum + fen(row.withheld), 0n)).toBe(fen(total.withheld!));

    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown_member');
    expect(tenant.code).toBe(2);
    expect(tenant.stderr).toContain('no-such-tenant');
  });
});
