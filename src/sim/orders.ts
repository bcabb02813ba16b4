import { z } from 'zod';
import type { OrderLineInput, OrderPaid, OrderRefunded } from '../domain/types.ts';
import { countFrom1, logNormal, skewedIndex, subSeed } from './distributions.ts';
import type { Month } from './months.ts';
import type { SyntheticNetwork } from './network.ts';
import { ActiveMembers } from './active-members.ts';
import { Random } from './random.ts';

export const DAY_MS = 86_400_000;

/** The most entries a cache of lines or amounts may have (they are made once per key, at most this many). */
const CACHE_LIMIT = 1 << 20;

/**
 * Month-of-year volume factors (Jan…Dec) of Chinese retail: the Spring Festival (a strong January,
 * a weak February), 618 in June, Double 11 in November and the year-end. Relative: only their
 * ratios to their mean matter.
 */
export const CN_SEASONALITY: readonly number[] = [1.05, 0.75, 0.9, 0.9, 0.95, 1.15, 0.9, 0.9, 0.95, 1.0, 1.35, 1.2];

const range = (min: number, max: number, fallback: { min: number; max: number }) =>
  z
    .strictObject({
      min: z.number().min(min).max(max).default(fallback.min),
      max: z.number().min(min).max(max).default(fallback.max),
    })
    .refine((value) => value.min <= value.max, 'min must not be above max')
    .prefault({});

/** Parameters of the order generator (all optional). */
export const orderParamsSchema = z.strictObject({
  ordersPerMonth: z
    .number()
    .int()
    .min(0)
    .max(10_000_000)
    .default(20_000)
    .describe('orders of an average month (before seasonality and growth)'),
  seasonality: z
    .array(z.number().positive())
    .length(12)
    .default([...CN_SEASONALITY])
    .describe('relative volume of January … December'),
  growth: z.number().min(-0.5).max(1).default(0).describe('monthly growth of the volume (0.02: +2% a month)'),
  skus: z.number().int().min(1).max(1_000_000).default(1_000).describe('size of the catalogue'),
  skuSkew: z.number().min(1).max(10).default(2).describe('popularity skew of the catalogue (1: uniform)'),
  categories: z.array(z.string().min(1).max(64)).min(1).max(100).default(['food', 'beauty', 'home', 'tea', 'fresh']),
  price: z
    .strictObject({
      median: z.number().positive().max(1e7).default(59).describe('median unit price, in currency units'),
      sigma: z.number().min(0).max(3).default(0.8).describe('σ of the log of the unit price (log-normal)'),
    })
    .prefault({}),
  costShare: z.number().min(0).max(1).default(0.6).describe("a line's cost as a share of its paid amount (about; per SKU)"),
  lines: z
    .strictObject({ mean: z.number().min(1).max(20).default(1.3), max: z.number().int().min(1).max(50).default(4) })
    .prefault({})
    .describe('order lines (distinct SKUs) per order: 1 + a geometric count'),
  qty: z
    .strictObject({ mean: z.number().min(1).max(100).default(1.2), max: z.number().int().min(1).max(1000).default(5) })
    .prefault({})
    .describe('units per line: 1 + a geometric count'),
  buyerSkew: z.number().min(1).max(10).default(1.3).describe('how much earlier members buy more (1: every active member alike)'),
  refundRate: z
    .number()
    .min(0)
    .max(1)
    .default(0.05)
    .describe('share of orders with a refund (one line, some or all of its units)'),
  completionDays: range(1, 365, { min: 3, max: 15 }).describe('days from payment to completion (a refund comes before it)'),
  pickupShare: z.number().min(0).max(1).default(0).describe('share of orders picked up at the seller (community group-buy)'),
});
export type OrderParams = z.infer<typeof orderParamsSchema>;

/**
 * What one generated order brings: its payment, the instant of its completion (the event is made
 * when it comes: millions of them waiting a week or two were work for the garbage collector) and
 * perhaps a refund.
 */
export interface GeneratedOrder {
  readonly paid: OrderPaid;
  readonly completedAt: number;
  readonly refunded: OrderRefunded | null;
}

/**
 * Makes orders: a catalogue of SKUs with log-normal unit prices (drawn once), baskets of 1 + a
 * geometric number of lines, buyers drawn among the active members that have joined (earlier ones
 * more often), some refunds. Everything from its own seeded stream.
 */
export class OrderMaker {
  private readonly random: Random;
  private readonly skuIds: string[];
  private readonly categoryOf: string[];
  private readonly unitPrice: bigint[];
  private readonly unitCost: bigint[];
  private readonly seasonMean: number;
  /** Members with index below this have joined. */
  private joined: number;
  private readonly active: ActiveMembers;
  private readonly qtyBig: bigint[] = [];
  /** paid and cost of (sku, qty), made once each: no bigint is allocated per line. */
  private readonly lineAmounts: ({ paid: bigint; cost: bigint } | undefined)[] | null;
  /**
   * Line objects by (line number, sku, qty), and the lines of one-line orders by (sku, qty), made
   * once each and shared by the orders with that line: events are read-only, and the engine keeps
   * every order's event for ever, so a line object and an array per order were half of what an
   * order's event kept (~130 of ~260 bytes), which the garbage collector copied twice over.
   */
  private readonly lineObjects: (OrderLineInput | undefined)[] | null;
  private readonly singleLines: (readonly OrderLineInput[] | undefined)[] | null;
  /** The SKUs of the order being made (distinct within an order). */
  private readonly skus: Int32Array;

  constructor(
    private readonly params: OrderParams,
    private readonly network: SyntheticNetwork,
    decimals: number,
    seed: number,
  ) {
    const catalogue = new Random(subSeed(seed, 2));
    const unit = 10 ** decimals;
    this.skuIds = Array.from({ length: params.skus }, (_, i) => `sku${i}`);
    this.categoryOf = this.skuIds.map((_, i) => params.categories[i % params.categories.length]!);
    this.unitPrice = [];
    this.unitCost = [];
    for (let i = 0; i < params.skus; i++) {
      const price = Math.max(1, Math.round(logNormal(catalogue, params.price.median * unit, params.price.sigma)));
      const cost = Math.min(price, Math.round(price * params.costShare * (0.8 + 0.4 * catalogue.next())));
      this.unitPrice.push(BigInt(price));
      this.unitCost.push(BigInt(cost));
    }
    this.seasonMean = params.seasonality.reduce((sum, f) => sum + f, 0) / 12;
    this.random = new Random(subSeed(seed, 3));
    this.joined = network.startSize;
    this.active = new ActiveMembers(network.inactiveFrom);
    for (let q = 0; q <= params.qty.max; q++) this.qtyBig.push(BigInt(q));
    const pairs = params.skus * (params.qty.max + 1);
    this.lineAmounts = pairs <= CACHE_LIMIT ? new Array<undefined>(pairs).fill(undefined) : null;
    this.singleLines = pairs <= CACHE_LIMIT ? new Array<undefined>(pairs).fill(undefined) : null;
    const lineKeys = pairs * params.lines.max;
    this.lineObjects = lineKeys <= CACHE_LIMIT ? new Array<undefined>(lineKeys).fill(undefined) : null;
    this.skus = new Int32Array(params.lines.max);
  }

  private amounts(sku: number, qty: number): { paid: bigint; cost: bigint } {
    const key = sku * (this.params.qty.max + 1) + qty;
    const cached = this.lineAmounts?.[key];
    if (cached) return cached;
    const q = this.qtyBig[qty]!;
    const made = { paid: this.unitPrice[sku]! * q, cost: this.unitCost[sku]! * q };
    if (this.lineAmounts) this.lineAmounts[key] = made;
    return made;
  }

  /** Orders of the `index`-th month of the run. */
  volume(month: Month, index: number): number {
    const factor = this.params.seasonality[month.monthOfYear - 1]! / this.seasonMean;
    return Math.round(this.params.ordersPerMonth * factor * (1 + this.params.growth) ** index);
  }

  /** Order number `n` paid at `at` (instants must not go back). */
  make(n: number, at: number): GeneratedOrder {
    const { params, network, random } = this;
    while (this.joined < network.size && network.joinedAt[this.joined]! <= at) this.joined++;
    this.active.advance(at);
    const buyer = this.pickBuyer();
    const lines = this.basket();
    const order = `o${n}`;
    const pickup = params.pickupShare > 0 && random.next() < params.pickupShare ? this.pickupPoint(buyer) : null;
    const paid: OrderPaid =
      pickup === null
        ? { type: 'order.paid', at, order, buyer: network.ids[buyer]!, lines }
        : { type: 'order.paid', at, order, buyer: network.ids[buyer]!, pickupPoint: pickup, lines };
    const { min, max } = params.completionDays;
    const delay = (min + random.next() * (max - min)) * DAY_MS;
    const completedAt = at + Math.round(delay);
    let refunded: OrderRefunded | null = null;
    if (params.refundRate > 0 && random.next() < params.refundRate) {
      const line = lines[Math.floor(random.next() * lines.length)]!;
      const qty = 1 + Math.floor(random.next() * line.qty);
      // Between a day after payment and the completion (at the completion when that is a day).
      const refundAt = at + Math.round(DAY_MS + random.next() * Math.max(0, delay - DAY_MS));
      refunded = {
        type: 'order.refunded',
        at: refundAt,
        order,
        refund: `r${n}`,
        lines: [{ line: line.line, qty, amount: this.amounts(this.skus[line.line - 1]!, qty).paid }],
      };
    }
    return { paid, completedAt, refunded };
  }

  /** An order's lines: 1 + a geometric number of distinct SKUs (`skus` holds them), each 1 + a geometric number of units. */
  private basket(): readonly OrderLineInput[] {
    const { params, random, skus } = this;
    const lineCount = countFrom1(random, params.lines.mean, Math.min(params.lines.max, params.skus));
    const lines: OrderLineInput[] = [];
    for (let line = 0; line < lineCount; line++) {
      let sku = skewedIndex(random, params.skus, params.skuSkew);
      while (takenBefore(skus, line, sku)) sku = (sku + 1) % params.skus;
      skus[line] = sku;
      const qty = countFrom1(random, params.qty.mean, params.qty.max);
      if (lineCount === 1) return this.singleLine(sku, qty);
      lines.push(this.line(line + 1, sku, qty));
    }
    // A copy of its exact length: the engine keeps every order's event, and an array grown by push
    // holds room for 17 lines.
    return lines.slice();
  }

  /** The (shared) lines of a one-line order. */
  private singleLine(sku: number, qty: number): readonly OrderLineInput[] {
    const key = sku * (this.params.qty.max + 1) + qty;
    const cached = this.singleLines?.[key];
    if (cached) return cached;
    const made = [this.line(1, sku, qty)];
    if (this.singleLines) this.singleLines[key] = made;
    return made;
  }

  /** The (shared) object of line number `line` with `qty` units of `sku`. */
  private line(line: number, sku: number, qty: number): OrderLineInput {
    const key = ((line - 1) * this.params.skus + sku) * (this.params.qty.max + 1) + qty;
    const cached = this.lineObjects?.[key];
    if (cached) return cached;
    const { paid, cost } = this.amounts(sku, qty);
    const made = { line, sku: this.skuIds[sku]!, category: this.categoryOf[sku]!, qty, paid, cost };
    if (this.lineObjects) this.lineObjects[key] = made;
    return made;
  }

  /** An active member (at the instant `make` advanced to) that has joined, earlier ones more often. */
  private pickBuyer(): number {
    let buyer = 0;
    for (let attempt = 0; attempt < 16; attempt++) {
      buyer = skewedIndex(this.random, this.joined, this.params.buyerSkew);
      if (this.active.isActive(buyer)) return buyer;
    }
    return buyer;
  }

  /** The distributor the buyer picks up at: its shop (a customer's parent) or itself. */
  private pickupPoint(buyer: number): string | null {
    const { network } = this;
    if (network.distributor[buyer]) return network.ids[buyer]!;
    const p = network.parent[buyer]!;
    return p >= 0 ? network.ids[p]! : null;
  }
}

/** Whether `sku` is among the first `count` of `skus`. */
function takenBefore(skus: Int32Array, count: number, sku: number): boolean {
  for (let i = 0; i < count; i++) if (skus[i] === sku) return true;
  return false;
}
