import type { EngineError } from '../domain/errors.ts';
import type { InstantMs } from '../domain/types.ts';
import type { AwardChange } from './awards.ts';
import type { Posting } from './ledger.ts';
import type { Member } from './network.ts';
import { PostingLog } from './posting-log.ts';
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

/** Effects as they are gathered, plus the members whose level or recruiting conditions must be re-checked. */
export interface Work extends Omit<Effects, 'postings'> {
  readonly at: InstantMs;
  /** The postings written (made into Posting objects only when read: see PostingLog). */
  readonly postings: PostingLog;
  readonly dirtyMembers: Set<Member>;
  readonly dirtyBuyers: Set<string>;
  /** Whether any member or buyer is marked for a re-check (without making the sets). */
  readonly marksAnyone: boolean;
}

/**
 * The sets of members to re-check are made when first marked: most events mark no one (an order
 * under a plan without levels or recruiting), and two sets an event add up at a million events.
 */
class EventWork implements Work {
  readonly postings = new PostingLog();
  readonly awards: AwardChange[] = [];
  readonly levels: LevelChange[] = [];
  readonly withdrawals: WithdrawalRecord[] = [];
  #dirtyMembers: Set<Member> | null = null;
  #dirtyBuyers: Set<string> | null = null;

  constructor(readonly at: InstantMs) {}

  get dirtyMembers(): Set<Member> {
    return (this.#dirtyMembers ??= new Set());
  }

  get dirtyBuyers(): Set<string> {
    return (this.#dirtyBuyers ??= new Set());
  }

  get marksAnyone(): boolean {
    return (this.#dirtyMembers !== null && this.#dirtyMembers.size > 0) || (this.#dirtyBuyers !== null && this.#dirtyBuyers.size > 0);
  }
}

export function newWork(at: InstantMs): Work {
  return new EventWork(at);
}

/** A handler's verdict: applied, a duplicate of an earlier event (nothing to do), or an error. */
export type Verdict = 'applied' | 'duplicate' | EngineError;

/** Marks a member and everyone above it for a level re-check. */
export function markUpline(work: Work, member: Member | null): void {
  for (let cursor = member; cursor; cursor = cursor.parent) work.dirtyMembers.add(cursor);
}
