import type { Minor } from '../money/money.ts';
import type { RatePpm } from '../money/rate.ts';

/** Milliseconds since the Unix epoch. Instants inside the engine are plain numbers of ms. */
export type InstantMs = number;

export const DISTRIBUTOR_ROLES = ['branch', 'agency', 'leader'] as const;
export type DistributorRole = (typeof DISTRIBUTOR_ROLES)[number];
export type Role = DistributorRole | 'customer';

export const isDistributorRole = (role: Role): role is DistributorRole => role !== 'customer';

/**
 * A member's level as fenyong shows it (API, notifications): null for a customer, who has none
 * (DOMAIN.md), where the engine keeps 0.
 */
export const shownLevel = (role: string, level: number): number | null => (role === 'customer' ? null : level);

export interface MemberInput {
  readonly id: string;
  readonly role: Role;
  readonly level?: number;
  readonly parent?: string | null;
  readonly regions?: readonly string[];
}

export interface OrderLineInput {
  readonly line: number;
  readonly sku: string;
  readonly category?: string;
  readonly qty: number;
  readonly paid: Minor;
  readonly cost?: Minor;
}

export interface RefundLineInput {
  readonly line: number;
  readonly qty: number;
  readonly amount: Minor;
}

interface EventBase {
  readonly at: InstantMs;
}

export interface OrderPaid extends EventBase {
  readonly type: 'order.paid';
  readonly order: string;
  readonly buyer: string;
  readonly referrer?: string;
  readonly pickupPoint?: string;
  readonly region?: string;
  readonly lines: readonly OrderLineInput[];
}
export interface OrderCompleted extends EventBase {
  readonly type: 'order.completed';
  readonly order: string;
}
export interface OrderRefunded extends EventBase {
  readonly type: 'order.refunded';
  readonly order: string;
  readonly refund: string;
  readonly lines: readonly RefundLineInput[];
}
export interface MemberJoined extends EventBase {
  readonly type: 'member.joined';
  readonly member: MemberInput;
}
export interface MemberMoved extends EventBase {
  readonly type: 'member.moved';
  readonly member: string;
  readonly parent: string | null;
}
export interface MemberPromoted extends EventBase {
  readonly type: 'member.promoted';
  readonly member: string;
  readonly role: DistributorRole;
  readonly level: number;
}
export interface MemberLevelSet extends EventBase {
  readonly type: 'member.level_set';
  readonly member: string;
  readonly level: number;
}
export interface MemberRegionsSet extends EventBase {
  readonly type: 'member.regions_set';
  readonly member: string;
  readonly regions: readonly string[];
}
export interface WithdrawalRequested extends EventBase {
  readonly type: 'withdrawal.requested';
  readonly withdrawal: string;
  readonly member: string;
  readonly amount: Minor;
}
export interface Tick extends EventBase {
  readonly type: 'tick';
}

/** An operator approves, rejects, or the payer reports a withdrawal paid or failed. */
export interface WithdrawalTransition extends EventBase {
  readonly type: 'withdrawal.approved' | 'withdrawal.rejected' | 'withdrawal.paid' | 'withdrawal.failed';
  readonly withdrawal: string;
  /** Why (rejected, failed) or the payer's reference (paid). */
  readonly note?: string;
  readonly by?: string;
}

/** A manual bonus (positive) or deduction (negative) by an admin; the reason is mandatory. */
export interface AdjustmentPosted extends EventBase {
  readonly type: 'adjustment.posted';
  readonly adjustment: string;
  readonly member: string;
  readonly amount: Minor;
  readonly reason: string;
  readonly by?: string;
}

export type EngineEvent =
  | OrderPaid
  | OrderCompleted
  | OrderRefunded
  | MemberJoined
  | MemberMoved
  | MemberPromoted
  | MemberLevelSet
  | MemberRegionsSet
  | WithdrawalRequested
  | WithdrawalTransition
  | AdjustmentPosted
  | Tick;

export type EventType = EngineEvent['type'];

export type BaseKind = 'paid' | 'profit';
export type PeriodKind = 'month' | 'quarter' | 'year';

/** A threshold condition tree: one key per object, combined with any/all (DOMAIN.md, Levels). */
export type Condition<Leaf> = Leaf | { readonly any: readonly Condition<Leaf>[] } | { readonly all: readonly Condition<Leaf>[] };

export type LevelLeaf =
  | { readonly personalSales: Minor }
  | { readonly teamSales: Minor }
  | { readonly directRecruits: number }
  | { readonly directAtLevel: { readonly level: number; readonly count: number } };

export type RecruitLeaf =
  | { readonly spend: Minor }
  | { readonly orders: number }
  /** Buying a given SKU. Allowed, but the `cn` lint reports it as an entry fee (入门费). */
  | { readonly bought: { readonly sku: string; readonly qty: number } };

export interface LevelRule {
  readonly level: number;
  readonly name?: string;
  readonly upgradeWhen?: Condition<LevelLeaf>;
}

export interface RecruitRule {
  readonly role: DistributorRole;
  readonly level: number;
  readonly when: Condition<RecruitLeaf>;
}

export interface TemplateConfig {
  readonly id: string;
  readonly template: string;
  /** Parsed by the template module's own schema. */
  readonly params: unknown;
  readonly name?: string;
}

export interface Plan {
  readonly freezeDays: number;
  readonly selfPurchase: boolean;
  readonly binding: 'first' | 'last';
  readonly protectDays: number;
  readonly minWithdrawal: Minor;
  /** Payout rules per member: manual review above an amount, daily and monthly caps (gross). */
  readonly withdrawals: { readonly reviewAbove?: Minor; readonly dailyLimit?: Minor; readonly monthlyLimit?: Minor };
  readonly recruit?: RecruitRule;
  readonly compression?: { readonly inactiveDays: number };
  readonly tax: string;
  readonly levels: readonly LevelRule[];
  readonly templates: readonly TemplateConfig[];
}

/** The tenant-wide settings every computation needs. */
export interface TenantSettings {
  readonly timezone: string;
  readonly currency: string;
  readonly decimals: number;
}

export type { Minor, RatePpm };
