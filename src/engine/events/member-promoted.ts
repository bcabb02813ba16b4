import { fail } from '../../domain/errors.ts';
import type { DistributorRole, MemberPromoted } from '../../domain/types.ts';
import type { Member } from '../network.ts';
import type { EngineState } from '../state.ts';
import { type LevelChange, markUpline, type Verdict, type Work } from '../work.ts';

/** A customer becomes a distributor; its parent becomes its upline. */
export function memberPromoted(state: EngineState, event: MemberPromoted, work: Work): Verdict {
  const member = state.network.get(event.member);
  if (!member) return fail('unknown_member', `member ${event.member} is not in the network`, ['member']);
  if (member.isDistributor)
    return fail('invalid', `member ${member.id} already is a ${member.role}; use member.level_set to change its level`, [
      'member',
    ]);
  promote(state, member, event.role, event.level, 'promoted', work);
  return 'applied';
}

/** Shared by member.promoted and recruiting (招募规则). */
export function promote(
  state: EngineState,
  member: Member,
  role: DistributorRole,
  level: number,
  cause: LevelChange['cause'],
  work: Work,
): void {
  const from = { role: member.role, level: member.level };
  state.network.promote(member, role, level, work.at);
  work.levels.push({ member: member.id, at: work.at, from, to: { role, level }, cause });
  markUpline(work, member);
}
