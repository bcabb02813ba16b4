import { fail } from '../../domain/errors.ts';
import type { MemberRegionsSet } from '../../domain/types.ts';
import { checkRegions, uniqueCodes } from '../regions.ts';
import type { EngineState } from '../state.ts';
import type { Verdict } from '../work.ts';

/** Replaces the region codes a distributor holds (区域代理). */
export function memberRegionsSet(state: EngineState, event: MemberRegionsSet): Verdict {
  const member = state.network.get(event.member);
  if (!member) return fail('unknown_member', `member ${event.member} is not in the network`, ['member']);
  const regions = uniqueCodes(event.regions);
  const problem = checkRegions(state.network, member.id, !member.isDistributor, regions, ['regions']);
  if (problem) return problem;
  const same = regions.length === member.regions.length && regions.every((code) => member.regions.includes(code));
  if (same) return 'duplicate';
  state.network.setRegions(member, regions, event.at);
  return 'applied';
}
