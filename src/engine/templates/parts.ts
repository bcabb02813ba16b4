import { SAFE_BASE } from '../../money/rate.ts';
import type { AwardPart, ChainLink, NetLine, OrderInput, OrderTemplate, PartSink } from './template.ts';

/** Runs an order template with its explanations, as a list of parts ("why", estimates). */
export function explainedParts(template: OrderTemplate<unknown>, rule: string, params: unknown, input: OrderInput): AwardPart[] {
  const parts: AwardPart[] = [];
  template.compute(rule, params, input, {
    explaining: true,
    add: (to, amount, explanation) => parts.push({ to, amount, explanation: explanation! }),
  });
  return parts;
}

/*
 * Amounts in doubles. Paying an order needs only amounts, and making a BigInt for each of them
 * (converted back again for sums and balances: a call into the runtime each way) was a good part
 * of an order's time. So where a line's paid amount is a whole number small enough that
 * ppm × paid stays exact in a double (|paid| ≤ SAFE_BASE, 90 million in major units), templates
 * work out what they pay in doubles, with the same half-up rounding (money/rate.ts ppmTimesWhole),
 * and hand it to the sink as a number. Otherwise, and always when explaining, they use the exact
 * BigInt arithmetic of applyRate.
 */

/** The line's paid amount when parts on it can be worked out in doubles (not explaining, small enough), else NaN. */
export function wholePaid(line: NetLine, out: PartSink): number {
  const paid = line.paidNumber;
  return !out.explaining && paid !== undefined && paid <= SAFE_BASE && paid >= -SAFE_BASE ? paid : Number.NaN;
}

/** One part for `to` of a safe-integer amount: a number for a sink that takes numbers, a BigInt otherwise. */
export function addAmount(out: PartSink, to: string, amount: number): void {
  if (out.addNumber !== undefined) out.addNumber(to, amount);
  else out.add(to, BigInt(amount), null);
}

/** addAmount for a member of the order's chain, named by its link (see PartSink.addLinkNumber). */
export function addLinkAmount(out: PartSink, link: ChainLink, amount: number): void {
  if (out.addLinkNumber !== undefined) out.addLinkNumber(link, amount);
  else addAmount(out, link.id, amount);
}
