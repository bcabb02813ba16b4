import { fail, type EngineError } from '../../domain/errors.ts';
import type { OrderPaid } from '../../domain/types.ts';
import type { CompiledPlan } from '../../schema/plan.ts';
import type { RunningSum } from '../../money/running-sum.ts';
import { repeatOfKept } from '../fingerprint.ts';
import type { Member } from '../network.ts';
import { PAID, recomputeOrder } from '../order-awards.ts';
import { DAY_MS, type Period } from '../periods.ts';
import { PaidOrder, type OrderPlace } from '../paid-order.ts';
import { planAt, type EngineState, type OrderRecord } from '../state.ts';
import type { ChainLink, OrderInput, PeriodTemplate } from '../templates/template.ts';
import { lineOverLimit } from '../line-limit.ts';
import { markUpline, type Verdict, type Work } from '../work.ts';
import { bindBuyer } from './binding.ts';
import { recordPurchase, type SkuQuantities } from './purchases.ts';

export function orderPaid(state: EngineState, event: OrderPaid, work: Work): Verdict {
  const repeat = orderPaidRepeat(state, event);
  if (repeat) return repeat;
  const referrer = event.referrer === undefined ? null : state.network.get(event.referrer);
  if (referrer === undefined)
    return fail('unknown_member', `referrer ${event.referrer} is not a member; send member.joined first`, ['referrer']);
  const pickup = event.pickupPoint === undefined ? null : state.network.get(event.pickupPoint);
  if (pickup === undefined) return fail('unknown_member', `pickup point ${event.pickupPoint} is not a member`, ['pickupPoint']);
  if (referrer && !referrer.isDistributor)
    return fail('invalid', `referrer ${referrer.id} is a customer; only distributors refer`, ['referrer']);
  if (pickup && !pickup.isDistributor)
    return fail('invalid', `pickup point ${pickup.id} is a customer; only distributors run pickup points`, ['pickupPoint']);

  const plan = planAt(state, event.at);
  const overLimit = lineOverLimit(event.lines, plan, state.settings.decimals);
  if (overLimit) return overLimit;
  const buyer = bindBuyer(state, event, referrer, plan, work);
  const seller = sellerOf(buyer, plan);
  const fullChain = state.network.chainOf(seller);
  const chain = activeChain(state, fullChain, event.at, plan);
  const order = new PaidOrder(
    state.orders,
    state.orders.add(event, plan, seller, chain, fullChain, placeOf(state, event, pickup)),
  );
  recomputeOrder(state, order, PAID, undefined, work, seller);
  // A number while it is a safe integer: sales and spend add it without a BigInt each.
  const netPaid = state.orders.netPaidSum(order.number);
  recordSale(state, order.number, event.at, netPaid, seller, plan, work);
  const skus = state.recruitsOnSkus ? event.lines.map((l) => [l.sku, l.qty] as const) : NO_SKUS;
  recordPurchase(state, event.buyer, netPaid, netPaid > 0 ? 1 : 0, skus, work, buyer);
  return 'applied';
}

/** The verdict on an order id already paid (duplicate or conflict), or null for a new one. */
export function orderPaidRepeat(state: EngineState, event: OrderPaid): 'duplicate' | EngineError | null {
  const existing = state.orders.numberOf(event.order);
  if (existing < 0) return null;
  const conflict = `order ${event.order} was already paid with other content; use a new order id`;
  return repeatOfKept(state.orders.event(existing), event, conflict, 'order');
}

const NO_SKUS: SkuQuantities = Object.freeze([]);

/** DOMAIN.md, "Binding and who sold". */
export function sellerOf(buyer: Member | null, plan: CompiledPlan): Member | null {
  if (!buyer) return null;
  if (!buyer.isDistributor) return buyer.parent;
  return plan.plan.selfPurchase ? buyer : buyer.parent;
}

/** The payment-time context of an order (what estimates compute on; a paid order keeps its own). */
export function paymentContext(
  state: EngineState,
  event: Pick<OrderPaid, 'order' | 'at' | 'region'>,
  seller: Member | null,
  pickup: Member | null,
  plan: CompiledPlan,
): OrderRecord['context'] {
  const fullChain = state.network.chainOf(seller);
  const place = placeOf(state, event, pickup);
  return {
    order: event.order,
    paidAt: event.at,
    sellerId: seller?.id ?? null,
    chain: activeChain(state, fullChain, event.at, plan),
    fullChain,
    pickup: place?.pickup ?? null,
    region: place?.region ?? null,
    regionHolders: place?.regionHolders ?? NO_HOLDERS,
  };
}

/** The chain the templates pay along: the full chain, less inactive members under compression. */
function activeChain(state: EngineState, fullChain: readonly ChainLink[], at: number, plan: CompiledPlan): readonly ChainLink[] {
  const inactiveDays = plan.plan.compression?.inactiveDays;
  if (inactiveDays === undefined) return fullChain;
  return fullChain.filter((link, position) => position === 0 || isActive(state, link, at, inactiveDays));
}

/** The pickup point and region of an order, or null when it names neither (most do not). */
function placeOf(state: EngineState, event: Pick<OrderPaid, 'region'>, pickup: Member | null): OrderPlace | null {
  const region = event.region ?? null;
  if (pickup === null && region === null) return null;
  return {
    pickup: pickup ? { point: pickup.link, parent: pickup.parent ? pickup.parent.link : null } : null,
    region,
    regionHolders: region ? regionHolders(state, region) : NO_HOLDERS,
  };
}

const NO_HOLDERS: OrderInput['regionHolders'] = Object.freeze({});

/** Who holds the order's province (2 digits), city (4) and district (6) codes now. */
function regionHolders(state: EngineState, region: string): OrderInput['regionHolders'] {
  const holders: { province?: string; city?: string; district?: string } = {};
  const [province, city, district] = [2, 4, 6].map((digits) => state.network.holderOf(region.slice(0, digits))?.id);
  if (province) holders.province = province;
  if (city) holders.city = city;
  if (district) holders.district = district;
  return holders;
}

/**
 * Compression (缩减): a chain member is active when, within the window before `at`, it joined,
 * was promoted, or sold an earlier order whose net paid is still above zero.
 */
function isActive(state: EngineState, link: ChainLink, at: number, inactiveDays: number): boolean {
  const since = at - inactiveDays * DAY_MS;
  const member = state.network.get(link.id)!;
  if (member.activeSince >= since) return true;
  const sales = state.salesLog.get(member.id);
  if (!sales) return false;
  const orders = state.orders;
  for (let i = sales.length - 1; i >= 0 && orders.event(sales[i]!).at >= since; i--)
    if (orders.netPaid(sales[i]!) > 0n) return true;
  return false;
}

/** Counts the sale for its seller (levels, compression) and for its periods (period templates). */
function recordSale(
  state: EngineState,
  order: number,
  paidAt: number,
  netPaid: RunningSum,
  seller: Member | null,
  plan: CompiledPlan,
  work: Work,
): void {
  if (seller) {
    state.network.addSale(seller, netPaid);
    // Sales only matter to level conditions; without levels the same plan re-checks nothing.
    if (plan.plan.levels.length > 0) markUpline(work, seller);
    if (state.compressionWindowMs > 0) logSale(state, seller, order, paidAt);
  }
  for (const compiled of plan.templates) {
    if (compiled.template.kind !== 'period') continue;
    // Orders come in time order: most go to the bucket the rule's last order went to.
    const recent = state.recentBuckets.get(compiled);
    if (recent !== undefined && recent.start <= paidAt && paidAt < recent.end) {
      if (recent.orders[recent.orders.length - 1] !== order) recent.orders.push(order);
      continue;
    }
    const template = compiled.template as PeriodTemplate<unknown>;
    const period = state.calendar.periodOf(template.period(compiled.params), paidAt);
    const bucketKey = bucketKeyOf(period);
    let bucket = state.periods.get(bucketKey);
    if (!bucket) {
      bucket = { key: bucketKey, ...period, orders: [], rules: new Set(), openCloses: 0 };
      state.periods.set(bucketKey, bucket);
    }
    if (bucket.orders[bucket.orders.length - 1] !== order) bucket.orders.push(order);
    if (!bucket.rules.has(compiled.id)) {
      bucket.rules.add(compiled.id);
      bucket.openCloses += 1;
      const at = period.end + template.closeDelayDays(compiled.params) * DAY_MS;
      state.dueCloses.push({ at, seq: state.dueSeq++, rule: compiled.id, bucket });
    }
    state.recentBuckets.set(compiled, bucket);
  }
}

/**
 * The key of a period's bucket, made once per period: the calendar hands out the same Period
 * while it lasts, and a string made per order would be made, hashed and compared per order.
 */
const bucketKeys = new WeakMap<Period, string>();

function bucketKeyOf(period: Period): string {
  let key = bucketKeys.get(period);
  if (key === undefined) bucketKeys.set(period, (key = `${period.kind}:${period.label}`));
  return key;
}

/** Keeps each seller's recent orders for compression, dropping those older than any window. */
function logSale(state: EngineState, seller: Member, order: number, paidAt: number): void {
  let sales = state.salesLog.get(seller.id);
  if (!sales) state.salesLog.set(seller.id, (sales = []));
  sales.push(order);
  const oldest = paidAt - state.compressionWindowMs;
  const paidAtOf = (sale: number): number => state.orders.event(sale).at;
  if (paidAtOf(sales[0]!) < oldest) {
    const keep = sales.findIndex((sale) => paidAtOf(sale) >= oldest);
    sales.splice(0, keep);
  }
}
