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

/**
 * Adds what a buyer bought (or, negative, got refunded) to its recruiting figures: spend, the
 * count of orders with a net paid above zero, and quantities by SKU when a plan asks for them.
 * Guests count too: their figures are there if they become members later.
 */
export function recordPurchase(state: EngineState, delta: PurchaseDelta, work: Work, buyer: Member | null = null): void {
  const stats = buyer === null ? statsOf(state, delta.buyer) : (buyer.purchases ??= statsOf(state, delta.buyer));
  if (stats instanceof Purchases) stats.addSpend(delta.spend);
  else stats.spend += delta.spend;
  stats.orders += delta.orders;
  if (state.recruitsOnSkus) {
    const skus = (stats.skus ??= new Map());
    for (const [sku, qty] of delta.skus) skus.set(sku, (skus.get(sku) ?? 0) + qty);
  }
  // Only recruiting reads these figures, and the re-check after this event uses the plan in force now.
  if ((delta.spend > 0n || delta.orders > 0) && planAt(state, work.at).plan.recruit) work.dirtyBuyers.add(delta.buyer);
}

/** What `buyer` (a member or a guest) has bought, made empty at its first purchase. */
function statsOf(state: EngineState, buyer: string): BuyerStats {
  let stats = state.buyers.get(buyer);
  if (!stats) state.buyers.set(buyer, (stats = new Purchases()));
  return stats;
}

/** BuyerStats whose spend is a running sum (see running-sum.ts): every order adds to it. */
class Purchases implements BuyerStats {
  orders = 0;
  skus: Map<string, number> | null = null;
  #spend: RunningSum = 0;

  get spend(): Minor {
    return sumValue(this.#spend);
  }

  set spend(value: Minor) {
    this.#spend = value;
  }

  addSpend(amount: Minor): void {
    this.#spend = addToSum(this.#spend, amount);
  }

  /** Serialized as the plain { spend, orders, skus } it replaced. */
  toJSON(): BuyerStats {
    return { spend: this.spend, orders: this.orders, skus: this.skus };
  }
}
