import { describe, expect, it } from 'vitest';
import { LIMITS } from '../engine/cel/environment.ts';
import { conditionFindings } from './conditions.ts';
import { hasRefusal, lintPlanSource } from './lint.ts';

const settings = { timezone: 'Asia/Shanghai', currency: 'CNY', decimals: 2 };
const campaign = (when: string) => ({
  templates: [
    { id: 'direct', template: 'multi-level', params: { rates: ['10%'] } },
    { id: 'dairy', template: 'targeted', when, params: { from: '2026-05-01', to: '2026-06-01', rate: '5%' } },
  ],
});

describe('plan lint on `when:` conditions', () => {
  it('has no finding for a condition that type-checks, and lints the plan under the profile as usual', () => {
    const findings = lintPlanSource(campaign('line.category == "dairy" && seller.level >= 2'), settings);
    expect(findings).toEqual([]);
  });

  it('refuses a syntax error, pointing at where the expression breaks off', () => {
    const [finding] = conditionFindings(campaign('line.category == "dairy" && (seller.level >= 2'));
    expect(finding).toMatchObject({
      code: 'cel_syntax_error',
      severity: 'refuse',
      template: 'dairy',
      path: ['templates', 1, 'when'],
      at: { line: 1, column: 47 },
    });
  });

  it('refuses a type error, naming the template and the offending sub-expression', () => {
    const findings = lintPlanSource(campaign('line.category == "dairy" && seller.level >= "2"'), settings);
    expect(findings).toEqual([
      {
        code: 'cel_type_error',
        severity: 'refuse',
        template: 'dairy',
        path: ['templates', 1, 'when'],
        message: 'when: cel_type_error at 1:29 (`seller.level >= "2"`): no such overload: int >= string',
        at: {
          line: 1,
          column: 29,
          excerpt: 'seller.level >= "2"',
          pointer: 'line.category == "dairy" && seller.level >= "2"\n                            ^^^^^^^^^^^^^^^^^^^',
        },
      },
    ]);
    expect(hasRefusal(findings)).toBe(true);
  });

  it('refuses an unknown variable, listing those a template of that kind has', () => {
    const [finding] = conditionFindings(campaign('line.category == "dairy" && buyer.level >= 2'));
    expect(finding).toMatchObject({ code: 'cel_unknown_variable', template: 'dairy', at: { column: 29, excerpt: 'buyer' } });
    expect(finding!.message).toContain('order templates have: line, order, seller, beneficiary');
  });

  it('refuses a condition longer than the limit', () => {
    const long = `line.sku in [${Array.from({ length: 120 }, (_, i) => `"SKU-${String(i).padStart(4, '0')}"`).join(', ')}]`;
    expect(long.length).toBeGreaterThan(LIMITS.maxLength);
    expect(conditionFindings(campaign(long))).toMatchObject([{ code: 'cel_too_long', template: 'dairy', severity: 'refuse' }]);
  });

  it('checks each condition for its kind of template and reports all of them', () => {
    const plan = {
      templates: [
        { id: 'pool', template: 'pool', when: 'line.amount > 0', params: { period: 'month', share: '1%' } },
        { id: 'ml', template: 'multi-level', when: 'member.level >= 2', params: { rates: ['10%'] } },
      ],
    };
    expect(conditionFindings(plan).map((f) => [f.template, f.code, f.message.split('; ')[1]])).toEqual([
      ['pool', 'cel_unknown_variable', 'period templates have: member, period'],
      ['ml', 'cel_unknown_variable', 'order templates have: line, order, seller, beneficiary'],
    ]);
  });
});
