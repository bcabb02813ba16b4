import { fail, type EngineError } from '../../domain/errors.ts';
import type { AdjustmentPosted } from '../../domain/types.ts';
import { fingerprint, repeatVerdict } from '../fingerprint.ts';
import type { EngineState } from '../state.ts';
import type { Verdict, Work } from '../work.ts';

/** The verdict on an adjustment id already posted (duplicate or conflict), or null for a new one. */
export function adjustmentPostedRepeat(
  state: EngineState,
  event: AdjustmentPosted,
  print = fingerprint(event),
): 'duplicate' | EngineError | null {
  const conflict = `adjustment ${event.adjustment} was already posted with other content; use a new id`;
  return repeatVerdict(state.adjustments.get(event.adjustment), print, conflict, 'adjustment');
}

/**
 * A manual bonus or deduction by an admin, straight to `available` (a deduction may take it
 * below zero: the debt is recovered from later awards). Idempotent by adjustment id.
 */
export function adjustmentPosted(state: EngineState, event: AdjustmentPosted, work: Work): Verdict {
  const print = fingerprint(event);
  const repeated = adjustmentPostedRepeat(state, event, print);
  if (repeated) return repeated;
  if (!state.network.get(event.member)) return fail('unknown_member', `member ${event.member} is not in the network`, ['member']);
  state.adjustments.set(event.adjustment, {
    id: event.adjustment,
    fingerprint: print,
    member: event.member,
    at: event.at,
    amount: event.amount,
    reason: event.reason,
    ...(event.by ? { by: event.by } : {}),
  });
  work.postingLog.push(
    ...state.ledger.post('manual', event.at, { adjustment: event.adjustment }, [
      { account: 'available', member: event.member, amount: event.amount },
      { account: 'manual_adjustment', member: null, amount: -event.amount },
    ]),
  );
  return 'applied';
}
