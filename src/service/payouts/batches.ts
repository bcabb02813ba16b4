import { randomBytes } from 'node:crypto';
import type { Sql } from '../../store/sql.ts';
import { writeAudit } from '../audit.ts';
import { toJson } from '../json.ts';
import type { Service } from '../service.ts';
import { iso, lineStatus, PayoutError, tenantMoney, type LineStatus, type TenantMoney } from './common.ts';

/**
 * Payout batches: approved withdrawals not yet on a batch, with the payee as it is now (real name,
 * masked account), handed to the payer as one file. A withdrawal is on at most one batch line,
 * ever; a line is open until its withdrawal is paid, failed (or rejected), and a batch is open
 * while any of its lines is.
 */
export interface BatchHeader {
  readonly id: string;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly currency: string;
  readonly status: 'open' | 'closed';
  readonly lines: number;
  readonly gross: string;
  readonly tax: string;
  readonly net: string;
  readonly counts: Record<LineStatus, number>;
  readonly filter: { members?: string[]; max?: number };
}

export interface BatchLine {
  readonly line: number;
  readonly reference: string;
  readonly withdrawal: string;
  readonly member: string;
  readonly realName: string;
  readonly account: string;
  readonly gross: string;
  readonly tax: string;
  readonly net: string;
  readonly status: LineStatus;
  /** What the payer's result file said, once imported. */
  readonly result: { status: 'paid' | 'failed'; reason: string | null; payerReference: string | null; at: string } | null;
}

export interface BatchFilter {
  readonly members?: readonly string[] | undefined;
  readonly max?: number | undefined;
}

export interface SkippedWithdrawal {
  readonly withdrawal: string;
  readonly member: string;
  readonly reason: string;
}

/** Most lines one batch takes. */
export const MAX_BATCH_LINES = 200_000;

/** A batch id: PB, the UTC date, 6 random hex digits (PB20261127-3F9A1C). */
function newBatchId(now: number): string {
  return `PB${new Date(now).toISOString().slice(0, 10).replace(/-/g, '')}-${randomBytes(3).toString('hex').toUpperCase()}`;
}

/** The stable reference of a line, unique in the tenant: the batch id and the line number. */
export function lineReference(batch: string, line: number): string {
  return `${batch}-${String(line).padStart(6, '0')}`;
}

/** An approved withdrawal on no batch yet, with its member's payee details (null without any). */
type PayableRow = {
  id: string;
  member: string;
  amount: string;
  tax: string;
  net: string;
  real_name: string | null;
  account_masked: string | null;
  account_digest: string | null;
};

/** The approved withdrawals on no batch yet, of `members` (or all), oldest first. */
async function payableWithdrawals(tx: Sql, tenant: string, members: string[] | null): Promise<PayableRow[]> {
  return (
    await tx.query<PayableRow>(
      `select w.id, w.member, w.amount::text as amount, w.tax::text as tax, w.net::text as net, p.real_name, p.account_masked, p.account_digest
         from withdrawals w left join payees p on p.tenant_id = w.tenant_id and p.member = w.member
        where w.tenant_id = $1 and w.status = 'approved'
          and not exists (select 1 from payout_lines l where l.tenant_id = w.tenant_id and l.withdrawal = w.id)
          and ($2::text[] is null or w.member = any($2::text[]))
        order by w.event_seq, w.id`,
      [tenant, members],
    )
  ).rows;
}

/** Why a withdrawal is left off a batch: its member has no payee details. */
const SKIPPED_REASON = 'the member has no payee details (PUT /v1/members/{id}/payee)';

/** What a batch of `filter` takes and skips, as createBatch and previewBatch both read it. */
interface BatchChoice {
  /** The first `max` payable rows with payee details, oldest first. */
  readonly chosen: PayableRow[];
  /** Every payable row without payee details, oldest first. */
  readonly skipped: PayableRow[];
  /** The filter's members (null: all), as the batch records them. */
  readonly members: string[] | null;
}

/** The approved withdrawals on no batch yet of `filter`, split into those a batch takes and those it skips. */
async function chooseBatch(tx: Sql, tenant: string, filter: BatchFilter): Promise<BatchChoice> {
  const max = Math.min(filter.max ?? MAX_BATCH_LINES, MAX_BATCH_LINES);
  const members = filter.members && filter.members.length > 0 ? [...filter.members] : null;
  const chosen: PayableRow[] = [];
  const skipped: PayableRow[] = [];
  for (const row of await payableWithdrawals(tx, tenant, members)) {
    if (row.real_name === null) skipped.push(row);
    else if (chosen.length < max) chosen.push(row);
  }
  return { chosen, skipped, members };
}

/** A skipped row as the API reports it. */
const skippedWithdrawal = (row: PayableRow): SkippedWithdrawal => ({
  withdrawal: row.id,
  member: row.member,
  reason: SKIPPED_REASON,
});

function totalsOf(rows: readonly PayableRow[]): { gross: bigint; tax: bigint; net: bigint } {
  let gross = 0n;
  let tax = 0n;
  let net = 0n;
  for (const row of rows) {
    gross += BigInt(row.amount);
    tax += BigInt(row.tax);
    net += BigInt(row.net);
  }
  return { gross, tax, net };
}

/** One line per chosen withdrawal, numbered from 1 in the order chosen, with the payee as it is now. */
async function insertLines(tx: Sql, tenant: string, id: string, chosen: readonly PayableRow[]): Promise<void> {
  const lines = chosen.map((_, index) => index + 1);
  await tx.query(
    `insert into payout_lines (tenant_id, batch_id, line, reference, withdrawal, member, real_name, account_masked, account_digest, gross, tax, net)
       select $1, $2, * from unnest($3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::bigint[], $11::bigint[], $12::bigint[])`,
    [
      tenant,
      id,
      lines,
      lines.map((line) => lineReference(id, line)),
      chosen.map((r) => r.id),
      chosen.map((r) => r.member),
      chosen.map((r) => r.real_name),
      chosen.map((r) => r.account_masked),
      chosen.map((r) => r.account_digest),
      chosen.map((r) => r.amount),
      chosen.map((r) => r.tax),
      chosen.map((r) => r.net),
    ],
  );
}

/** Writes a batch of the chosen withdrawals (its header, lines and audit entry); returns its id. */
async function insertBatch(
  tx: Sql,
  tenant: string,
  batch: { chosen: readonly PayableRow[]; filter: BatchHeader['filter']; skipped: number; money: TenantMoney },
  actor: string,
  now: number,
): Promise<string> {
  const { chosen, filter, money } = batch;
  const id = newBatchId(now);
  const { gross, tax, net } = totalsOf(chosen);
  await tx.query(
    `insert into payout_batches (tenant_id, id, created_by, currency, lines, gross, tax, net, filter) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [tenant, id, actor, money.currency, chosen.length, String(gross), String(tax), String(net), toJson(filter)],
  );
  await insertLines(tx, tenant, id, chosen);
  await writeAudit(tx, tenant, [
    {
      actor,
      action: 'payout_batch.created',
      target: id,
      details: {
        lines: chosen.length,
        gross: money.money(gross),
        tax: money.money(tax),
        net: money.money(net),
        filter,
        skipped: batch.skipped,
      },
    },
  ]);
  return id;
}

/**
 * Creates a batch of the approved withdrawals on no batch yet (oldest first), optionally only of
 * some members and at most `max`; withdrawals of members without payee details are skipped and
 * reported. Runs under the tenant's lock, so no status changes meanwhile; audited.
 */
export async function createBatch(
  service: Service,
  tenant: string,
  filter: BatchFilter,
  actor: string,
  now: number,
): Promise<{ batch: BatchHeader; skipped: SkippedWithdrawal[] }> {
  const created = await service.transact(tenant, async (tx) => {
    // First, so that an unknown tenant is not_found rather than "nothing to pay".
    const money = await tenantMoney(tx, tenant);
    const { chosen, skipped: left, members } = await chooseBatch(tx, tenant, filter);
    const skipped = left.map(skippedWithdrawal);
    if (chosen.length === 0) return { empty: true as const, skipped };
    const filterJson = { ...(members ? { members } : {}), ...(filter.max !== undefined ? { max: filter.max } : {}) };
    const id = await insertBatch(tx, tenant, { chosen, filter: filterJson, skipped: skipped.length, money }, actor, now);
    return { empty: false as const, id, skipped };
  });
  if (created.empty) {
    const why =
      created.skipped.length > 0
        ? ` (${created.skipped.length} approved withdrawals skipped: their members have no payee details)`
        : '';
    throw new PayoutError(
      'conflict',
      `nothing to pay: no approved withdrawal outside a payout batch${filter.members?.length ? ' for these members' : ''}${why}`,
    );
  }
  const batch = await getBatchHeader(service.sql, tenant, created.id);
  return { batch: batch!, skipped: created.skipped.slice(0, 1000) };
}

/** An approved withdrawal on no batch yet that a batch made now would skip: its member has no payee details. */
export interface UnpayableWithdrawal extends SkippedWithdrawal {
  readonly gross: string;
  readonly net: string;
}

/**
 * What a batch made now (POST /v1/payouts/batches, the same members and max) would take, and what it would
 * skip: the approved withdrawals on no batch yet whose members have no payee details. Skipped,
 * they stay approved and on no batch; once their members' payee details are set, the next batch
 * takes them. Only reads.
 */
export interface BatchPreview {
  readonly currency: string;
  /** The lines a batch made now would have (at most MAX_BATCH_LINES), and their totals. */
  readonly lines: number;
  readonly gross: string;
  readonly tax: string;
  readonly net: string;
  readonly skipped: {
    readonly count: number;
    readonly gross: string;
    readonly net: string;
    /** The first `limit` of them, oldest first. */
    readonly withdrawals: UnpayableWithdrawal[];
  };
}

export async function previewBatch(sql: Sql, tenant: string, options: BatchFilter & { limit: number }): Promise<BatchPreview> {
  // The very choice createBatch makes (one read: the count cannot disagree with the list).
  const money = await tenantMoney(sql, tenant);
  const { chosen, skipped } = await chooseBatch(sql, tenant, options);
  const taken = totalsOf(chosen);
  const left = totalsOf(skipped);
  return {
    currency: money.currency,
    lines: chosen.length,
    gross: money.money(taken.gross),
    tax: money.money(taken.tax),
    net: money.money(taken.net),
    skipped: {
      count: skipped.length,
      gross: money.money(left.gross),
      net: money.money(left.net),
      withdrawals: skipped.slice(0, options.limit).map((row) => ({
        ...skippedWithdrawal(row),
        gross: money.money(row.amount),
        net: money.money(row.net),
      })),
    },
  };
}

type HeaderRow = {
  id: string;
  created_at: Date | string;
  created_by: string;
  currency: string;
  lines: number;
  gross: string;
  tax: string;
  net: string;
  filter: BatchHeader['filter'];
  open: string;
  paid: string;
  failed: string;
  rejected: string;
};

const HEADER_SELECT = `
  select b.id, b.created_at, b.created_by, b.currency, b.lines, b.gross::text as gross, b.tax::text as tax, b.net::text as net, b.filter,
         c.open, c.paid, c.failed, c.rejected
    from payout_batches b
    cross join lateral (
      select count(*) filter (where w.status not in ('paid', 'failed', 'rejected'))::text as open,
             count(*) filter (where w.status = 'paid')::text as paid,
             count(*) filter (where w.status = 'failed')::text as failed,
             count(*) filter (where w.status = 'rejected')::text as rejected
        from payout_lines l join withdrawals w on w.tenant_id = l.tenant_id and w.id = l.withdrawal
       where l.tenant_id = b.tenant_id and l.batch_id = b.id) c`;

function header(row: HeaderRow, money: TenantMoney): BatchHeader {
  const counts = { open: Number(row.open), paid: Number(row.paid), failed: Number(row.failed), rejected: Number(row.rejected) };
  return {
    id: row.id,
    createdAt: iso(row.created_at)!,
    createdBy: row.created_by,
    currency: row.currency,
    status: counts.open > 0 ? 'open' : 'closed',
    lines: row.lines,
    gross: money.money(row.gross),
    tax: money.money(row.tax),
    net: money.money(row.net),
    counts,
    filter: row.filter,
  };
}

export async function getBatchHeader(sql: Sql, tenant: string, id: string): Promise<BatchHeader | null> {
  const money = await tenantMoney(sql, tenant);
  const row = (await sql.query<HeaderRow>(`${HEADER_SELECT} where b.tenant_id = $1 and b.id = $2`, [tenant, id])).rows[0];
  return row ? header(row, money) : null;
}

/** Batches, newest first. */
export async function listBatches(
  sql: Sql,
  tenant: string,
  options: { status?: 'open' | 'closed' | undefined; limit: number },
): Promise<BatchHeader[]> {
  const money = await tenantMoney(sql, tenant);
  const rows = (
    await sql.query<HeaderRow>(`${HEADER_SELECT} where b.tenant_id = $1 order by b.created_at desc, b.id desc limit $2`, [
      tenant,
      options.status ? 10_000 : options.limit,
    ])
  ).rows;
  const headers = rows.map((row) => header(row, money));
  return (options.status ? headers.filter((h) => h.status === options.status) : headers).slice(0, options.limit);
}

type LineRow = {
  line: number;
  reference: string;
  withdrawal: string;
  member: string;
  real_name: string;
  account_masked: string;
  gross: string;
  tax: string;
  net: string;
  status: string;
  result_status: 'paid' | 'failed' | null;
  result_reason: string | null;
  payer_reference: string | null;
  result_at: Date | string | null;
};

/** Lines of a batch in line order, `offset` lines skipped, at most `limit`. */
export async function batchLines(
  sql: Sql,
  tenant: string,
  id: string,
  page: { offset: number; limit: number },
): Promise<BatchLine[]> {
  const money = await tenantMoney(sql, tenant);
  const rows = (
    await sql.query<LineRow>(
      `select l.line, l.reference, l.withdrawal, l.member, l.real_name, l.account_masked, l.gross::text as gross, l.tax::text as tax, l.net::text as net,
            w.status, l.result_status, l.result_reason, l.payer_reference, l.result_at
       from payout_lines l join withdrawals w on w.tenant_id = l.tenant_id and w.id = l.withdrawal
      where l.tenant_id = $1 and l.batch_id = $2 and l.line > $3 order by l.line limit $4`,
      [tenant, id, page.offset, page.limit],
    )
  ).rows;
  return rows.map((r) => ({
    line: r.line,
    reference: r.reference,
    withdrawal: r.withdrawal,
    member: r.member,
    realName: r.real_name,
    account: r.account_masked,
    gross: money.money(r.gross),
    tax: money.money(r.tax),
    net: money.money(r.net),
    status: lineStatus(r.status),
    result:
      r.result_status === null
        ? null
        : { status: r.result_status, reason: r.result_reason, payerReference: r.payer_reference, at: iso(r.result_at)! },
  }));
}
