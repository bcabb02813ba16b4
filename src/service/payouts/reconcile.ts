import type { Sql } from '../../store/sql.ts';
import { lineStatus, PayoutError, tenantMoney, type LineStatus, type TenantMoney } from './common.ts';

/**
 * Reconciles a batch: every line against its withdrawal and the ledger, and the totals of the
 * batch (as made), of its lines and of the ledger's postings for those withdrawals.
 *
 * Per line, by the withdrawal's status:
 *  - every line: the ledger's withdrawal entry took gross out of `available`, withheld the tax
 *    and owed the net (`payout`), as the line says, and as the withdrawal record says;
 *  - open (approved): the net is still owed (`payout`), nothing paid out;
 *  - paid: the net moved from `payout` to `paid_out`;
 *  - failed: nothing owed or paid; the gross went back to `available` and the tax was reversed;
 *  - rejected: a difference (the batch held it; it was rejected outside the payer's file);
 *  - a result imported from the payer that disagrees with the withdrawal's status is a difference.
 */
export interface Totals {
  readonly gross: string;
  readonly tax: string;
  readonly net: string;
}

export interface Difference {
  readonly line?: number;
  readonly reference?: string;
  readonly withdrawal?: string;
  readonly check: string;
  readonly expected: string;
  readonly actual: string;
}

export interface ReconcileLine {
  readonly line: number;
  readonly reference: string;
  readonly withdrawal: string;
  readonly member: string;
  readonly status: LineStatus;
  readonly result: 'paid' | 'failed' | null;
  readonly gross: string;
  readonly tax: string;
  readonly net: string;
  readonly matched: boolean;
}

export interface ReconcileReport {
  readonly batch: string;
  readonly ok: boolean;
  readonly status: 'open' | 'closed';
  readonly counts: Record<LineStatus, number>;
  readonly totals: {
    /** As the batch was made. */
    readonly batch: Totals;
    /** The sum of the lines. */
    readonly lines: Totals;
    /** The ledger's withdrawal entries of the lines' withdrawals. */
    readonly ledger: Totals;
    readonly paid: Totals & { readonly count: number; readonly paidOut: string };
    readonly failed: Totals & { readonly count: number; readonly givenBack: string; readonly taxReversed: string };
    readonly open: Totals & { readonly count: number; readonly outstanding: string };
  };
  /** Every difference found (at most 1000 listed; `differenceCount` counts all). */
  readonly differences: Difference[];
  readonly differenceCount: number;
  /** The lines, in order (at most `limit`). */
  readonly lines: ReconcileLine[];
}

type LineRow = {
  line: number; reference: string; withdrawal: string; member: string; gross: string; tax: string; net: string; result_status: 'paid' | 'failed' | null;
  status: string; w_gross: string; w_tax: string; w_net: string;
};
type LedgerRow = {
  withdrawal_id: string; l_gross: string | null; l_tax: string | null; l_net: string | null; paid_out: string | null; outstanding: string | null;
  given_back: string | null; tax_reversed: string | null;
};
type Row = LineRow & Omit<LedgerRow, 'withdrawal_id'>;

class Sum {
  gross = 0n;
  tax = 0n;
  net = 0n;
  count = 0;
  add(gross: bigint, tax: bigint, net: bigint): void {
    this.gross += gross;
    this.tax += tax;
    this.net += net;
    this.count += 1;
  }
  view(money: TenantMoney): Totals {
    return { gross: money.money(this.gross), tax: money.money(this.tax), net: money.money(this.net) };
  }
}

export async function reconcileBatch(sql: Sql, tenant: string, batch: string, options: { limit: number }): Promise<ReconcileReport> {
  const money = await tenantMoney(sql, tenant);
  const head = (await sql.query<{ gross: string; tax: string; net: string; lines: number }>(
    'select gross::text as gross, tax::text as tax, net::text as net, lines from payout_batches where tenant_id = $1 and id = $2', [tenant, batch],
  )).rows[0];
  if (!head) throw new PayoutError('not_found', `no payout batch ${batch}`);
  // Two plain queries joined here: the lines with their withdrawals, and the postings of those
  // withdrawals summed per withdrawal (one query joining a grouped subquery can get a nested-loop
  // plan on fresh tables without statistics, and take minutes on a large batch).
  const lineRows = (await sql.query<LineRow>(
    `select l.line, l.reference, l.withdrawal, l.member, l.gross::text as gross, l.tax::text as tax, l.net::text as net, l.result_status,
            w.status, w.amount::text as w_gross, w.tax::text as w_tax, w.net::text as w_net
       from payout_lines l join withdrawals w on w.tenant_id = l.tenant_id and w.id = l.withdrawal
      where l.tenant_id = $1 and l.batch_id = $2
      order by l.line`,
    [tenant, batch],
  )).rows;
  const sums = (await sql.query<LedgerRow>(
    `select p.withdrawal_id,
            (-sum(p.amount) filter (where p.kind = 'withdrawal' and p.account = 'available'))::text as l_gross,
            (sum(p.amount) filter (where p.kind = 'withdrawal' and p.account = 'tax_payable'))::text as l_tax,
            (sum(p.amount) filter (where p.kind = 'withdrawal' and p.account = 'payout'))::text as l_net,
            (sum(p.amount) filter (where p.account = 'paid_out'))::text as paid_out,
            (sum(p.amount) filter (where p.account = 'payout'))::text as outstanding,
            (sum(p.amount) filter (where p.kind = 'withdrawal_reversal' and p.account = 'available'))::text as given_back,
            (-sum(p.amount) filter (where p.kind = 'withdrawal_reversal' and p.account = 'tax_payable'))::text as tax_reversed
       from payout_lines l join postings p on p.tenant_id = l.tenant_id and p.withdrawal_id = l.withdrawal
      where l.tenant_id = $1 and l.batch_id = $2
      group by p.withdrawal_id`,
    [tenant, batch],
  )).rows;
  const ledgerOf = new Map(sums.map((row) => [row.withdrawal_id, row]));
  const none: Omit<LedgerRow, 'withdrawal_id'> = { l_gross: null, l_tax: null, l_net: null, paid_out: null, outstanding: null, given_back: null, tax_reversed: null };
  const rows: Row[] = lineRows.map((line) => ({ ...line, ...(ledgerOf.get(line.withdrawal) ?? none) }));

  const differences: Difference[] = [];
  let differenceCount = 0;
  const differ = (difference: Difference) => {
    differenceCount += 1;
    if (differences.length < 1000) differences.push(difference);
  };
  const lines = new Sum();
  const ledger = new Sum();
  const byStatus = { paid: new Sum(), failed: new Sum(), open: new Sum(), rejected: new Sum() };
  let paidOut = 0n;
  let outstanding = 0n;
  let givenBack = 0n;
  let taxReversed = 0n;
  let failedGivenBack = 0n;
  let failedTaxReversed = 0n;
  const listed: ReconcileLine[] = [];
  const n = (text: string | null) => (text === null ? 0n : BigInt(text));
  for (const r of rows) {
    const gross = BigInt(r.gross);
    const tax = BigInt(r.tax);
    const net = BigInt(r.net);
    const status = lineStatus(r.status);
    const where = { line: r.line, reference: r.reference, withdrawal: r.withdrawal };
    const before = differenceCount;
    const expect = (check: string, expected: bigint, actual: bigint) => {
      if (expected !== actual) differ({ ...where, check, expected: money.money(expected), actual: money.money(actual) });
    };
    lines.add(gross, tax, net);
    ledger.add(n(r.l_gross), n(r.l_tax), n(r.l_net));
    byStatus[status].add(gross, tax, net);
    expect('line gross = withdrawal gross', BigInt(r.w_gross), gross);
    expect('line tax = withdrawal tax', BigInt(r.w_tax), tax);
    expect('line net = withdrawal net', BigInt(r.w_net), net);
    expect('line gross = ledger gross', gross, n(r.l_gross));
    expect('line tax = ledger tax withheld', tax, n(r.l_tax));
    expect('line net = ledger net owed', net, n(r.l_net));
    const lineOut = n(r.paid_out);
    const lineOwed = n(r.outstanding);
    paidOut += lineOut;
    outstanding += lineOwed;
    givenBack += n(r.given_back);
    taxReversed += n(r.tax_reversed);
    if (status === 'failed') {
      failedGivenBack += n(r.given_back);
      failedTaxReversed += n(r.tax_reversed);
    }
    if (status === 'open') {
      expect('open line: net still owed (payout)', net, lineOwed);
      expect('open line: nothing paid out', 0n, lineOut);
    } else if (status === 'paid') {
      expect('paid line: net paid out', net, lineOut);
      expect('paid line: nothing owed (payout)', 0n, lineOwed);
    } else {
      expect(`${status} line: nothing owed (payout)`, 0n, lineOwed);
      expect(`${status} line: nothing paid out`, 0n, lineOut);
      expect(`${status} line: gross given back to available`, gross, n(r.given_back));
      expect(`${status} line: tax reversed`, tax, n(r.tax_reversed));
    }
    if (status === 'rejected') differ({ ...where, check: 'line rejected outside the payer result', expected: 'paid, failed or open', actual: 'rejected' });
    if (r.result_status !== null && r.result_status !== status) {
      differ({ ...where, check: 'payer result = withdrawal status', expected: r.result_status, actual: status });
    }
    if (listed.length < options.limit) {
      listed.push({
        line: r.line, reference: r.reference, withdrawal: r.withdrawal, member: r.member, status, result: r.result_status,
        gross: money.money(gross), tax: money.money(tax), net: money.money(net), matched: differenceCount === before,
      });
    }
  }
  const total = (check: string, expected: Sum | bigint, actual: Sum | bigint) => {
    for (const field of expected instanceof Sum ? (['gross', 'tax', 'net'] as const) : ([null] as const)) {
      const e = field === null ? (expected as bigint) : (expected as Sum)[field];
      const a = field === null ? (actual as bigint) : (actual as Sum)[field];
      if (e !== a) differ({ check: field === null ? check : `${check} (${field})`, expected: money.money(e), actual: money.money(a) });
    }
  };
  const batchSum = new Sum();
  batchSum.gross = BigInt(head.gross);
  batchSum.tax = BigInt(head.tax);
  batchSum.net = BigInt(head.net);
  if (head.lines !== rows.length) differ({ check: 'batch lines = lines', expected: String(head.lines), actual: String(rows.length) });
  total('batch totals = sum of lines', batchSum, lines);
  total('sum of lines = ledger', lines, ledger);
  total('paid out = net of paid lines', byStatus.paid.net, paidOut);
  total('owed = net of open lines', byStatus.open.net, outstanding);
  total('given back = gross of failed and rejected lines', byStatus.failed.gross + byStatus.rejected.gross, givenBack);
  total('tax reversed = tax of failed and rejected lines', byStatus.failed.tax + byStatus.rejected.tax, taxReversed);
  const counts = { open: byStatus.open.count, paid: byStatus.paid.count, failed: byStatus.failed.count, rejected: byStatus.rejected.count };
  return {
    batch,
    ok: differenceCount === 0,
    status: counts.open > 0 ? 'open' : 'closed',
    counts,
    totals: {
      batch: batchSum.view(money),
      lines: lines.view(money),
      ledger: ledger.view(money),
      paid: { ...byStatus.paid.view(money), count: byStatus.paid.count, paidOut: money.money(paidOut) },
      failed: { ...byStatus.failed.view(money), count: byStatus.failed.count, givenBack: money.money(failedGivenBack), taxReversed: money.money(failedTaxReversed) },
      open: { ...byStatus.open.view(money), count: byStatus.open.count, outstanding: money.money(outstanding) },
    },
    differences,
    differenceCount,
    lines: listed,
  };
}
