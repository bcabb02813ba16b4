import { fail } from '../../domain/errors.ts';
import type { MemberMoved } from '../../domain/types.ts';
import type { EngineState } from '../state.ts';
import { markUpline, type Verdict, type Work } from '../work.ts';

/** Moves a member (and its whole downline) under another parent; a customer is re-bound. */
export function memberMoved(state: EngineState, event: MemberMoved, work: Work): Verdict {
  const member = state.network.get(event.member);
  if (!member) return fail('unknown_member', `member ${event.member} is not in the network`, ['member']);
  const parent = event.parent === null ? null : state.network.get(event.parent);
  if (parent === undefined) return fail('unknown_member', `new parent ${event.parent} is not a member`, ['parent']);
  if (parent && !parent.isDistributor)
    return fail('invalid', `new parent ${parent.id} is a customer; a parent must be a distributor`, ['parent']);
  if (parent && state.network.isAncestorOrSelf(member, parent)) {
    return fail('cycle', `moving ${member.id} under ${parent.id} would make ${member.id} its own ancestor`, ['parent']);
  }
  if (member.parent === parent) return 'duplicate';
  state.network.move(member, parent, event.at);
  markUpline(work, parent);
  return 'applied';
}
