import type { EngineError } from '../../domain/errors.ts';
import type { EngineEvent } from '../../domain/types.ts';
import type { EngineState } from '../state.ts';
import { adjustmentPostedRepeat } from './adjustment-posted.ts';
import { memberJoinedRepeat } from './member-joined.ts';
import { orderCompletedRepeat } from './order-completed.ts';
import { orderPaidRepeat } from './order-paid.ts';
import { orderRefundedRepeat } from './order-refunded.ts';
import { withdrawalRequestedRepeat } from './withdrawal-requested.ts';

/**
 * The verdict on an event whose identity (DOMAIN.md, "Events and errors") was used before:
 * 'duplicate' for the same content, a `conflict` for other content; null when the event is new
 * by its identity or has none. Changes nothing. Identity is judged before time order, so that a
 * redelivery of an event the clock has passed is still a duplicate.
 */
export function repeatOf(state: EngineState, event: EngineEvent): 'duplicate' | EngineError | null {
  switch (event.type) {
    case 'order.paid':
      return orderPaidRepeat(state, event);
    case 'order.refunded':
      return orderRefundedRepeat(state, event);
    case 'order.completed':
      return orderCompletedRepeat(state, event);
    case 'member.joined':
      return memberJoinedRepeat(state, event);
    case 'withdrawal.requested':
      return withdrawalRequestedRepeat(state, event);
    case 'adjustment.posted':
      return adjustmentPostedRepeat(state, event);
    default:
      return null;
  }
}
