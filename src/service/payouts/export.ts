import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import type { Sql } from '../../store/sql.ts';
import { writeAudit } from '../audit.ts';
import { PayoutError, tenantMoney } from './common.ts';

export type ExportFormat = 'csv' | 'xlsx';
export const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const EXPORT_MIME: Record<ExportFormat, string> = { csv: 'text/csv; charset=utf-8', xlsx: XLSX_MIME };

/**
 * The columns of the payout file. The last three are left empty for the payer, who fills them
 * in (status paid or failed, a reason, its own reference) and sends the same file back.
 */
export const EXPORT_COLUMNS = [
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
] as const;

const PAGE = 10_000;

/** A text cell a spreadsheet would run as a formula (=, +, -, @, tab, CR first) is quoted with '. */
function inert(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** Checks that the batch exists and records the export in the audit log (before the file is written). */
export async function auditExport(sql: Sql, tenant: string, batch: string, format: ExportFormat, actor: string): Promise<number> {
  const row = (
    await sql.query<{ lines: number }>('select lines from payout_batches where tenant_id = $1 and id = $2', [tenant, batch])
  ).rows[0];
  if (!row) throw new PayoutError('not_found', `no payout batch ${batch}`);
  await writeAudit(sql, tenant, [
    { actor, action: 'payout_batch.exported', target: batch, details: { format, lines: row.lines } },
  ]);
  return row.lines;
}

/**
 * Writes a batch's lines to `out` as CSV (UTF-8 with a BOM, so that spreadsheets read the
 * Chinese names) or XLSX (streamed), a page of lines at a time, then ends `out`.
 * Accounts are masked: the full account is never stored, so never exported.
 */
export async function writeBatchFile(
  sql: Sql,
  tenant: string,
  batch: string,
  format: ExportFormat,
  out: Writable,
): Promise<{ lines: number }> {
  const money = await tenantMoney(sql, tenant);
  const pages = linePages(sql, tenant, batch);
  let lines = 0;
  if (format === 'csv') {
    await write(out, `\uFEFF${stringify([[...EXPORT_COLUMNS]])}`);
    for await (const page of pages) {
      const records = page.map((r) => [
        r.reference,
        inert(r.withdrawal),
        inert(r.member),
        inert(r.real_name),
        r.account_masked,
        money.money(r.gross),
        money.money(r.tax),
        money.money(r.net),
        money.currency,
        '',
        '',
        '',
      ]);
      lines += records.length;
      await write(out, stringify(records));
    }
    out.end();
    await finished(out);
    return { lines };
  }
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet('payouts');
  const widths = [24, 18, 16, 16, 22, 14, 12, 14, 9, 9, 24, 20];
  sheet.columns = EXPORT_COLUMNS.map((header, index) => ({ header, key: header, width: widths[index]! }));
  // Shared style objects: exceljs caches a style by the object, so millions of cells cost one lookup each.
  const text = {};
  const amount = { numFmt: money.decimals === 0 ? '0' : `0.${'0'.repeat(money.decimals)}` };
  for await (const page of pages) {
    for (const r of page) {
      // (The payer's three columns stay empty: no cells are written for them.)
      const row = sheet.addRow([
        r.reference,
        r.withdrawal,
        r.member,
        r.real_name,
        r.account_masked,
        Number(money.money(r.gross)),
        Number(money.money(r.tax)),
        Number(money.money(r.net)),
        money.currency,
      ]);
      for (let cell = 1; cell <= 9; cell++) row.getCell(cell).style = cell >= 6 && cell <= 8 ? amount : text;
      row.commit();
      lines += 1;
    }
  }
  sheet.commit();
  await workbook.commit();
  await finished(out);
  return { lines };
}

type ExportRow = {
  line: number;
  reference: string;
  withdrawal: string;
  member: string;
  real_name: string;
  account_masked: string;
  gross: string;
  tax: string;
  net: string;
};

/**
 * The lines a page at a time, each page fetched as one JSON text: PGlite turns rows into
 * JavaScript field by field (4× slower than parsing one JSON text per page); amounts stay text.
 */
async function* linePages(sql: Sql, tenant: string, batch: string): AsyncGenerator<ExportRow[]> {
  let after = 0;
  for (;;) {
    const page = (
      await sql.query<{ page: string }>(
        `select coalesce(json_agg(json_build_array(line, reference, withdrawal, member, real_name, account_masked, gross::text, tax::text, net::text) order by line), '[]')::text as page
         from (select * from payout_lines where tenant_id = $1 and batch_id = $2 and line > $3 order by line limit $4) l`,
        [tenant, batch, after, PAGE],
      )
    ).rows[0]!.page;
    const rows = (JSON.parse(page) as [number, string, string, string, string, string, string, string, string][]).map(
      ([line, reference, withdrawal, member, real_name, account_masked, gross, tax, net]) => ({
        line,
        reference,
        withdrawal,
        member,
        real_name,
        account_masked,
        gross,
        tax,
        net,
      }),
    );
    if (rows.length === 0) return;
    yield rows;
    after = rows[rows.length - 1]!.line;
    if (rows.length < PAGE) return;
  }
}

async function write(out: Writable, chunk: string): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

/** Resolves once `out` has flushed everything (a file is closed, a response stream ended). */
async function finished(out: Writable): Promise<void> {
  if ((out as Writable & { writableFinished?: boolean }).writableFinished) return;
  await once(out, 'finish');
}
