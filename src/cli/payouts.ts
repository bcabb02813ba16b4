import { createWriteStream, readFileSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { configFromEnv } from '../server/config.ts';
import { PayoutError } from '../service/payouts/common.ts';
import type { ExportFormat } from '../service/payouts/export.ts';
import type { ImportReport } from '../service/payouts/import.ts';
import type { ReconcileReport } from '../service/payouts/reconcile.ts';
import { Service } from '../service/service.ts';
import { openDatabase } from '../store/open.ts';
import type { Sql } from '../store/sql.ts';
import { requireTenant } from './open-service.ts';

/** The store of DATABASE_URL, else PGlite in FENYONG_DATA_DIR (as `fenyong verify` and the server open it). */
export async function openStore(): Promise<Sql> {
  const config = configFromEnv();
  return openDatabase(config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir });
}

/** Who the audit log names for a command line action: `cli:<os user>`, or --by. */
export function cliActor(by: string | undefined): string {
  if (by) return by.slice(0, 128);
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // (no user entry: containers)
  }
  return `cli:${user}`;
}

function format(value: string | undefined, file: string | undefined): ExportFormat {
  const chosen = value ?? (file?.toLowerCase().endsWith('.xlsx') ? 'xlsx' : 'csv');
  if (chosen !== 'csv' && chosen !== 'xlsx') throw new PayoutError('invalid', `--format must be csv or xlsx, not ${chosen}`);
  return chosen;
}

/** Runs a command's work on the store for a tenant it holds; a PayoutError is printed and exits 2. */
async function withStore(setExit: (code: number) => void, tenant: string, work: (sql: Sql) => Promise<void>): Promise<void> {
  const sql = await openStore();
  try {
    await requireTenant(sql, tenant);
    await work(sql);
  } catch (error) {
    if (!(error instanceof PayoutError)) throw error;
    process.stderr.write(`fenyong: ${error.code}: ${error.message}\n`);
    setExit(2);
  } finally {
    await sql.close();
  }
}

/** `fenyong payouts export | import | reconcile`: payout batch files against the database. */
export function registerPayouts(program: Command, setExit: (code: number) => void): void {
  const payouts = program
    .command('payouts')
    .description('payout batch files: export for the payer, import its results, reconcile');
  registerExport(payouts, setExit);
  registerImport(payouts, setExit);
  registerReconcile(payouts, setExit);
}

function registerExport(payouts: Command, setExit: (code: number) => void): void {
  payouts
    .command('export')
    .description('write a payout batch as CSV or XLSX (accounts masked); audited')
    .requiredOption('--tenant <id>', 'tenant')
    .requiredOption('--batch <id>', 'payout batch id')
    .requiredOption('--out <file>', 'file to write')
    .option('--format <format>', 'csv or xlsx (default: from the file name, else csv)')
    .option('--by <actor>', 'who exports, for the audit log (default cli:<user>)')
    .action(async (options: { tenant: string; batch: string; out: string; format?: string; by?: string }) => {
      await withStore(setExit, options.tenant, async (sql) => {
        // (Loaded when used: the spreadsheet library costs every other command half a second.)
        const { auditExport, writeBatchFile } = await import('../service/payouts/export.ts');
        const chosen = format(options.format, options.out);
        await auditExport(sql, options.tenant, options.batch, chosen, cliActor(options.by));
        // Written aside, then renamed: a half-written file never has the name asked for.
        const partial = `${options.out}.partial`;
        try {
          const { lines } = await writeBatchFile(sql, options.tenant, options.batch, chosen, createWriteStream(partial));
          await rename(partial, options.out);
          process.stdout.write(`${options.batch}: ${lines} lines written to ${options.out} (${chosen})\n`);
        } catch (error) {
          await rm(partial, { force: true });
          throw error;
        }
      });
    });
}

function registerImport(payouts: Command, setExit: (code: number) => void): void {
  payouts
    .command('import')
    .description(
      "apply the payer's result file (CSV or XLSX: reference, status paid|failed, reason, payer_reference); importing it again changes nothing",
    )
    .requiredOption('--tenant <id>', 'tenant')
    .requiredOption('--batch <id>', 'payout batch id')
    .requiredOption('--file <file>', 'the result file')
    .option('--format <format>', 'csv or xlsx (default: from the file name, else csv)')
    .option('--at <instant>', 'instant of the results (ISO 8601; default now)')
    .option('--by <actor>', 'who imports, for the audit log (default cli:<user>)')
    .option('--json', 'print the report as JSON')
    .action(
      async (options: {
        tenant: string;
        batch: string;
        file: string;
        format?: string;
        at?: string;
        by?: string;
        json?: boolean;
      }) => {
        await withStore(setExit, options.tenant, async (sql) => {
          const { importResults, parseResultFile } = await import('../service/payouts/import.ts');
          const chosen = format(options.format, options.file);
          const data = readFileSync(options.file);
          const rows = await parseResultFile(data, chosen);
          const at = options.at ?? new Date().toISOString();
          if (Number.isNaN(Date.parse(at))) throw new PayoutError('invalid', '--at must be an ISO 8601 instant');
          const report = await importResults(new Service(sql), options.tenant, options.batch, rows, {
            actor: cliActor(options.by),
            at,
            format: chosen,
            file: data,
          });
          if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
          else printImport(report);
          if (report.problems.length > 0) setExit(1);
        });
      },
    );
}

function printImport(report: ImportReport): void {
  process.stdout.write(
    `${report.batch}: ${report.rows} rows, ${report.applied} applied, ${report.duplicates} already applied, ${report.skipped} without a status, ${report.problems.length} not applied\n`,
  );
  for (const problem of report.problems)
    process.stdout.write(`  row ${problem.row} ${problem.reference || '(no reference)'}: ${problem.code}: ${problem.message}\n`);
}

function registerReconcile(payouts: Command, setExit: (code: number) => void): void {
  payouts
    .command('reconcile')
    .description('check a batch: every line against its withdrawal and the ledger; exit 1 on a difference')
    .requiredOption('--tenant <id>', 'tenant')
    .requiredOption('--batch <id>', 'payout batch id')
    .option('--json', 'print the report as JSON')
    .action(async (options: { tenant: string; batch: string; json?: boolean }) => {
      await withStore(setExit, options.tenant, async (sql) => {
        const { reconcileBatch } = await import('../service/payouts/reconcile.ts');
        // (The text report prints totals and differences only: no lines are listed for it.)
        const report = await reconcileBatch(sql, options.tenant, options.batch, { limit: options.json ? 1_000_000 : 0 });
        if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        else printReconcile(report);
        if (!report.ok) setExit(1);
      });
    });
}

function printReconcile(report: ReconcileReport): void {
  const t = report.totals;
  process.stdout.write(
    `${report.ok ? 'ok  ' : 'FAIL'} ${report.batch} (${report.status}): ${report.counts.paid} paid, ${report.counts.failed} failed, ${report.counts.open} open, ${report.counts.rejected} rejected\n`,
  );
  process.stdout.write(`     lines  gross ${t.lines.gross}  tax ${t.lines.tax}  net ${t.lines.net}\n`);
  process.stdout.write(`     ledger gross ${t.ledger.gross}  tax ${t.ledger.tax}  net ${t.ledger.net}\n`);
  for (const d of report.differences)
    process.stdout.write(`     ✗ ${d.reference ? `${d.reference} ` : ''}${d.check}: expected ${d.expected}, got ${d.actual}\n`);
}
