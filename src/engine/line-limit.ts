import { fail, type EngineError } from '../domain/errors.ts';
import { formatMoney } from '../money/money.ts';
import { MAX_AMOUNT } from '../schema/primitives.ts';
import type { CompiledPlan } from '../schema/plan.ts';

/**
 * A line with more units than the plan's per-unit amounts allow (CompiledPlan.maxQtyPerLine):
 * paying it could make an award beyond what the ledger stores. Null when every line fits, as
 * every line does under a plan with no per-unit amount or with everyday ones.
 */
export function lineOverLimit(
  lines: readonly { readonly qty: number }[],
  plan: CompiledPlan,
  decimals: number,
): EngineError | null {
  const limit = plan.maxQtyPerLine;
  for (let index = 0; index < lines.length; index++) {
    const qty = lines[index]!.qty;
    if (qty <= limit) continue;
    return fail(
      'invalid',
      `line ${index + 1} has ${qty} units, but the plan pays up to ${formatMoney(MAX_AMOUNT / BigInt(limit), decimals)} ` +
        `per unit and no award may exceed ${formatMoney(MAX_AMOUNT, decimals)}: at most ${limit} units a line; split the line`,
      ['lines', index, 'qty'],
    );
  }
  return null;
}
