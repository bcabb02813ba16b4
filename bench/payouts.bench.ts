/**
 * `npm run bench:payouts`: a payout batch of 100,000 lines against real PostgreSQL (DATABASE_URL,
 * default the local `test` database, in a scratch schema), made the way production makes it:
 *  1. setup (not a goal): 10,000 leaders earn commissions through the engine, then request
 *     100,000 withdrawals (approved at once); payee details for every leader;
 *  2. POST /v1/payouts/batches → one batch of 100,000 lines;
 *  3. the goal: GET …/export?format=csv and ?format=xlsx over HTTP on loopback, the whole file
 *     received, ≤ 5 s each (3 runs each, the slowest counts); and the same export to a file on
 *     PGlite (what `fenyong payouts export` does on the embedded store), the lines copied over;
 *  4. for information: import of the payer's 100,000-line result file (half paid, half failed),
 *     the same file again (nothing applied), reconcile.
 * Figures go into the "payouts" section of BENCHMARKS.md.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { buildApp } from '../src/api/app.ts';
import { accountDigest, payeeKey } from '../src/service/account-digest.ts';
import { maskAccount } from '../src/service/payees.ts';
import { writeBatchFile } from '../src/service/payouts/export.ts';
import { Service } from '../src/service/service.ts';
import { openDatabase } from '../src/store/open.ts';
import { machineLines, table, writeSection } from './support/report.ts';

const BASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = 'bench_payouts';
const LEADERS = 10_000;
const LINES = 100_000;
const RUNS = 3;
const GOAL_S = 5;
const TENANT = 'bench-payouts';
const log = (line: string) => process.stderr.write(`[bench:payouts] ${line}\n`);
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

const plan = {
  tax: 'cn-labor',
  freezeDays: 0,
  minWithdrawal: '10.00',
  templates: [{ id: 'direct', template: 'multi-level', params: { rates: ['10%'], base: 'paid' } }],
};

async function main(): Promise<void> {
  const load = loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
  const admin = new pg.Client(BASE_URL);
  await admin.connect();
  await admin.query(`drop schema if exists ${SCHEMA} cascade; create schema ${SCHEMA}`);
  const version = (await admin.query('show server_version')).rows[0].server_version as string;
  const url = `${BASE_URL}${BASE_URL.includes('?') ? '&' : '?'}options=-c%20search_path%3D${SCHEMA}`;
  const sql = await openDatabase({ databaseUrl: url });
  const service = new Service(sql);
  let clock = Date.parse('2026-08-01T00:00:00+08:00');
  const next = () => new Date((clock += 1000)).toISOString();
  const app = await buildApp({ service, platformToken: 'bench-token', now: () => clock });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  const request = async (method: string, path: string, key: string, body?: unknown, type = 'application/json') => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { 'content-type': type } : {}) },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${(await response.text()).slice(0, 300)}`);
    return response;
  };

  // 1. Setup through the engine.
  let started = performance.now();
  const created = (await (
    await request('POST', '/v1/tenants', 'bench-token', {
      id: TENANT,
      name: TENANT,
      timezone: 'Asia/Shanghai',
      currency: 'CNY',
      plan,
      allowRefused: true,
    })
  ).json()) as { adminKey: string };
  const key = created.adminKey;
  const members: unknown[] = [];
  for (let i = 0; i < LEADERS; i++)
    members.push({ id: `L${i}`, role: 'leader' }, { id: `C${i}`, role: 'customer', parent: `L${i}` });
  await service.importNetwork(TENANT, members, 'bench');
  const events: unknown[] = [];
  for (let i = 0; i < LEADERS; i++) {
    events.push({
      type: 'order.paid',
      at: next(),
      order: `O${i}`,
      buyer: `C${i}`,
      lines: [{ line: 1, sku: 's', qty: 1, paid: '10000.00' }],
    });
    events.push({ type: 'order.completed', at: next(), order: `O${i}` });
  }
  const perLeader = LINES / LEADERS;
  for (let i = 0; i < LINES; i++)
    events.push({
      type: 'withdrawal.requested',
      at: next(),
      withdrawal: `W${i}`,
      member: `L${i % LEADERS}`,
      amount: `${50 + (i % 7)}.${String(i % 100).padStart(2, '0')}`,
    });
  for (let start = 0; start < events.length; start += 1000) {
    const results = await service.ingest(TENANT, events.slice(start, start + 1000), 'bench');
    const refused = results.find((r) => r.status === 'rejected');
    if (refused) throw new Error(`setup event refused: ${JSON.stringify(refused)}`);
  }
  const names = ['张伟', '王芳', '李娜', '刘洋', '陈静', '杨磊', '赵敏', '黄强'];
  const digestKey = await payeeKey(sql);
  const accounts = Array.from({ length: LEADERS }, (_, i) => `6222${String(100000000000 + i * 7919).slice(-12)}`);
  await sql.query(
    `insert into payees (tenant_id, member, real_name, account_masked, account_digest, updated_by)
     select $1, * from unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[])`,
    [
      TENANT,
      accounts.map((_, i) => `L${i}`),
      accounts.map((_, i) => names[i % names.length]!),
      accounts.map(maskAccount),
      accounts.map((account) => accountDigest(account, digestKey)),
      accounts.map(() => 'bench'),
    ],
  );
  const setupMs = performance.now() - started;
  log(`setup: ${LEADERS} leaders, ${LINES} approved withdrawals (${perLeader} each), payees, in ${seconds(setupMs)}`);

  // 2. The batch.
  started = performance.now();
  const batch = (
    (await (await request('POST', '/v1/payouts/batches', key, {})).json()) as {
      batch: { id: string; lines: number; gross: string; net: string };
    }
  ).batch;
  const batchMs = performance.now() - started;
  if (batch.lines !== LINES) throw new Error(`batch has ${batch.lines} lines`);
  log(`batch ${batch.id}: ${batch.lines} lines, gross ${batch.gross}, in ${seconds(batchMs)}`);

  // 3. Exports over HTTP.
  const exports: Record<'csv' | 'xlsx', { ms: number[]; bytes: number }> = {
    csv: { ms: [], bytes: 0 },
    xlsx: { ms: [], bytes: 0 },
  };
  for (let run = 0; run < RUNS; run++) {
    for (const format of ['csv', 'xlsx'] as const) {
      started = performance.now();
      const response = await request('GET', `/v1/payouts/batches/${batch.id}/export?format=${format}`, key);
      const body = Buffer.from(await response.arrayBuffer());
      exports[format].ms.push(performance.now() - started);
      exports[format].bytes = body.length;
      log(`export ${format} run ${run + 1}: ${seconds(exports[format].ms.at(-1)!)}, ${mb(body.length)}`);
    }
  }

  // 3b. The same export to a file on PGlite (fenyong payouts export on the embedded store).
  const lite = await openDatabase({});
  await lite.query('insert into tenants (id, name, timezone, currency) values ($1, $1, $2, $3)', [
    TENANT,
    'Asia/Shanghai',
    'CNY',
  ]);
  const columns =
    'tenant_id, batch_id, line, reference, withdrawal, member, real_name, account_masked, account_digest, gross, tax, net';
  for (let after = 0; after < LINES; after += 10_000) {
    const rows = (
      await sql.query<Record<string, string | number>>(
        `select ${columns} from payout_lines where tenant_id = $1 and line > $2 and line <= $3 order by line`,
        [TENANT, after, after + 10_000],
      )
    ).rows;
    const names = columns.split(', ');
    await lite.query(
      `insert into payout_lines (${columns}) select * from unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::bigint[], $11::bigint[], $12::bigint[])`,
      names.map((name) => rows.map((row) => String(row[name]))),
    );
  }
  await lite.query(
    'insert into payout_batches (tenant_id, id, created_by, currency, lines, gross, tax, net) values ($1, $2, $3, $4, $5, 0, 0, 0)',
    [TENANT, batch.id, 'bench', 'CNY', LINES],
  );
  const folder = await mkdtemp(join(tmpdir(), 'fenyong-bench-'));
  const toFile: Record<'csv' | 'xlsx', number[]> = { csv: [], xlsx: [] };
  for (let run = 0; run < RUNS; run++) {
    for (const format of ['csv', 'xlsx'] as const) {
      const file = join(folder, `${batch.id}.${format}`);
      started = performance.now();
      await writeBatchFile(lite, TENANT, batch.id, format, createWriteStream(file));
      toFile[format].push(performance.now() - started);
      log(`PGlite export ${format} to a file run ${run + 1}: ${seconds(toFile[format].at(-1)!)}, ${mb((await stat(file)).size)}`);
    }
  }
  await lite.close();
  await rm(folder, { recursive: true, force: true });

  // 4. Import of the payer's results, twice, then reconcile.
  const csv = ['reference,status,reason,payer_reference'];
  for (let line = 1; line <= LINES; line++) {
    const reference = `${batch.id}-${String(line).padStart(6, '0')}`;
    csv.push(line % 2 === 0 ? `${reference},failed,account closed,` : `${reference},paid,,TX${line}`);
  }
  const resultFile = `${csv.join('\n')}\n`;
  clock += 86_400_000;
  started = performance.now();
  const first = (await (
    await request('POST', `/v1/payouts/batches/${batch.id}/results`, key, resultFile, 'text/csv')
  ).json()) as { applied: number; duplicates: number; problems: unknown[] };
  const importMs = performance.now() - started;
  log(`import: ${first.applied} applied, ${first.problems.length} problems, in ${seconds(importMs)}`);
  clock += 60_000;
  started = performance.now();
  const second = (await (
    await request('POST', `/v1/payouts/batches/${batch.id}/results`, key, resultFile, 'text/csv')
  ).json()) as { applied: number; duplicates: number };
  const againMs = performance.now() - started;
  log(`import again: ${second.applied} applied, ${second.duplicates} duplicates, in ${seconds(againMs)}`);
  started = performance.now();
  const reconcile = (await (await request('GET', `/v1/payouts/batches/${batch.id}/reconcile?limit=0`, key)).json()) as {
    ok: boolean;
    counts: Record<string, number>;
  };
  const reconcileMs = performance.now() - started;
  log(`reconcile: ok ${reconcile.ok} ${JSON.stringify(reconcile.counts)} in ${seconds(reconcileMs)}`);
  if (first.applied !== LINES || second.applied !== 0 || !reconcile.ok)
    throw new Error('import or reconcile did not come out as expected');

  await app.close();
  await sql.close();
  await admin.query(`drop schema if exists ${SCHEMA} cascade`);
  await admin.end();

  const worst = (values: number[]) => Math.max(...values);
  const goal = (values: number[]) => (worst(values) <= GOAL_S * 1000 ? 'met' : '**missed**');
  const runs = (values: number[]) => values.map((v) => (v / 1000).toFixed(2)).join(' / ');
  const rows = [
    [
      'Export of 100,000 lines as CSV over HTTP (whole file received)',
      `≤ ${GOAL_S} s`,
      `${seconds(worst(exports.csv.ms))} (runs ${runs(exports.csv.ms)} s; ${mb(exports.csv.bytes)})`,
      goal(exports.csv.ms),
    ],
    [
      'Export of 100,000 lines as XLSX over HTTP (whole file received)',
      `≤ ${GOAL_S} s`,
      `${seconds(worst(exports.xlsx.ms))} (runs ${runs(exports.xlsx.ms)} s; ${mb(exports.xlsx.bytes)})`,
      goal(exports.xlsx.ms),
    ],
    [
      'Export as CSV to a file on PGlite (`fenyong payouts export`)',
      `≤ ${GOAL_S} s`,
      `${seconds(worst(toFile.csv))} (runs ${runs(toFile.csv)} s)`,
      goal(toFile.csv),
    ],
    [
      'Export as XLSX to a file on PGlite',
      `≤ ${GOAL_S} s`,
      `${seconds(worst(toFile.xlsx))} (runs ${runs(toFile.xlsx)} s)`,
      goal(toFile.xlsx),
    ],
    ['Batch creation, 100,000 lines (POST /v1/payouts/batches)', '—', seconds(batchMs), ''],
    [
      'Import of the result file, 100,000 lines (50,000 paid, 50,000 failed: 100,000 events, one transaction)',
      '—',
      seconds(importMs),
      '',
    ],
    ['The same result file again (nothing applied)', '—', seconds(againMs), ''],
    ['Reconcile, 100,000 lines', '—', seconds(reconcileMs), ''],
  ];
  const body = `## Payouts (\`bench/payouts.bench.ts\`)

A payout batch of ${LINES.toLocaleString('en-US')} lines on PostgreSQL ${version}, made the way production makes it: ${LEADERS.toLocaleString('en-US')} leaders earn
commissions through the engine and request ${LINES.toLocaleString('en-US')} withdrawals (labour-remuneration tax withheld, approved at once),
every leader has payee details, and POST /v1/payouts/batches takes them all. Exports are requested over HTTP on loopback
and timed until the whole file is received (${RUNS} runs of each format; the slowest counts). The PGlite rows write the
same lines (copied into an in-memory PGlite) to a file, as \`fenyong payouts export\` does on the embedded store. Client,
server and PostgreSQL share the machine's cores. Setup (not timed as a goal): ${seconds(setupMs)}.

${machineLines('npm run bench:payouts')}
- Load average when it started: ${load} (a shared machine: wall-clock figures vary with the load)

${table(['Goal', 'Target', 'Measured', ''], rows)}

CSV is UTF-8 with a BOM; XLSX is written by exceljs's streaming writer (no shared strings; amounts as numbers with the
currency's decimals), a page of 10,000 lines at a time, so memory stays flat whatever the batch size.`;
  console.log(body);
  writeSection('payouts', body);
  log('wrote BENCHMARKS.md');
}

await main();
