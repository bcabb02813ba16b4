import type { Minor } from '../../domain/types.ts';
import { addTo, sumValue, type RunningSum } from '../../money/running-sum.ts';
import type { Member } from '../network.ts';
import { planAt, type BuyerStats, type EngineState } from '../state.ts';
import type { Work } from '../work.ts';

/** Net quantities bought (or, negative, refunded) by SKU. */
export type SkuQuantities = readonly (readonly [sku: string, qty: number])[];

/** A buyer's figures; spend is a running sum (no BigInt made per order, see running-sum.ts). */
export class BuyerFigures implements BuyerStats {
  #spend: RunningSum = 0;
  orders = 0;
  skus: Map<string, number> | null = null;

  get spend(): Minor {
    return sumValue(this.#spend);
  }

  get spendSum(): RunningSum {
    return this.#spend;
  }

  addSpend(amount: RunningSum): void {
    this.#spend = addTo(this.#spend, amount);
  }
}

/**
 * Adds what a buyer bought (or, negative, got refunded) to its recruiting figures: spend, the
 * count of orders with a net paid above zero, and quantities by SKU when a plan asks for them.
 * Guests count too: their figures are there if they become members later. A member keeps its
 * figures itself (`buyer`, or looked up by id): a map of every buyer was a lookup and, for a
 * first purchase, an insertion into a map of up to a million entries per order. `spend` is a
 * running sum (a number while it is a safe integer); `orders` is +1 when an order's net paid rose
 * above zero, −1 when it fell to zero.
 */
export function recordPurchase(
  state: EngineState,
  buyerId: string,
  spend: RunningSum,
  orders: number,
  bought: SkuQuantities,
  work: Work,
  buyer: Member | null = state.network.get(buyerId) ?? null,
): void {
  let skus: Map<string, number> | null = null;
  if (buyer === null) {
    const stats = guestFigures(state, buyerId);
    stats.addSpend(spend);
    stats.orders += orders;
    if (state.recruitsOnSkus) skus = stats.skus ??= new Map();
  } else {
    buyer.addPurchase(spend, orders, state.buyers);
    if (state.recruitsOnSkus) skus = buyer.boughtSkus();
  }
  if (skus !== null) for (const [sku, qty] of bought) skus.set(sku, (skus.get(sku) ?? 0) + qty);
  // Only recruiting reads these figures, and the re-check after this event uses the plan in force now.
  if ((spend > 0 || orders > 0) && planAt(state, work.at).plan.recruit) work.dirtyBuyers.add(buyerId);
}

/** What `id` (a member or a guest) has bought, or undefined when it never bought. */
export function buyerStats(state: EngineState, id: string): BuyerStats | undefined {
  return state.network.get(id)?.purchases ?? state.buyers.get(id);
}

/** A guest's figures, made empty at its first purchase. */
function guestFigures(state: EngineState, id: string): BuyerFigures {
  let stats = state.buyers.get(id);
  if (!stats) state.buyers.set(id, (stats = new BuyerFigures()));
  return stats;
}
