import { fail } from '../../domain/errors.ts';
import type { MemberLevelSet } from '../../domain/types.ts';
import type { EngineState } from '../state.ts';
import type { Verdict, Work } from '../work.ts';
import { changeLevel } from '../levels.ts';

/** An admin sets a distributor's level by hand, up or down; it prices later orders. */
export function memberLevelSet(state: EngineState, event: MemberLevelSet, work: Work): Verdict {
  const member = state.network.get(event.member);
  if (!member) return fail('unknown_member', `member ${event.member} is not in the network`, ['member']);
  if (!member.isDistributor)
    return fail('invalid', `member ${member.id} is a customer; promote it before setting a level`, ['member']);
  if (member.level === event.level) return 'duplicate';
  changeLevel(state, member, event.level, 'level_set', work);
  work.dirtyMembers.add(member);
  return 'applied';
}
