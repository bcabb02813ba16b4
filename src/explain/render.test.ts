import { describe, expect, it } from 'vitest';
import type { AwardRecord } from '../engine/awards.ts';
import type { Explanation } from '../engine/templates/template.ts';
import { LANGS, message, messageKeys } from './messages.ts';
import { explainAward, explainPart, readableFigures } from './render.ts';

const settings = { timezone: 'Asia/Shanghai', currency: 'CNY', decimals: 2 };

/** A differential part: 3% (own rate 8%, 5% paid below) of an exact base of 10001/3 fen: 100.01 fen, rounded to 1.00. */
const gap: Explanation = {
  rule: 'diff',
  template: 'differential',
  to: 'A',
  order: 'O1',
  line: 1,
  base: { kind: 'paid', amount: { num: 10_001n, den: 3n } },
  rate: 30_000n,
  exact: { num: 300_030_000n, den: 3_000_000n },
  amount: 100n,
  position: 2,
  level: 3,
  reason: 'differential.gap',
  facts: { ownRate: '80000', paidBelow: '50000' },
};

describe('readableFigures', () => {
  it('gives money in major units, rates as percentages, and exact values with "…" when they do not terminate', () => {
    expect(readableFigures(gap, 2)).toEqual({
      amount: '1.00',
      exact: '1.0001',
      base: '33.33666666…',
      rate: '3%',
      facts: { ownRate: '8%', paidBelow: '5%' },
    });
  });

  it('formats money facts in the currency’s decimals and leaves ids and counts as they are', () => {
    const pool: Explanation = {
      rule: 'bonus',
      template: 'pool',
      to: 'A',
      period: '2026-03',
      base: { kind: 'teamSales', amount: { num: 1_000_000n, den: 1n } },
      rate: 12_500n,
      exact: { num: 125n * 10n ** 8n, den: 10n ** 6n * 3n },
      amount: 4_167n,
      reason: 'pool.teamSales',
      facts: { pool: '12500', weight: '250000', totalWeight: '750000' },
    };
    expect(readableFigures(pool, 0).facts).toEqual({ pool: '12500', weight: '250000', totalWeight: '750000' });
    expect(readableFigures(pool, 2).facts).toEqual({ pool: '125.00', weight: '2500.00', totalWeight: '7500.00' });
    expect(readableFigures({ ...gap, reason: 'group-buy.recommender', facts: { pickupPoint: 'P7' } }, 2).facts).toEqual({
      pickupPoint: 'P7',
    });
  });

  it('are the figures the sentence shows', () => {
    const figures = readableFigures(gap, 2);
    for (const lang of ['zh-CN', 'en'] as const) {
      const sentence = explainPart(gap, settings, lang);
      for (const figure of [figures.amount, figures.exact, figures.base!, figures.rate!, ...Object.values(figures.facts!)])
        expect(sentence).toContain(figure);
    }
  });
});

/** A part of each reason the templates give, for member M7 (with facts where the sentence has them). */
const PARTS: Explanation[] = [
  { ...gap, to: 'M7', reason: 'multi-level.position', facts: undefined },
  { ...gap, to: 'M7', position: 0, reason: 'multi-level.position', facts: undefined },
  {
    ...gap,
    to: 'M7',
    compressed: { networkPosition: 3, skipped: ['X1'], inactiveDays: 30 },
    reason: 'multi-level.position',
    facts: undefined,
  },
  { ...gap, to: 'M7' },
  { ...gap, to: 'M7', reason: 'differential.peer-of-award', facts: { generation: 1 } },
  { ...gap, to: 'M7', reason: 'differential.peer-of-base', facts: { generation: 2 } },
  { ...gap, to: 'M7', position: 0, reason: 'level-price.margin', unitPrice: 3000n, qty: 2, facts: { paid: '7000' } },
  { ...gap, to: 'M7', reason: 'level-price.gap', unitPrice: 3000n, qty: 2, facts: { lowestBelow: '3500' } },
  { ...gap, to: 'M7', position: undefined, reason: 'group-buy.pickup', facts: undefined },
  { ...gap, to: 'M7', position: undefined, reason: 'group-buy.recommender', facts: { pickupPoint: 'P7' } },
  { ...gap, to: 'M7', position: undefined, reason: 'targeted.per-unit', unitPrice: 50n, qty: 2, facts: undefined },
  { ...gap, to: 'M7', position: undefined, reason: 'targeted.rate', facts: undefined },
  ...(['province', 'city', 'district'] as const).map((kind): Explanation => ({
    ...gap,
    to: 'M7',
    position: undefined,
    reason: `region.${kind}`,
    facts: { code: '33', region: '330106' },
  })),
  {
    ...gap,
    to: 'M7',
    line: undefined,
    position: undefined,
    level: undefined,
    period: '2026-03',
    base: { kind: 'teamSales', amount: { num: 1_000_000n, den: 1n } },
    reason: 'team-tier.differential',
    facts: { teamAward: '30000', childrenAward: '29900' },
  },
  {
    ...gap,
    to: 'M7',
    line: undefined,
    position: undefined,
    level: undefined,
    reason: 'pool.equal',
    facts: { pool: '12500', totalWeight: '3' },
  },
  {
    ...gap,
    to: 'M7',
    line: undefined,
    position: undefined,
    level: undefined,
    reason: 'pool.teamSales',
    facts: { pool: '12500', weight: '250000', totalWeight: '750000' },
  },
  { ...gap, to: 'M7', reason: 'condition.excluded', facts: { when: 'line.qty > 1', wouldBe: '250' } },
  { ...gap, to: 'M7', reason: 'condition.error', facts: { when: 'line.category == "x"', error: 'No such key', wouldBe: '250' } },
];

/** Every decimal number of a sentence not followed by the currency (rates are followed by "%"). */
const bareAmounts = (sentence: string): string[] => sentence.match(/\d+\.\d+…?(?![\d…%])(?! CNY)/g) ?? [];

describe('explanation wording', () => {
  it('says every amount of a line with its currency, as the total says it, and rates as rates', () => {
    expect(explainPart(gap, settings, 'zh-CN')).toBe(
      '  第 1 行：A 是卖家往上第 2 位，当时等级 3。该等级比例 8%，下方已拿走 5%，得级差 3%：实付金额 33.33666666… CNY × 3%，精确值 1.0001 CNY，四舍五入到分为 1.00 CNY。',
    );
    expect(explainPart(gap, settings, 'en')).toBe(
      '  Line 1: Because A is 2 above the seller in the chain, at level 3 then: that level pays 8%, 5% was already paid below, so A gets the difference 3% of the paid amount 33.33666666… CNY: exactly 1.0001 CNY, rounded half-up to 1.00 CNY.',
    );
    for (const lang of LANGS)
      for (const part of PARTS) {
        const sentence = explainPart(part, settings, lang);
        expect(bareAmounts(sentence), `${lang} ${part.reason}: ${sentence}`).toEqual([]);
        expect(sentence, `${lang} ${part.reason}`).not.toMatch(/\{\w+\}/);
      }
    // The money facts and unit prices too, in a currency without decimals as well.
    const yen = { ...settings, currency: 'JPY', decimals: 0 };
    const gapPrice = PARTS.find((part) => part.reason === 'level-price.gap')!;
    expect(explainPart(gapPrice, yen, 'en')).toContain('unit price 3000 JPY is below the lowest price below it, 3500 JPY');
    expect(explainPart(gapPrice, settings, 'zh-CN')).toContain('拿货价 30.00 CNY 低于下方最低价 35.00 CNY');
  });

  it('names the member rather than addressing the reader: an operator reads it too', () => {
    for (const lang of LANGS)
      for (const key of messageKeys(lang)) {
        const text = message(lang, key);
        if (lang === 'zh-CN') expect(text, key).not.toMatch(/你|您/);
        else expect(text, key).not.toMatch(/\b(you|your|yours|yourself)\b/i);
      }
    for (const lang of LANGS)
      for (const part of PARTS.filter((p) => !p.reason.startsWith('condition.') && !p.reason.startsWith('pool.equal'))) {
        expect(explainPart(part, settings, lang), `${lang} ${part.reason}`).toContain('M7');
      }
    expect(explainPart(PARTS[1]!, settings, 'zh-CN')).toContain('M7 是这笔订单的卖家（链条第 1 位）');
    expect(explainPart(PARTS[2]!, settings, 'en')).toContain(
      'M7 is 2 above the seller in the chain as compression counts it (in the network M7 is 3 above the seller; skipped in between for no activity in the 30 days before payment: X1)',
    );
  });

  /** An award of M7 on O1 under `diff`, refunded to zero: paid 1.00, then adjusted by -1.00 after refund R1. */
  const award: AwardRecord = {
    to: 'M7',
    order: 'O1',
    rule: 'diff',
    amount: 0n,
    status: 'pending',
    explanations: [],
    orderNetPaid: 7000n,
    changes: [
      { at: Date.parse('2026-03-01T02:00:00Z'), delta: 100n, cause: 'order.paid' },
      { at: Date.parse('2026-03-02T02:00:00Z'), delta: -100n, cause: 'refund R1' },
    ],
  };

  it('explains a whole award the same way: the total, each line, why nothing is left, and the history', () => {
    expect(explainAward(award, settings, 'zh-CN', { template: 'differential' })).toEqual([
      'M7 在订单 O1 上按规则「diff」（级差+平级奖）获得 0.00 CNY，状态：待结算（冻结中）。',
      '  订单仍有未退款的部分，但按退款后的明细，本规则已不再给 M7 计奖：计奖的行已全部退款，或其计奖基数（如利润）已不大于零。此奖励净额为零。',
      '变动记录：',
      '  2026-03-01 10:00：入账 +1.00 CNY。',
      '  2026-03-02 10:00：退款 R1 后调整 -1.00 CNY。',
    ]);
    const lines = explainAward({ ...award, amount: 100n, explanations: [{ ...gap, to: 'M7' }] }, settings, 'en');
    for (const line of lines) expect(bareAmounts(line), line).toEqual([]);
    expect(lines.join('\n')).not.toMatch(/\byou\b/i);
  });

  it('names the rule by its plan name first where the plan gives one, then its id and template', () => {
    const named = { template: 'differential', name: '级差奖' };
    expect(explainAward(award, settings, 'zh-CN', named)[0]).toBe(
      'M7 在订单 O1 上按规则「级差奖」（diff，级差+平级奖）获得 0.00 CNY，状态：待结算（冻结中）。',
    );
    expect(explainAward(award, settings, 'en', { template: 'differential', name: 'Tier bonus' })[0]).toBe(
      'M7 earned 0.00 CNY on order O1 under rule "Tier bonus" (diff, differential + peer); status: pending (frozen).',
    );
    // A name equal to the id, or none, names the rule once.
    expect(explainAward(award, settings, 'en', { template: 'differential', name: 'diff' })[0]).toContain(
      'under rule "diff" (differential',
    );
    expect(explainAward(award, settings, 'en', { template: 'differential', name: null })[0]).toContain(
      'under rule "diff" (differential',
    );
  });
});
