import type { Engine } from '../../../src/engine/engine.ts';
import { formatMoney } from '../../../src/money/money.ts';
import { summarize } from '../../../src/scenario/run.ts';
import type { Sql } from '../../../src/store/sql.ts';

/** Awards and balances as comparable, sorted lines. */
export interface Outcome {
  readonly awards: string[];
  readonly balances: string[];
}

/** What the engine holds (a clean in-memory run). */
export function engineOutcome(engine: Engine): Outcome {
  const result = summarize(engine);
  return {
    awards: result.awards.map((a) => `${a.to}|${a.order ?? ''}|${a.period ?? ''}|${a.rule}|${a.amount}|${a.status}`).sort(),
    balances: Object.entries(result.balances)
      .map(([member, b]) => `${member}|${b.pending}|${b.available}`)
      .sort(),
  };
}

/** What the database holds for a tenant (the awards and balances tables). */
export async function storedOutcome(sql: Sql, tenant: string, decimals: number): Promise<Outcome> {
  const money = (text: string) => formatMoney(BigInt(text), decimals);
  const awards = (
    await sql.query<{
      member: string;
      order_id: string | null;
      period: string | null;
      rule: string;
      amount: string;
      status: string;
    }>('select member, order_id, period, rule, amount::text as amount, status from awards where tenant_id = $1 and amount <> 0', [
      tenant,
    ])
  ).rows;
  const balances = (
    await sql.query<{ member: string; pending: string; available: string }>(
      'select member, pending::text as pending, available::text as available from balances where tenant_id = $1',
      [tenant],
    )
  ).rows;
  return {
    awards: awards
      .map((a) => `${a.member}|${a.order_id ?? ''}|${a.period ?? ''}|${a.rule}|${money(a.amount)}|${a.status}`)
      .sort(),
    balances: balances.map((b) => `${b.member}|${money(b.pending)}|${money(b.available)}`).sort(),
  };
}
