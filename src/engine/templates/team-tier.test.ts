import { describe, expect, it } from 'vitest';
import { parseMoney } from '../../money/money.ts';
import { parseRate } from '../../money/rate.ts';
import { teamTier, tierRate } from './team-tier.ts';
import type { PeriodInput } from './template.ts';

const context = { decimals: 2, timezone: 'Asia/Shanghai' };
const params = (tiers: { min: string; rate: string }[]) => teamTier.params(context).parse({ period: 'month', tiers });
const yuan = (text: string) => parseMoney(text, 2)!;

/** A period close over a tree given as child → parent, with team sales T(m) in fen. */
function close(parents: Record<string, string | null>, team: Record<string, bigint>): PeriodInput {
  return {
    settings: { timezone: 'Asia/Shanghai', currency: 'CNY', decimals: 2 },
    period: '2026-03',
    sales: 0n,
    teamSales: new Map(Object.entries(team)),
    parentOf: (id) => parents[id] ?? null,
    distributors: () =>
      Object.keys(parents).map((id, entrySeq) => ({
        id,
        level: 1,
        role: 'leader' as const,
        entrySeq,
        parent: parents[id] ?? null,
      })),
  };
}

const awards = (input: PeriodInput, tiers: { min: string; rate: string }[]) =>
  Object.fromEntries(teamTier.compute('team', params(tiers), input).map((part) => [part.to, part.amount]));

/** DOMAIN.md, team-tier (团队业绩阶梯): m earns g(m) − Σ g(child), never below zero, g = round(rate(T) × T). */
describe('team-tier', () => {
  const tiers = [
    { min: '10000.00', rate: '3%' },
    { min: '50000.00', rate: '6%' },
    { min: '100000.00', rate: '9%' },
  ];

  it('takes the rate of the highest tier whose min is at most the team sales, inclusive, and 0 below the first', () => {
    const parsed = params(tiers).tiers;
    expect(tierRate(parsed, yuan('9999.99'))).toBe(0n);
    expect(tierRate(parsed, yuan('10000.00'))).toBe(parseRate('3%'));
    expect(tierRate(parsed, yuan('49999.99'))).toBe(parseRate('3%'));
    expect(tierRate(parsed, yuan('50000.00'))).toBe(parseRate('6%'));
    expect(tierRate(parsed, yuan('1000000.00'))).toBe(parseRate('9%'));
  });

  it('pays each distributor its team’s g minus what its children’s teams took (the public scenario 04)', () => {
    const input = close(
      { A: null, B: 'A', C: 'A', D: 'B' },
      { D: yuan('20000.00'), B: yuan('35000.00'), C: yuan('60000.00'), A: yuan('105000.00') },
    );
    expect(awards(input, tiers)).toEqual({ D: yuan('600.00'), B: yuan('450.00'), C: yuan('3600.00'), A: yuan('4800.00') });
  });

  it('sums to the root’s g over a tree when rates rise and nothing rounds', () => {
    const input = close({ A: null, B: 'A', C: 'B' }, { C: yuan('20000.00'), B: yuan('60000.00'), A: yuan('120000.00') });
    const paid = Object.values(awards(input, tiers)).reduce((sum, amount) => sum + amount, 0n);
    expect(paid).toBe(yuan('10800.00')); // 9% × 120000
  });

  it('refuses tiers whose min does not rise', () => {
    expect(() =>
      params([
        { min: '100.00', rate: '1%' },
        { min: '100.00', rate: '2%' },
      ]),
    ).toThrow();
  });

  describe('where the clamp at zero makes a tree pay more than its root’s g (as DOMAIN.md specifies it)', () => {
    it('rounds each child’s g up by half a fen, so two children can take more than their parent’s g', () => {
      // T = 0.01 each: g(child) = round(0.5 fen) = 1 fen; T(A) = 0.02: g(A) = round(1 fen) = 1 fen.
      // A earns max(0, 1 − 2) = 0; the tree pays 2 fen where g(root) is 1 fen.
      const input = close({ A: null, B: 'A', C: 'A' }, { B: 1n, C: 1n, A: 2n });
      expect(awards(input, [{ min: '0.00', rate: '50%' }])).toEqual({ B: 1n, C: 1n });
    });

    it('lets a child in a tier with a higher rate keep its g when its parent’s larger team falls into a lower rate', () => {
      // tier rates need not rise: T(B) = 500 at 10% = 50; T(A) = 1500 at 2% = 30; A earns nothing.
      const input = close({ A: null, B: 'A' }, { B: yuan('500.00'), A: yuan('1500.00') });
      expect(
        awards(input, [
          { min: '0.00', rate: '10%' },
          { min: '1000.00', rate: '2%' },
        ]),
      ).toEqual({ B: yuan('50.00') });
    });
  });
});
