import type { OrderPaid } from '../../domain/types.ts';
import type { CompiledPlan } from '../../schema/plan.ts';
import type { Member } from '../network.ts';
import { DAY_MS } from '../periods.ts';
import type { EngineState } from '../state.ts';
import type { Work } from '../work.ts';

/**
 * 锁客 (DOMAIN.md, "Binding and who sold"), run as the order is paid, before its seller is found.
 * Returns the buyer as a member, or null for a guest (unknown buyer, no referrer).
 */
export function bindBuyer(
  state: EngineState,
  event: OrderPaid,
  referrer: Member | null,
  plan: CompiledPlan,
  work: Work,
): Member | null {
  const network = state.network;
  const buyer = network.get(event.buyer);
  if (!buyer) {
    if (!referrer) return null;
    const joined = network.add(event.buyer, 'customer', 0, referrer, event.at);
    // Orders placed earlier as a guest count for recruiting now that the buyer is a member.
    work.dirtyBuyers.add(joined.id);
    return joined;
  }
  if (buyer.isDistributor || !referrer || buyer.parent === referrer) return buyer;
  if (buyer.parent === null || mayRebind(buyer, plan, event.at)) network.move(buyer, referrer, event.at);
  return buyer;
}

/**
 * Who would sell an order of `buyerId` referred by `referrer` now, without binding anyone:
 * the same decision bindBuyer takes, for estimates.
 */
export function previewSeller(
  state: EngineState,
  buyerId: string,
  referrer: Member | null,
  plan: CompiledPlan,
  at: number,
): Member | null {
  const buyer = state.network.get(buyerId);
  if (!buyer) return referrer;
  if (buyer.isDistributor) return plan.plan.selfPurchase ? buyer : buyer.parent;
  if (!referrer || buyer.parent === referrer) return buyer.parent;
  return buyer.parent === null || mayRebind(buyer, plan, at) ? referrer : buyer.parent;
}

/** Under `binding: last`, a binding at least `protectDays` old moves to the new referrer. */
function mayRebind(buyer: Member, plan: CompiledPlan, at: number): boolean {
  return plan.plan.binding === 'last' && at - buyer.boundAt >= plan.plan.protectDays * DAY_MS;
}
