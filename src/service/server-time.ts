import type { EngineState } from '../engine/state.ts';

/**
 * The instant an event stamped by the server takes once it holds the tenant's lock.
 *
 * When a client sends no `at` (a withdrawal, an adjustment, a payout decision, a tick), the API
 * stamps the arrival time. Requests then wait for the tenant's lock, and one that arrived a moment
 * earlier at one instance may be applied after one stamped later at another: it did not happen
 * before what was applied meanwhile, so it takes the tenant's clock instead of being refused as
 * "earlier than the last event". A repeat of a withdrawal or adjustment already accepted (a
 * client's retry, the same request sent to two instances) takes the first one's instant, so that
 * it is compared on what the client sent and answered duplicate, not conflict.
 */
export function serverInstant(item: unknown, state: EngineState): unknown {
  if (item === null || typeof item !== 'object' || typeof (item as { at?: unknown }).at !== 'string') return item;
  const event = item as Record<string, unknown> & { at: string };
  const first = firstInstantOf(event, state);
  if (first !== null) return { ...event, at: new Date(first).toISOString() };
  const at = Date.parse(event.at);
  return state.clock !== null && at < state.clock ? { ...event, at: new Date(state.clock).toISOString() } : item;
}

/** The instant of the withdrawal or adjustment with this event's identity, when one was accepted. */
function firstInstantOf(event: Record<string, unknown>, state: EngineState): number | null {
  if (event.type === 'withdrawal.requested' && typeof event.withdrawal === 'string')
    return state.withdrawals.get(event.withdrawal)?.at ?? null;
  if (event.type === 'adjustment.posted' && typeof event.adjustment === 'string')
    return state.adjustments.get(event.adjustment)?.at ?? null;
  return null;
}
