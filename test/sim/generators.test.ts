import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../src/domain/types.ts';
import { InputError } from '../../src/domain/errors.ts';
import { lastMonthOfPeriod, monthIndex, monthsFrom } from '../../src/sim/months.ts';
import { describeNetwork } from '../../src/sim/network.ts';
import { syntheticData, type DataParamsInput } from '../../src/sim/timeline.ts';

const SMALL: DataParamsInput = { seed: 42, months: 3, network: { members: 3_000 }, orders: { ordersPerMonth: 2_000 } };

/** A digest of every event, amounts and instants included. */
function digest(events: Iterable<EngineEvent>): { hash: string; count: number } {
  const hash = createHash('sha256');
  let count = 0;
  for (const event of events) {
    hash.update(JSON.stringify(event, (_key, value) => (typeof value === 'bigint' ? `${value}n` : value)));
    count++;
  }
  return { hash: hash.digest('hex'), count };
}

describe('the synthetic network and order generators', () => {
  it('are reproducible by seed: the same seed gives the same network and events, another seed others', () => {
    const a = syntheticData(SMALL);
    const b = syntheticData(SMALL);
    expect(Array.from(b.network.parent)).toEqual(Array.from(a.network.parent));
    expect(Array.from(b.network.level)).toEqual(Array.from(a.network.level));
    expect(Array.from(b.network.inactiveFrom)).toEqual(Array.from(a.network.inactiveFrom));
    expect(b.members).toEqual(a.members);
    const first = digest(a.events());
    expect(digest(a.events())).toEqual(first); // a second pass over the same data
    expect(digest(b.events())).toEqual(first);
    const other = syntheticData({ ...SMALL, seed: 43 });
    expect(digest(other.events()).hash).not.toBe(first.hash);
  });

  it('keep the network apart from the orders: other order parameters leave the network as it was', () => {
    const a = syntheticData(SMALL);
    const b = syntheticData({ ...SMALL, orders: { ordersPerMonth: 500, refundRate: 0.2 } });
    expect(Array.from(b.network.parent)).toEqual(Array.from(a.network.parent));
  });

  it('validate their parameters with defaults and refuse bad ones with the path', () => {
    const data = syntheticData({ months: 1, network: { members: 100 }, orders: { ordersPerMonth: 10 } });
    expect(data.params.orders.refundRate).toBe(0.05);
    expect(data.params.network.levelMix).toEqual([0.8, 0.15, 0.05]);
    for (const bad of [
      { network: { members: 0 } },
      { orders: { refundRate: 2 } },
      { start: '2026-13' },
      { orders: { completionDays: { min: 9, max: 3 } } },
      { nonsense: 1 },
    ]) {
      let error: unknown;
      try {
        syntheticData(bad as DataParamsInput);
      } catch (caught) {
        error = caught;
      }
      expect(error, JSON.stringify(bad)).toBeInstanceOf(InputError);
      expect((error as InputError).error.code).toBe('invalid');
    }
  });

  it('grow a tree within the depth limit, parents are earlier distributors, fan-out is skewed by preferential attachment', () => {
    const params = {
      seed: 7,
      months: 6,
      network: { members: 20_000, maxDepth: 8, distributorShare: 0.25 },
      orders: { ordersPerMonth: 0 },
    };
    const { network } = syntheticData(params);
    const wrong: number[] = [];
    for (let i = 0; i < network.size; i++) {
      const p = network.parent[i]!;
      if (p >= 0 && !(p < i && network.distributor[p] === 1 && network.joinedAt[p]! <= network.joinedAt[i]!)) wrong.push(i);
    }
    expect(wrong).toEqual([]);
    const facts = describeNetwork(network);
    expect(facts.maxDepth).toBeLessThanOrEqual(8);
    expect(facts.distributors / facts.members).toBeCloseTo(0.25, 1);
    expect(facts.joined).toBeGreaterThan(0);
    expect(facts.churned).toBeGreaterThan(0);
    const uniform = describeNetwork(syntheticData({ ...params, network: { ...params.network, attachment: 0 } }).network);
    expect(facts.topFanOutShare).toBeGreaterThan(uniform.topFanOutShare * 1.5);
    expect(facts.largestFanOut).toBeGreaterThan(uniform.largestFanOut);
  });

  it('make events in time order: joins before their orders, refunds before completions, volumes by month with seasonality', () => {
    const data = syntheticData({ ...SMALL, months: 12, orders: { ordersPerMonth: 500, refundRate: 0.1 } });
    const joined = new Set(data.members.map((member) => member.id));
    const paid = new Map<string, number>();
    const perMonth = new Array<number>(12).fill(0);
    let refunds = 0;
    let last = -Infinity;
    const completed = new Set<string>();
    for (const event of data.events()) {
      expect(event.at).toBeGreaterThanOrEqual(last);
      last = event.at;
      if (event.type === 'member.joined') joined.add(event.member.id);
      if (event.type === 'order.paid') {
        expect(joined.has(event.buyer)).toBe(true);
        paid.set(event.order, event.at);
        perMonth[monthIndex(data.months, event.at)]! += 1;
        expect(event.lines.length).toBeGreaterThanOrEqual(1);
        for (const line of event.lines) expect(line.paid).toBeGreaterThan(0n);
      }
      if (event.type === 'order.refunded') {
        refunds++;
        expect(completed.has(event.order)).toBe(false);
        expect(event.at - paid.get(event.order)!).toBeGreaterThanOrEqual(86_400_000);
      }
      if (event.type === 'order.completed') completed.add(event.order);
    }
    expect(perMonth).toEqual(data.volumes);
    expect(completed.size).toBe(paid.size);
    expect(refunds / paid.size).toBeCloseTo(0.1, 1);
    // November (Double 11) sells more than February (Spring Festival), by the seasonality given.
    expect(perMonth[10]! / perMonth[1]!).toBeCloseTo(1.35 / 0.75, 1);
  });

  it('draw log-normal unit prices around the median given', () => {
    const data = syntheticData({
      seed: 3,
      months: 1,
      network: { members: 500 },
      orders: { ordersPerMonth: 20_000, skus: 5_000, skuSkew: 1, qty: { mean: 1, max: 1 }, price: { median: 80, sigma: 0.6 } },
    });
    const prices: number[] = [];
    for (const event of data.events())
      if (event.type === 'order.paid') for (const line of event.lines) prices.push(Number(line.paid) / line.qty / 100);
    prices.sort((a, b) => a - b);
    const median = prices[prices.length >> 1]!;
    expect(median).toBeGreaterThan(70);
    expect(median).toBeLessThan(90);
    const logs = prices.map(Math.log);
    const mean = logs.reduce((s, v) => s + v, 0) / logs.length;
    const sd = Math.sqrt(logs.reduce((s, v) => s + (v - mean) ** 2, 0) / logs.length);
    expect(sd).toBeCloseTo(0.6, 1);
  });
});

describe('months', () => {
  it('are calendar months of the zone, and periods end in their last month', () => {
    const months = monthsFrom('2026-11', 3, 'Asia/Shanghai');
    expect(months.map((m) => m.label)).toEqual(['2026-11', '2026-12', '2027-01']);
    expect(months[0]!.start).toBe(Date.parse('2026-11-01T00:00:00+08:00'));
    expect(monthIndex(months, Date.parse('2026-12-31T23:59:59+08:00'))).toBe(1);
    expect(monthIndex(months, Date.parse('2027-02-01T00:00:00+08:00'))).toBe(-1);
    expect(lastMonthOfPeriod('2026-Q1')).toBe('2026-03');
    expect(lastMonthOfPeriod('2026')).toBe('2026-12');
    expect(lastMonthOfPeriod('2026-07')).toBe('2026-07');
  });
});
