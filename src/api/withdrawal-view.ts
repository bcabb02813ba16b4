import { z } from 'zod';
import type { Sql } from '../store/sql.ts';
import { moneyString } from './typed.ts';

export const withdrawalStatus = z.enum(['requested', 'approved', 'paid', 'rejected', 'failed']);

/** A withdrawal as the API answers it (GET /v1/withdrawals and the payout decisions). */
export const withdrawalView = z.object({
  withdrawal: z.string(),
  member: z.string(),
  at: z.string(),
  amount: moneyString,
  tax: moneyString,
  net: moneyString,
  month: z.string(),
  status: withdrawalStatus,
  history: z.array(z.object({ status: z.string(), at: z.string(), note: z.string().optional() })),
});
export type WithdrawalView = z.infer<typeof withdrawalView>;

/** The read model's row of a withdrawal, amounts as text. */
interface WithdrawalRow {
  id: string;
  member: string;
  at: Date | string;
  amount: string;
  tax: string;
  net: string;
  month: string;
  status: WithdrawalView['status'];
  history: WithdrawalView['history'];
}

const COLUMNS = 'id, member, at, amount::text as amount, tax::text as tax, net::text as net, month, status, history';

/**
 * The tenant's withdrawals, as the API answers them: `where` is a condition on the table with
 * parameters from $2 on ($1 is the tenant), `tail` what follows it (order, limit). `money` formats
 * an amount's minor units in the tenant's currency.
 */
export async function readWithdrawals(
  sql: Sql,
  tenant: string,
  query: { where: string; tail?: string; params: readonly unknown[] },
  money: (minor: string) => string,
): Promise<WithdrawalView[]> {
  const rows = (
    await sql.query<WithdrawalRow>(
      `select ${COLUMNS} from withdrawals where tenant_id = $1 and ${query.where} ${query.tail ?? ''}`,
      [tenant, ...query.params],
    )
  ).rows;
  return rows.map((row) => ({
    withdrawal: row.id,
    member: row.member,
    at: new Date(row.at).toISOString(),
    amount: money(row.amount),
    tax: money(row.tax),
    net: money(row.net),
    month: row.month,
    status: row.status,
    history: row.history,
  }));
}
