import type { InstantMs, Minor } from '../domain/types.ts';
import type { AwardAmountChange, AwardBook, AwardOwner, AwardRecord, AwardStatus, Payee } from './awards.ts';
import type { AwardPart, Explanation } from './templates/template.ts';

/**
 * The objects of awards (AwardRecord), made when someone asks for one (see AwardBook): each reads
 * its figures from the book, so it is always current, and its owner keeps it once made, so that
 * asking again gives the same object (callers key maps by it).
 */

/** What an order's award object needs of its order. */
export interface AwardingOrder {
  readonly id: string;
  /** What is left of its paid amount after refunds. */
  readonly netPaid: Minor;
  /** The parts behind award `to` under `rule`, recomputed from the order (see order-awards.ts). */
  explain(rule: string, to: string): readonly Explanation[];
}

/** An award of an order: the book's figures, the order's explanations. */
export class OrderAwardRecord implements AwardRecord {
  constructor(
    private readonly book: AwardBook,
    private readonly number: number,
    private readonly source: AwardingOrder,
  ) {}

  get to(): string {
    return this.book.to(this.number);
  }

  get order(): string {
    return this.source.id;
  }

  get rule(): string {
    return this.book.rule(this.number);
  }

  get amount(): Minor {
    return this.book.amount(this.number);
  }

  get status(): AwardStatus {
    return this.book.status(this.number);
  }

  get changes(): readonly AwardAmountChange[] {
    return this.book.changes(this.number);
  }

  get explanations(): readonly Explanation[] {
    return this.source.explain(this.rule, this.to);
  }

  get orderNetPaid(): Minor {
    return this.source.netPaid;
  }
}

/** An award of a period: made once, at its close, from its parts; its own owner. */
export class PeriodAward implements AwardRecord, AwardOwner {
  #book: AwardBook | null = null;
  #number = -1;
  #explanations: readonly Explanation[] | null = null;

  constructor(
    readonly period: string,
    /** The parts of the template's close that make it (their explanations are made when asked). */
    private readonly parts: readonly AwardPart[],
    /** The instant of the close. */
    private readonly closedAt: InstantMs,
  ) {}

  /** Opens the award in `book` (to `to` under `rule`) and posts it; returns its number. */
  pay(book: AwardBook, to: string, rule: string, amount: Minor, out: Parameters<AwardBook['pay']>[6], slot?: Payee): number {
    this.#book = book;
    this.#number = book.pay(this, 0, to, rule, amount, this.closedAt, out, slot);
    return this.#number;
  }

  recordOf(): AwardRecord {
    return this;
  }

  subject(): { readonly period: string } {
    return { period: this.period };
  }

  firstChange(_key: number, amount: Minor): AwardAmountChange {
    return { at: this.closedAt, delta: amount, cause: CLOSE };
  }

  get explanations(): readonly Explanation[] {
    return (this.#explanations ??= this.parts.map((part) => part.explanation));
  }

  get to(): string {
    return this.#book!.to(this.#number);
  }

  get rule(): string {
    return this.#book!.rule(this.#number);
  }

  get amount(): Minor {
    return this.#book!.amount(this.#number);
  }

  get status(): AwardStatus {
    return this.#book!.status(this.#number);
  }

  get changes(): readonly AwardAmountChange[] {
    return this.#book!.changes(this.#number);
  }
}

/** The cause of a period award's one change. */
export const CLOSE = 'close';
