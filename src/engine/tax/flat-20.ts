import { divRoundHalfUp } from '../../money/money.ts';
import type { TaxRegime } from './tax.ts';

/** A flat 20% on every withdrawal (an example of a second regime, e.g. for 偶然所得-like rules). */
export const flat20: TaxRegime = {
  id: 'flat-20',
  cumulative: false,
  withhold: (_month, amount) => divRoundHalfUp(amount * 20n, 100n),
};
