import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fenyongWith } from '../support/cli.ts';
import { buildApp } from '../../src/api/app.ts';
import { Service } from '../../src/service/service.ts';
import { openDatabase } from '../../src/store/open.ts';
import type { Sql } from '../../src/store/sql.ts';
import { ApiClient, PLATFORM_TOKEN } from '../support/app.ts';
import { openTestDatabase, POSTGRES_URL, type Backend, type TestDatabase } from '../support/db.ts';
import { Clock, PAYOUT_PLAN } from './support.ts';

/** A tenant with three approved withdrawals on one payout batch, made over the API on `sql`. */
async function seed(sql: Sql, tenant: string): Promise<string> {
  const clock = new Clock('2026-08-01T00:00:00+08:00');
  const app = await buildApp({ service: new Service(sql), platformToken: PLATFORM_TOKEN, now: clock.now });
  try {
    const platform = new ApiClient(app, PLATFORM_TOKEN);
    const { adminKey } = await platform.ok(
      platform.post('/v1/tenants', {
        id: tenant,
        name: tenant,
        timezone: 'Asia/Shanghai',
        currency: 'CNY',
        plan: PAYOUT_PLAN,
        allowRefused: true,
      }),
      201,
    );
    const admin = new ApiClient(app, adminKey);
    await admin.ok(
      admin.post('/v1/network/import', {
        members: [
          { id: 'L1', role: 'leader' },
          { id: 'c1', role: 'customer', parent: 'L1' },
        ],
      }),
    );
    await admin.ok(
      admin.post('/v1/events', {
        events: [
          {
            type: 'order.paid',
            at: clock.next(),
            order: 'O1',
            buyer: 'c1',
            lines: [{ line: 1, sku: 's', qty: 1, paid: '10000.00' }],
          },
          { type: 'order.completed', at: clock.next(), order: 'O1' },
        ],
      }),
    );
    await admin.ok(admin.request('PUT', '/v1/members/L1/payee', { body: { realName: '李四', account: '6222020000001111' } }));
    for (const [id, amount] of [
      ['W1', '100.00'],
      ['W2', '200.00'],
      ['W3', '300.00'],
    ] as const) {
      await admin.ok(admin.post('/v1/withdrawals', { withdrawal: id, member: 'L1', amount, at: clock.next() }));
    }
    return (await admin.ok(admin.post('/v1/payouts/batches', {}), 201)).batch.id;
  } finally {
    await app.close();
  }
}

describe.each<Backend>(['pglite', 'postgres'])('fenyong payouts and fenyong audit on %s', (backend) => {
  const dir = mkdtempSync(join(tmpdir(), 'fenyong-payouts-cli-'));
  let env: Record<string, string>;
  let db: TestDatabase | null = null;
  let batch: string;
  const tenant = `cli-${backend}`;

  beforeAll(async () => {
    if (backend === 'pglite') {
      env = { FENYONG_DATA_DIR: join(dir, 'pglite') };
      const sql = await openDatabase({ dataDir: env.FENYONG_DATA_DIR });
      batch = await seed(sql, tenant);
      await sql.close(); // one process at a time on a PGlite folder
    } else {
      db = await openTestDatabase('postgres');
      const url = new URL(POSTGRES_URL);
      url.searchParams.set('options', `-c search_path=${db.schema}`);
      env = { DATABASE_URL: url.toString() };
      batch = await seed(db.sql, tenant);
    }
  });

  afterAll(async () => {
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('exports a batch as CSV and XLSX', async () => {
    const csvFile = join(dir, `${backend}.csv`);
    const csv = await fenyongWith(
      env,
      'payouts',
      'export',
      '--tenant',
      tenant,
      '--batch',
      batch,
      '--format',
      'csv',
      '--out',
      csvFile,
    );
    expect(csv.stderr).toBe('');
    expect(csv.code).toBe(0);
    expect(csv.stdout).toContain('3 lines');
    const lines = readFileSync(csvFile, 'utf8')
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/);
    expect(lines).toHaveLength(4);
    expect(lines[1]).toBe(`${batch}-000001,W1,L1,李四,6222********1111,100.00,0.00,100.00,CNY,,,`);

    const xlsxFile = join(dir, `${backend}.xlsx`);
    expect((await fenyongWith(env, 'payouts', 'export', '--tenant', tenant, '--batch', batch, '--out', xlsxFile)).code).toBe(0);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(xlsxFile);
    expect(workbook.worksheets[0]!.rowCount).toBe(4);
    expect(workbook.worksheets[0]!.getRow(4).getCell(8).value).toBe(300);

    const missing = await fenyongWith(
      env,
      'payouts',
      'export',
      '--tenant',
      tenant,
      '--batch',
      'PB-nope',
      '--out',
      join(dir, 'nope.csv'),
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('not_found');
  }, 240_000);

  it('imports the result file once (twice changes nothing), reconciles, and shows the audit log', async () => {
    const results = join(dir, `${backend}-results.csv`);
    writeFileSync(
      results,
      `reference,status,reason,payer_reference\n${batch}-000001,paid,,TX-1\n${batch}-000002,failed,name mismatch,\n${batch}-000003,paid,,TX-3\n`,
    );
    const first = await fenyongWith(
      env,
      'payouts',
      'import',
      '--tenant',
      tenant,
      '--batch',
      batch,
      '--file',
      results,
      '--at',
      '2026-08-10T10:00:00+08:00',
      '--by',
      'ops-zhang',
    );
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('3 applied, 0 already applied');
    const second = await fenyongWith(
      env,
      'payouts',
      'import',
      '--tenant',
      tenant,
      '--batch',
      batch,
      '--file',
      results,
      '--at',
      '2026-08-11T10:00:00+08:00',
      '--json',
    );
    expect(JSON.parse(second.stdout)).toMatchObject({ applied: 0, duplicates: 3, problems: [] });

    const reconcile = await fenyongWith(env, 'payouts', 'reconcile', '--tenant', tenant, '--batch', batch);
    expect(reconcile.code).toBe(0);
    expect(reconcile.stdout).toContain('2 paid, 1 failed, 0 open');

    const log = await fenyongWith(env, 'audit', '--tenant', tenant, '--json');
    expect(log.code).toBe(0);
    const entries = log.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    const actions = entries.map((e: { action: string; actor: string }) => `${e.action} ${e.actor}`);
    expect(actions).toContain('payout_batch.imported ops-zhang');
    expect(actions.filter((a: string) => a.startsWith('withdrawal.'))).toEqual([
      'withdrawal.paid ops-zhang',
      'withdrawal.failed ops-zhang',
      'withdrawal.paid ops-zhang',
    ]);
    expect(actions.filter((a: string) => a.startsWith('payout_batch.exported'))).toHaveLength(2);
    expect(actions.find((a: string) => a.startsWith('payout_batch.exported'))).toMatch(/ cli:/);
    const filtered = await fenyongWith(env, 'audit', '--tenant', tenant, '--action', 'withdrawal.failed');
    expect(filtered.stdout).toContain('W2');
    expect(filtered.stdout).toContain('name mismatch');
  }, 240_000);

  it('refuses a tenant the database does not hold and a limit that is not a whole number, with one line and exit 2', async () => {
    for (const args of [
      ['audit', '--tenant', 'nope'],
      ['verify', '--tenant', 'nope'],
      ['payouts', 'reconcile', '--tenant', 'nope', '--batch', batch],
    ]) {
      const refused = await fenyongWith(env, ...args);
      expect(refused.code, args.join(' ')).toBe(2);
      expect(refused.stderr.trim()).toBe('fenyong: tenant nope does not exist');
    }
    const badLimit = await fenyongWith(env, 'audit', '--tenant', tenant, '--limit', 'abc');
    expect(badLimit.code).toBe(2);
    expect(badLimit.stderr).toContain('--limit must be a whole number from 1 to 100000, not "abc"');
  }, 120_000);
});
