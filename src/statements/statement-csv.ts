import { formatMoney } from '../money/money.ts';
import { localTime } from './calendar.ts';
import { toCsv } from './csv.ts';
import type { Statement } from './statement.ts';

export const STATEMENT_COLUMNS = [
  'section',
  'at',
  'rule',
  'order',
  'period',
  'refund',
  'withdrawal',
  'adjustment',
  'pending',
  'available',
  'gross',
  'tax',
  'net',
  'status',
  'status_now',
  'note',
  'explain',
] as const;

/**
 * The statement as one CSV table: an `opening` row, one row per journal entry of the month (its
 * effect on `pending` and `available`), a `closing` row with the ledger's balances and a `check`
 * row (`ok` when opening + movements = closing). Times are local to the tenant zone.
 */
export function statementCsv(statement: Statement): string {
  const money = (amount: bigint | null) => (amount === null ? null : formatMoney(amount, statement.decimals));
  const empty = (count: number) => Array<null>(count).fill(null);
  const rows: (string | null)[][] = [];
  rows.push([
    'opening',
    localTime(statement.from, statement.timezone),
    ...empty(6),
    money(statement.opening.pending),
    money(statement.opening.available),
    ...empty(7),
  ]);
  for (const line of statement.lines) {
    rows.push([
      line.section,
      localTime(line.at, statement.timezone),
      line.rule,
      line.order,
      line.period,
      line.refund,
      line.withdrawal,
      line.adjustment,
      money(line.pending),
      money(line.available),
      money(line.gross),
      money(line.tax),
      money(line.net),
      line.status,
      line.statusNow,
      line.note,
      line.explain,
    ]);
  }
  rows.push([
    'closing',
    localTime(statement.to, statement.timezone),
    ...empty(6),
    money(statement.closing.pending),
    money(statement.closing.available),
    ...empty(7),
  ]);
  rows.push([
    'check',
    null,
    ...empty(6),
    money(statement.check.expected.pending),
    money(statement.check.expected.available),
    ...empty(3),
    statement.check.ok ? 'ok' : 'mismatch',
    ...empty(3),
  ]);
  return toCsv(STATEMENT_COLUMNS, rows);
}
