import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { writeAudit, type AuditEntry } from '../audit.ts';
import { payeeKey, sameAccount } from '../account-digest.ts';
import type { ItemResult, Service } from '../service.ts';
import { PayoutError } from './common.ts';
import type { ExportFormat } from './export.ts';

/** One data row of a payer's result file (row = its row number in the file, the header is row 1). */
export interface ResultRow {
  readonly row: number;
  readonly reference: string;
  readonly status: string;
  readonly reason: string;
  readonly payerReference: string;
  /** A full account the payer paid to, when its file carries one: checked against the line's payee. */
  readonly account: string;
}

/** Header names accepted for each column (lower case; spaces and hyphens read as _). */
const ALIASES: Record<keyof Omit<ResultRow, 'row'>, readonly string[]> = {
  reference: ['reference', 'line_reference', 'ref'],
  status: ['status', 'result'],
  reason: ['reason', 'failure_reason', 'note'],
  payerReference: ['payer_reference', 'payerreference', 'payer_ref', 'bank_reference', 'transaction_id'],
  account: ['account_full', 'full_account', 'paid_account'],
};

const MAX_ROWS = 200_000;

/** Reads a result file (CSV, or the first sheet of an XLSX) into rows; refuses it without reference and status columns. */
export async function parseResultFile(data: Buffer, format: ExportFormat): Promise<ResultRow[]> {
  const table = format === 'csv' ? readCsv(data) : await readXlsx(data);
  if (table.length === 0) throw new PayoutError('invalid', 'the result file is empty');
  const header = table[0]!.map((name) => name.trim().toLowerCase().replace(/[\s-]+/g, '_'));
  const column = (field: keyof typeof ALIASES) => header.findIndex((name) => ALIASES[field].includes(name));
  const at = { reference: column('reference'), status: column('status'), reason: column('reason'), payerReference: column('payerReference'), account: column('account') };
  if (at.reference < 0 || at.status < 0) {
    throw new PayoutError('invalid', `the result file needs a header row with columns "reference" and "status" (found: ${header.slice(0, 20).join(', ') || 'none'})`);
  }
  if (table.length - 1 > MAX_ROWS) throw new PayoutError('invalid', `a result file has at most ${MAX_ROWS} rows`);
  const rows: ResultRow[] = [];
  table.slice(1).forEach((cells, index) => {
    const cell = (i: number) => (i < 0 ? '' : (cells[i] ?? '').trim());
    if (cells.every((value) => value.trim() === '')) return;
    rows.push({ row: index + 2, reference: cell(at.reference), status: cell(at.status).toLowerCase(), reason: cell(at.reason), payerReference: cell(at.payerReference), account: cell(at.account) });
  });
  return rows;
}

function readCsv(data: Buffer): string[][] {
  try {
    return parse(data, { bom: true, relax_column_count: true, skip_empty_lines: true }) as string[][];
  } catch (error) {
    throw new PayoutError('invalid', `the result file is not valid CSV: ${(error as Error).message}`);
  }
}

async function readXlsx(data: Buffer): Promise<string[][]> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(data as unknown as ArrayBuffer);
  } catch (error) {
    throw new PayoutError('invalid', `the result file is not a valid XLSX workbook: ${(error as Error).message}`);
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) return [];
  const table: string[][] = [];
  sheet.eachRow({ includeEmpty: true }, (row, number) => {
    const cells: string[] = [];
    row.eachCell({ includeEmpty: true }, (cell, col) => {
      cells[col - 1] = cell.text ?? '';
    });
    table[number - 1] = Array.from(cells, (value) => value ?? '');
  });
  return Array.from(table, (row) => row ?? []);
}

export type LineOutcome = 'applied' | 'duplicate' | 'skipped';

export interface ImportProblem {
  readonly row: number;
  readonly reference: string;
  readonly code: 'unknown_reference' | 'invalid' | 'conflict' | 'account_mismatch' | string;
  readonly message: string;
}

export interface ImportReport {
  readonly batch: string;
  readonly rows: number;
  /** Lines whose result was applied now (a withdrawal.paid / withdrawal.failed event each). */
  readonly applied: number;
  /** Lines whose result was applied before (by an earlier import of the same result, or by hand). */
  readonly duplicates: number;
  /** Rows without a status yet (the payer has not processed them). */
  readonly skipped: number;
  /** Rows not applied, each with why: unknown references, bad statuses, refusals of the engine. */
  readonly problems: ImportProblem[];
}

interface Line { line: number; reference: string; withdrawal: string; account_digest: string; result_status: string | null }

/**
 * Applies a payer's result file to a batch, all in one transaction under the tenant's lock: each
 * line's result becomes a `withdrawal.paid` or `withdrawal.failed` event whose id is derived from
 * the batch, the line and the status (`payout:<batch>:<line>:<status>`), so importing the same
 * file again applies nothing. Rows naming no line of the batch, or with another status than paid
 * or failed, are reported and not applied. Each applied line is audited, and the import itself.
 */
export async function importResults(
  service: Service, tenant: string, batch: string, rows: readonly ResultRow[],
  context: { actor: string; at: string; serverTime?: boolean; format: ExportFormat; file: Buffer },
): Promise<ImportReport> {
  const key = await payeeKey(service.sql);
  const report = await service.transact(tenant, async (tx, apply): Promise<ImportReport | null> => {
    const lines = (await tx.query<Line>(
      'select line, reference, withdrawal, account_digest, result_status from payout_lines where tenant_id = $1 and batch_id = $2',
      [tenant, batch],
    )).rows;
    if (lines.length === 0) {
      const exists = (await tx.query('select 1 from payout_batches where tenant_id = $1 and id = $2', [tenant, batch])).rows.length > 0;
      // (Answered outside the transaction: an error inside would make the engine rebuild.)
      if (!exists) return null;
    }
    const byReference = new Map(lines.map((line) => [line.reference, line]));
    const problems: ImportProblem[] = [];
    const seen = new Map<string, string>();
    const planned: { row: ResultRow; line: Line; status: 'paid' | 'failed'; id: string; note: string | undefined }[] = [];
    let duplicates = 0;
    let skipped = 0;
    for (const row of rows) {
      const line = byReference.get(row.reference);
      if (!line) {
        problems.push({ row: row.row, reference: row.reference, code: 'unknown_reference', message: row.reference ? `no line ${row.reference} in batch ${batch}` : 'the row has no reference' });
        continue;
      }
      if (row.status === '') {
        skipped += 1;
        continue;
      }
      if (row.status !== 'paid' && row.status !== 'failed') {
        problems.push({ row: row.row, reference: row.reference, code: 'invalid', message: `status must be paid or failed, not "${row.status.slice(0, 40)}"` });
        continue;
      }
      const earlier = seen.get(row.reference);
      if (earlier !== undefined) {
        if (earlier === row.status) duplicates += 1;
        else problems.push({ row: row.row, reference: row.reference, code: 'conflict', message: `line ${row.reference} is ${earlier} in an earlier row of this file` });
        continue;
      }
      seen.set(row.reference, row.status);
      if (row.account && !row.account.includes('*') && !sameAccount(line.account_digest, row.account, key)) {
        // (Never echo the account: only that it differs.)
        problems.push({ row: row.row, reference: row.reference, code: 'account_mismatch', message: `the account paid is not the payee account of line ${row.reference}` });
        continue;
      }
      const note = (row.status === 'paid' ? row.payerReference || row.reason : row.reason || (row.payerReference ? `failed (payer reference ${row.payerReference})` : `failed (result file of batch ${batch})`)) || undefined;
      planned.push({ row, line, status: row.status, id: `payout:${batch}:${line.line}:${row.status}`, note: note?.slice(0, 500) });
    }

    // Results already imported: their events are in the log under the same ids.
    const known = new Set((await tx.query<{ event_key: string }>(
      'select event_key from events where tenant_id = $1 and event_key = any($2::text[])', [tenant, planned.map((p) => `id:${p.id}`)],
    )).rows.map((r) => r.event_key));
    const fresh = planned.filter((p) => !known.has(`id:${p.id}`));
    duplicates += planned.length - fresh.length;
    const events = fresh.map((p) => ({
      type: `withdrawal.${p.status}`, id: p.id, at: context.at, withdrawal: p.line.withdrawal, by: context.actor, ...(p.note ? { note: p.note } : {}),
    }));
    const results: ItemResult[] = events.length > 0 ? await apply(events, 'payout-import', { serverTime: context.serverTime === true }) : [];
    const recorded: { p: (typeof fresh)[number]; seq: number | null }[] = [];
    const audit: AuditEntry[] = [];
    let applied = 0;
    results.forEach((result, index) => {
      const p = fresh[index]!;
      if (result.status === 'accepted') {
        applied += 1;
        recorded.push({ p, seq: result.seq });
        audit.push({
          actor: context.actor, action: `withdrawal.${p.status}`, target: p.line.withdrawal, reason: p.note ?? null,
          details: { batch, line: p.line.line, reference: p.line.reference, ...(p.row.payerReference ? { payerReference: p.row.payerReference } : {}), seq: result.seq, eventId: p.id },
        });
      } else if (result.status === 'duplicate') {
        // The withdrawal already had this status (set by hand): the line records the payer's word.
        duplicates += 1;
        recorded.push({ p, seq: null });
      } else {
        problems.push({ row: p.row.row, reference: p.line.reference, code: result.error.code, message: result.error.message });
      }
    });
    if (recorded.length > 0) {
      await tx.query(
        `update payout_lines l set result_status = v.status, result_reason = v.reason, payer_reference = v.payer, result_at = now(), result_seq = v.seq
           from unnest($3::int[], $4::text[], $5::text[], $6::text[], $7::bigint[]) as v(line, status, reason, payer, seq)
          where l.tenant_id = $1 and l.batch_id = $2 and l.line = v.line and l.result_status is null`,
        [
          tenant, batch, recorded.map((r) => r.p.line.line), recorded.map((r) => r.p.status), recorded.map((r) => r.p.row.reason || null),
          recorded.map((r) => r.p.row.payerReference || null), recorded.map((r) => r.seq),
        ],
      );
    }
    problems.sort((a, b) => a.row - b.row);
    const answer: ImportReport = { batch, rows: rows.length, applied, duplicates, skipped, problems };
    audit.push({
      actor: context.actor, action: 'payout_batch.imported', target: batch,
      details: {
        format: context.format, sha256: createHash('sha256').update(context.file).digest('hex'), rows: rows.length, applied, duplicates, skipped,
        problems: problems.length,
      },
    });
    await writeAudit(tx, tenant, audit);
    return answer;
  });
  if (!report) throw new PayoutError('not_found', `no payout batch ${batch}`);
  return report;
}
