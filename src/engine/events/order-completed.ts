import { fail } from '../../domain/errors.ts';
import type { OrderCompleted } from '../../domain/types.ts';
import { DAY_MS } from '../periods.ts';
import type { EngineState } from '../state.ts';
import type { Verdict } from '../work.ts';

/** Starts the freeze: the order's awards settle at completedAt + freezeDays (days of 24 h). */
export function orderCompleted(state: EngineState, event: OrderCompleted): Verdict {
  const orders = state.orders;
  const order = orders.numberOf(event.order);
  if (order < 0) return fail('unknown_order', `order ${event.order} was never paid; send its order.paid first`, ['order']);
  if (orders.completedAt(order) !== null) return 'duplicate'; // (orderCompletedRepeat, without a second lookup)
  orders.complete(order, event.at);
  // With one plan version (most tenants), its freeze without reading the order's plan (a cache miss).
  const plan = state.plans.length === 1 ? state.plans[0]!.compiled : orders.plan(order);
  const at = event.at + plan.plan.freezeDays * DAY_MS;
  state.dueSettlements.push(at, state.dueSeq++, order);
  return 'applied';
}

/** 'duplicate' when the order is paid and already completed: completing it again changes nothing. */
export function orderCompletedRepeat(state: EngineState, event: OrderCompleted): 'duplicate' | null {
  const order = state.orders.numberOf(event.order);
  return order >= 0 && state.orders.completedAt(order) !== null ? 'duplicate' : null;
}
