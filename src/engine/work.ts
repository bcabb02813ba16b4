import type { EngineError } from '../domain/errors.ts';
import type { InstantMs } from '../domain/types.ts';
import type { AwardChange } from './awards.ts';
import type { Posting } from './ledger.ts';
import type { Member } from './network.ts';
import { PostingLog, type PostingSink } from './posting-log.ts';
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
  /** The same postings, in order, as fields to `sink` (no Posting object each: for writers of many). */
  writePostings(sink: PostingSink): void;
  readonly awards: AwardChange[];
  readonly levels: LevelChange[];
  readonly withdrawals: WithdrawalRecord[];
}

/** Effects as they are gathered, plus the members whose level or recruiting conditions must be re-checked. */
export interface Work extends Omit<Effects, 'postings'> {
  readonly at: InstantMs;
  /** The postings written (made into Posting objects only when read: see PostingLog). */
  readonly postingLog: PostingLog;
  readonly dirtyMembers: MemberMarks;
  readonly dirtyBuyers: Set<string>;
  /** Whether any member or buyer is marked for a re-check (without making the sets). */
  readonly marksAnyone: boolean;
  /** The members marked so far (null: none), no longer marked: a re-check takes them in turn. */
  takeDirtyMembers(): MemberMarks | null;
  takeDirtyBuyers(): Set<string> | null;
}

/**
 * An event's work, which becomes its outcome once done (`finish`): one object per event rather
 * than two, at millions of events. What the outcome shows are its own fields (status, error,
 * clockMoved) and the getters awards, levels, withdrawals and postings; the rest is private or a
 * getter, as on the separate outcome object it replaced.
 *
 * The sets of members to re-check are made when first marked: most events mark no one (an order
 * under a plan without levels or recruiting), and two sets an event add up at a million events.
 */
export class EventWork implements Work {
  status: 'applied' | 'duplicate' | 'rejected' = 'applied';
  error: EngineError | undefined = undefined;
  clockMoved = false;
  readonly #at: InstantMs;
  // Made at the first read or write: three arrays an event were ~200 bytes of garbage each, and
  // most events change no level and no withdrawal.
  #awards: AwardChange[] | null = null;
  #levels: LevelChange[] | null = null;
  #withdrawals: WithdrawalRecord[] | null = null;
  /** Made at the first posting (an order's completion, most ticks and many events post nothing). */
  #postingLog: PostingLog | null = null;
  #dirtyMembers: MemberMarks | null = null;
  #dirtyBuyers: Set<string> | null = null;

  constructor(at: InstantMs) {
    this.#at = at;
  }

  get at(): InstantMs {
    return this.#at;
  }

  get awards(): AwardChange[] {
    return (this.#awards ??= []);
  }

  get levels(): LevelChange[] {
    return (this.#levels ??= []);
  }

  get withdrawals(): WithdrawalRecord[] {
    return (this.#withdrawals ??= []);
  }

  get postingLog(): PostingLog {
    return (this.#postingLog ??= new PostingLog());
  }

  /** Every posting written, made into Posting objects at the first read. */
  get postings(): Posting[] {
    return this.postingLog.all();
  }

  writePostings(sink: PostingSink): void {
    this.#postingLog?.writeTo(sink);
  }

  get dirtyMembers(): MemberMarks {
    return (this.#dirtyMembers ??= new MemberMarks());
  }

  get dirtyBuyers(): Set<string> {
    return (this.#dirtyBuyers ??= new Set());
  }

  get marksAnyone(): boolean {
    return (
      (this.#dirtyMembers !== null && this.#dirtyMembers.size > 0) || (this.#dirtyBuyers !== null && this.#dirtyBuyers.size > 0)
    );
  }

  takeDirtyMembers(): MemberMarks | null {
    const members = this.#dirtyMembers;
    this.#dirtyMembers = null;
    return members;
  }

  takeDirtyBuyers(): Set<string> | null {
    const buyers = this.#dirtyBuyers;
    this.#dirtyBuyers = null;
    return buyers;
  }

  /** Makes this work the event's outcome. */
  finish(status: EventWork['status'], clockMoved: boolean, error?: EngineError): this {
    this.status = status;
    this.clockMoved = clockMoved;
    this.error = error;
    return this;
  }
}

/**
 * Members marked for a re-check, each once, in the order first marked (a Set of them did the
 * same): every order marks its seller's whole upline, and a member remembers the marks it is in
 * (Member.markedIn) instead of a hash table entry per member an order.
 */
export class MemberMarks implements Iterable<Member> {
  static #next = 1;
  readonly #id = MemberMarks.#next++;
  readonly #members: Member[] = [];

  get size(): number {
    return this.#members.length;
  }

  add(member: Member): void {
    if (member.markedIn === this.#id) return;
    member.markedIn = this.#id;
    this.#members.push(member);
  }

  [Symbol.iterator](): Iterator<Member> {
    return this.#members[Symbol.iterator]();
  }
}

export function newWork(at: InstantMs): EventWork {
  return new EventWork(at);
}

/** A handler's verdict: applied, a duplicate of an earlier event (nothing to do), or an error. */
export type Verdict = 'applied' | 'duplicate' | EngineError;

/** Marks a member and everyone above it for a level re-check. */
export function markUpline(work: Work, member: Member | null): void {
  for (let cursor = member; cursor; cursor = cursor.parent) work.dirtyMembers.add(cursor);
}
