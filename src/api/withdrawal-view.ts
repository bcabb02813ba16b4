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

/** The tenant's withdrawals, filtered by member and status when given, oldest first. */
export async function listWithdrawals(
  sql: Sql,
  tenant: string,
  filter: { member: string | null; status: string | null; limit: number },
  money: (minor: string) => string,
): Promise<WithdrawalView[]> {
  const { rows } = await sql.query<WithdrawalRow>(
    `select id, member, at, amount::text as amount, tax::text as tax, net::text as net, month, status, history from withdrawals
     where tenant_id = $1 and ($2::text is null or member = $2) and ($3::text is null or status = $3) order by event_seq limit $4`,
    [tenant, filter.member, filter.status, filter.limit],
  );
  return rows.map((row) => viewOf(row, money));
}

/** One withdrawal of the tenant, or null. */
export async function readWithdrawal(
  sql: Sql,
  tenant: string,
  id: string,
  money: (minor: string) => string,
): Promise<WithdrawalView | null> {
  const { rows } = await sql.query<WithdrawalRow>(
    'select id, member, at, amount::text as amount, tax::text as tax, net::text as net, month, status, history from withdrawals where tenant_id = $1 and id = $2',
    [tenant, id],
  );
  return rows[0] ? viewOf(rows[0], money) : null;
}

/** A row as the API answers it; `money` formats minor units in the tenant's currency. */
function viewOf(row: WithdrawalRow, money: (minor: string) => string): WithdrawalView {
  return {
    withdrawal: row.id,
    member: row.member,
    at: new Date(row.at).toISOString(),
    amount: money(row.amount),
    tax: money(row.tax),
    net: money(row.net),
    month: row.month,
    status: row.status,
    history: row.history,
  };
}
