import { fail, type EngineError } from '../../domain/errors.ts';
import type { InstantMs, MemberInput } from '../../domain/types.ts';
import type { Member } from '../network.ts';
import type { EngineState } from '../state.ts';
import { markUpline, type Work } from '../work.ts';

/** Shape rules of a member that zod alone cannot state. */
export function checkMemberShape(input: MemberInput, path: (string | number)[]): EngineError | null {
  if (input.role === 'customer' && input.level !== undefined) {
    return fail('invalid', `member ${input.id} is a customer; customers have no level`, [...path, 'level']);
  }
  return null;
}

/** Adds a member (by event or from the starting network) with its regions. */
export function placeNewMember(
  state: EngineState,
  input: MemberInput,
  parent: Member | null,
  regions: readonly string[],
  at: InstantMs,
  work: Work | null,
): Member {
  const member = state.network.add(input.id, input.role, input.level ?? 1, parent, at);
  if (regions.length > 0) state.network.setRegions(member, regions, at);
  if (work) {
    markUpline(work, member);
    if (!member.isDistributor) work.dirtyBuyers.add(member.id);
  }
  return member;
}
