import { divRoundHalfUp } from '../../money/money.ts';
import type { Minor } from '../../domain/types.ts';
import type { TaxRegime } from './tax.ts';

/**
 * 劳务报酬 withholding on the month's cumulative gross G (DOMAIN.md):
 *   taxable = G ≤ 4000 ? max(0, G − 800) : G × 80%
 *   tax     = taxable ≤ 20000 ? 20% × taxable : taxable ≤ 50000 ? 30% × taxable − 2000 : 40% × taxable − 7000
 * computed exactly and rounded half-up once. Thresholds are in yuan; `decimals` scales them.
 */
export function cnLaborTax(gross: Minor, decimals: number): Minor {
  const unit = 10n ** BigInt(decimals);
  // taxable × 5, so that G × 80% stays an integer.
  const taxable5 = gross <= 4000n * unit ? (gross > 800n * unit ? (gross - 800n * unit) * 5n : 0n) : gross * 4n;
  const bracket =
    taxable5 <= 20_000n * unit * 5n
      ? { percent: 20n, deduction: 0n }
      : taxable5 <= 50_000n * unit * 5n
        ? { percent: 30n, deduction: 2000n }
        : { percent: 40n, deduction: 7000n };
  // tax × 500 = taxable5 × percent − deduction × 500
  return divRoundHalfUp(taxable5 * bracket.percent - bracket.deduction * unit * 500n, 500n);
}

export const cnLabor: TaxRegime = {
  id: 'cn-labor',
  cumulative: true,
  withhold: (month, amount, decimals) => cnLaborTax(month.gross + amount, decimals) - month.withheld,
};
