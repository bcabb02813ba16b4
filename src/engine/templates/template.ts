import type { z } from 'zod';
import type { BaseKind, InstantMs, Minor, PeriodKind, Role, TenantSettings } from '../../domain/types.ts';
import type { Exact, RatePpm } from '../../money/rate.ts';

/** What a template's params schema needs to parse amounts and dates. */
export interface SchemaContext {
  readonly decimals: number;
  readonly timezone: string;
}

/**
 * One template module = one file implementing one of these two interfaces, registered with one
 * line in `registry.ts`. Templates are pure functions of their input.
 */

/** Why an award was made: everything "why did I get this?" needs, rendered by `explain/`. */
export interface Explanation {
  readonly rule: string;
  readonly template: string;
  readonly to: string;
  readonly order?: string;
  readonly line?: number;
  readonly period?: string;
  /** What the award is a share of, exactly (a scaled cost can leave fractions of a fen). */
  readonly base?: { readonly kind: BaseKind | 'award' | 'teamSales' | 'periodSales'; readonly amount: Exact };
  readonly rate?: RatePpm;
  readonly unitPrice?: Minor;
  readonly qty?: number;
  /** The value before rounding, and the award after rounding half-up to the minor unit. */
  readonly exact: Exact;
  readonly amount: Minor;
  /** 0 = the seller, 1 = its parent… in the chain used (compressed when compression applies). */
  readonly position?: number;
  readonly level?: number;
  /**
   * When compression left members out of the chain below this one: its position in the network
   * at payment, the members skipped below it (seller side first) and the plan's inactiveDays.
   */
  readonly compressed?: Compressed;
  /** A template-specific reason code with its figures, e.g. differential.peer. */
  readonly reason: string;
  readonly facts?: Readonly<Record<string, string | number>>;
}

export interface Compressed {
  readonly networkPosition: number;
  readonly skipped: readonly string[];
  readonly inactiveDays: number;
}

export interface AwardPart {
  readonly to: string;
  readonly amount: Minor;
  readonly explanation: Explanation;
}

/** A chain member as it was when the order was paid. */
export interface ChainLink {
  readonly id: string;
  readonly level: number;
  /** A distributor's role never changes, so the one of now is the one of payment (CEL conditions read it). */
  readonly role: Role;
}

/** An order line net of refunds: what every template computes on. */
export interface NetLine {
  readonly line: number;
  readonly sku: string;
  readonly category?: string;
  readonly qty: number;
  readonly paid: Minor;
  /** The line's cost scaled by the net quantity; exact. */
  readonly cost: Exact;
  /** `paid` as an exact base, when made once for every template (see lineBase). */
  readonly paidBase?: Exact;
  /** `paid` as a number when it is a safe integer, else NaN (for amounts worked out in doubles: see parts.ts). */
  readonly paidNumber?: number;
}

/** Everything about an order fixed at its payment time; refunds recompute on the same. */
export interface OrderInput {
  readonly settings: TenantSettings;
  readonly order: string;
  readonly paidAt: InstantMs;
  readonly lines: readonly NetLine[];
  readonly sellerId: string | null;
  /** Seller first, then upward; inactive members already left out when compression applies. */
  readonly chain: readonly ChainLink[];
  /** The same chain without compression (teamsOf filters use it). */
  readonly fullChain: readonly ChainLink[];
  readonly pickup: { readonly point: ChainLink; readonly parent: ChainLink | null } | null;
  readonly region: string | null;
  readonly regionHolders: { readonly province?: string; readonly city?: string; readonly district?: string };
}

/**
 * Where an order template puts its parts. Paying or refunding an order needs only the amounts,
 * and orders are paid far more often than anyone asks why: a template builds an explanation
 * only when `explaining` is true (an award's explanations are recomputed when asked).
 */
export interface PartSink {
  readonly explaining: boolean;
  /** One part for `to` (an amount of zero is not a part); `explanation` is null unless explaining. */
  add(to: string, amount: Minor, explanation: Explanation | null): void;
  /**
   * The same as `add(to, BigInt(amount), null)` for an amount held as a safe-integer number, for
   * sinks that only sum amounts (paying an order): templates call it through parts.ts addAmount.
   */
  readonly addNumber?: (to: string, amount: number) => void;
  /**
   * The same as `addNumber(link.id, amount)` for a member of the order's chain (`input.chain` or
   * `input.fullChain`), named by its link: a sink compares links by identity, without reading ids.
   */
  readonly addLinkNumber?: (link: ChainLink, amount: number) => void;
}

export interface OrderTemplate<P> {
  readonly kind: 'order';
  readonly name: string;
  readonly params: (context: SchemaContext) => z.ZodType<P>;
  /** Puts the order's parts into `out`, line by line, in a fixed order. */
  readonly compute: (rule: string, params: P, input: OrderInput, out: PartSink) => void;
  /** Most members of one chain this template can pay for one sale (seller included); null = unbounded. */
  readonly maxChainPayees: (params: P) => number | null;
  /** Whether the template pays along the seller's chain (counts toward the 3-member limit). */
  readonly paysChain: boolean;
  /**
   * The largest amount per unit it multiplies by a line's quantity (a per-unit reward, a unit
   * price); none for templates that only take rates of amounts. See CompiledPlan.maxQtyPerLine.
   */
  readonly maxUnitAmount?: (params: P) => bigint;
}

/** What a period close sees: the period's orders net of refunds so far, and the network at close. */
export interface PeriodInput {
  readonly settings: TenantSettings;
  readonly period: string;
  /** Net paid sales of every order paid in the period, with or without a seller. */
  readonly sales: Minor;
  /** Team sales T(m) of every member with a non-zero team (network at close). */
  readonly teamSales: ReadonlyMap<string, Minor>;
  readonly distributors: () => Iterable<PeriodMember>;
  readonly parentOf: (id: string) => string | null;
}

export interface PeriodMember {
  readonly id: string;
  readonly level: number;
  /** For CEL conditions (`member.role`). */
  readonly role: Role;
  /** Order of entry into the network: ties in largest-remainder splits go to the earliest. */
  readonly entrySeq: number;
  readonly parent: string | null;
}

export interface PeriodTemplate<P> {
  readonly kind: 'period';
  readonly name: string;
  readonly params: (context: SchemaContext) => z.ZodType<P>;
  readonly period: (params: P) => PeriodKind;
  readonly closeDelayDays: (params: P) => number;
  readonly compute: (rule: string, params: P, input: PeriodInput) => AwardPart[];
  readonly maxChainPayees: (params: P) => number | null;
  readonly paysChain: boolean;
}

export type Template = OrderTemplate<unknown> | PeriodTemplate<unknown>;
