import TinyQueue from 'tinyqueue';
import type {
  InstantMs,
  MemberJoined,
  Minor,
  OrderLineInput,
  OrderPaid,
  OrderRefunded,
  TenantSettings,
} from '../domain/types.ts';
import type { CompiledPlan, CompiledTemplate } from '../schema/plan.ts';
import { leafKeys } from './conditions.ts';
import { AwardBook, type AwardRecord } from './awards.ts';
import { Ledger } from './ledger.ts';
import { Network } from './network.ts';
import type { BuyerFigures } from './events/purchases.ts';
import { OrderBook } from './order-book.ts';
import { Calendar } from './periods.ts';
import { DueSettlements } from './due-settlements.ts';
import type { OrderInput } from './templates/template.ts';

export interface OrderLineState {
  readonly input: OrderLineInput;
  refundedQty: number;
  refundedAmount: Minor;
}

/** An order paid, as readers see it (the engine keeps PaidOrder objects, see paid-order.ts). */
export interface OrderRecord {
  readonly id: string;
  /** The event that paid it: the same order id again is compared with it (idempotency). */
  readonly event: OrderPaid;
  readonly paidAt: InstantMs;
  readonly buyer: string;
  readonly lines: OrderLineState[];
  /** Seller, chains, pickup and region holders as they were at payment: fixed for ever. */
  readonly context: Omit<OrderInput, 'lines' | 'settings'>;
  readonly plan: CompiledPlan;
  readonly awards: AwardRecord[];
  readonly netPaid: Minor;
  readonly completedAt: InstantMs | null;
  readonly settled: boolean;
}

/**
 * requested → approved → paid, or rejected (from requested or approved) / failed (from approved).
 * Requested and approved withdrawals already hold their gross out of `available`.
 */
export type WithdrawalStatus = 'requested' | 'approved' | 'paid' | 'rejected' | 'failed';

export interface WithdrawalRecord {
  readonly id: string;
  readonly fingerprint: string;
  readonly member: string;
  readonly at: InstantMs;
  readonly amount: Minor;
  readonly tax: Minor;
  readonly net: Minor;
  readonly month: string;
  /** The calendar day (tenant zone) of the request, for daily limits. */
  readonly day: string;
  status: WithdrawalStatus;
  /** Each transition with its instant and what the operator or payer said. */
  readonly history: { readonly status: WithdrawalStatus; readonly at: InstantMs; readonly note?: string }[];
}

/** A manual bonus or deduction posted by an admin, with its mandatory reason. */
export interface AdjustmentRecord {
  readonly id: string;
  readonly fingerprint: string;
  readonly member: string;
  readonly at: InstantMs;
  readonly amount: Minor;
  readonly reason: string;
  readonly by?: string;
}

/** What a buyer (member or guest) has bought: recruiting conditions read it (see events/purchases.ts). */
export interface BuyerStats {
  readonly spend: Minor;
  /** Orders whose net paid is above zero. */
  readonly orders: number;
  /** Net quantity per SKU, kept only when a plan recruits on buying a SKU. */
  readonly skus: ReadonlyMap<string, number> | null;
}

export interface PlanVersion {
  readonly from: InstantMs;
  readonly compiled: CompiledPlan;
}

/** The key of a period rule's close in EngineState.closedPeriods: the rule's id and the period's label. */
export function closeKey(rule: string, period: string): string {
  return `${rule}\u0000${period}`;
}

export interface DueClose {
  readonly at: InstantMs;
  readonly seq: number;
  readonly rule: string;
  readonly bucket: PeriodBucket;
}

/** The orders paid in one calendar period, kept until every close of that period has run. */
export interface PeriodBucket {
  readonly key: string;
  readonly kind: 'month' | 'quarter' | 'year';
  readonly label: string;
  readonly start: InstantMs;
  readonly end: InstantMs;
  /** Their numbers in the OrderBook. */
  readonly orders: number[];
  readonly rules: Set<string>;
  openCloses: number;
}

/**
 * The whole state of one tenant. Only the engine changes it, and a rejected event never does.
 */
export interface EngineState {
  readonly settings: TenantSettings;
  readonly calendar: Calendar;
  readonly plans: PlanVersion[];
  readonly network: Network;
  readonly ledger: Ledger;
  readonly awards: AwardBook;
  /** Every order paid, by number and by id (a read-only Map of PaidOrder views for readers). */
  readonly orders: OrderBook;
  /** Every accepted refund's event by its id (refund ids are unique per tenant). */
  readonly refunds: Map<string, OrderRefunded>;
  readonly withdrawals: Map<string, WithdrawalRecord>;
  readonly adjustments: Map<string, AdjustmentRecord>;
  /** Each accepted join by member id (fingerprinted only when the id comes again). */
  readonly joins: Map<string, MemberJoined>;
  /**
   * What guests bought (a member keeps its own figures, Member.purchases, starting from these
   * when it bought as a guest first): see buyerStats.
   */
  readonly buyers: Map<string, BuyerFigures>;
  readonly taxMonths: Map<string, { gross: Minor; withheld: Minor }>;
  /** Orders sold by each member, oldest first (compression looks for recent live sales). */
  readonly salesLog: Map<string, number[]>;
  readonly periods: Map<string, PeriodBucket>;
  /**
   * The bucket each period rule put its last order in. Orders come in time order, and a bucket
   * whose period contains an order's instant is still open then (its close runs after its end).
   */
  readonly recentBuckets: WeakMap<CompiledTemplate, PeriodBucket>;
  /** When each period rule's period closed (closeKey): the instant its awards were made, for readers. */
  readonly closedPeriods: Map<string, InstantMs>;
  readonly dueSettlements: DueSettlements;
  readonly dueCloses: TinyQueue<DueClose>;
  /** The instant of the last event applied; events never go back in time. */
  clock: InstantMs | null;
  /** Until the first accepted event, every member's level and recruiting are re-checked. */
  fullRecheckPending: boolean;
  dueSeq: number;
  /** Whether any plan recruits on buying a SKU (then quantities by SKU are kept per buyer). */
  recruitsOnSkus: boolean;
  /** The longest compression window of any plan, in ms (0: no sales log is kept). */
  compressionWindowMs: number;
  /** The plan the last level re-check used; a new plan version re-checks everyone. */
  levelPlan: CompiledPlan | null;
}

const byDue = <T extends { at: InstantMs; seq: number }>(a: T, b: T): number => a.at - b.at || a.seq - b.seq;

export function emptyState(settings: TenantSettings, plans: PlanVersion[]): EngineState {
  const network = new Network();
  // Members keep their balances themselves (Member is a BalanceSlot).
  const ledger = new Ledger((member) => network.get(member));
  const awards = new AwardBook(ledger);
  return {
    settings,
    calendar: new Calendar(settings.timezone),
    plans,
    network,
    ledger,
    awards,
    orders: new OrderBook({ settings, awards }),
    refunds: new Map(),
    withdrawals: new Map(),
    adjustments: new Map(),
    joins: new Map(),
    buyers: new Map(),
    taxMonths: new Map(),
    salesLog: new Map(),
    periods: new Map(),
    recentBuckets: new WeakMap(),
    closedPeriods: new Map(),
    dueSettlements: new DueSettlements(),
    dueCloses: new TinyQueue<DueClose>([], byDue),
    clock: null,
    fullRecheckPending: true,
    dueSeq: 0,
    ...planFlags(plans),
    levelPlan: null,
  };
}

/** What the versions of a plan ask the engine to keep track of. */
export function planFlags(plans: readonly PlanVersion[]): Pick<EngineState, 'recruitsOnSkus' | 'compressionWindowMs'> {
  return {
    recruitsOnSkus: plans.some(({ compiled }) => leafKeys(compiled.plan.recruit?.when).includes('bought')),
    compressionWindowMs: Math.max(0, ...plans.map(({ compiled }) => (compiled.plan.compression?.inactiveDays ?? 0) * 86_400_000)),
  };
}

/** The plan version in force at `at`. */
export function planAt(state: EngineState, at: InstantMs): CompiledPlan {
  let chosen = state.plans[0]!;
  for (const version of state.plans) if (version.from <= at) chosen = version;
  return chosen.compiled;
}
