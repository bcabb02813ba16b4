import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { writeAudit, type AuditEntry } from '../audit.ts';
import { payeeKey, sameAccount } from '../account-digest.ts';
import type { ItemResult, Service } from '../service.ts';
import type { Sql } from '../../store/sql.ts';
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
  const header = table[0]!.map((name) =>
    name
      .trim()
      .toLowerCase()
      .replace(/[\s-]+/g, '_'),
  );
  const column = (field: keyof typeof ALIASES) => header.findIndex((name) => ALIASES[field].includes(name));
  const at = {
    reference: column('reference'),
    status: column('status'),
    reason: column('reason'),
    payerReference: column('payerReference'),
    account: column('account'),
  };
  if (at.reference < 0 || at.status < 0) {
    throw new PayoutError(
      'invalid',
      `the result file needs a header row with columns "reference" and "status" (found: ${header.slice(0, 20).join(', ') || 'none'})`,
    );
  }
  if (table.length - 1 > MAX_ROWS) throw new PayoutError('invalid', `a result file has at most ${MAX_ROWS} rows`);
  const rows: ResultRow[] = [];
  table.slice(1).forEach((cells, index) => {
    const cell = (i: number) => (i < 0 ? '' : (cells[i] ?? '').trim());
    if (cells.every((value) => value.trim() === '')) return;
    rows.push({
      row: index + 2,
      reference: cell(at.reference),
      status: cell(at.status).toLowerCase(),
      reason: cell(at.reason),
      payerReference: cell(at.payerReference),
      account: cell(at.account),
    });
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

interface Line {
  line: number;
  reference: string;
  withdrawal: string;
  account_digest: string;
  result_status: string | null;
}

interface ImportContext {
  actor: string;
  at: string;
  serverTime?: boolean;
  format: ExportFormat;
  file: Buffer;
}

/** A row's result to apply to its line, as a `withdrawal.<status>` event with the id `id`. */
interface Planned {
  row: ResultRow;
  line: Line;
  status: 'paid' | 'failed';
  id: string;
  note: string | undefined;
}

/** A planned result to write on its line: `seq` of its event, or null when the withdrawal already had that status. */
interface Recorded {
  p: Planned;
  seq: number | null;
}

/** Counts of an import so far, and its problems (each row's, in the order found). */
interface Tally {
  applied: number;
  duplicates: number;
  skipped: number;
  problems: ImportProblem[];
}

/**
 * Applies a payer's result file to a batch, all in one transaction under the tenant's lock: each
 * line's result becomes a `withdrawal.paid` or `withdrawal.failed` event whose id is derived from
 * the batch, the line and the status (`payout:<batch>:<line>:<status>`), so importing the same
 * file again applies nothing. Rows naming no line of the batch, or with another status than paid
 * or failed, are reported and not applied. Each applied line is audited, and the import itself.
 */
export async function importResults(
  service: Service,
  tenant: string,
  batch: string,
  rows: readonly ResultRow[],
  context: ImportContext,
): Promise<ImportReport> {
  const key = await payeeKey(service.sql);
  const report = await service.transact(tenant, async (tx, apply): Promise<ImportReport | null> => {
    const lines = await batchLinesOrNull(tx, tenant, batch);
    // (Answered outside the transaction: an error inside would make the engine rebuild.)
    if (!lines) return null;
    const tally: Tally = { applied: 0, duplicates: 0, skipped: 0, problems: [] };
    const planned = planResults(rows, lines, batch, key, tally);
    const fresh = await notYetImported(tx, tenant, planned);
    tally.duplicates += planned.length - fresh.length;
    const events = fresh.map((p) => ({
      type: `withdrawal.${p.status}`,
      id: p.id,
      at: context.at,
      withdrawal: p.line.withdrawal,
      by: context.actor,
      ...(p.note ? { note: p.note } : {}),
    }));
    const results: ItemResult[] =
      events.length > 0 ? await apply(events, 'payout-import', { serverTime: context.serverTime === true }) : [];
    const { recorded, audit } = tallyResults(fresh, results, batch, context.actor, tally);
    await recordOnLines(tx, tenant, batch, recorded);
    tally.problems.sort((a, b) => a.row - b.row);
    audit.push(importAudit(batch, rows.length, tally, context));
    await writeAudit(tx, tenant, audit);
    return {
      batch,
      rows: rows.length,
      applied: tally.applied,
      duplicates: tally.duplicates,
      skipped: tally.skipped,
      problems: tally.problems,
    };
  });
  if (!report) throw new PayoutError('not_found', `no payout batch ${batch}`);
  return report;
}

/** The lines of a batch; null when there is no such batch. */
async function batchLinesOrNull(tx: Sql, tenant: string, batch: string): Promise<Line[] | null> {
  const lines = (
    await tx.query<Line>(
      'select line, reference, withdrawal, account_digest, result_status from payout_lines where tenant_id = $1 and batch_id = $2',
      [tenant, batch],
    )
  ).rows;
  if (lines.length > 0) return lines;
  const exists =
    (await tx.query('select 1 from payout_batches where tenant_id = $1 and id = $2', [tenant, batch])).rows.length > 0;
  return exists ? lines : null;
}

/**
 * The results to apply, one per line: rows naming no line, with a status other than paid or
 * failed, contradicting an earlier row, or paid to another account than the payee's are problems;
 * rows without a status are skipped, repeats of an earlier row are duplicates.
 */
function planResults(rows: readonly ResultRow[], lines: readonly Line[], batch: string, key: Buffer, tally: Tally): Planned[] {
  const byReference = new Map(lines.map((line) => [line.reference, line]));
  const seen = new Map<string, string>();
  const planned: Planned[] = [];
  const problem = (row: ResultRow, code: ImportProblem['code'], message: string) =>
    tally.problems.push({ row: row.row, reference: row.reference, code, message });
  for (const row of rows) {
    const line = byReference.get(row.reference);
    if (!line) {
      problem(
        row,
        'unknown_reference',
        row.reference ? `no line ${row.reference} in batch ${batch}` : 'the row has no reference',
      );
      continue;
    }
    if (row.status === '') {
      tally.skipped += 1;
      continue;
    }
    if (row.status !== 'paid' && row.status !== 'failed') {
      problem(row, 'invalid', `status must be paid or failed, not "${row.status.slice(0, 40)}"`);
      continue;
    }
    const earlier = seen.get(row.reference);
    if (earlier !== undefined) {
      if (earlier === row.status) tally.duplicates += 1;
      else problem(row, 'conflict', `line ${row.reference} is ${earlier} in an earlier row of this file`);
      continue;
    }
    seen.set(row.reference, row.status);
    if (row.account && !row.account.includes('*') && !sameAccount(line.account_digest, row.account, key)) {
      // (Never echo the account: only that it differs.)
      problem(row, 'account_mismatch', `the account paid is not the payee account of line ${row.reference}`);
      continue;
    }
    planned.push({
      row,
      line,
      status: row.status,
      id: `payout:${batch}:${line.line}:${row.status}`,
      note: resultNote(row, batch)?.slice(0, 500),
    });
  }
  return planned;
}

/** The note of a result's event: the payer's reference of a payment, the reason of a failure. */
function resultNote(row: ResultRow, batch: string): string | undefined {
  if (row.status === 'paid') return row.payerReference || row.reason || undefined;
  return (
    row.reason ||
    (row.payerReference ? `failed (payer reference ${row.payerReference})` : `failed (result file of batch ${batch})`)
  );
}

/** The planned results whose events are not in the log yet (those imported before are, under the same ids). */
async function notYetImported(tx: Sql, tenant: string, planned: readonly Planned[]): Promise<Planned[]> {
  const known = new Set(
    (
      await tx.query<{ event_key: string }>('select event_key from events where tenant_id = $1 and event_key = any($2::text[])', [
        tenant,
        planned.map((p) => `id:${p.id}`),
      ])
    ).rows.map((r) => r.event_key),
  );
  return planned.filter((p) => !known.has(`id:${p.id}`));
}

/** Counts the engine's answers to the results' events: the lines to record, and an audit entry per applied line. */
function tallyResults(
  fresh: readonly Planned[],
  results: readonly ItemResult[],
  batch: string,
  actor: string,
  tally: Tally,
): { recorded: Recorded[]; audit: AuditEntry[] } {
  const recorded: Recorded[] = [];
  const audit: AuditEntry[] = [];
  results.forEach((result, index) => {
    const p = fresh[index]!;
    if (result.status === 'accepted') {
      tally.applied += 1;
      recorded.push({ p, seq: result.seq });
      audit.push({
        actor,
        action: `withdrawal.${p.status}`,
        target: p.line.withdrawal,
        reason: p.note ?? null,
        details: {
          batch,
          line: p.line.line,
          reference: p.line.reference,
          ...(p.row.payerReference ? { payerReference: p.row.payerReference } : {}),
          seq: result.seq,
          eventId: p.id,
        },
      });
    } else if (result.status === 'duplicate') {
      // The withdrawal already had this status (set by hand): the line records the payer's word.
      tally.duplicates += 1;
      recorded.push({ p, seq: null });
    } else {
      tally.problems.push({
        row: p.row.row,
        reference: p.line.reference,
        code: result.error.code,
        message: result.error.message,
      });
    }
  });
  return { recorded, audit };
}

/** Writes each result on its line, once: a line keeps the first result recorded on it. */
async function recordOnLines(tx: Sql, tenant: string, batch: string, recorded: readonly Recorded[]): Promise<void> {
  if (recorded.length === 0) return;
  await tx.query(
    `update payout_lines l set result_status = v.status, result_reason = v.reason, payer_reference = v.payer, result_at = now(), result_seq = v.seq
       from unnest($3::int[], $4::text[], $5::text[], $6::text[], $7::bigint[]) as v(line, status, reason, payer, seq)
      where l.tenant_id = $1 and l.batch_id = $2 and l.line = v.line and l.result_status is null`,
    [
      tenant,
      batch,
      recorded.map((r) => r.p.line.line),
      recorded.map((r) => r.p.status),
      recorded.map((r) => r.p.row.reason || null),
      recorded.map((r) => r.p.row.payerReference || null),
      recorded.map((r) => r.seq),
    ],
  );
}

/** The audit entry of the import itself: the file by its sha256, and what came of it. */
function importAudit(batch: string, rows: number, tally: Tally, context: ImportContext): AuditEntry {
  const { applied, duplicates, skipped, problems } = tally;
  return {
    actor: context.actor,
    action: 'payout_batch.imported',
    target: batch,
    details: {
      format: context.format,
      sha256: createHash('sha256').update(context.file).digest('hex'),
      rows,
      applied,
      duplicates,
      skipped,
      problems: problems.length,
    },
  };
}
