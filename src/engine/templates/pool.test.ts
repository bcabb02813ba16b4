import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRate } from '../../money/rate.ts';
import { pool, splitLargestRemainder } from './pool.ts';
import type { PeriodInput, PeriodMember } from './template.ts';

const member = (id: string, entrySeq: number, level = 1, parent: string | null = null): PeriodMember => ({
  id,
  level,
  role: 'leader',
  entrySeq,
  parent,
});
const weighted = (id: string, entrySeq: number, weight: bigint) => ({ member: member(id, entrySeq), weight });
const split = (total: bigint, entries: ReturnType<typeof weighted>[]) =>
  Object.fromEntries(
    splitLargestRemainder(
      total,
      entries,
      entries.reduce((sum, e) => sum + e.weight, 0n),
    ).map(([entry, amount]) => [entry.member.id, amount]),
  );

/** DOMAIN.md, pool (分红): largest remainder so that the parts sum exactly; ties to the earliest entry. */
describe('splitLargestRemainder', () => {
  it('splits evenly when the total divides', () => {
    expect(split(900n, [weighted('A', 0, 1n), weighted('B', 1, 1n), weighted('C', 2, 1n)])).toEqual({
      A: 300n,
      B: 300n,
      C: 300n,
    });
  });

  it('gives the units left after flooring to the largest remainders', () => {
    // 100 × 1/6 = 16.67, × 2/6 = 33.33, × 3/6 = 50 → floors 16 + 33 + 50 = 99; A has the largest remainder
    expect(split(100n, [weighted('A', 0, 1n), weighted('B', 1, 2n), weighted('C', 2, 3n)])).toEqual({ A: 17n, B: 33n, C: 50n });
  });

  it('breaks equal remainders in favour of the member who entered the network first', () => {
    expect(split(10n, [weighted('A', 0, 1n), weighted('B', 1, 1n), weighted('C', 2, 1n)])).toEqual({ A: 4n, B: 3n, C: 3n });
    expect(split(11n, [weighted('A', 0, 1n), weighted('B', 1, 1n), weighted('C', 2, 1n)])).toEqual({ A: 4n, B: 4n, C: 3n });
  });

  it('breaks ties by entry order, not by the order the members are listed in', () => {
    expect(split(10n, [weighted('late', 7, 1n), weighted('early', 2, 1n), weighted('middle', 5, 1n)])).toEqual({
      early: 4n,
      middle: 3n,
      late: 3n,
    });
  });

  it('leaves out members whose part rounds to nothing', () => {
    expect(split(2n, [weighted('A', 0, 1n), weighted('B', 1, 1n), weighted('C', 2, 1n)])).toEqual({ A: 1n, B: 1n });
  });

  it('always sums exactly to the total, each part within one unit of its exact share', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 13n }),
        fc.array(fc.bigInt({ min: 1n, max: 10n ** 9n }), { minLength: 1, maxLength: 12 }),
        fc.infiniteStream(fc.nat()),
        (total, weights, seqs) => {
          const entries = weights.map((weight, index) => weighted(`M${index}`, seqs.next().value, weight));
          const totalWeight = weights.reduce((sum, w) => sum + w, 0n);
          const parts = splitLargestRemainder(total, entries, totalWeight);
          expect(parts.reduce((sum, [, amount]) => sum + amount, 0n)).toBe(total);
          for (const [entry, amount] of parts) {
            const exactTimesWeight = total * entry.weight; // share × totalWeight
            expect(amount * totalWeight > exactTimesWeight - totalWeight).toBe(true);
            expect(amount * totalWeight < exactTimesWeight + totalWeight).toBe(true);
            expect(amount > 0n).toBe(true);
          }
        },
      ),
    );
  });

  it('never lets a member with a smaller remainder get an extra unit before one with a larger remainder', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 6n }),
        fc.array(fc.bigInt({ min: 1n, max: 1000n }), { minLength: 2, maxLength: 8 }),
        (total, weights) => {
          const entries = weights.map((weight, index) => weighted(`M${index}`, index, weight));
          const totalWeight = weights.reduce((sum, w) => sum + w, 0n);
          const amounts = new Map(splitLargestRemainder(total, entries, totalWeight).map(([e, amount]) => [e.member.id, amount]));
          const info = entries.map((entry) => {
            const floor = (total * entry.weight) / totalWeight;
            const amount = amounts.get(entry.member.id) ?? 0n;
            return { seq: entry.member.entrySeq, remainder: (total * entry.weight) % totalWeight, extra: amount - floor };
          });
          for (const a of info) {
            expect(a.extra === 0n || a.extra === 1n).toBe(true);
            for (const b of info) {
              // a got the extra unit and b did not: a's remainder is larger, or equal and a entered first
              if (a.extra === 1n && b.extra === 0n)
                expect(a.remainder > b.remainder || (a.remainder === b.remainder && a.seq < b.seq)).toBe(true);
            }
          }
        },
      ),
    );
  });
});

describe('pool template', () => {
  const params = (overrides: Record<string, unknown> = {}) =>
    pool.params({ decimals: 2, timezone: 'Asia/Shanghai' }).parse({ period: 'month', share: '3%', ...overrides });

  const input = (sales: bigint, members: PeriodMember[], teamSales: Record<string, bigint> = {}): PeriodInput => ({
    settings: { timezone: 'Asia/Shanghai', currency: 'CNY', decimals: 2 },
    period: '2026-03',
    sales,
    teamSales: new Map(Object.entries(teamSales)),
    distributors: () => members,
    parentOf: (id) => members.find((m) => m.id === id)?.parent ?? null,
  });

  const amounts = (parts: ReturnType<typeof pool.compute>) => Object.fromEntries(parts.map((part) => [part.to, part.amount]));

  it('pays round(share × period sales) split equally among eligible distributors', () => {
    // 3% × 1000.01 = 30.0003 → 30.00, split 3 ways = 10.00 each
    const parts = pool.compute('p', params(), input(100_001n, [member('A', 0), member('B', 1), member('C', 2)]));
    expect(amounts(parts)).toEqual({ A: 1000n, B: 1000n, C: 1000n });
  });

  it('pays only distributors of at least minLevel', () => {
    const parts = pool.compute(
      'p',
      params({ minLevel: 2 }),
      input(100_000n, [member('A', 0, 1), member('B', 1, 2), member('C', 2, 3)]),
    );
    expect(amounts(parts)).toEqual({ B: 1500n, C: 1500n });
  });

  it('weighs by team sales when asked, leaving out distributors without team sales', () => {
    const parts = pool.compute(
      'p',
      params({ weight: 'teamSales', share: '10%' }),
      input(100n, [member('A', 0), member('B', 1, 1, 'A'), member('C', 2)], { A: 200n, B: 100n }),
    );
    // pool 10 fen: A 200/300 → 6.67, B 100/300 → 3.33 → A 7, B 3
    expect(amounts(parts)).toEqual({ A: 7n, B: 3n });
  });

  it('pays nothing when no one is eligible, every weight is zero, or the period sold nothing', () => {
    expect(pool.compute('p', params({ minLevel: 5 }), input(100_000n, [member('A', 0)]))).toEqual([]);
    expect(pool.compute('p', params({ weight: 'teamSales' }), input(100_000n, [member('A', 0)]))).toEqual([]);
    expect(pool.compute('p', params(), input(0n, [member('A', 0)]))).toEqual([]);
  });

  it('explains each part with the pool, the member’s weight and the total weight', () => {
    const [part] = pool.compute('p', params({ share: '50%' }), input(3n, [member('A', 0), member('B', 1)]));
    // 50% × 3 fen = 1.5 → 2 fen, one each
    expect(part!.explanation).toMatchObject({
      rule: 'p',
      template: 'pool',
      period: '2026-03',
      rate: parseRate('50%'),
      reason: 'pool.equal',
      facts: { pool: '2', weight: '1', totalWeight: '2' },
    });
  });
});
