import { z } from 'zod';
import type { Sql } from '../store/sql.ts';
import { pageOf, pageSql, type PageRequest } from './paging.ts';
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
  batch: z.string().nullable().describe('the payout batch holding it, once put on one'),
  history: z.array(z.object({ status: z.string(), at: z.string(), note: z.string().optional() })),
});
export type WithdrawalView = z.infer<typeof withdrawalView>;

/** A withdrawal's row with the payout batch holding it (a line per withdrawal at most). */
const SELECT_WITHDRAWALS = `select w.id, w.member, w.at, w.amount::text as amount, w.tax::text as tax, w.net::text as net,
  w.month, w.status, l.batch_id as batch, w.history, w.event_seq::text as event_seq
  from withdrawals w left join payout_lines l on l.tenant_id = w.tenant_id and l.withdrawal = w.id`;

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
  batch: string | null;
  history: WithdrawalView['history'];
  /** Its position in the log: the listing's order and cursor. */
  event_seq: string;
}

/**
 * The tenant's withdrawals, filtered by member and status when given, oldest (or newest) first,
 * a page of `limit` after the cursor `after` (the log position of the last one of the page before;
 * paging.ts).
 */
export async function listWithdrawals(
  sql: Sql,
  tenant: string,
  filter: {
    member: string | null;
    status: string | null;
    /** Only those on a payout batch (true) or on none (false); null: all. */
    batched: boolean | null;
  },
  page: PageRequest,
  money: (minor: string) => string,
): Promise<{ withdrawals: WithdrawalView[]; next: string | null }> {
  const seek = pageSql('w.event_seq', page, { after: 4, fetch: 5 });
  const { rows } = await sql.query<WithdrawalRow>(
    `${SELECT_WITHDRAWALS}
     where w.tenant_id = $1 and ($2::text is null or w.member = $2) and ($3::text is null or w.status = $3)
       and ${seek.where} and ($6::boolean is null or (l.batch_id is not null) = $6)
     ${seek.order}`,
    [tenant, filter.member, filter.status, page.after, seek.fetch, filter.batched],
  );
  const shown = pageOf(rows, page, (row) => row.event_seq);
  return { withdrawals: shown.rows.map((row) => viewOf(row, money)), next: shown.next };
}

/** One withdrawal of the tenant, or null. */
export async function readWithdrawal(
  sql: Sql,
  tenant: string,
  id: string,
  money: (minor: string) => string,
): Promise<WithdrawalView | null> {
  const { rows } = await sql.query<WithdrawalRow>(`${SELECT_WITHDRAWALS} where w.tenant_id = $1 and w.id = $2`, [tenant, id]);
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
    batch: row.batch,
    history: row.history,
  };
}
