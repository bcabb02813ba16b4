import { formatMoney } from '../money/money.ts';
import { iso } from './calendar.ts';
import type { Balances, Section, Statement, StatementLine } from './statement.ts';

/** The statement as the API answers it: amounts as decimal strings, instants as ISO 8601. */
export function statementJson(statement: Statement) {
  const money = (amount: bigint) => formatMoney(amount, statement.decimals);
  const balances = (b: Balances) => ({ pending: money(b.pending), available: money(b.available), total: money(b.pending + b.available) });
  const of = (section: Section) => statement.lines.filter((line) => line.section === section);
  const account = (line: StatementLine): 'pending' | 'available' => (line.pending !== 0n ? 'pending' : 'available');
  const amount = (line: StatementLine) => money(line.pending + line.available);
  const total = (lines: readonly StatementLine[]) => money(lines.reduce((sum, line) => sum + line.pending + line.available, 0n));
  const sumOf = (lines: readonly StatementLine[], field: 'gross' | 'tax' | 'net') => money(lines.reduce((sum, line) => sum + (line[field] ?? 0n), 0n));

  const awards = of('award');
  const rules = [...new Set(awards.map((line) => line.rule ?? ''))].sort();
  const withdrawals = of('withdrawal');
  const reversals = of('withdrawal_reversal');
  return {
    tenant: statement.tenant,
    member: statement.member,
    month: statement.month,
    timezone: statement.timezone,
    currency: statement.currency,
    from: iso(statement.from),
    to: iso(statement.to),
    opening: balances(statement.opening),
    awards: {
      total: total(awards),
      byRule: rules.map((rule) => {
        const lines = awards.filter((line) => (line.rule ?? '') === rule);
        return {
          rule,
          count: lines.length,
          amount: total(lines),
          items: lines.map((line) => ({ at: iso(line.at), order: line.order, period: line.period, amount: amount(line), account: account(line), explain: line.explain })),
        };
      }),
    },
    reversals: {
      total: total(of('reversal')),
      items: of('reversal').map((line) => ({
        at: iso(line.at), order: line.order, period: line.period, rule: line.rule, refund: line.refund, amount: amount(line), account: account(line), explain: line.explain,
      })),
    },
    settlements: {
      total: money(of('settlement').reduce((sum, line) => sum + line.available, 0n)),
      items: of('settlement').map((line) => ({ at: iso(line.at), order: line.order, period: line.period, rule: line.rule, amount: money(line.available) })),
    },
    withdrawals: {
      gross: sumOf(withdrawals, 'gross'),
      tax: sumOf(withdrawals, 'tax'),
      net: sumOf(withdrawals, 'net'),
      items: withdrawals.map((line) => ({
        at: iso(line.at), withdrawal: line.withdrawal, gross: money(line.gross ?? 0n), tax: money(line.tax ?? 0n), net: money(line.net ?? 0n),
        taxMonth: line.taxMonth, status: line.status, statusNow: line.statusNow,
      })),
    },
    withdrawalReversals: {
      gross: sumOf(reversals, 'gross'),
      tax: sumOf(reversals, 'tax'),
      net: sumOf(reversals, 'net'),
      items: reversals.map((line) => ({
        at: iso(line.at), withdrawal: line.withdrawal, gross: money(line.gross ?? 0n), tax: money(line.tax ?? 0n), net: money(line.net ?? 0n),
        taxMonth: line.taxMonth, status: line.status, note: line.note,
      })),
    },
    taxTrueUps: {
      total: total(of('tax_true_up')),
      items: of('tax_true_up').map((line) => ({ at: iso(line.at), withdrawal: line.withdrawal, taxMonth: line.taxMonth, amount: amount(line) })),
    },
    manualAdjustments: {
      total: total(of('manual')),
      items: of('manual').map((line) => ({ at: iso(line.at), adjustment: line.adjustment, amount: amount(line), reason: line.note ?? '', by: line.by })),
    },
    other: of('other').map((line) => ({ at: iso(line.at), kind: line.kind, pending: money(line.pending), available: money(line.available) })),
    movements: [...statement.movements].map(([section, b]) => ({ section, pending: money(b.pending), available: money(b.available) })),
    closing: balances(statement.closing),
    check: {
      ok: statement.check.ok,
      expected: balances(statement.check.expected),
      ledger: balances(statement.closing),
      readModel: statement.check.readModel ? balances(statement.check.readModel) : null,
    },
  };
}

export type StatementJson = ReturnType<typeof statementJson>;
