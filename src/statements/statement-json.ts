import { formatMoney } from '../money/money.ts';
import { iso } from './calendar.ts';
import type { Balances, Section, Statement, StatementLine } from './statement.ts';

/** The statement as the API answers it: amounts as decimal strings, instants as ISO 8601. */
export function statementJson(statement: Statement) {
  const view = new JsonView(statement);
  return {
    tenant: statement.tenant,
    member: statement.member,
    month: statement.month,
    timezone: statement.timezone,
    currency: statement.currency,
    from: iso(statement.from),
    to: iso(statement.to),
    opening: view.balances(statement.opening),
    awards: view.awards(),
    reversals: view.reversals(),
    settlements: view.settlements(),
    withdrawals: view.withdrawals(),
    withdrawalReversals: view.withdrawalReversals(),
    taxTrueUps: view.taxTrueUps(),
    manualAdjustments: view.manualAdjustments(),
    other: view.of('other').map((line) => ({
      at: iso(line.at),
      kind: line.kind,
      pending: view.money(line.pending),
      available: view.money(line.available),
    })),
    movements: [...statement.movements].map(([section, b]) => ({
      section,
      pending: view.money(b.pending),
      available: view.money(b.available),
    })),
    closing: view.balances(statement.closing),
    check: {
      ok: statement.check.ok,
      expected: view.balances(statement.check.expected),
      ledger: view.balances(statement.closing),
      readModel: statement.check.readModel ? view.balances(statement.check.readModel) : null,
    },
  };
}

export type StatementJson = ReturnType<typeof statementJson>;

/** One method per section of the statement. */
class JsonView {
  constructor(private readonly statement: Statement) {}

  money(amount: bigint): string {
    return formatMoney(amount, this.statement.decimals);
  }

  balances(b: Balances) {
    return { pending: this.money(b.pending), available: this.money(b.available), total: this.money(b.pending + b.available) };
  }

  of(section: Section): StatementLine[] {
    return this.statement.lines.filter((line) => line.section === section);
  }

  private account(line: StatementLine): 'pending' | 'available' {
    return line.pending !== 0n ? 'pending' : 'available';
  }

  private amount(line: StatementLine): string {
    return this.money(line.pending + line.available);
  }

  private total(lines: readonly StatementLine[]): string {
    return this.money(lines.reduce((sum, line) => sum + line.pending + line.available, 0n));
  }

  /** Gross, tax and net of withdrawals (or of reversals, negative), with their items. */
  private figures(lines: readonly StatementLine[]) {
    const sum = (field: 'gross' | 'tax' | 'net') => this.money(lines.reduce((total, line) => total + (line[field] ?? 0n), 0n));
    return { gross: sum('gross'), tax: sum('tax'), net: sum('net') };
  }

  private withdrawalItem(line: StatementLine) {
    return {
      at: iso(line.at),
      withdrawal: line.withdrawal,
      gross: this.money(line.gross ?? 0n),
      tax: this.money(line.tax ?? 0n),
      net: this.money(line.net ?? 0n),
      taxMonth: line.taxMonth,
    };
  }

  awards() {
    const awards = this.of('award');
    const rules = [...new Set(awards.map((line) => line.rule ?? ''))].sort();
    return {
      total: this.total(awards),
      byRule: rules.map((rule) => {
        const lines = awards.filter((line) => (line.rule ?? '') === rule);
        return {
          rule,
          count: lines.length,
          amount: this.total(lines),
          items: lines.map((line) => ({
            at: iso(line.at),
            order: line.order,
            period: line.period,
            amount: this.amount(line),
            account: this.account(line),
            explain: line.explain,
          })),
        };
      }),
    };
  }

  reversals() {
    const lines = this.of('reversal');
    return {
      total: this.total(lines),
      items: lines.map((line) => ({
        at: iso(line.at),
        order: line.order,
        period: line.period,
        rule: line.rule,
        refund: line.refund,
        amount: this.amount(line),
        account: this.account(line),
        explain: line.explain,
      })),
    };
  }

  settlements() {
    const lines = this.of('settlement');
    return {
      total: this.money(lines.reduce((sum, line) => sum + line.available, 0n)),
      items: lines.map((line) => ({
        at: iso(line.at),
        order: line.order,
        period: line.period,
        rule: line.rule,
        amount: this.money(line.available),
      })),
    };
  }

  withdrawals() {
    const lines = this.of('withdrawal');
    return {
      ...this.figures(lines),
      items: lines.map((line) => ({ ...this.withdrawalItem(line), status: line.status, statusNow: line.statusNow })),
    };
  }

  withdrawalReversals() {
    const lines = this.of('withdrawal_reversal');
    return {
      ...this.figures(lines),
      items: lines.map((line) => ({ ...this.withdrawalItem(line), status: line.status, note: line.note })),
    };
  }

  taxTrueUps() {
    const lines = this.of('tax_true_up');
    return {
      total: this.total(lines),
      items: lines.map((line) => ({
        at: iso(line.at),
        withdrawal: line.withdrawal,
        taxMonth: line.taxMonth,
        amount: this.amount(line),
      })),
    };
  }

  manualAdjustments() {
    const lines = this.of('manual');
    return {
      total: this.total(lines),
      items: lines.map((line) => ({
        at: iso(line.at),
        adjustment: line.adjustment,
        amount: this.amount(line),
        reason: line.note ?? '',
        by: line.by,
      })),
    };
  }
}
