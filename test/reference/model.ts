/**
 * An independent reference model of a core subset of docs/DOMAIN.md, written from the text of
 * DOMAIN.md alone (not from src/engine). It reads a scenario in the conformance format
 * (`../shared/scenarios/README.md`) and gives the awards, balances and rejected events that the
 * contract prescribes.
 *
 * Subset: a static network of distributors with levels (no joins, moves, promotions, level
 * changes, recruiting or compression) and customers bound to them, bound or re-bound by an
 * order's referrer (binding first/last, protectDays), guests; a plan stacking
 * `multi-level`, `differential` and `level-price` templates, and the events `order.paid`,
 * `order.completed`, `order.refunded` and `tick`. Money is handled in integer minor units
 * (bigint) and exact rationals; nothing is ever a float.
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
    };

export interface RefPlan {
  readonly freezeDays?: number;
  readonly selfPurchase?: boolean;
  readonly binding?: 'first' | 'last';
  readonly protectDays?: number;
  readonly templates: readonly RefTemplate[];
}

export interface RefLineInput {
  readonly line: number;
  readonly sku: string;
  readonly qty: number;
  readonly paid: string;
  readonly cost?: string;
}

export type RefEvent =
  | {
      readonly at: string;
      readonly type: 'order.paid';
      readonly order: string;
      readonly buyer: string;
      readonly referrer?: string;
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
  | { readonly at: string; readonly type: 'tick' };

export interface RefScenario {
  readonly plan: RefPlan;
  readonly members: readonly RefMemberInput[];
  readonly events: readonly RefEvent[];
}

export interface RefResult {
  /** Every non-zero net award, key `to|order|rule` (scenarios/README.md: summed over lines). */
  readonly awards: Map<string, { amount: string; status: 'pending' | 'settled' }>;
  /** Every member's balances (members never credited hold 0.00 / 0.00). */
  readonly balances: Map<string, { pending: string; available: string }>;
  readonly errors: { event: number; code: string }[];
}

// ----- The network ----------------------------------------------------------------------------
// "Members have a role: branch, agency, leader — together the distributors — or customer.
// Distributors have an integer level ≥ 1 (default 1)." "Every member has at most one parent,
// always a distributor."

interface Member {
  readonly id: string;
  readonly distributor: boolean;
  readonly level: number;
  parent: string | null;
  /** When the current binding started ("members of the starting network count as bound long ago"). */
  boundAt: number;
}

// ----- Orders ---------------------------------------------------------------------------------

interface Line {
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
  return { qty, paid, cost: { num: line.cost * qty, den: line.qty } };
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

/** An order's awards on its net lines, key `to|rule`: sums of per-line rounded awards. */
function awardsOf(templates: readonly RefTemplate[], order: Order): Map<string, bigint> {
  const result = new Map<string, bigint>();
  const lines = [...order.lines.entries()].sort(([a], [b]) => a - b).map(([, line]) => netLine(line));
  for (const t of templates) {
    const earn: Earn = (to, amount) => result.set(key(to, t.id), (result.get(key(to, t.id)) ?? 0n) + amount);
    for (const line of lines) {
      if (t.template === 'multi-level') multiLevel(t.params, order.chain, line, earn);
      else if (t.template === 'differential') differential(t.params, order.chain, line, earn);
      else levelPrice(t.params, order.chain, line, earn);
    }
  }
  return result;
}

// ----- Events ---------------------------------------------------------------------------------

type Rejection = 'invalid' | 'conflict' | 'unknown_member' | 'unknown_order' | 'refund_exceeds_paid';

/** The content an event's identity is compared on: "field by field, at included, amounts compared as money and instants as instants". */
function identityOf(event: Extract<RefEvent, { type: 'order.paid' | 'order.refunded' }>): string {
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

  constructor(
    private readonly plan: RefPlan,
    members: readonly RefMemberInput[],
  ) {
    for (const m of members) {
      const distributor = m.role !== 'customer';
      const level = distributor ? (m.level ?? 1) : 0;
      this.members.set(m.id, { id: m.id, distributor, level, parent: m.parent ?? null, boundAt: -Infinity });
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
    if (event.type === 'order.paid') return this.paid(event, now);
    if (event.type === 'order.completed') return this.completed(event.order, now);
    if (event.type === 'order.refunded') return this.refunded(event);
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
      this.members.set(buyerId, { id: buyerId, distributor: false, level: 0, parent: referrer, boundAt: now });
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
    if (event.referrer !== undefined) {
      const referrer = this.members.get(event.referrer);
      if (!referrer) return 'unknown_member';
      if (!referrer.distributor) return 'invalid';
    }
    this.bind(event.buyer, event.referrer, now);
    const lines = new Map<number, Line>();
    for (const l of event.lines) {
      // A line without a cost is read as cost 0 (its profit is its paid amount).
      const cost = l.cost === undefined ? 0n : money(l.cost);
      lines.set(l.line, { qty: BigInt(l.qty), paid: money(l.paid), cost, refundedQty: 0n, refundedAmount: 0n });
    }
    // "An order's awards use the network as it was when the order was paid, for ever."
    const order: Order = { content, chain: this.chainOf(event.buyer), lines, awards: new Map(), settled: false };
    order.awards = awardsOf(this.plan.templates, order);
    this.orders.set(event.order, order);
    this.post(order, order.awards);
    return undefined;
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
    const next = awardsOf(this.plan.templates, order);
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
    const balances: RefResult['balances'] = new Map();
    for (const id of this.members.keys()) {
      const pending = formatMoney(this.pending.get(id) ?? 0n);
      balances.set(id, { pending, available: formatMoney(this.available.get(id) ?? 0n) });
    }
    return { awards, balances, errors };
  }
}

/** Runs a scenario of the subset through the reference model. */
export function runReference(scenario: RefScenario): RefResult {
  const reference = new Reference(scenario.plan, scenario.members);
  const errors: RefResult['errors'] = [];
  scenario.events.forEach((event, index) => {
    const code = reference.apply(event);
    if (code !== undefined) errors.push({ event: index, code });
  });
  return reference.result(errors);
}
