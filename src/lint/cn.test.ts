import { describe, expect, it } from 'vitest';
import { compilePlan } from '../engine/engine.ts';
import { lintPlan, parseSeverities } from './lint.ts';

const settings = { timezone: 'Asia/Shanghai', currency: 'CNY', decimals: 2 };
const lint = (plan: Record<string, unknown>) => lintPlan(compilePlan(plan, settings), 'cn');
const entryPackage = { role: 'leader', level: 1, when: { bought: { sku: 'starter-kit', qty: 1 } } };
const targeted = (params: Record<string, unknown>, when?: string) => ({
  id: 'kit',
  template: 'targeted',
  params: { from: '2026-01-01', to: '2027-01-01', perUnit: '50.00', ...params },
  ...(when ? { when } : {}),
});

/** DOMAIN.md, "Compliance (profile `cn`)": each finding names the template and the reason. */
describe('profile cn', () => {
  it('names the recruiting rule for an entry fee', () => {
    const findings = lint({ recruit: entryPackage, templates: [] });
    expect(findings).toEqual([
      expect.objectContaining({ code: 'entry-fee', severity: 'refuse', template: 'recruit', path: ['recruit', 'when'] }),
    ]);
  });

  it('finds money per recruit in any template paying on the entry package', () => {
    const pays = (template: Record<string, unknown>) =>
      lint({ recruit: entryPackage, templates: [template] }).some((f) => f.code === 'recruit-reward' && f.template === 'kit');
    expect(pays(targeted({ skus: ['starter-kit'] }))).toBe(true);
    expect(pays(targeted({}))).toBe(true); // no filter: every SKU, the package too
    expect(pays(targeted({}, 'line.sku == "starter-kit"'))).toBe(true);
    expect(pays({ id: 'kit', template: 'multi-level', params: { rates: ['10%'] }, when: 'line.sku == "starter-kit"' })).toBe(
      true,
    );
    expect(pays(targeted({ skus: ['milk'] }))).toBe(false);
    // A condition that leaves the package out does not pay on it.
    expect(pays(targeted({}, 'line.sku != "starter-kit"'))).toBe(false);
    expect(pays({ id: 'kit', template: 'multi-level', params: { rates: ['10%'] }, when: '!(line.sku == "starter-kit")' })).toBe(
      false,
    );
    expect(pays(targeted({ categories: ['dairy'] }))).toBe(false);
  });

  it('names the templates whose rates add up above 30% of a sale', () => {
    const findings = lint({
      templates: [
        { id: 'ml', template: 'multi-level', params: { rates: ['20%', '5%'] } },
        { id: 'promo', template: 'targeted', params: { from: '2026-01-01', to: '2026-02-01', rate: '6%' } },
      ],
    });
    const over = findings.find((f) => f.code === 'payout-over-30');
    expect(over).toMatchObject({ severity: 'warn', template: 'ml+promo' });
    expect(over?.message).toContain('31%');
  });
});

describe('members of one chain paid for one sale (at most 3, seller included)', () => {
  const most = (templates: Record<string, unknown>[]) => {
    const over = lint({ templates }).find((f) => f.code === 'chain-over-3');
    return over ? Number(/up to (\d+) members/.exec(over.message)![1]) : 'at most 3';
  };
  const ml = (...rates: string[]) => ({ id: 'ml', template: 'multi-level', params: { rates } });
  const diff = (rates: Record<string, string>) => ({ id: 'diff', template: 'differential', params: { rates } });

  it('counts a differential step above a seller it leaves unpaid (a level without a rate)', () => {
    // A level-1 seller: ml pays it and its upline; diff pays a level-2 and a level-3 member above.
    expect(most([ml('5%', '3%'), diff({ 2: '5%', 3: '10%' })])).toBe(4);
    expect(most([ml('33%'), diff({ 2: '5%', 3: '10%' })])).toBe('at most 3');
  });

  it('counts the seller once, whichever templates pay it', () => {
    expect(most([diff({ 1: '5%', 2: '9%', 3: '12%' })])).toBe('at most 3');
    expect(most([ml('10%', '5%', '2%')])).toBe('at most 3');
    expect(
      most([
        ml('10%', '5%'),
        { id: 'promo', template: 'targeted', params: { from: '2026-01-01', to: '2026-02-01', rate: '3%' } },
      ]),
    ).toBe('at most 3');
    expect(most([ml('10%', '5%', '2%'), diff({ 3: '1%' })])).toBe(4);
  });

  it('counts once the members that several templates pay: multi-level positions, differentials of one shape', () => {
    const named = (id: string, template: Record<string, unknown>) => ({ ...template, id });
    // Both pay the seller, its parent and grandparent: three members, not five.
    expect(most([named('base', ml('5%', '3%', '2%')), named('campaign', ml('1%', '1%'))])).toBe('at most 3');
    expect(most([named('a', ml('0%', '3%', '2%')), named('b', ml('1%'))])).toBe('at most 3');
    expect(most([named('a', ml('1%', '0%', '0%')), named('b', ml('0%', '1%')), named('c', ml('0%', '0%', '1%', '1%'))])).toBe(4);
    // The same levels with their rates in the same order pay the same members, whatever the rates.
    expect(most([named('d1', diff({ 1: '10%', 2: '20%' })), named('d2', diff({ 1: '1%', 2: '2%' }))])).toBe('at most 3');
    expect(most([named('d1', diff({ 1: '10%', 2: '20%' })), named('d2', diff({ 2: '1%', 3: '2%' }))])).toBe(4);
  });

  it('names every template that adds to the count, also when each pays one member', () => {
    const single = (level: number) => ({ id: `d${level}`, template: 'differential', params: { rates: { [level]: '1%' } } });
    const over = lint({ templates: [1, 2, 3, 4].map(single) }).find((f) => f.code === 'chain-over-3');
    expect(over?.template).toBe('d1+d2+d3+d4');
  });
});

describe('severity overrides', () => {
  it('are rules of the profile set to warn or refuse', () => {
    expect(parseSeverities(['chain-over-3=warn', 'team-pay-unbounded=refuse'])).toEqual({
      'chain-over-3': 'warn',
      'team-pay-unbounded': 'refuse',
    });
  });

  it('refuse anything else with the reason, so that no refusal is dropped without a word', () => {
    for (const pair of ['chain-over-3=bogus', 'chain-over-3=Warn', 'chain-over-3', 'no-such-rule=warn', 'chain-over-3=warn=x'])
      expect(parseSeverities([pair]), pair).toHaveProperty('refused');
    expect(parseSeverities([], 'xx')).toHaveProperty('refused');
  });
});

describe('profile cn in Chinese', () => {
  it('gives every finding its message in Simplified Chinese too, with the same figures', () => {
    const findings = [
      ...lint({ recruit: entryPackage, templates: [targeted({ skus: ['starter-kit'] })] }),
      ...lint({
        templates: [
          { id: 'ml', template: 'multi-level', params: { rates: ['20%', '10%', '5%', '2%'] } },
          { id: 'team', template: 'team-tier', params: { period: 'month', tiers: [{ min: '0.00', rate: '1%' }] } },
        ],
      }),
    ];
    expect(new Set(findings.map((f) => f.code))).toEqual(
      new Set(['entry-fee', 'recruit-reward', 'multi-level-over-3', 'team-pay-unbounded', 'chain-over-3', 'payout-over-30']),
    );
    for (const finding of findings) {
      expect(finding.messageZh, finding.code).toMatch(/[\u4e00-\u9fff]/);
      // The numbers of the English message are the Chinese one's (rates, counts).
      const figures = (text: string) => (text.match(/\d+(\.\d+)?%?/g) ?? []).sort();
      expect(figures(finding.messageZh!), finding.code).toEqual(figures(finding.message));
    }
  });
});
