import type { Minor } from '../../domain/types.ts';
import { addToSum, sumValue, type RunningSum } from '../../money/running-sum.ts';
import type { Member } from '../network.ts';
import { planAt, type BuyerStats, type EngineState } from '../state.ts';
import type { Work } from '../work.ts';

export interface PurchaseDelta {
  readonly buyer: string;
  readonly spend: Minor;
  /** +1 when an order's net paid rose above zero, −1 when it fell to zero. */
  readonly orders: number;
  readonly skus: readonly (readonly [sku: string, qty: number])[];
}

/** A buyer's figures; spend is a running sum (no BigInt made per order, see running-sum.ts). */
export class BuyerFigures implements BuyerStats {
  #spend: RunningSum = 0;
  orders = 0;
  skus: Map<string, number> | null = null;

  get spend(): Minor {
    return sumValue(this.#spend);
  }

  addSpend(amount: Minor): void {
    this.#spend = addToSum(this.#spend, amount);
  }
}

/**
 * Adds what a buyer bought (or, negative, got refunded) to its recruiting figures: spend, the
 * count of orders with a net paid above zero, and quantities by SKU when a plan asks for them.
 * Guests count too: their figures are there if they become members later. A member keeps its
 * figures itself (`buyer`, or looked up by id): a map of every buyer was a lookup and, for a
 * first purchase, an insertion into a map of up to a million entries per order.
 */
export function recordPurchase(state: EngineState, delta: PurchaseDelta, work: Work, buyer: Member | null = state.network.get(delta.buyer) ?? null): void {
  const stats = buyer === null ? guestFigures(state, delta.buyer) : (buyer.purchases ??= memberFigures(state, delta.buyer));
  stats.addSpend(delta.spend);
  stats.orders += delta.orders;
  if (state.recruitsOnSkus) {
    const skus = (stats.skus ??= new Map());
    for (const [sku, qty] of delta.skus) skus.set(sku, (skus.get(sku) ?? 0) + qty);
  }
  // Only recruiting reads these figures, and the re-check after this event uses the plan in force now.
  if ((delta.spend > 0n || delta.orders > 0) && planAt(state, work.at).plan.recruit) work.dirtyBuyers.add(delta.buyer);
}

/** What `id` (a member or a guest) has bought, or undefined when it never bought. */
export function buyerStats(state: EngineState, id: string): BuyerStats | undefined {
  return state.network.get(id)?.purchases ?? state.buyers.get(id);
}

/** A member's figures at its first purchase as a member: what it bought as a guest, if anything. */
function memberFigures(state: EngineState, id: string): BuyerFigures {
  return state.buyers.get(id) ?? new BuyerFigures();
}

/** A guest's figures, made empty at its first purchase. */
function guestFigures(state: EngineState, id: string): BuyerFigures {
  let stats = state.buyers.get(id);
  if (!stats) state.buyers.set(id, (stats = new BuyerFigures()));
  return stats;
}
