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
  line: number;
  reference: string;
  withdrawal: string;
  member: string;
  gross: string;
  tax: string;
  net: string;
  result_status: 'paid' | 'failed' | null;
  status: string;
  w_gross: string;
  w_tax: string;
  w_net: string;
};
type LedgerRow = {
  withdrawal_id: string;
  l_gross: string | null;
  l_tax: string | null;
  l_net: string | null;
  paid_out: string | null;
  outstanding: string | null;
  given_back: string | null;
  tax_reversed: string | null;
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

type BatchHead = { gross: string; tax: string; net: string; lines: number };

/** Where a difference is: the line, its reference and its withdrawal. */
type Where = Pick<Difference, 'line' | 'reference' | 'withdrawal'>;

const MAX_DIFFERENCES_LISTED = 1000;

export async function reconcileBatch(
  sql: Sql,
  tenant: string,
  batch: string,
  options: { limit: number },
): Promise<ReconcileReport> {
  const money = await tenantMoney(sql, tenant);
  const head = (
    await sql.query<BatchHead>(
      'select gross::text as gross, tax::text as tax, net::text as net, lines from payout_batches where tenant_id = $1 and id = $2',
      [tenant, batch],
    )
  ).rows[0];
  if (!head) throw new PayoutError('not_found', `no payout batch ${batch}`);
  const rows = await linesWithLedger(sql, tenant, batch);
  const check = new BatchCheck(money, options.limit);
  for (const row of rows) check.line(row);
  check.totals(head, rows.length);
  return check.report(batch);
}

/** The lines of a batch in order, each with its withdrawal and the ledger's sums for that withdrawal. */
async function linesWithLedger(sql: Sql, tenant: string, batch: string): Promise<Row[]> {
  // Two plain queries joined here: the lines with their withdrawals, and the postings of those
  // withdrawals summed per withdrawal (one query joining a grouped subquery can get a nested-loop
  // plan on fresh tables without statistics, and take minutes on a large batch).
  const lineRows = (
    await sql.query<LineRow>(
      `select l.line, l.reference, l.withdrawal, l.member, l.gross::text as gross, l.tax::text as tax, l.net::text as net, l.result_status,
            w.status, w.amount::text as w_gross, w.tax::text as w_tax, w.net::text as w_net
       from payout_lines l join withdrawals w on w.tenant_id = l.tenant_id and w.id = l.withdrawal
      where l.tenant_id = $1 and l.batch_id = $2
      order by l.line`,
      [tenant, batch],
    )
  ).rows;
  const sums = (
    await sql.query<LedgerRow>(
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
    )
  ).rows;
  const ledgerOf = new Map(sums.map((row) => [row.withdrawal_id, row]));
  const none: Omit<LedgerRow, 'withdrawal_id'> = {
    l_gross: null,
    l_tax: null,
    l_net: null,
    paid_out: null,
    outstanding: null,
    given_back: null,
    tax_reversed: null,
  };
  return lineRows.map((line) => ({ ...line, ...(ledgerOf.get(line.withdrawal) ?? none) }));
}

/** A ledger sum, 0 where the withdrawal has no such postings. */
const n = (text: string | null) => (text === null ? 0n : BigInt(text));

/** The checks of one batch, line by line, then of its totals; every difference is counted, the first 1000 listed. */
class BatchCheck {
  private readonly differences: Difference[] = [];
  private differenceCount = 0;
  private readonly lines = new Sum();
  private readonly ledger = new Sum();
  private readonly byStatus = { paid: new Sum(), failed: new Sum(), open: new Sum(), rejected: new Sum() };
  private readonly batchSum = new Sum();
  private paidOut = 0n;
  private outstanding = 0n;
  private givenBack = 0n;
  private taxReversed = 0n;
  private failedGivenBack = 0n;
  private failedTaxReversed = 0n;
  private readonly listed: ReconcileLine[] = [];

  constructor(
    private readonly money: TenantMoney,
    private readonly limit: number,
  ) {}

  private differ(difference: Difference): void {
    this.differenceCount += 1;
    if (this.differences.length < MAX_DIFFERENCES_LISTED) this.differences.push(difference);
  }

  private expect(where: Where, check: string, expected: bigint, actual: bigint): void {
    if (expected !== actual)
      this.differ({ ...where, check, expected: this.money.money(expected), actual: this.money.money(actual) });
  }

  line(r: Row): void {
    const gross = BigInt(r.gross);
    const tax = BigInt(r.tax);
    const net = BigInt(r.net);
    const status = lineStatus(r.status);
    const where = { line: r.line, reference: r.reference, withdrawal: r.withdrawal };
    const before = this.differenceCount;
    this.add(r, status, gross, tax, net);
    this.expect(where, 'line gross = withdrawal gross', BigInt(r.w_gross), gross);
    this.expect(where, 'line tax = withdrawal tax', BigInt(r.w_tax), tax);
    this.expect(where, 'line net = withdrawal net', BigInt(r.w_net), net);
    this.expect(where, 'line gross = ledger gross', gross, n(r.l_gross));
    this.expect(where, 'line tax = ledger tax withheld', tax, n(r.l_tax));
    this.expect(where, 'line net = ledger net owed', net, n(r.l_net));
    this.checkStatus(r, where, status, gross, tax, net);
    if (this.listed.length < this.limit) {
      const money = this.money;
      this.listed.push({
        line: r.line,
        reference: r.reference,
        withdrawal: r.withdrawal,
        member: r.member,
        status,
        result: r.result_status,
        gross: money.money(gross),
        tax: money.money(tax),
        net: money.money(net),
        matched: this.differenceCount === before,
      });
    }
  }

  /** Adds a line to the sums of lines, of the ledger, of its status, and of what was paid out, owed, given back. */
  private add(r: Row, status: LineStatus, gross: bigint, tax: bigint, net: bigint): void {
    this.lines.add(gross, tax, net);
    this.ledger.add(n(r.l_gross), n(r.l_tax), n(r.l_net));
    this.byStatus[status].add(gross, tax, net);
    this.paidOut += n(r.paid_out);
    this.outstanding += n(r.outstanding);
    this.givenBack += n(r.given_back);
    this.taxReversed += n(r.tax_reversed);
    if (status === 'failed') {
      this.failedGivenBack += n(r.given_back);
      this.failedTaxReversed += n(r.tax_reversed);
    }
  }

  /** What the ledger must show for a line in its status, and the payer's result agreeing with that status. */
  private checkStatus(r: Row, where: Where, status: LineStatus, gross: bigint, tax: bigint, net: bigint): void {
    const lineOut = n(r.paid_out);
    const lineOwed = n(r.outstanding);
    if (status === 'open') {
      this.expect(where, 'open line: net still owed (payout)', net, lineOwed);
      this.expect(where, 'open line: nothing paid out', 0n, lineOut);
    } else if (status === 'paid') {
      this.expect(where, 'paid line: net paid out', net, lineOut);
      this.expect(where, 'paid line: nothing owed (payout)', 0n, lineOwed);
    } else {
      this.expect(where, `${status} line: nothing owed (payout)`, 0n, lineOwed);
      this.expect(where, `${status} line: nothing paid out`, 0n, lineOut);
      this.expect(where, `${status} line: gross given back to available`, gross, n(r.given_back));
      this.expect(where, `${status} line: tax reversed`, tax, n(r.tax_reversed));
    }
    if (status === 'rejected')
      this.differ({
        ...where,
        check: 'line rejected outside the payer result',
        expected: 'paid, failed or open',
        actual: 'rejected',
      });
    if (r.result_status !== null && r.result_status !== status) {
      this.differ({ ...where, check: 'payer result = withdrawal status', expected: r.result_status, actual: status });
    }
  }

  /** A total check: of each of gross, tax and net when given sums, else of the one amount. */
  private total(check: string, expected: Sum | bigint, actual: Sum | bigint): void {
    for (const field of expected instanceof Sum ? (['gross', 'tax', 'net'] as const) : ([null] as const)) {
      const e = field === null ? (expected as bigint) : (expected as Sum)[field];
      const a = field === null ? (actual as bigint) : (actual as Sum)[field];
      if (e !== a)
        this.differ({
          check: field === null ? check : `${check} (${field})`,
          expected: this.money.money(e),
          actual: this.money.money(a),
        });
    }
  }

  /** The batch as made against its lines, the lines against the ledger, and each status's money against where it went. */
  totals(head: BatchHead, lineCount: number): void {
    const { byStatus } = this;
    this.batchSum.gross = BigInt(head.gross);
    this.batchSum.tax = BigInt(head.tax);
    this.batchSum.net = BigInt(head.net);
    if (head.lines !== lineCount)
      this.differ({ check: 'batch lines = lines', expected: String(head.lines), actual: String(lineCount) });
    this.total('batch totals = sum of lines', this.batchSum, this.lines);
    this.total('sum of lines = ledger', this.lines, this.ledger);
    this.total('paid out = net of paid lines', byStatus.paid.net, this.paidOut);
    this.total('owed = net of open lines', byStatus.open.net, this.outstanding);
    this.total(
      'given back = gross of failed and rejected lines',
      byStatus.failed.gross + byStatus.rejected.gross,
      this.givenBack,
    );
    this.total('tax reversed = tax of failed and rejected lines', byStatus.failed.tax + byStatus.rejected.tax, this.taxReversed);
  }

  report(batch: string): ReconcileReport {
    const { byStatus, money } = this;
    const counts = {
      open: byStatus.open.count,
      paid: byStatus.paid.count,
      failed: byStatus.failed.count,
      rejected: byStatus.rejected.count,
    };
    return {
      batch,
      ok: this.differenceCount === 0,
      status: counts.open > 0 ? 'open' : 'closed',
      counts,
      totals: {
        batch: this.batchSum.view(money),
        lines: this.lines.view(money),
        ledger: this.ledger.view(money),
        paid: { ...byStatus.paid.view(money), count: byStatus.paid.count, paidOut: money.money(this.paidOut) },
        failed: {
          ...byStatus.failed.view(money),
          count: byStatus.failed.count,
          givenBack: money.money(this.failedGivenBack),
          taxReversed: money.money(this.failedTaxReversed),
        },
        open: { ...byStatus.open.view(money), count: byStatus.open.count, outstanding: money.money(this.outstanding) },
      },
      differences: this.differences,
      differenceCount: this.differenceCount,
      lines: this.listed,
    };
  }
}
