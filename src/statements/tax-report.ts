import { divRoundHalfUp, formatMoney, maxBig } from '../money/money.ts';
import type { Service } from '../service/service.ts';
import type { Sql } from '../store/sql.ts';
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
  readonly check: {
    readonly ok: boolean;
    readonly withheldEqualsLedger: boolean;
    readonly grossEqualsLedger: boolean;
    readonly netAddsUp: boolean;
  };
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
  /** The regime of the plan in force at `at`. */
  const regimeAt = (at: number) =>
    plans.reduce((tax, version) => (version.from <= at ? version.tax : tax), plans[0]?.tax ?? 'none');
  const window = monthWindow(month, timezone);
  return service.sql.transaction(async (tx) => {
    await tx.query('set transaction isolation level repeatable read, read only');
    const name = (await tx.query<{ name: string }>('select name from tenants where id = $1', [tenant])).rows[0]?.name ?? tenant;
    const range = [tenant, iso(window.from), iso(window.to)];
    const postings = await journalsOf(tx, range);
    const ledger = await ledgerOf(tx, range);
    const groups = accumulate(postings, month);
    const corrections = [...groups.values()].filter((group) => group.taxMonth !== month);
    const before = corrections.length > 0 ? await grossBefore(tx, tenant, window.from, corrections) : new Map<string, bigint>();
    const rows = [...groups.entries()].map(([key, group]) => {
      const regime = regimeAt(group.lastAt);
      const correction = group.taxMonth !== month;
      // A correction's taxable is the change of its tax month's taxable, from its gross at the month's start.
      const start = correction ? (before.get(key) ?? 0n) : 0n;
      const taxable = taxableOf(regime, start + group.gross, decimals) - taxableOf(regime, start, decimals);
      const { member, taxMonth, gross, withheld } = group;
      return {
        member,
        taxMonth,
        correction,
        regime,
        withdrawals: group.withdrawals.size,
        reversals: group.reversals.size,
        gross,
        taxable,
        withheld,
        net: gross - withheld,
      };
    });
    rows.sort(
      (a, b) =>
        Number(a.correction) - Number(b.correction) || a.member.localeCompare(b.member) || a.taxMonth.localeCompare(b.taxMonth),
    );
    const totals = totalsOf(rows);
    const withheldEqualsLedger = totals.withheld === ledger.taxPayable;
    const grossEqualsLedger = totals.gross === ledger.gross;
    const netAddsUp = totals.net === totals.gross - totals.withheld;
    const check = {
      ok: withheldEqualsLedger && grossEqualsLedger && netAddsUp,
      withheldEqualsLedger,
      grossEqualsLedger,
      netAddsUp,
    };
    return {
      tenant: { id: tenant, name },
      month,
      timezone,
      currency,
      decimals,
      from: window.from,
      to: window.to,
      rows,
      totals,
      ledger,
      check,
    };
  });
}

/** The postings of the month's withdrawal, reversal and true-up journals, with their withdrawal's member and tax month. */
async function journalsOf(tx: Sql, range: readonly unknown[]): Promise<JournalRow[]> {
  return (
    await tx.query<JournalRow>(
      `select p.journal::text as journal, p.kind, p.account, p.amount::text as amount,
              w.member as w_member, w.month as w_month, (extract(epoch from w.at) * 1000)::bigint::text as w_at
         from postings p left join withdrawals w on w.tenant_id = p.tenant_id and w.id = p.withdrawal_id
        where p.tenant_id = $1 and p.at >= $2 and p.at < $3 and p.kind in ('withdrawal', 'withdrawal_reversal', 'tax_true_up')`,
      range,
    )
  ).rows;
}

/** The month's tax_payable postings, and its gross withdrawn (less what was given back), from the ledger. */
async function ledgerOf(tx: Sql, range: readonly unknown[]): Promise<{ taxPayable: bigint; gross: bigint }> {
  const row = (
    await tx.query<{ tax: string | null; gross: string | null }>(
      `select sum(amount) filter (where account = 'tax_payable')::text as tax,
              (-sum(amount) filter (where account = 'available' and kind in ('withdrawal', 'withdrawal_reversal')))::text as gross
         from postings where tenant_id = $1 and at >= $2 and at < $3`,
      range,
    )
  ).rows[0];
  return { taxPayable: BigInt(row?.tax ?? '0'), gross: BigInt(row?.gross ?? '0') };
}

interface Group {
  member: string;
  taxMonth: string;
  /** The latest request among the group's withdrawals (its plan's regime applies). */
  lastAt: number;
  withdrawals: Set<string>;
  reversals: Set<string>;
  gross: bigint;
  withheld: bigint;
}

/** The month's withdrawal journals summed per member and tax month (keyed `member\0taxMonth`). */
function accumulate(postings: readonly JournalRow[], month: string): Map<string, Group> {
  const groups = new Map<string, Group>();
  for (const row of postings) {
    const member = row.w_member ?? '';
    const taxMonth = row.w_month ?? month;
    const key = `${member}\u0000${taxMonth}`;
    let group = groups.get(key);
    if (!group) {
      group = { member, taxMonth, lastAt: 0, withdrawals: new Set(), reversals: new Set(), gross: 0n, withheld: 0n };
      groups.set(key, group);
    }
    group.lastAt = Math.max(group.lastAt, Number(row.w_at ?? 0));
    const amount = BigInt(row.amount);
    if (row.account === 'tax_payable') group.withheld += amount;
    if (row.account === 'available' && row.kind !== 'tax_true_up') group.gross -= amount;
    if (row.kind === 'withdrawal') group.withdrawals.add(row.journal);
    if (row.kind === 'withdrawal_reversal') group.reversals.add(row.journal);
  }
  return groups;
}

/** The gross of each (member, tax month) of `groups` from postings before `at`. */
async function grossBefore(tx: Sql, tenant: string, at: number, groups: readonly Group[]): Promise<Map<string, bigint>> {
  const rows = (
    await tx.query<{ member: string; month: string; gross: string }>(
      `select w.member, w.month, (-sum(p.amount))::text as gross
         from postings p join withdrawals w on w.tenant_id = p.tenant_id and w.id = p.withdrawal_id
        where p.tenant_id = $1 and p.at < $2 and p.account = 'available' and p.kind in ('withdrawal', 'withdrawal_reversal')
          and w.member = any($3::text[]) and w.month = any($4::text[])
        group by w.member, w.month`,
      [tenant, iso(at), groups.map((g) => g.member), groups.map((g) => g.taxMonth)],
    )
  ).rows;
  return new Map(rows.map((row) => [`${row.member}\u0000${row.month}`, BigInt(row.gross)]));
}

function totalsOf(rows: readonly TaxRow[]): Totals {
  return rows.reduce<Totals>(
    (sum, row) => ({
      withdrawals: sum.withdrawals + row.withdrawals,
      reversals: sum.reversals + row.reversals,
      gross: sum.gross + row.gross,
      taxable: sum.taxable + row.taxable,
      withheld: sum.withheld + row.withheld,
      net: sum.net + row.net,
    }),
    { withdrawals: 0, reversals: 0, gross: 0n, taxable: 0n, withheld: 0n, net: 0n },
  );
}

export function taxReportJson(report: TaxReport) {
  const money = (amount: bigint) => formatMoney(amount, report.decimals);
  const figures = (row: Totals) => ({
    withdrawals: row.withdrawals,
    reversals: row.reversals,
    gross: money(row.gross),
    taxable: money(row.taxable),
    withheld: money(row.withheld),
    net: money(row.net),
  });
  return {
    tenant: report.tenant,
    month: report.month,
    timezone: report.timezone,
    currency: report.currency,
    from: iso(report.from),
    to: iso(report.to),
    rows: report.rows.map((row) => ({
      member: row.member,
      taxMonth: row.taxMonth,
      correction: row.correction,
      regime: row.regime,
      ...figures(row),
    })),
    totals: figures(report.totals),
    ledger: { taxPayable: money(report.ledger.taxPayable), gross: money(report.ledger.gross) },
    check: report.check,
  };
}

export const TAX_COLUMNS = [
  'member',
  'tax_month',
  'correction',
  'regime',
  'withdrawals',
  'reversals',
  'gross',
  'taxable',
  'withheld',
  'net',
] as const;

/** One row per member and tax month, then a TOTAL row. */
export function taxReportCsv(report: TaxReport): string {
  const money = (amount: bigint) => formatMoney(amount, report.decimals);
  const t = report.totals;
  return toCsv(TAX_COLUMNS, [
    ...report.rows.map((r) => [
      r.member,
      r.taxMonth,
      r.correction,
      r.regime,
      r.withdrawals,
      r.reversals,
      money(r.gross),
      money(r.taxable),
      money(r.withheld),
      money(r.net),
    ]),
    [
      'TOTAL',
      report.month,
      null,
      null,
      t.withdrawals,
      t.reversals,
      money(t.gross),
      money(t.taxable),
      money(t.withheld),
      money(t.net),
    ],
  ]);
}
