import type { Minor } from '../domain/types.ts';
import type { AwardAmountChange, AwardBook, AwardOwner, AwardRecord, AwardStatus } from './awards.ts';
import type { Explanation } from './templates/template.ts';

/**
 * The objects of awards (AwardRecord), made when someone asks for one (see AwardBook): each reads
 * its figures from the book, so it is always current, and its owner keeps it once made, so that
 * asking again gives the same object (callers key maps by it).
 */

/** What an order's award object needs of its order. */
export interface AwardingOrder {
  readonly id: string;
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
}

/** An award of a period: made once, at its close, with its explanations; its own owner. */
export class PeriodAward implements AwardRecord, AwardOwner {
  #book: AwardBook | null = null;
  #number = -1;

  constructor(
    readonly period: string,
    readonly explanations: readonly Explanation[],
  ) {}

  /** Opens the award in `book` (to `to` under `rule`); returns its number. */
  open(book: AwardBook, to: string, rule: string): number {
    this.#book = book;
    this.#number = book.add(this, to, rule, false);
    return this.#number;
  }

  recordOf(): AwardRecord {
    return this;
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
