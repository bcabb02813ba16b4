/**
 * An independent reference model of a core subset of docs/DOMAIN.md, written from the text of
 * DOMAIN.md alone (not from src/engine). It reads a scenario in the conformance format
 * (`../shared/scenarios/README.md`; its public scenarios are copied in conformance/public) and gives the awards, balances and rejected events that the
 * contract prescribes.
 *
 * Subset: a network of distributors with levels and customers bound to them that changes as the
 * scenario runs — `member.joined`, `member.moved` (re-binding a customer), `member.promoted`,
 * `member.level_set`, and plan `levels` whose `upgradeWhen` conditions (personalSales, teamSales,
 * directRecruits, directAtLevel, any / all) are re-checked after every accepted event — with every
 * order priced on its payment-time chain and levels for ever (refunds included), and optional
 * `compression` of inactive uplines (no recruiting, no regions); customers bound or re-bound by an
 * order's referrer (binding first/last, protectDays), guests; a plan stacking the order-time
 * templates `multi-level`, `differential`, `level-price`, `group-buy` (pickup point and its
 * recommender) and `targeted` (windows in the tenant's zone; skus, categories, members, teamsOf;
 * perUnit or rate), the period templates `team-tier` and `pool` (calendar periods in the tenant's
 * zone, close delays, largest remainder, team sales in the network at close), withdrawals with a
 * minimum and the `cn-labor` tax by the month in the tenant's zone; the events `order.paid`
 * (referrer, pickupPoint), `order.completed`, `order.refunded`, `withdrawal.requested` and `tick`.
 * Money is handled in
 * integer minor units (bigint) and exact rationals; nothing is ever a float.
 *
 * Each block below quotes the DOMAIN.md clause it implements.
 */

// ----- Money ----------------------------------------------------------------------------------
// DOMAIN.md, Money: "Amounts are decimal strings with the currency's minor unit (CNY: 2 places)
// ... Inside the engine they are integers of minor units". "Rates are decimal strings with a
// percent sign, up to 4 decimal places". "Every award is rounded once, to the minor unit,
// half-up (四舍五入): rate × base computed exactly, then rounded. ... Only awards, pools and tax
// are rounded; everything before them (scaled costs, taxable income) stays exact."

const DECIMALS = 2;
const UNIT = 10n ** BigInt(DECIMALS);
/** A rate is held as an integer count of millionths (1% = 10 000, 0.0001% = 1). */
const RATE_SCALE = 1_000_000n;
const DAY_MS = 24 * 60 * 60 * 1000;

/** "119.80" -> 11980n (minor units). */
export function money(text: string): bigint {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) throw new Error(`not an amount: ${text}`);
  const fraction = (match[3] ?? '').padEnd(DECIMALS, '0');
  if (fraction.length > DECIMALS) throw new Error(`more than ${DECIMALS} decimals: ${text}`);
  const value = BigInt(match[2]!) * UNIT + BigInt(fraction);
  return match[1] === '-' ? -value : value;
}

/** 11980n -> "119.80". */
export function formatMoney(amount: bigint): string {
  const sign = amount < 0n ? '-' : '';
  const abs = amount < 0n ? -amount : amount;
  return `${sign}${abs / UNIT}.${(abs % UNIT).toString().padStart(DECIMALS, '0')}`;
}

/** "12.5%" -> 125000n millionths. */
export function rate(text: string): bigint {
  const match = /^(\d+)(?:\.(\d{1,4}))?%$/.exec(text.trim());
  if (!match) throw new Error(`not a rate: ${text}`);
  return BigInt(match[1]!) * 10_000n + BigInt((match[2] ?? '').padEnd(4, '0'));
}

/** An exact non-negative rational amount of minor units, `num / den`. */
interface Exact {
  readonly num: bigint;
  readonly den: bigint;
}

const whole = (amount: bigint): Exact => ({ num: amount, den: 1n });

/** Half-up (四舍五入) to the minor unit of a non-negative exact amount. */
function roundHalfUp(value: Exact): bigint {
  if (value.num < 0n) throw new Error('the model never rounds a negative amount');
  return (2n * value.num + value.den) / (2n * value.den);
}

/** "rate × base computed exactly, then rounded" — the single rounding of one award. */
function award(rateMillionths: bigint, base: Exact): bigint {
  return roundHalfUp({ num: rateMillionths * base.num, den: base.den * RATE_SCALE });
}

// ----- Scenario input (the conformance format) -----------------------------------------------

export interface RefMemberInput {
  readonly id: string;
  readonly role: 'branch' | 'agency' | 'leader' | 'customer';
  readonly level?: number;
  readonly parent?: string | null;
}

export type RefTemplate =
  | {
      readonly id: string;
      readonly template: 'multi-level';
      readonly params: { readonly rates: readonly string[]; readonly base?: 'paid' | 'profit' };
    }
  | {
      readonly id: string;
      readonly template: 'differential';
      readonly params: {
        readonly rates: Readonly<Record<string, string>>;
        readonly peer?: { readonly rate: string; readonly of: 'award' | 'base'; readonly generations?: number };
        readonly base?: 'paid' | 'profit';
      };
    }
  | {
      readonly id: string;
      readonly template: 'level-price';
      readonly params: { readonly prices: Readonly<Record<string, string>> };
    }
  | {
      readonly id: string;
      readonly template: 'group-buy';
      readonly params: { readonly pickupRate: string; readonly recommenderRate: string; readonly base?: 'paid' | 'profit' };
    }
  | {
      readonly id: string;
      readonly template: 'targeted';
      readonly params: {
        readonly from: string;
        readonly to: string;
        readonly skus?: readonly string[];
        readonly categories?: readonly string[];
        readonly members?: readonly string[];
        readonly teamsOf?: readonly string[];
        readonly perUnit?: string;
        readonly rate?: string;
        readonly base?: 'paid' | 'profit';
      };
    }
  | {
      readonly id: string;
      readonly template: 'team-tier';
      readonly params: {
        readonly period: Period;
        readonly tiers: readonly { readonly min: string; readonly rate: string }[];
        readonly closeDelayDays?: number;
      };
    }
  | {
      readonly id: string;
      readonly template: 'pool';
      readonly params: {
        readonly period: Period;
        readonly share: string;
        readonly minLevel?: number;
        readonly weight?: 'equal' | 'teamSales';
        readonly closeDelayDays?: number;
      };
    };

export type Period = 'month' | 'quarter' | 'year';

/** A level condition (DOMAIN.md, Levels): one key per condition object, or `any` / `all`. */
export type RefCondition =
  | { readonly personalSales: string }
  | { readonly teamSales: string }
  | { readonly directRecruits: number }
  | { readonly directAtLevel: { readonly level: number; readonly count: number } }
  | { readonly any: readonly RefCondition[] }
  | { readonly all: readonly RefCondition[] };

export interface RefPlan {
  readonly compression?: { readonly inactiveDays: number };
  readonly levels?: readonly { readonly level: number; readonly upgradeWhen?: RefCondition }[];
  readonly freezeDays?: number;
  readonly selfPurchase?: boolean;
  readonly binding?: 'first' | 'last';
  readonly protectDays?: number;
  readonly minWithdrawal?: string;
  readonly tax?: 'none' | 'cn-labor';
  readonly templates: readonly RefTemplate[];
}

export interface RefLineInput {
  readonly line: number;
  readonly sku: string;
  readonly qty: number;
  readonly paid: string;
  readonly cost?: string;
  readonly category?: string;
}

export type RefEvent =
  | {
      readonly at: string;
      readonly type: 'order.paid';
      readonly order: string;
      readonly buyer: string;
      readonly referrer?: string;
      readonly pickupPoint?: string;
      readonly lines: readonly RefLineInput[];
    }
  | { readonly at: string; readonly type: 'order.completed'; readonly order: string }
  | {
      readonly at: string;
      readonly type: 'order.refunded';
      readonly order: string;
      readonly refund: string;
      readonly lines: readonly { readonly line: number; readonly qty: number; readonly amount: string }[];
    }
  | {
      readonly at: string;
      readonly type: 'withdrawal.requested';
      readonly withdrawal: string;
      readonly member: string;
      readonly amount: string;
    }
  | { readonly at: string; readonly type: 'tick' }
  | { readonly at: string; readonly type: 'member.joined'; readonly member: RefMemberInput }
  | { readonly at: string; readonly type: 'member.moved'; readonly member: string; readonly parent: string | null }
  | {
      readonly at: string;
      readonly type: 'member.promoted';
      readonly member: string;
      readonly role: 'branch' | 'agency' | 'leader';
      readonly level?: number;
    }
  | { readonly at: string; readonly type: 'member.level_set'; readonly member: string; readonly level: number };

export interface RefScenario {
  /** The tenant's time zone (IANA); the engine's test harness defaults it to Asia/Shanghai. */
  readonly timezone?: string;
  readonly plan: RefPlan;
  readonly members: readonly RefMemberInput[];
  readonly events: readonly RefEvent[];
}

export interface RefResult {
  /** Every non-zero net award, key `to|order|rule` or `to|period|rule` (scenarios/README.md: summed over lines). */
  readonly awards: Map<string, { amount: string; status: 'pending' | 'settled' }>;
  /** Every member's balances (members never credited hold 0.00 / 0.00). */
  readonly balances: Map<string, { pending: string; available: string }>;
  readonly errors: { event: number; code: string }[];
  /** Every accepted withdrawal, in the order requested. */
  readonly withdrawals: { withdrawal: string; amount: string; tax: string; net: string }[];
}

// ----- The network ----------------------------------------------------------------------------
// "Members have a role: branch, agency, leader — together the distributors — or customer.
// Distributors have an integer level ≥ 1 (default 1)." "Every member has at most one parent,
// always a distributor."

interface Member {
  readonly id: string;
  /** "A customer can become a distributor (member.promoted ...)". */
  distributor: boolean;
  /** Changed by member.level_set and by upgrades (DOMAIN.md, Levels). */
  level: number;
  parent: string | null;
  /** When the current binding started ("members of the starting network count as bound long ago"). */
  boundAt: number;
  /** When it joined or was promoted (compression's activity; none for the starting network). */
  readonly entered: number[];
}

// ----- Orders ---------------------------------------------------------------------------------

interface Line {
  readonly sku: string;
  readonly category: string | undefined;
  readonly qty: bigint;
  readonly paid: bigint;
  readonly cost: bigint;
  refundedQty: bigint;
  refundedAmount: bigint;
}

interface Order {
  readonly content: string;
  /** "An order's awards use the network as it was when the order was paid, for ever." */
  readonly chain: readonly { id: string; level: number }[];
  /** The chain without its inactive members (compression), for the chain templates. */
  readonly shortChain: readonly { id: string; level: number }[];
  /** The pickup point and its parent when the order was paid (group-buy). */
  readonly pickup: { readonly id: string; readonly parent: string | null } | undefined;
  readonly paidAt: number;
  readonly lines: Map<number, Line>;
  /** The order's current awards, key `to|rule`. */
  awards: Map<string, bigint>;
  completedAt?: number;
  dueAt?: number;
  settled: boolean;
}

const key = (to: string, rule: string) => `${to}|${rule}`;

// ----- Bases ----------------------------------------------------------------------------------

interface NetLine {
  readonly sku: string;
  readonly category: string | undefined;
  readonly qty: bigint;
  readonly paid: bigint;
  readonly cost: Exact;
}

// "A refund names lines with the quantity and amount refunded. The order's awards are then
// recomputed on its net lines (paid minus refunded, and cost scaled by the net quantity)".
function netLine(line: Line): NetLine {
  const qty = line.qty - line.refundedQty;
  const paid = line.paid - line.refundedAmount;
  // cost × net qty / qty stays exact (Money: "scaled costs ... stay exact").
  return { sku: line.sku, category: line.category, qty, paid, cost: { num: line.cost * qty, den: line.qty } };
}

// Bases: "paid (default): the line's paid amount (after discounts, without shipping)" /
// "profit: the line's paid amount minus its cost; never below zero."
function baseOf(kind: 'paid' | 'profit' | undefined, line: NetLine): Exact {
  if (kind !== 'profit') return whole(line.paid);
  const num = line.paid * line.cost.den - line.cost.num;
  return num > 0n ? { num, den: line.cost.den } : whole(0n);
}

// ----- Templates (one line at a time) ------------------------------------------------------------
// "Chain templates work line by line: every award is for one order line."

type Chain = readonly { readonly id: string; readonly level: number }[];
type Earn = (to: string, amount: bigint) => void;
type Params<T extends RefTemplate['template']> = Extract<RefTemplate, { template: T }>['params'];

/** "multi-level {rates: [r1, r2, r3], base} (N级分销): chain[i] earns rates[i] × base." */
function multiLevel(params: Params<'multi-level'>, chain: Chain, line: NetLine, earn: Earn) {
  const base = baseOf(params.base, line);
  params.rates.forEach((r, i) => {
    if (i < chain.length) earn(chain[i]!.id, award(rate(r), base));
  });
}

/**
 * differential: "Walk the chain keeping paidRate (starts at 0), lastLevel, lastAward (the rounded
 * award), peers: a member whose level's rate R (0 for a level not listed) is above paidRate earns
 * (R − paidRate) × base, and then paidRate = R, lastLevel = its level, lastAward = that award,
 * peers = 0. Otherwise, a member whose level equals lastLevel, while peers < generations, earns
 * the peer bonus peer.rate × lastAward (or × base when of: base), and peers += 1. Anyone else
 * earns nothing and changes nothing (members between do not interrupt the peer count)."
 * A peer without `generations` is read as `generations: 1` (the value DOMAIN.md writes).
 */
function differential(params: Params<'differential'>, chain: Chain, line: NetLine, earn: Earn) {
  const base = baseOf(params.base, line);
  const { peer } = params;
  const generations = peer?.generations ?? 1;
  let paidRate = 0n;
  let lastLevel: number | undefined;
  let lastAward = 0n;
  let peers = 0;
  for (const member of chain) {
    const listed = params.rates[String(member.level)];
    const r = listed === undefined ? 0n : rate(listed);
    if (r > paidRate) {
      const amount = award(r - paidRate, base);
      earn(member.id, amount);
      [paidRate, lastLevel, lastAward, peers] = [r, member.level, amount, 0];
    } else if (peer && lastLevel !== undefined && member.level === lastLevel && peers < generations) {
      earn(member.id, award(rate(peer.rate), peer.of === 'base' ? base : whole(lastAward)));
      peers += 1;
    }
  }
}

/**
 * level-price: "(a level without a price uses the price of the highest listed level below it, or
 * the lowest listed level): the seller earns paid − qty × price(seller level) (never below zero);
 * walking up, each member whose price P is below the lowest price seen so far earns
 * qty × (lowest − P); everyone else earns nothing."
 */
function levelPrice(params: Params<'level-price'>, chain: Chain, line: NetLine, earn: Earn) {
  const listed = Object.entries(params.prices)
    .map(([level, price]) => ({ level: Number(level), price: money(price) }))
    .sort((a, b) => a.level - b.level);
  const priceOf = (level: number) => {
    const below = listed.filter((l) => l.level <= level);
    return (below.length > 0 ? below[below.length - 1]! : listed[0]!).price;
  };
  const [seller, ...uplines] = chain;
  if (!seller) return;
  let lowest = priceOf(seller.level);
  const margin = line.paid - line.qty * lowest;
  earn(seller.id, margin > 0n ? margin : 0n);
  for (const member of uplines) {
    const p = priceOf(member.level);
    if (p < lowest) {
      earn(member.id, line.qty * (lowest - p));
      lowest = p;
    }
  }
}

/**
 * group-buy: "for an order with a pickupPoint, that leader earns pickupRate × base and its parent,
 * when it is a distributor, earns recommenderRate × base. Buyer binding plays no part." The
 * pickup point's parent is taken at payment ("An order's awards use the network as it was when
 * the order was paid, for ever").
 */
function groupBuy(params: Params<'group-buy'>, order: Order, line: NetLine, earn: Earn) {
  if (!order.pickup) return;
  const base = baseOf(params.base, line);
  earn(order.pickup.id, award(rate(params.pickupRate), base));
  // "Every member has at most one parent, always a distributor."
  if (order.pickup.parent !== null) earn(order.pickup.parent, award(rate(params.recommenderRate), base));
}

/**
 * targeted: "for a line of an order paid in [from, to) that matches every filter given, the seller
 * earns perUnit × qty or rate × base (exactly one of the two). members filters the seller; teamsOf
 * matches a seller that is one of those members or below one of them in the network at payment.
 * A date without a time means midnight in the tenant's zone."
 */
function targeted(params: Params<'targeted'>, order: Order, line: NetLine, earn: Earn, zone: string) {
  const seller = order.chain[0];
  if (!seller) return;
  if (order.paidAt < instantOf(params.from, zone) || order.paidAt >= instantOf(params.to, zone)) return;
  if (params.skus && !params.skus.includes(line.sku)) return;
  if (params.categories && (line.category === undefined || !params.categories.includes(line.category))) return;
  if (params.members && !params.members.includes(seller.id)) return;
  // The chain is the seller and everyone above it at payment.
  if (params.teamsOf && !order.chain.some((m) => params.teamsOf!.includes(m.id))) return;
  if (params.perUnit !== undefined) earn(seller.id, money(params.perUnit) * line.qty);
  else earn(seller.id, award(rate(params.rate!), baseOf(params.base, line)));
}

/** An order's awards on its net lines, key `to|rule`: sums of per-line rounded awards. */
function awardsOf(templates: readonly RefTemplate[], order: Order, zone: string): Map<string, bigint> {
  const result = new Map<string, bigint>();
  const lines = [...order.lines.entries()].sort(([a], [b]) => a - b).map(([, line]) => netLine(line));
  for (const t of templates) {
    const earn: Earn = (to, amount) => result.set(key(to, t.id), (result.get(key(to, t.id)) ?? 0n) + amount);
    for (const line of lines) {
      if (t.template === 'multi-level') multiLevel(t.params, order.shortChain, line, earn);
      else if (t.template === 'differential') differential(t.params, order.shortChain, line, earn);
      else if (t.template === 'level-price') levelPrice(t.params, order.shortChain, line, earn);
      else if (t.template === 'group-buy') groupBuy(t.params, order, line, earn);
      else if (t.template === 'targeted') targeted(t.params, order, line, earn, zone);
    }
  }
  return result;
}

// ----- Time zones and periods ------------------------------------------------------------------
// "Periods are calendar periods in the tenant's time zone." "Period labels: 2026-03 (month),
// 2026-Q1 (quarter), 2026 (year)." "Period close for period P runs at end(P) + closeDelayDays
// (days of 24 h)".

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock date and time of an instant in a zone. */
function wallClock(t: number, zone: string) {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(t).map((p) => [p.type, Number(p.value)]));
  return {
    year: parts.year!,
    month: parts.month!,
    day: parts.day!,
    hour: parts.hour!,
    minute: parts.minute!,
    second: parts.second!,
  };
}

/** The zone's offset from UTC at an instant, in ms. */
function offsetAt(t: number, zone: string) {
  const w = wallClock(t, zone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(t / 1000) * 1000;
}

/**
 * The instant of a wall-clock time in a zone (month 13 is January of the next year). DOMAIN.md is
 * silent on times that happen twice or never; the project's documented reading (README,
 * "Decisions where DOMAIN.md is silent") is taken: a repeated time is its first occurrence, a
 * skipped one moves forward by the gap (the offset before the change).
 */
function wallInstant(zone: string, year: number, month: number, day: number, hour = 0, minute = 0, second = 0) {
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  const before = wall - offsetAt(wall - DAY_MS, zone);
  const after = wall - offsetAt(wall + DAY_MS, zone);
  const fits = [before, after].filter((t) => offsetAt(t, zone) === wall - t).sort((a, b) => a - b);
  return fits[0] ?? before;
}

function midnight(year: number, month: number, day: number, zone: string) {
  return wallInstant(zone, year, month, day);
}

/**
 * "A date without a time means midnight in the tenant's zone." A date and time without an offset
 * is read in the tenant's zone too (README, a documented reading; DOMAIN.md is silent).
 */
function instantOf(text: string, zone: string) {
  const local = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(text);
  if (!local) return Date.parse(text);
  const [y, mo, d, h, mi, se] = local.slice(1).map((part) => Number(part ?? 0));
  return wallInstant(zone, y!, mo!, d!, h, mi, se);
}

/** The label and end of the calendar period holding an instant. */
function periodOf(t: number, period: Period, zone: string): { label: string; end: number } {
  const { year, month } = wallClock(t, zone);
  if (period === 'month') return { label: `${year}-${String(month).padStart(2, '0')}`, end: midnight(year, month + 1, 1, zone) };
  if (period === 'quarter') {
    const q = Math.ceil(month / 3);
    return { label: `${year}-Q${q}`, end: midnight(year, 3 * q + 1, 1, zone) };
  }
  return { label: `${year}`, end: midnight(year + 1, 1, 1, zone) };
}

// ----- Events ---------------------------------------------------------------------------------

type Rejection =
  | 'invalid'
  | 'conflict'
  | 'cycle'
  | 'unknown_member'
  | 'unknown_order'
  | 'refund_exceeds_paid'
  | 'below_minimum'
  | 'insufficient_funds';

/**
 * Tax cn-labor: "taxable = G ≤ 4000 ? max(0, G − 800) : G × 80%; tax = taxable ≤ 20000 ? 20% ×
 * taxable : taxable ≤ 50000 ? 30% × taxable − 2000 : 40% × taxable − 7000, rounded half-up."
 * Worked in fiftieths of a fen: x = 5 × taxable (an integer), 20% × taxable = 2x/50,
 * 30% × taxable − 2000.00 = (3x − 10 000 000)/50, 40% × taxable − 7000.00 = (4x − 35 000 000)/50.
 */
function cnLabor(gross: bigint): bigint {
  const x = gross <= 400_000n ? 5n * (gross > 80_000n ? gross - 80_000n : 0n) : 4n * gross;
  const num = x <= 10_000_000n ? 2n * x : x <= 25_000_000n ? 3n * x - 10_000_000n : 4n * x - 35_000_000n;
  return roundHalfUp({ num, den: 50n });
}

/** The content an event's identity is compared on: "field by field, at included, amounts compared as money and instants as instants". */
function identityOf(event: Extract<RefEvent, { type: 'order.paid' | 'order.refunded' | 'withdrawal.requested' }>): string {
  if (event.type === 'withdrawal.requested') {
    return JSON.stringify([Date.parse(event.at), event.member, money(event.amount).toString()]);
  }
  const lines = [...event.lines]
    .sort((a, b) => a.line - b.line)
    .map((l) => ({
      ...l,
      ...('paid' in l ? { paid: money(l.paid).toString(), cost: l.cost === undefined ? null : money(l.cost).toString() } : {}),
      ...('amount' in l ? { amount: money(l.amount).toString() } : {}),
    }));
  return JSON.stringify(Object.entries({ ...event, at: Date.parse(event.at), lines }).sort(([a], [b]) => a.localeCompare(b)));
}

class Reference {
  private readonly members = new Map<string, Member>();
  private readonly orders = new Map<string, Order>();
  /** Refund id -> its content. */
  private readonly refunds = new Map<string, string>();
  private readonly pending = new Map<string, bigint>();
  private readonly available = new Map<string, bigint>();
  /** Period awards, key `to|period|rule`, and the closed periods, key `rule|period`. */
  private readonly periodAwards = new Map<string, bigint>();
  private readonly closed = new Set<string>();
  /** Accepted withdrawals by id, and the gross withdrawn and tax withheld per `member|month`. */
  private readonly withdrawals = new Map<string, { content: string; amount: bigint; tax: bigint }>();
  private readonly months = new Map<string, { gross: bigint; tax: bigint }>();
  /** Accepted member.joined events by member id -> their content. */
  private readonly joins = new Map<string, string>();

  constructor(
    private readonly plan: RefPlan,
    members: readonly RefMemberInput[],
    private readonly zone: string,
  ) {
    for (const m of members) {
      const distributor = m.role !== 'customer';
      const level = distributor ? (m.level ?? 1) : 0;
      this.members.set(m.id, { id: m.id, distributor, level, parent: m.parent ?? null, boundAt: -Infinity, entered: [] });
    }
  }

  /**
   * "Time passes with every event: before an event is applied, everything due at or before its
   * at runs first ... What an event makes due at its own instant runs before the next event, not
   * within the event that made it due; after the last event nothing runs." An event delivered
   * again may carry an instant before the clock: nothing more is due then.
   */
  apply(event: RefEvent): Rejection | undefined {
    const now = Date.parse(event.at);
    this.runDue(now);
    let rejection: Rejection | undefined;
    if (event.type === 'order.paid') rejection = this.paid(event, now);
    else if (event.type === 'order.completed') rejection = this.completed(event.order, now);
    else if (event.type === 'order.refunded') rejection = this.refunded(event);
    else if (event.type === 'withdrawal.requested') rejection = this.withdraw(event, now);
    else if (event.type === 'member.joined') rejection = this.joined(event, now);
    else if (event.type === 'member.moved') rejection = this.moved(event, now);
    else if (event.type === 'member.promoted') rejection = this.promoted(event, now);
    else if (event.type === 'member.level_set') rejection = this.levelSet(event);
    // Levels: "Conditions are re-checked after every event that is not rejected".
    if (rejection === undefined) this.recheck();
    return rejection;
  }

  // ----- Network changes ------------------------------------------------------------------------
  // "The network changes over time (member.joined, member.moved, level changes). An order's awards
  // use the network as it was when the order was paid, for ever". Checks in the order of "Events
  // and errors": shape (invalid), identity (conflict), references (unknown_member), then the rules
  // (invalid for a role that does not fit, cycle).

  /**
   * member.joined: "A parent that is not a distributor is invalid (on a join or a move); parent:
   * null makes the member a root (a customer: unbound). ... A customer has no level: a level on a
   * customer is invalid." "A member.joined for an id that entered the network another way is a
   * conflict." Its identity is the member id; a join with its defaults written out (level 1,
   * parent null) is the same join (conformance/own/113).
   */
  private joined(event: Extract<RefEvent, { type: 'member.joined' }>, now: number): Rejection | undefined {
    const m = event.member;
    const distributor = m.role !== 'customer';
    if (!distributor && m.level !== undefined) return 'invalid';
    const content = JSON.stringify([now, m.id, m.role, distributor ? (m.level ?? 1) : null, m.parent ?? null]);
    const known = this.joins.get(m.id);
    if (known !== undefined) return known === content ? undefined : 'conflict';
    if (this.members.has(m.id)) return 'conflict';
    const parent = m.parent ?? null;
    if (parent !== null && !this.members.has(parent)) return 'unknown_member';
    if (parent !== null && !this.members.get(parent)!.distributor) return 'invalid';
    this.joins.set(m.id, content);
    // "A binding's age starts when the customer joined".
    this.members.set(m.id, {
      id: m.id,
      distributor,
      level: distributor ? (m.level ?? 1) : 0,
      parent,
      boundAt: now,
      entered: [now],
    });
    return undefined;
  }

  /**
   * member.moved: "A move that would make a member its own ancestor is rejected (cycle). A parent
   * that is not a distributor is invalid ... A move also re-binds a customer: its binding's age
   * starts again at the move." A move to the current parent changes nothing, nor restarts the age
   * (README, "Decisions where DOMAIN.md is silent").
   */
  private moved(event: Extract<RefEvent, { type: 'member.moved' }>, now: number): Rejection | undefined {
    const member = this.members.get(event.member);
    if (!member) return 'unknown_member';
    if (event.parent !== null && !this.members.has(event.parent)) return 'unknown_member';
    if (event.parent !== null && !this.members.get(event.parent)!.distributor) return 'invalid';
    for (let at: string | null = event.parent; at !== null; at = this.members.get(at)!.parent) {
      if (at === member.id) return 'cycle';
    }
    if (member.parent === event.parent) return undefined;
    member.parent = event.parent;
    member.boundAt = now;
    return undefined;
  }

  /**
   * member.promoted: "A customer can become a distributor (member.promoted, with a role and level);
   * its parent becomes its upline. Promoting a member that already is a distributor is invalid."
   * The level defaults to 1 ("Distributors have an integer level ≥ 1 (default 1)").
   */
  private promoted(event: Extract<RefEvent, { type: 'member.promoted' }>, now: number): Rejection | undefined {
    const member = this.members.get(event.member);
    if (!member) return 'unknown_member';
    if (member.distributor) return 'invalid';
    member.distributor = true;
    member.level = event.level ?? 1;
    member.entered.push(now);
    return undefined;
  }

  /**
   * member.level_set: "An admin may also set a level by hand (member.level_set), up or down; it
   * prices later orders." "Only distributors have levels: a level set on a customer is invalid."
   */
  private levelSet(event: Extract<RefEvent, { type: 'member.level_set' }>): Rejection | undefined {
    const member = this.members.get(event.member);
    if (!member) return 'unknown_member';
    if (!member.distributor) return 'invalid';
    member.level = event.level;
    return undefined;
  }

  // ----- Levels ---------------------------------------------------------------------------------

  /** The net paid of an order: its lines' paid amounts less what was refunded. */
  private static net(o: Order) {
    return [...o.lines.values()].reduce((sum, l) => sum + l.paid - l.refundedAmount, 0n);
  }

  /** Whether `id` is `ancestor` or below it in the network now. */
  private below(id: string, ancestor: string) {
    for (let at: string | null = id; at !== null; at = this.members.get(at)!.parent) if (at === ancestor) return true;
    return false;
  }

  /**
   * "personalSales (cumulative net paid where the member is the seller), teamSales (the same for the
   * member and everyone below it in the network now), directRecruits (its distributor children
   * now), directAtLevel: {level, count} (distributor children at that level or above). any / all
   * combine them." Thresholds inclusive.
   */
  private holds(m: Member, c: RefCondition): boolean {
    if ('any' in c) return c.any.some((x) => this.holds(m, x));
    if ('all' in c) return c.all.every((x) => this.holds(m, x));
    const children = () => this.distributors().filter((d) => d.parent === m.id);
    if ('directRecruits' in c) return children().length >= c.directRecruits;
    if ('directAtLevel' in c) return children().filter((d) => d.level >= c.directAtLevel.level).length >= c.directAtLevel.count;
    const orders = [...this.orders.values()].filter((o) => o.chain[0] !== undefined);
    const sales = (ids: (seller: string) => boolean) =>
      orders.filter((o) => ids(o.chain[0]!.id)).reduce((sum, o) => sum + Reference.net(o), 0n);
    if ('personalSales' in c) return sales((s) => s === m.id) >= money(c.personalSales);
    return sales((s) => this.below(s, m.id)) >= money(c.teamSales);
  }

  /**
   * "Conditions are re-checked after every event that is not rejected (a member.level_set
   * included ...), repeatedly until no level changes. A member jumps to the highest level whose
   * conditions hold, skipping levels between; a level with no upgradeWhen is only reached by hand;
   * levels never fall by themselves."
   */
  private recheck() {
    const levels = this.plan.levels ?? [];
    for (let changed = true; changed;) {
      changed = false;
      for (const m of this.distributors()) {
        let best = m.level;
        for (const l of levels) if (l.upgradeWhen && l.level > best && this.holds(m, l.upgradeWhen)) best = l.level;
        if (best !== m.level) {
          m.level = best;
          changed = true;
        }
      }
    }
  }

  /**
   * "available = net settled awards − withdrawals (gross). A withdrawal of more than available,
   * or below the plan's minimum, is rejected; a rejected withdrawal leaves no trace, so its id can
   * be used again." The minimum defaults to 0.01 (the scenario format's default). Checks in the
   * order of "Events and errors": identity (conflict), references (unknown_member), then
   * below_minimum before insufficient_funds.
   * Tax "cn-labor (劳务报酬 withholding), per member per calendar month (tenant's time zone), on
   * the month's cumulative gross withdrawals G ... A withdrawal withholds tax(G after it) − tax
   * already withheld this month. net = amount − withheld."
   */
  private withdraw(event: Extract<RefEvent, { type: 'withdrawal.requested' }>, now: number): Rejection | undefined {
    const content = identityOf(event);
    const known = this.withdrawals.get(event.withdrawal);
    if (known) return known.content === content ? undefined : 'conflict';
    if (!this.members.has(event.member)) return 'unknown_member';
    const amount = money(event.amount);
    if (amount < money(this.plan.minWithdrawal ?? '0.01')) return 'below_minimum';
    if (amount > (this.available.get(event.member) ?? 0n)) return 'insufficient_funds';
    const { year, month } = wallClock(now, this.zone);
    const monthKey = `${event.member}|${year}-${month}`;
    const so = this.months.get(monthKey) ?? { gross: 0n, tax: 0n };
    const gross = so.gross + amount;
    const tax = this.plan.tax === 'cn-labor' ? cnLabor(gross) - so.tax : 0n;
    this.months.set(monthKey, { gross, tax: so.tax + tax });
    this.withdrawals.set(event.withdrawal, { content, amount, tax });
    this.credit(this.available, event.member, -amount);
    return undefined;
  }

  private credit(book: Map<string, bigint>, member: string, amount: bigint) {
    book.set(member, (book.get(member) ?? 0n) + amount);
  }

  /**
   * Settlement: "An order's awards are pending from payment. They settle (become available) at
   * completedAt + freezeDays (exact days of 24 h)". Balances: "pending = net pending awards;
   * available = net settled awards − withdrawals".
   */
  private runDue(now: number) {
    for (const order of this.orders.values()) {
      if (order.settled || order.dueAt === undefined || order.dueAt > now) continue;
      for (const [k, amount] of order.awards) {
        const to = k.split('|')[0]!;
        this.credit(this.pending, to, -amount);
        this.credit(this.available, to, amount);
      }
      order.settled = true;
    }
    this.closePeriods(now);
  }

  /**
   * "... then period closes, oldest period first". A period none of whose orders was paid has no
   * sales: it pays nothing, so only the periods of paid orders are looked at.
   */
  private closePeriods(now: number) {
    const due: { end: number; label: string; template: Extract<RefTemplate, { template: 'team-tier' | 'pool' }> }[] = [];
    for (const t of this.plan.templates) {
      if (t.template !== 'team-tier' && t.template !== 'pool') continue;
      const delay = (t.params.closeDelayDays ?? 0) * DAY_MS;
      for (const order of this.orders.values()) {
        const { label, end } = periodOf(order.paidAt, t.params.period, this.zone);
        if (end + delay <= now && !this.closed.has(`${t.id}|${label}`) && !due.some((d) => d.template === t && d.label === label))
          due.push({ end, label, template: t });
      }
    }
    due.sort((a, b) => a.end - b.end);
    for (const { label, template } of due) {
      this.closed.add(`${template.id}|${label}`);
      const earned =
        template.template === 'team-tier' ? this.teamTier(template.params, label) : this.pool(template.params, label);
      for (const [to, amount] of earned) {
        if (amount === 0n) continue;
        // "period awards settle at period close".
        this.periodAwards.set(`${to}|${label}|${template.id}`, amount);
        this.credit(this.available, to, amount);
      }
    }
  }

  /**
   * The period's orders net of the refunds made so far (before the close): "it counts orders
   * paid in P net of refunds made before the close".
   */
  private periodSales(period: Period, label: string) {
    const orders = [...this.orders.values()].filter((o) => periodOf(o.paidAt, period, this.zone).label === label);
    const net = Reference.net;
    // T(m): "the net paid amount of the period's orders whose seller is m or below m in the
    // network at close": the seller (at payment) and everyone above it now.
    const team = new Map<string, bigint>();
    let total = 0n;
    for (const o of orders) {
      total += net(o);
      for (let at = o.chain[0]?.id ?? null; at !== null; at = this.members.get(at)!.parent)
        team.set(at, (team.get(at) ?? 0n) + net(o));
    }
    return { total, team };
  }

  private distributors() {
    return [...this.members.values()].filter((m) => m.distributor);
  }

  /**
   * team-tier: "each distributor m has team sales T(m) ... With g(m) = round(rate(T(m)) × T(m)),
   * where rate is the rate of the highest tier whose min ≤ T (0 below the first), m earns g(m) −
   * Σ g(child) over its distributor children, never below zero."
   */
  private teamTier(params: Params<'team-tier'>, label: string) {
    const { team } = this.periodSales(params.period, label);
    const g = (id: string) => {
      const t = team.get(id) ?? 0n;
      let best: { min: bigint; rate: bigint } | undefined;
      for (const tier of params.tiers) {
        const min = money(tier.min);
        if (min <= t && (!best || min > best.min)) best = { min, rate: rate(tier.rate) };
      }
      return best ? award(best.rate, whole(t)) : 0n;
    };
    const earned = new Map<string, bigint>();
    for (const m of this.distributors()) {
      const children = this.distributors().filter((c) => c.parent === m.id);
      const amount = g(m.id) - children.reduce((sum, c) => sum + g(c.id), 0n);
      if (amount > 0n) earned.set(m.id, amount);
    }
    return earned;
  }

  /**
   * pool: "round(share × net paid sales of the period) (all orders paid in P, with or without a
   * seller) is split among distributors with level ≥ minLevel at close, equally or by their team
   * sales of P, by largest remainder so that the parts sum exactly (ties go to the member who
   * entered the network first ...; the starting network entered in its listed order). When no one
   * is eligible or every weight is zero, nothing is paid."
   */
  private pool(params: Params<'pool'>, label: string) {
    const { total, team } = this.periodSales(params.period, label);
    const pool = award(rate(params.share), whole(total));
    const eligible = this.distributors().filter((m) => m.level >= (params.minLevel ?? 1));
    const weights = eligible.map((m) => ((params.weight ?? 'equal') === 'equal' ? 1n : (team.get(m.id) ?? 0n)));
    const sum = weights.reduce((a, b) => a + b, 0n);
    const earned = new Map<string, bigint>();
    if (eligible.length === 0 || sum === 0n) return earned;
    const parts = eligible.map((m, i) => ({
      id: m.id,
      index: i,
      floor: (pool * weights[i]!) / sum,
      rest: (pool * weights[i]!) % sum,
    }));
    let left = pool - parts.reduce((a, p) => a + p.floor, 0n);
    const byRest = [...parts].sort((a, b) => (a.rest === b.rest ? a.index - b.index : a.rest > b.rest ? -1 : 1));
    for (const p of byRest) {
      if (left === 0n) break;
      p.floor += 1n;
      left -= 1n;
    }
    for (const p of parts) earned.set(p.id, p.floor);
    return earned;
  }

  /**
   * "A reversal of a settled award reduces available" — and so, the model takes it, does any
   * adjustment of a settled order's award (DOMAIN.md is silent on a positive one).
   */
  private post(order: Order, changes: Map<string, bigint>) {
    for (const [k, amount] of changes) {
      if (amount !== 0n) this.credit(order.settled ? this.available : this.pending, k.split('|')[0]!, amount);
    }
  }

  /**
   * "A buyer the network does not know becomes a customer bound to that referrer, or stays a
   * guest when there is none. A known customer with no parent is bound to the referrer. A bound
   * customer is re-bound to another referrer only under the plan's binding: last (default first:
   * the first binding stays), and not while its current binding is younger than protectDays (a
   * binding exactly protectDays old can move). A binding's age starts when the customer joined,
   * was bound or was moved; an order referred by the current parent does not restart it; members
   * of the starting network count as bound long ago. Distributors are never re-bound by orders.
   * Binding happens as the order is paid, before its seller is found. A guest (unknown buyer, no
   * referrer) does not become a member."
   * protectDays are read as days of 24 h, as freezeDays are (DOMAIN.md does not say; see
   * conformance/own/101-protectdays-dst.yaml).
   */
  private bind(buyerId: string, referrer: string | undefined, now: number) {
    if (referrer === undefined) return;
    const buyer = this.members.get(buyerId);
    if (!buyer) {
      this.members.set(buyerId, { id: buyerId, distributor: false, level: 0, parent: referrer, boundAt: now, entered: [now] });
      return;
    }
    if (buyer.distributor || buyer.parent === referrer) return;
    const protectMs = (this.plan.protectDays ?? 0) * DAY_MS;
    const rebinds = (this.plan.binding ?? 'first') === 'last' && now - buyer.boundAt >= protectMs;
    if (buyer.parent === null || rebinds) {
      buyer.parent = referrer;
      buyer.boundAt = now;
    }
  }

  /**
   * "The chain of an order is its seller, then the seller's parent, and so on to the root."
   * "The seller is the buyer's parent when the buyer is a customer. When the buyer is a
   * distributor, the seller is the buyer itself if the plan's selfPurchase is true, else the
   * buyer's parent. An order with no seller earns no chain-based award."
   */
  private chainOf(buyerId: string): Chain {
    const buyer = this.members.get(buyerId);
    let seller: string | null = null; // a guest has no seller
    if (buyer) seller = buyer.distributor && this.plan.selfPurchase === true ? buyer.id : buyer.parent;
    const chain: { id: string; level: number }[] = [];
    for (let at = seller; at !== null; at = this.members.get(at)!.parent) {
      chain.push({ id: at, level: this.members.get(at)!.level });
    }
    return chain;
  }

  private paid(event: Extract<RefEvent, { type: 'order.paid' }>, now: number): Rejection | undefined {
    // Events are idempotent by their identity: "the same event twice changes nothing the second
    // time; the same identity with other content is a conflict".
    const content = identityOf(event);
    const known = this.orders.get(event.order);
    if (known) return known.content === content ? undefined : 'conflict';
    // "A referrer ... that is not a member is unknown_member; one that is a customer is invalid."
    // References before rules ("check in this order: ... references (unknown_member, ...), then
    // the rules (invalid for a role that does not fit ...)"); a pickup point is read as a referrer is.
    const named = [event.referrer, event.pickupPoint].filter((id) => id !== undefined);
    if (named.some((id) => !this.members.has(id))) return 'unknown_member';
    if (named.some((id) => !this.members.get(id)!.distributor)) return 'invalid';
    this.bind(event.buyer, event.referrer, now);
    const lines = new Map<number, Line>();
    for (const l of event.lines) {
      // A line without a cost is read as cost 0 (its profit is its paid amount).
      const cost = l.cost === undefined ? 0n : money(l.cost);
      lines.set(l.line, {
        sku: l.sku,
        category: l.category,
        qty: BigInt(l.qty),
        paid: money(l.paid),
        cost,
        refundedQty: 0n,
        refundedAmount: 0n,
      });
    }
    // "An order's awards use the network as it was when the order was paid, for ever."
    const pickup =
      event.pickupPoint === undefined
        ? undefined
        : { id: event.pickupPoint, parent: this.members.get(event.pickupPoint)!.parent };
    const chain = this.chainOf(event.buyer);
    const shortChain = chain.filter((m, i) => i === 0 || this.active(m.id, now));
    const order: Order = { content, chain, shortChain, pickup, paidAt: now, lines, awards: new Map(), settled: false };
    order.awards = awardsOf(this.plan.templates, order, this.zone);
    this.orders.set(event.order, order);
    this.post(order, order.awards);
    return undefined;
  }

  /**
   * Compression: "when an order is paid at t, a chain member other than the seller is inactive
   * unless, within [t − inactiveDays × 24 h, t], it joined, was promoted (by event or by
   * recruiting), or was the seller of an earlier order whose net paid is still above zero. Chain
   * templates (multi-level, differential, level-price) skip inactive members as if they were not in
   * the chain, and go on above them. teamsOf, group-buy, region and period templates ignore
   * compression. Who was inactive is part of the order's payment-time network ... moves, level or
   * region changes are no activity." Without compression everyone is active.
   */
  private active(id: string, t: number) {
    const { compression } = this.plan;
    if (!compression) return true;
    const from = t - compression.inactiveDays * DAY_MS;
    const within = (x: number) => x >= from && x <= t;
    if (this.members.get(id)!.entered.some(within)) return true;
    return [...this.orders.values()].some((o) => o.chain[0]?.id === id && within(o.paidAt) && Reference.net(o) > 0n);
  }

  private completed(orderId: string, now: number): Rejection | undefined {
    const order = this.orders.get(orderId);
    if (!order) return 'unknown_order';
    // "order.completed of a completed order changes nothing."
    if (order.completedAt !== undefined) return undefined;
    order.completedAt = now;
    order.dueAt = now + (this.plan.freezeDays ?? 0) * DAY_MS;
    return undefined;
  }

  private refunded(event: Extract<RefEvent, { type: 'order.refunded' }>): Rejection | undefined {
    const content = identityOf(event);
    const known = this.refunds.get(event.refund);
    if (known !== undefined) return known === content ? undefined : 'conflict';
    const order = this.orders.get(event.order);
    if (!order) return 'unknown_order';
    // "A refund naming a line the order lacks is invalid; one whose quantity or amount would
    // exceed what is left of a line is refund_exceeds_paid." Bad events "change nothing".
    if (event.lines.some((l) => !order.lines.has(l.line))) return 'invalid';
    const exceeds = (l: (typeof event.lines)[number]) => {
      const line = order.lines.get(l.line)!;
      return BigInt(l.qty) > line.qty - line.refundedQty || money(l.amount) > line.paid - line.refundedAmount;
    };
    if (event.lines.some(exceeds)) return 'refund_exceeds_paid';
    this.refunds.set(event.refund, content);
    for (const l of event.lines) {
      const line = order.lines.get(l.line)!;
      line.refundedQty += BigInt(l.qty);
      line.refundedAmount += money(l.amount);
    }
    // "the difference, whatever its sign, is posted as an adjustment (a reversal when negative).
    // A full refund therefore always nets every award of the order to exactly zero."
    const next = awardsOf(this.plan.templates, order, this.zone);
    const changes = new Map<string, bigint>();
    for (const k of new Set([...order.awards.keys(), ...next.keys()])) {
      changes.set(k, (next.get(k) ?? 0n) - (order.awards.get(k) ?? 0n));
    }
    order.awards = next;
    this.post(order, changes);
    return undefined;
  }

  result(errors: RefResult['errors']): RefResult {
    const awards: RefResult['awards'] = new Map();
    for (const [orderId, order] of this.orders) {
      for (const [k, amount] of order.awards) {
        if (amount === 0n) continue;
        const [to, rule] = k.split('|');
        awards.set(`${to}|${orderId}|${rule}`, { amount: formatMoney(amount), status: order.settled ? 'settled' : 'pending' });
      }
    }
    for (const [k, amount] of this.periodAwards) awards.set(k, { amount: formatMoney(amount), status: 'settled' });
    const balances: RefResult['balances'] = new Map();
    for (const id of this.members.keys()) {
      const pending = formatMoney(this.pending.get(id) ?? 0n);
      balances.set(id, { pending, available: formatMoney(this.available.get(id) ?? 0n) });
    }
    const withdrawals = [...this.withdrawals].map(([withdrawal, w]) => ({
      withdrawal,
      amount: formatMoney(w.amount),
      tax: formatMoney(w.tax),
      net: formatMoney(w.amount - w.tax),
    }));
    return { awards, balances, errors, withdrawals };
  }
}

/** Runs a scenario of the subset through the reference model. */
export function runReference(scenario: RefScenario): RefResult {
  const reference = new Reference(scenario.plan, scenario.members, scenario.timezone ?? 'Asia/Shanghai');
  const errors: RefResult['errors'] = [];
  scenario.events.forEach((event, index) => {
    const code = reference.apply(event);
    if (code !== undefined) errors.push({ event: index, code });
  });
  return reference.result(errors);
}
