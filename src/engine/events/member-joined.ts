import { fail, type EngineError } from '../../domain/errors.ts';
import type { MemberJoined } from '../../domain/types.ts';
import { fingerprint } from '../fingerprint.ts';
import { checkRegions, uniqueCodes } from '../regions.ts';
import type { EngineState } from '../state.ts';
import type { Verdict, Work } from '../work.ts';
import { checkMemberShape, placeNewMember } from './new-member.ts';

export function memberJoined(state: EngineState, event: MemberJoined, work: Work): Verdict {
  const input = event.member;
  const shape = checkMemberShape(input, ['member']);
  if (shape) return shape;
  const repeat = memberJoinedRepeat(state, event);
  if (repeat) return repeat;
  const regions = regionsOf(event);
  const parent = input.parent == null ? null : state.network.get(input.parent);
  if (parent === undefined)
    return fail('unknown_member', `parent ${input.parent} is not a member; send its member.joined first`, ['member', 'parent']);
  if (parent && !parent.isDistributor)
    return fail('invalid', `parent ${parent.id} is a customer; a parent must be a distributor`, ['member', 'parent']);
  const regionProblem = checkRegions(state.network, input.id, input.role === 'customer', regions, ['member', 'regions']);
  if (regionProblem) return regionProblem;

  placeNewMember(state, input, parent, regions, event.at, work);
  // The event, not its fingerprint: a join is fingerprinted only when its id comes again.
  state.joins.set(input.id, event);
  return 'applied';
}

/** The join's fingerprint: defaults spelled out or left out are the same event (a retry may add `level: 1`). */
function joinPrint(event: MemberJoined): string {
  const input = event.member;
  const regions = regionsOf(event);
  return fingerprint({
    ...event,
    member: {
      ...input,
      level: input.role === 'customer' ? undefined : (input.level ?? 1),
      regions: regions.length > 1 ? [...regions].sort() : regions,
    },
  });
}

function regionsOf(event: MemberJoined): readonly string[] {
  const regions = event.member.regions;
  return regions?.length ? uniqueCodes(regions) : [];
}

/** The verdict on a member id already in the network (duplicate or conflict), or null for a new one. */
export function memberJoinedRepeat(state: EngineState, event: MemberJoined): 'duplicate' | EngineError | null {
  const id = event.member.id;
  if (!state.network.get(id)) return null;
  const kept = state.joins.get(id);
  if (kept !== undefined && joinPrint(kept) === joinPrint(event)) return 'duplicate';
  return fail('conflict', `member ${id} is already in the network; use member.moved or member.promoted to change it`, [
    'member',
    'id',
  ]);
}
