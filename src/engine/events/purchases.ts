import type { Minor } from '../../domain/types.ts';
import type { EngineState } from '../state.ts';
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
export function recordPurchase(state: EngineState, delta: PurchaseDelta, work: Work): void {
  let stats = state.buyers.get(delta.buyer);
  if (!stats) state.buyers.set(delta.buyer, (stats = { spend: 0n, orders: 0, skus: null }));
  stats.spend += delta.spend;
  stats.orders += delta.orders;
  if (state.recruitsOnSkus) {
    const skus = (stats.skus ??= new Map());
    for (const [sku, qty] of delta.skus) skus.set(sku, (skus.get(sku) ?? 0) + qty);
  }
  if (delta.spend > 0n || delta.orders > 0) work.dirtyBuyers.add(delta.buyer);
}
