import { divRoundHalfUp, formatMoney, maxBig } from '../money/money.ts';
import type { Service } from '../service/service.ts';
import { iso, monthWindow } from './calendar.ts';
import { toCsv } from './csv.ts';

/**
 * The monthly withholding report (代扣代缴): what the ledger's tax_payable account received in a
 * calendar month (tenant zone), per member and tax month. Withdrawals of the month make one row
 * per member; a withdrawal of an earlier month rejected or failed in this month gives its tax
 * back in this month, as a correction row of its own tax month. The totals equal the sum of the
 * rows and the month's tax_payable postings.
 */

export interface TaxRow {
  readonly member: string;
  /** The calendar month the tax is computed on (the withdrawals' month). */
  readonly taxMonth: string;
  /** A change to an earlier tax month, posted in this month. */
  readonly correction: boolean;
  readonly regime: string;
  /** Withdrawals requested and given back (rejected, failed) in the month. */
  readonly withdrawals: number;
  readonly reversals: number;
  /** Gross withdrawn, net of what was given back (a correction row: its change). */
  readonly gross: bigint;
  /** Taxable income of the gross (a correction row: its change), rounded half-up to the minor unit. */
  readonly taxable: bigint;
  /** Tax withheld: withdrawals, less reversals and true-ups. */
  readonly withheld: bigint;
  /** gross − withheld: what the member was paid or credited. */
  readonly net: bigint;
}

type Totals = Omit<TaxRow, 'member' | 'taxMonth' | 'correction' | 'regime'>;

export interface TaxReport {
  readonly tenant: { readonly id: string; readonly name: string };
  readonly month: string;
  readonly timezone: string;
  readonly currency: string;
  readonly decimals: number;
  readonly from: number;
  readonly to: number;
  readonly rows: readonly TaxRow[];
  readonly totals: Totals;
  /** Straight from the postings of the month. */
  readonly ledger: { readonly taxPayable: bigint; readonly gross: bigint };
  readonly check: { readonly ok: boolean; readonly withheldEqualsLedger: boolean; readonly grossEqualsLedger: boolean; readonly netAddsUp: boolean };
}

/** Taxable income of a month's cumulative gross under a regime (DOMAIN.md, cn-labor). */
export function taxableOf(regime: string, gross: bigint, decimals: number): bigint {
  if (gross <= 0n) return 0n;
  const unit = 10n ** BigInt(decimals);
  if (regime === 'cn-labor') return gross <= 4000n * unit ? maxBig(0n, gross - 800n * unit) : divRoundHalfUp(gross * 4n, 5n);
  if (regime === 'flat-20') return gross;
  return 0n;
}

interface JournalRow {
  journal: string;
  kind: string;
  account: string;
  amount: string;
  w_member: string | null;
  w_month: string | null;
  w_at: string | null;
}

export async function buildTaxReport(service: Service, tenant: string, month: string): Promise<TaxReport> {
  const { settings, plans } = await service.read(tenant, (runtime) => ({
    settings: runtime.engine.settings,
    plans: runtime.engine.state.plans.map((version) => ({ from: version.from, tax: version.compiled.plan.tax })),
  }));
  const { timezone, currency, decimals } = settings;
  const regimeAt = (at: number) => {
    let tax = plans[0]?.tax ?? 'none';
    for (const version of plans) if (version.from <= at) tax = version.tax;
    return tax;
  };
  const window = monthWindow(month, timezone);
  return service.sql.transaction(async (tx) => {
    await tx.query('set transaction isolation level repeatable read, read only');
    const name = (await tx.query<{ name: string }>('select name from tenants where id = $1', [tenant])).rows[0]?.name ?? tenant;
    const range = [tenant, iso(window.from), iso(window.to)];
    const postings = (
      await tx.query<JournalRow>(
        `select p.journal::text as journal, p.kind, p.account, p.amount::text as amount,
                w.member as w_member, w.month as w_month, (extract(epoch from w.at) * 1000)::bigint::text as w_at
           from postings p left join withdrawals w on w.tenant_id = p.tenant_id and w.id = p.withdrawal_id
          where p.tenant_id = $1 and p.at >= $2 and p.at < $3 and p.kind in ('withdrawal', 'withdrawal_reversal', 'tax_true_up')`,
        range,
      )
    ).rows;
    const ledgerRow = (
      await tx.query<{ tax: string | null; gross: string | null }>(
        `select sum(amount) filter (where account = 'tax_payable')::text as tax,
                (-sum(amount) filter (where account = 'available' and kind in ('withdrawal', 'withdrawal_reversal')))::text as gross
           from postings where tenant_id = $1 and at >= $2 and at < $3`,
        range,
      )
    ).rows[0];
    const ledger = { taxPayable: BigInt(ledgerRow?.tax ?? '0'), gross: BigInt(ledgerRow?.gross ?? '0') };

    interface Acc { member: string; taxMonth: string; lastAt: number; withdrawals: Set<string>; reversals: Set<string>; gross: bigint; withheld: bigint }
    const groups = new Map<string, Acc>();
    for (const row of postings) {
      const member = row.w_member ?? '';
      const taxMonth = row.w_month ?? month;
      const key = `${member}\u0000${taxMonth}`;
      let acc = groups.get(key);
      if (!acc) groups.set(key, (acc = { member, taxMonth, lastAt: 0, withdrawals: new Set(), reversals: new Set(), gross: 0n, withheld: 0n }));
      acc.lastAt = Math.max(acc.lastAt, Number(row.w_at ?? 0));
      const amount = BigInt(row.amount);
      if (row.account === 'tax_payable') acc.withheld += amount;
      if (row.account === 'available' && row.kind !== 'tax_true_up') acc.gross -= amount;
      if (row.kind === 'withdrawal') acc.withdrawals.add(row.journal);
      if (row.kind === 'withdrawal_reversal') acc.reversals.add(row.journal);
    }

    // A correction's taxable is the change of its tax month's taxable: it needs that month's gross
    // as it stood at the start of this month.
    const corrections = [...groups.values()].filter((acc) => acc.taxMonth !== month);
    const before = new Map<string, bigint>();
    if (corrections.length > 0) {
      const rows = (
        await tx.query<{ member: string; month: string; gross: string }>(
          `select w.member, w.month, (-sum(p.amount))::text as gross
             from postings p join withdrawals w on w.tenant_id = p.tenant_id and w.id = p.withdrawal_id
            where p.tenant_id = $1 and p.at < $2 and p.account = 'available' and p.kind in ('withdrawal', 'withdrawal_reversal')
              and w.member = any($3::text[]) and w.month = any($4::text[])
            group by w.member, w.month`,
          [tenant, iso(window.from), corrections.map((c) => c.member), corrections.map((c) => c.taxMonth)],
        )
      ).rows;
      for (const row of rows) before.set(`${row.member}\u0000${row.month}`, BigInt(row.gross));
    }

    const rows: TaxRow[] = [...groups.entries()].map(([key, acc]) => {
      const regime = regimeAt(acc.lastAt);
      const correction = acc.taxMonth !== month;
      const start = correction ? (before.get(key) ?? 0n) : 0n;
      const taxable = taxableOf(regime, start + acc.gross, decimals) - taxableOf(regime, start, decimals);
      return {
        member: acc.member, taxMonth: acc.taxMonth, correction, regime,
        withdrawals: acc.withdrawals.size, reversals: acc.reversals.size,
        gross: acc.gross, taxable, withheld: acc.withheld, net: acc.gross - acc.withheld,
      };
    });
    rows.sort((a, b) => Number(a.correction) - Number(b.correction) || a.member.localeCompare(b.member) || a.taxMonth.localeCompare(b.taxMonth));
    const totals = rows.reduce<Totals>(
      (sum, row) => ({
        withdrawals: sum.withdrawals + row.withdrawals, reversals: sum.reversals + row.reversals, gross: sum.gross + row.gross,
        taxable: sum.taxable + row.taxable, withheld: sum.withheld + row.withheld, net: sum.net + row.net,
      }),
      { withdrawals: 0, reversals: 0, gross: 0n, taxable: 0n, withheld: 0n, net: 0n },
    );
    const withheldEqualsLedger = totals.withheld === ledger.taxPayable;
    const grossEqualsLedger = totals.gross === ledger.gross;
    const netAddsUp = totals.net === totals.gross - totals.withheld;
    return {
      tenant: { id: tenant, name }, month, timezone, currency, decimals, from: window.from, to: window.to, rows, totals, ledger,
      check: { ok: withheldEqualsLedger && grossEqualsLedger && netAddsUp, withheldEqualsLedger, grossEqualsLedger, netAddsUp },
    };
  });
}

export function taxReportJson(report: TaxReport) {
  const money = (amount: bigint) => formatMoney(amount, report.decimals);
  const figures = (row: Totals) => ({
    withdrawals: row.withdrawals, reversals: row.reversals, gross: money(row.gross), taxable: money(row.taxable), withheld: money(row.withheld), net: money(row.net),
  });
  return {
    tenant: report.tenant,
    month: report.month,
    timezone: report.timezone,
    currency: report.currency,
    from: iso(report.from),
    to: iso(report.to),
    rows: report.rows.map((row) => ({ member: row.member, taxMonth: row.taxMonth, correction: row.correction, regime: row.regime, ...figures(row) })),
    totals: figures(report.totals),
    ledger: { taxPayable: money(report.ledger.taxPayable), gross: money(report.ledger.gross) },
    check: report.check,
  };
}

export const TAX_COLUMNS = ['member', 'tax_month', 'correction', 'regime', 'withdrawals', 'reversals', 'gross', 'taxable', 'withheld', 'net'] as const;

/** One row per member and tax month, then a TOTAL row. */
export function taxReportCsv(report: TaxReport): string {
  const money = (amount: bigint) => formatMoney(amount, report.decimals);
  const t = report.totals;
  return toCsv(TAX_COLUMNS, [
    ...report.rows.map((r) => [r.member, r.taxMonth, r.correction, r.regime, r.withdrawals, r.reversals, money(r.gross), money(r.taxable), money(r.withheld), money(r.net)]),
    ['TOTAL', report.month, null, null, t.withdrawals, t.reversals, money(t.gross), money(t.taxable), money(t.withheld), money(t.net)],
  ]);
}
