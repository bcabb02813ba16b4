import type { Minor } from '../../domain/types.ts';
import { cnLabor } from './cn-labor.ts';
import { flat20 } from './flat-20.ts';
import { none } from './none.ts';

/**
 * A withholding regime. Given a member's gross withdrawals earlier in the tax month, the tax
 * already withheld, and the new withdrawal, it returns the tax to withhold now.
 */
export interface TaxRegime {
  readonly id: string;
  /**
   * Whether the tax is of the month's cumulative gross (then a reversed withdrawal trues the
   * month up to the tax of what remains) or of each withdrawal on its own.
   */
  readonly cumulative: boolean;
  readonly withhold: (month: { readonly gross: Minor; readonly withheld: Minor }, amount: Minor, decimals: number) => Minor;
}

export const TAX_REGIMES: Readonly<Record<string, TaxRegime>> = { none, 'cn-labor': cnLabor, 'flat-20': flat20 };
