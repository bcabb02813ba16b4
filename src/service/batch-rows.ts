import { shownLevel } from '../domain/types.ts';
import { formatMoney } from '../money/money.ts';
import type { AwardChange, AwardRecord } from '../engine/awards.ts';
import type { Outcome } from '../engine/apply.ts';
import type { PostingSink } from '../engine/posting-log.ts';
import { addTo, type RunningSum } from '../money/running-sum.ts';
import { PostingRows } from './posting-rows.ts';
import type { AdjustmentRecord, WithdrawalRecord } from '../engine/state.ts';
import type { LevelChange } from '../engine/work.ts';

export interface EventRow {
  seq: number;
  key: string | null;
  type: string;
  at: number;
  payload: unknown;
  source: string;
}

export interface RejectedRow {
  key: string | null;
  type: string | null;
  payload: unknown;
  code: string;
  message: string;
  path: readonly (string | number)[] | undefined;
  source: string;
}

export interface OutboxRow {
  topic: string;
  payload: unknown;
  eventSeq: number;
}

/** Everything one batch writes, gathered while the engine applies it. */
export class BatchRows implements PostingSink {
  readonly events: EventRow[] = [];
  readonly rejected: RejectedRow[] = [];
  /** Postings in order, with their line in their journal and the log position of their event. */
  readonly postings = new PostingRows();
  /** The batch's member postings summed per member: what the balances read model adds. */
  readonly balanceDeltas = new Map<string, BalanceDelta>();
  /** Awards changed by the batch, with the log position of their last change. */
  readonly awards = new Map<AwardRecord, number>();
  /** Awards made in this batch (no row yet): inserted with their state at its end. */
  readonly awardsCreated = new Set<AwardRecord>();
  /**
   * Awards whose only change in this batch moved no money (a zero award settled): their row keeps
   * the log position of its last change that did. Polling (src/api/award-changes.ts) finds changes
   * by their postings, and this one has none: at its own position it would never be answered.
   */
  readonly awardsQuiet = new Set<AwardRecord>();
  /**
   * The journal of each award's last change in this batch that moved money (its row's
   * `updated_journal`, where polling answers it); an award whose changes here moved none keeps
   * the journal its row has.
   */
  readonly awardJournals = new Map<AwardRecord, number>();
  readonly withdrawals: { record: WithdrawalRecord; eventSeq: number }[] = [];
  readonly adjustments: { record: AdjustmentRecord; eventSeq: number }[] = [];
  readonly outbox: OutboxRow[] = [];
  /** One record per award of the batch (the engine makes a new view each time it is asked). */
  readonly #records = new Map<number, AwardRecord>();
  private lastJournal = -1;
  private lastLine = -1;
  private maxJournal = -1;
  /** The log position of the event whose postings are being written (see `posting`). */
  private eventSeq = 0;

  /** `decimals` of the tenant currency: notifications carry amounts as decimal strings, like the API. */
  constructor(private readonly decimals: number) {}

  /** Records what an accepted (or time-moving) event did, under log position `eventSeq`. */
  addEffects(outcome: Outcome, eventSeq: number, notify: boolean): void {
    this.eventSeq = eventSeq;
    outcome.writePostings(this);
    for (const change of outcome.awards) {
      const award = this.#recordOf(change);
      if (change.cause === 'settlement' && award.amount === 0n) {
        if (!this.awards.has(award)) {
          this.awards.set(award, eventSeq);
          this.awardsQuiet.add(award);
        }
        continue;
      }
      this.awards.set(award, eventSeq);
      if (this.awardsQuiet.size > 0) this.awardsQuiet.delete(award);
      if (change.cause === 'award') this.awardsCreated.add(award);
      // (A settlement here moved money: a zero one was taken above. A zero award or adjustment posts nothing.)
      if (change.cause === 'settlement' || change.delta !== 0n) this.awardJournals.set(award, change.journal);
    }
    for (const record of outcome.withdrawals) this.withdrawals.push({ record, eventSeq });
    if (!notify) return;
    for (const change of outcome.awards) {
      const topic =
        change.cause === 'settlement'
          ? 'award.settled'
          : change.delta < 0n
            ? 'award.reversed'
            : change.cause === 'award'
              ? 'award.created'
              : 'award.adjusted';
      this.outbox.push({ topic, payload: awardPayload(this.#recordOf(change), change.delta, this.decimals), eventSeq });
    }
    for (const level of outcome.levels) this.outbox.push({ topic: 'level.changed', payload: levelPayload(level), eventSeq });
    for (const record of outcome.withdrawals) {
      const topic = record.history.length === 1 ? 'withdrawal.accepted' : `withdrawal.${record.status}`;
      this.outbox.push({ topic, payload: withdrawalPayload(record, this.decimals), eventSeq });
    }
  }

  /** The batch's record of the award `change` changed: the maps above are keyed by it. */
  #recordOf(change: AwardChange): AwardRecord {
    let record = this.#records.get(change.number);
    if (record === undefined) this.#records.set(change.number, (record = change.award));
    return record;
  }

  /** Takes one of the event's postings (PostingSink: no Posting object each). */
  readonly posting: PostingSink['posting'] = (journal, at, kind, account, member, amount, ref) => {
    const p = this.postings;
    p.journals.push(journal);
    p.lines.push(this.lineOf(journal));
    p.seqs.push(this.eventSeq);
    p.ats.push(at);
    p.kinds.push(kind);
    p.accounts.push(account);
    p.members.push(member);
    p.amounts.push(amount);
    p.refs.push(ref);
    if (member === null) return;
    let delta = this.balanceDeltas.get(member);
    if (!delta) this.balanceDeltas.set(member, (delta = new BalanceDelta()));
    delta.add(account === 'pending', amount);
  };

  /**
   * The line of the next posting of `journal` (0, 1…). A journal's postings come one after the
   * other, and journals are numbered as they are made: a new journal is one above every earlier one.
   */
  private lineOf(journal: number): number {
    let line: number;
    if (journal === this.lastJournal) line = this.lastLine + 1;
    else if (journal > this.maxJournal) line = 0;
    // (Not seen so far: a journal resumed after another began. Counted, to stay right anyway.)
    else line = this.postings.journals.reduce((n, j) => (j === journal ? n + 1 : n), 0);
    this.lastJournal = journal;
    this.lastLine = line;
    if (journal > this.maxJournal) this.maxJournal = journal;
    return line;
  }
}

/**
 * A member's postings of a batch summed per account: in doubles while exact (amounts are below
 * 10^15 minor units), in BigInt beyond — a BigInt per addition was a tenth of writing a batch.
 */
export class BalanceDelta {
  pending: RunningSum = 0;
  available: RunningSum = 0;

  add(pending: boolean, amount: RunningSum): void {
    if (pending) this.pending = addTo(this.pending, amount);
    else this.available = addTo(this.available, amount);
  }
}

function awardPayload(award: AwardRecord, delta: bigint, decimals: number) {
  const money = (amount: bigint) => formatMoney(amount, decimals);
  return {
    to: award.to,
    order: award.order,
    period: award.period,
    rule: award.rule,
    amount: money(award.amount),
    delta: money(delta),
    status: award.status,
  };
}

function withdrawalPayload(record: WithdrawalRecord, decimals: number) {
  const money = (amount: bigint) => formatMoney(amount, decimals);
  const last = record.history[record.history.length - 1]!;
  return {
    id: record.id,
    member: record.member,
    at: new Date(record.at).toISOString(),
    amount: money(record.amount),
    tax: money(record.tax),
    net: money(record.net),
    month: record.month,
    status: record.status,
    // The transition this notification is of: when it happened and what the operator or payer said.
    changedAt: new Date(last.at).toISOString(),
    ...(last.note === undefined ? {} : { note: last.note }),
  };
}

function levelPayload(change: LevelChange) {
  const placed = ({ role, level }: LevelChange['from']) => ({ role, level: shownLevel(role, level) });
  return {
    member: change.member,
    at: new Date(change.at).toISOString(),
    from: placed(change.from),
    to: placed(change.to),
    cause: change.cause,
  };
}
