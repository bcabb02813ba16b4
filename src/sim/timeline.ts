import { z } from 'zod';
import type { EngineEvent, MemberInput } from '../domain/types.ts';
import { currencyDecimals } from '../money/money.ts';
import { fail, InputError } from '../domain/errors.ts';
import { firstIssue, isValidZone } from '../schema/primitives.ts';
import { MONTH_LABEL, monthsFrom, type Month } from './months.ts';
import { generateNetwork, joinEvent, networkParamsSchema, startingMembers, type SyntheticNetwork } from './network.ts';
import { DAY_MS, OrderMaker, orderParamsSchema } from './orders.ts';

/** Everything a synthetic run is made of: where and when, the network, the orders. */
export const dataParamsSchema = z.strictObject({
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .default(1),
  start: z.string().regex(MONTH_LABEL, 'a month, YYYY-MM').default('2026-01').describe('the first month'),
  months: z.number().int().min(1).max(120).default(12),
  timezone: z.string().refine(isValidZone, 'an IANA time zone, e.g. Asia/Shanghai').default('Asia/Shanghai'),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .default('CNY'),
  network: networkParamsSchema.prefault({}),
  orders: orderParamsSchema.prefault({}),
});
export type DataParams = z.infer<typeof dataParamsSchema>;
export type DataParamsInput = z.input<typeof dataParamsSchema>;

/** A generated data set: the same seed and parameters give the same network and events. */
export interface SyntheticData {
  readonly params: DataParams;
  readonly months: readonly Month[];
  readonly network: SyntheticNetwork;
  /** The starting network, already in its parsed shape (`Engine.create`'s `parsedMembers`). */
  readonly members: readonly MemberInput[];
  /** Orders per month and in all. */
  readonly volumes: readonly number[];
  readonly orders: number;
  /**
   * The events in time order, pre-parsed (for `engine.applyParsed`): members joining, orders
   * paid, refunded and completed (completions and refunds of the last orders come after the last
   * month). Each call starts again from the seed and yields the very same events.
   */
  events(): Generator<EngineEvent, void, undefined>;
  /** The same events in arrays of up to `BATCH` (cheaper to go through than one event at a time). */
  batches(): Generator<readonly EngineEvent[], void, undefined>;
}

/** Events per array of `SyntheticData.batches`. */
export const BATCH = 1024;

/** Validates parameters (InputError `invalid` with the path of the first bad one). */
export function parseDataParams(input: unknown): DataParams {
  const parsed = dataParamsSchema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const { path, message } = firstIssue(parsed.error);
  throw new InputError(fail('invalid', `generator parameters: ${message}`, path));
}

/** Validates the parameters and generates the network; the events come lazily. */
export function syntheticData(input: DataParamsInput = {}): SyntheticData {
  const params = parseDataParams(input);
  const months = monthsFrom(params.start, params.months, params.timezone);
  const network = generateNetwork(params.network, months, params.seed);
  const decimals = currencyDecimals(params.currency);
  const volumes = volumesOf(params, months, network, decimals);
  return {
    params,
    months,
    network,
    members: startingMembers(network),
    volumes,
    orders: volumes.reduce((sum, n) => sum + n, 0),
    events: () => eventsOf(timeline(params, months, network, decimals)),
    batches: () => timeline(params, months, network, decimals),
  };
}

function* eventsOf(batches: Iterable<readonly EngineEvent[]>): Generator<EngineEvent, void, undefined> {
  for (const batch of batches) yield* batch;
}

function volumesOf(params: DataParams, months: readonly Month[], network: SyntheticNetwork, decimals: number): number[] {
  const maker = new OrderMaker(params.orders, network, decimals, params.seed);
  return months.map((month, index) => maker.volume(month, index));
}

/**
 * Merges three streams in time order, one day-long slot after another: members joining (in
 * order of entry), orders (spread evenly over each month with a random offset in their slot of
 * time, so they come sorted), and the completions and refunds they schedule. A follow-up is at
 * least a day after its order, so it always lands in a later slot, which is sorted when reached.
 */
function* timeline(
  params: DataParams,
  months: readonly Month[],
  network: SyntheticNetwork,
  decimals: number,
): Generator<readonly EngineEvent[], void, undefined> {
  const maker = new OrderMaker(params.orders, network, decimals, params.seed);
  // Events go out in arrays: a generator's turn per event was about a twentieth of generating it
  // (the bench's year of 4.1 million events: 3.10 s, then 2.83–2.98 s).
  let batch: EngineEvent[] = [];
  const t0 = months[0]!.start;
  const buckets = new Map<number, FollowUps>();
  /** A follow-up at `at`: an order's completion (its id) or a refund. */
  const later = (at: number, item: string | EngineEvent) => {
    const slot = Math.floor((at - t0) / DAY_MS);
    let bucket = buckets.get(slot);
    if (!bucket) buckets.set(slot, (bucket = { ats: [], items: [] }));
    bucket.ats.push(at);
    bucket.items.push(item);
  };
  let join = network.startSize;
  let month = 0;
  let k = 0;
  let volume = maker.volume(months[0]!, 0);
  let n = 0;
  // Where each order falls in its share of the month: a low-discrepancy sequence (irregular, and
  // independent of the random draws of the orders).
  const offsets = Float64Array.from({ length: 4093 }, (_, i) => ((i * 0.6180339887498949) % 1) * 0.98 + 0.01);
  // The next order's instant (Infinity after the last month).
  const orderAt = (): number => {
    while (month < months.length && k >= volume) {
      month++;
      k = 0;
      if (month < months.length) volume = maker.volume(months[month]!, month);
    }
    if (month >= months.length) return Infinity;
    const { start, end } = months[month]!;
    return start + Math.floor(((k + offsets[k % offsets.length]!) / volume) * (end - start));
  };

  for (let slot = 0; ; slot++) {
    const slotEnd = t0 + (slot + 1) * DAY_MS;
    const bucket = buckets.get(slot);
    const due = bucket === undefined ? NO_FOLLOW_UPS : inTimeOrder(bucket, t0 + slot * DAY_MS);
    buckets.delete(slot);
    let d = 0;
    let nextOrder = orderAt();
    for (;;) {
      const joinAt = join < network.size ? network.joinedAt[join]! : Infinity;
      const dueAt = d < due.length ? bucket!.ats[due[d]!]! : Infinity;
      const next = Math.min(joinAt, dueAt, nextOrder);
      if (next >= slotEnd) break;
      if (joinAt === next) {
        batch.push(joinEvent(network, join++));
      } else if (dueAt === next) {
        const item = bucket!.items[due[d++]!]!;
        batch.push(typeof item === 'string' ? { type: 'order.completed', at: dueAt, order: item } : item);
      } else {
        const order = maker.make(n++, nextOrder);
        k++;
        if (order.refunded) later(order.refunded.at, order.refunded);
        later(order.completedAt, order.paid.order);
        batch.push(order.paid);
        nextOrder = orderAt();
      }
      if (batch.length >= BATCH) {
        yield batch;
        batch = [];
      }
    }
    if (nextOrder === Infinity && join >= network.size && buckets.size === 0) {
      if (batch.length > 0) yield batch;
      return;
    }
  }
}

/** A day's follow-ups as they were scheduled: instants, and an order id (its completion) or a refund. */
interface FollowUps {
  readonly ats: number[];
  readonly items: (string | EngineEvent)[];
}

const NO_FOLLOW_UPS = new Int32Array(0);

/**
 * The positions of a day's follow-ups by instant, stable: each key packs the offset in the day
 * (< 2^27 ms) above the position (< 2^20), exact in a double, so a native numeric sort does it.
 */
function inTimeOrder(followUps: FollowUps, dayStart: number): Int32Array {
  const { ats } = followUps;
  const order = new Int32Array(ats.length);
  if (ats.length >= 1 << 20) {
    const positions = Array.from(ats, (_, i) => i).sort((a, b) => ats[a]! - ats[b]! || a - b);
    order.set(positions);
    return order;
  }
  const keys = new Float64Array(ats.length);
  for (let i = 0; i < ats.length; i++) keys[i] = (ats[i]! - dayStart) * 1_048_576 + i;
  keys.sort();
  for (let i = 0; i < keys.length; i++) order[i] = keys[i]! % 1_048_576;
  return order;
}
