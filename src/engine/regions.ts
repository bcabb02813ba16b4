import { fail, type EngineError } from '../domain/errors.ts';
import { HELD_REGION_CODE } from '../schema/events.ts';
import type { Member, Network } from './network.ts';

/**
 * Checks the region codes a member is to hold (DOMAIN.md, Regions): well formed, none on a
 * customer, none held by another member. Nested codes held by different members are normal.
 */
export function checkRegions(
  network: Network,
  memberId: string,
  isCustomer: boolean,
  regions: readonly string[],
  path: (string | number)[],
): EngineError | null {
  if (isCustomer && regions.length > 0) {
    return fail('invalid', `member ${memberId} is a customer; only distributors can hold regions`, path);
  }
  for (const [index, code] of regions.entries()) {
    if (!HELD_REGION_CODE.test(code)) {
      return fail('invalid', `region code "${code}" must be 2 (province), 4 (city) or 6 (district) digits`, [...path, index]);
    }
    const holder: Member | undefined = network.holderOf(code);
    if (holder && holder.id !== memberId) {
      return fail('conflict', `region ${code} is already held by ${holder.id}; take it from ${holder.id} first`, [
        ...path,
        index,
      ]);
    }
  }
  return null;
}

export const uniqueCodes = (regions: readonly string[]): string[] => [...new Set(regions)];
