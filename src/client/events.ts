import type { paths } from './schema.d.ts';

/**
 * The events a shop sends, as they travel (DOMAIN.md, docs/integration.md): amounts are decimal
 * strings in the tenant currency ("119.80"), instants ISO 8601 ("2026-03-01T10:05:40+08:00"; without
 * an offset, the tenant's time zone). `id` is optional everywhere: the client adds one where an
 * event needs it to be idempotent (ids.ts).
 */
type Base<T extends string> = {
  readonly type: T;
  readonly at: string;
  readonly id?: string;
};

export type Amount = string;
export type Role = 'branch' | 'agency' | 'leader' | 'customer';

export type OrderLine = {
  readonly line: number;
  readonly sku: string;
  readonly category?: string;
  readonly qty: number;
  /** Paid for the line after discounts, without shipping. */
  readonly paid: Amount;
  readonly cost?: Amount;
};

export type OrderPaid = Base<'order.paid'> & {
  readonly order: string;
  readonly buyer: string;
  readonly referrer?: string | null;
  readonly pickupPoint?: string | null;
  /** A 6-digit district code (GB/T 2260). */
  readonly region?: string | null;
  readonly lines: readonly OrderLine[];
};
export type OrderCompleted = Base<'order.completed'> & {
  readonly order: string;
};
export type OrderRefunded = Base<'order.refunded'> & {
  readonly order: string;
  readonly refund: string;
  readonly lines: readonly { readonly line: number; readonly qty: number; readonly amount: Amount }[];
};
export type MemberInput = {
  readonly id: string;
  readonly role: Role;
  readonly level?: number;
  readonly parent?: string | null;
  readonly regions?: readonly string[];
};
export type MemberJoined = Base<'member.joined'> & {
  readonly member: MemberInput;
};
export type MemberMoved = Base<'member.moved'> & {
  readonly member: string;
  readonly parent: string | null;
};
export type MemberPromoted = Base<'member.promoted'> & {
  readonly member: string;
  readonly role?: Exclude<Role, 'customer'>;
  readonly level?: number;
};
export type MemberLevelSet = Base<'member.level_set'> & {
  readonly member: string;
  readonly level: number;
};
export type MemberRegionsSet = Base<'member.regions_set'> & {
  readonly member: string;
  readonly regions: readonly string[];
};
export type WithdrawalRequested = Base<'withdrawal.requested'> & {
  readonly withdrawal: string;
  readonly member: string;
  readonly amount: Amount;
};
export type WithdrawalDecision = Base<'withdrawal.approved' | 'withdrawal.rejected' | 'withdrawal.paid' | 'withdrawal.failed'> & {
  readonly withdrawal: string;
  readonly note?: string;
  readonly by?: string;
};
export type AdjustmentPosted = Base<'adjustment.posted'> & {
  readonly adjustment: string;
  readonly member: string;
  /** May be negative; never zero. */
  readonly amount: Amount;
  readonly reason: string;
  readonly by?: string;
};
export type Tick = Base<'tick'>;

export type FenyongEvent =
  | OrderPaid
  | OrderCompleted
  | OrderRefunded
  | MemberJoined
  | MemberMoved
  | MemberPromoted
  | MemberLevelSet
  | MemberRegionsSet
  | WithdrawalRequested
  | WithdrawalDecision
  | AdjustmentPosted
  | Tick;

/** The body of POST /v1/events as the OpenAPI document describes it. */
export type EventsBody = paths['/v1/events']['post']['requestBody']['content']['application/json'];
/** One item's answer in POST /v1/events (accepted with its sequence number, duplicate, or rejected). */
export type ItemResult = paths['/v1/events']['post']['responses'][200]['content']['application/json']['results'][number];

// Compile-time checks against the generated schema: every event above is a valid single-event
// body, and its type is one the API documents (a new event type in the API fails here).
type Single = Extract<EventsBody, { type: unknown }>;
type Assert<T extends true> = T;
export type EventsMatchSchema = Assert<FenyongEvent extends Single ? true : false>;
export type TypesMatchSchema = Assert<Single['type'] extends FenyongEvent['type'] ? true : false>;
