import type { Minor } from '../../domain/types.ts';
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
 * Guests count too: their figures are there if they become members later. A buyer that is a
 * member (`buyer`) keeps its figures at hand, which saves a lookup among every buyer per order.
 */
export function recordPurchase(state: EngineState, delta: PurchaseDelta, work: Work, buyer: Member | null = null): void {
  const stats = buyer === null ? statsOf(state, delta.buyer) : (buyer.purchases ??= statsOf(state, delta.buyer));
  stats.spend += delta.spend;
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
  if (!stats) state.buyers.set(buyer, (stats = { spend: 0n, orders: 0, skus: null }));
  return stats;
}
