import { currencyDecimals, formatMoney } from '../../money/money.ts';
import type { Sql } from '../../store/sql.ts';

/** A payout request refused as a whole (the API answers it with the same code). */
export class PayoutError extends Error {
  constructor(
    readonly code: 'not_found' | 'conflict' | 'invalid',
    message: string,
    readonly path?: (string | number)[],
  ) {
    super(message);
    this.name = 'PayoutError';
  }
}

/** What a batch line stands at: the withdrawal's own status (open = still approved, unpaid). */
export type LineStatus = 'open' | 'paid' | 'failed' | 'rejected';

export function lineStatus(withdrawalStatus: string): LineStatus {
  switch (withdrawalStatus) {
    case 'paid':
      return 'paid';
    case 'failed':
      return 'failed';
    case 'rejected':
      return 'rejected';
    default:
      return 'open';
  }
}

export interface TenantMoney {
  readonly currency: string;
  readonly decimals: number;
  money(amount: bigint | string): string;
}

/** The tenant's currency and a formatter of its minor units (no engine needed). */
export async function tenantMoney(sql: Sql, tenant: string): Promise<TenantMoney> {
  const row = (await sql.query<{ currency: string }>('select currency from tenants where id = $1', [tenant])).rows[0];
  if (!row) throw new PayoutError('not_found', `tenant ${tenant} does not exist`);
  const decimals = currencyDecimals(row.currency);
  return { currency: row.currency, decimals, money: (amount) => formatMoney(BigInt(amount), decimals) };
}

export const iso = (value: Date | string | null): string | null => (value === null ? null : new Date(value).toISOString());
