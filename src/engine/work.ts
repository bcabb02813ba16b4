import type { EngineError } from '../domain/errors.ts';
import type { InstantMs } from '../domain/types.ts';
import type { AwardChange } from './awards.ts';
import type { Posting } from './ledger.ts';
import type { Member } from './network.ts';
import type { WithdrawalRecord } from './state.ts';

export interface LevelChange {
  readonly member: string;
  readonly at: InstantMs;
  readonly from: { readonly role: string; readonly level: number };
  readonly to: { readonly role: string; readonly level: number };
  readonly cause: 'upgrade' | 'level_set' | 'promoted' | 'recruited';
}

/** Everything one apply call did: what the shell persists, publishes or shows. */
export interface Effects {
  readonly postings: Posting[];
  readonly awards: AwardChange[];
  readonly levels: LevelChange[];
  readonly withdrawals: WithdrawalRecord[];
}

/** Effects plus the members whose level or recruiting conditions must be re-checked. */
export interface Work extends Effects {
  readonly at: InstantMs;
  readonly dirtyMembers: Set<Member>;
  readonly dirtyBuyers: Set<string>;
}

export function newWork(at: InstantMs): Work {
  return { at, postings: [], awards: [], levels: [], withdrawals: [], dirtyMembers: new Set(), dirtyBuyers: new Set() };
}

/** A handler's verdict: applied, a duplicate of an earlier event (nothing to do), or an error. */
export type Verdict = 'applied' | 'duplicate' | EngineError;

/** Marks a member and everyone above it for a level re-check. */
export function markUpline(work: Work, member: Member | null): void {
  for (let cursor = member; cursor; cursor = cursor.parent) work.dirtyMembers.add(cursor);
}
