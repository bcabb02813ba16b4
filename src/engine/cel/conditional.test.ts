import { describe, expect, it } from 'vitest';
import { explainAward } from '../../explain/render.ts';
import { summarize } from '../../scenario/run.ts';
import { compilePlan, Engine } from '../engine.ts';
import { estimate } from '../estimate.ts';
import { TEMPLATES } from '../templates/registry.ts';

const settings = { timezone: 'Asia/Shanghai', currency: 'CNY', decimals: 2 };

function run(templates: unknown[], members: unknown[], events: Record<string, unknown>[]) {
  const engine = Engine.create({ ...settings, plan: { templates }, members });
  for (const event of events) expect(engine.apply(event).status, JSON.stringify(event)).not.toBe('rejected');
  return { engine, ...summarize(engine) };
}

const network = [
  { id: 'A', role: 'branch', level: 3, regions: ['33'] },
  { id: 'B', role: 'leader', level: 1, parent: 'A' },
  { id: 'c', role: 'customer', parent: 'B' },
];
const paid = (order: string, lines: unknown[], extra: Record<string, unknown> = {}) => ({
  type: 'order.paid',
  at: '2026-05-02T10:00:00+08:00',
  order,
  buyer: 'c',
  lines,
  ...extra,
});
const line = (n: number, amount: string, category?: string) => ({
  line: n,
  sku: `s${n}`,
  qty: 1,
  paid: amount,
  ...(category ? { category } : {}),
});
const why = (engine: Engine, to: string, order: string, rule: string, lang: 'en' | 'zh-CN' = 'en') =>
  explainAward(
    [...engine.state.awards.all()].find((a) => a.to === to && a.order === order && a.rule === rule)!,
    engine.settings,
    lang,
  );

describe('templates with a `when:` condition', () => {
  it('costs nothing without one: a template without a condition is the template itself, not a wrapper', () => {
    const plan = compilePlan(
      {
        templates: [
          { id: 'plain', template: 'multi-level', params: { rates: ['10%'] } },
          { id: 'cond', template: 'multi-level', when: 'seller.level >= 2', params: { rates: ['10%'] } },
        ],
      },
      settings,
    );
    expect(plan.templates[0]!.template).toBe(TEMPLATES['multi-level']);
    expect(plan.templates[1]!.template).not.toBe(TEMPLATES['multi-level']);
    expect(plan.templates[1]!.condition?.source).toBe('seller.level >= 2');
  });

  it('refuses to load a plan whose condition does not type-check, naming the template and the place', () => {
    expect(() =>
      compilePlan(
        {
          templates: [
            {
              id: 'd',
              template: 'targeted',
              when: 'seller.level >= "2"',
              params: { from: '2026-05-01', to: '2026-06-01', rate: '5%' },
            },
          ],
        },
        settings,
      ),
    ).toThrow(/targeted "d": when: cel_type_error at 1:1 \(`seller.level >= "2"`\)/);
  });

  it('counts an evaluation error as false, the same on every run, and says so when asked why', () => {
    // line 2 has no category: reading it is an error, so the line is left out (not an exception)
    const { engine, awards } = run(
      [{ id: 'ml', template: 'multi-level', when: 'line.category != "tobacco"', params: { rates: ['10%'] } }],
      network,
      [paid('O1', [line(1, '100.00', 'dairy'), line(2, '50.00')])],
    );
    expect(awards).toEqual([{ to: 'B', order: 'O1', rule: 'ml', amount: '10.00', status: 'pending' }]);
    const lines = why(engine, 'B', 'O1', 'ml');
    expect(lines[1]).toContain('The rule\'s condition `line.category != "tobacco"` held.');
    expect(lines[2]).toBe(
      '  Line 2: The rule\'s condition `line.category != "tobacco"` could not be evaluated here (No such key: category), which counts as not holding, so the rule left this out (it would have paid 5.00 CNY).',
    );
    expect(why(engine, 'B', 'O1', 'ml', 'zh-CN')[2]).toContain('无法求值（No such key: category），按不成立处理');
  });

  it('tests a field that may be missing with has()', () => {
    const { awards } = run(
      [
        {
          id: 'ml',
          template: 'multi-level',
          when: '!has(line.category) || line.category != "tobacco"',
          params: { rates: ['10%'] },
        },
      ],
      network,
      [paid('O1', [line(1, '100.00', 'tobacco'), line(2, '50.00')])],
    );
    expect(awards).toEqual([{ to: 'B', order: 'O1', rule: 'ml', amount: '5.00', status: 'pending' }]);
  });

  it('leaves out a payee for whom a beneficiary condition is false; nobody else gets its share', () => {
    const { engine, awards } = run(
      [{ id: 'ml', template: 'multi-level', when: 'beneficiary.role == "branch"', params: { rates: ['10%', '5%'] } }],
      network,
      [paid('O1', [line(1, '100.00')])],
    );
    expect(awards).toEqual([{ to: 'A', order: 'O1', rule: 'ml', amount: '5.00', status: 'pending' }]);
    expect(why(engine, 'A', 'O1', 'ml')[1]).toContain('`beneficiary.role == "branch"` held');
  });

  it('judges an order without a seller too: has(seller.id) is false, and a payee outside the chain is known by id only', () => {
    const { awards } = run(
      [
        { id: 'guests', template: 'region', when: '!has(seller.id)', params: { rates: { province: '2%' } } },
        {
          id: 'branches',
          template: 'region',
          when: 'beneficiary.id == "A" && !has(beneficiary.level)',
          params: { rates: { province: '1%' } },
        },
      ],
      network,
      [
        paid('O1', [line(1, '100.00')], { region: '330106' }),
        { ...paid('O2', [line(1, '200.00')], { region: '330106' }), buyer: 'guest-1' },
      ],
    );
    // O1: A is in the chain too, so it is known with its level (the `branches` condition is false);
    // O2, a guest's: no seller, no chain, and the province holder A is known by its id alone
    expect(awards).toEqual([
      { to: 'A', order: 'O2', rule: 'guests', amount: '4.00', status: 'pending' },
      { to: 'A', order: 'O2', rule: 'branches', amount: '2.00', status: 'pending' },
    ]);
  });

  it('judges once per order on the order and its time: a condition on paidAt and the order amount', () => {
    const when = 'order.paidAt >= timestamp("2026-05-02T00:00:00+08:00") && order.amount >= 10000 && order.lineCount == 2';
    const { awards } = run([{ id: 'ml', template: 'multi-level', when, params: { rates: ['10%'] } }], network, [
      { ...paid('O1', [line(1, '60.00'), line(2, '40.00')]), at: '2026-05-01T23:59:59+08:00' },
      paid('O2', [line(1, '60.00'), line(2, '40.00')]),
      paid('O3', [line(1, '60.00'), line(2, '39.99')]),
    ]);
    expect(awards).toEqual([{ to: 'B', order: 'O2', rule: 'ml', amount: '10.00', status: 'pending' }]);
  });

  it('estimates what the order would pay with the same condition', () => {
    const engine = Engine.create({
      ...settings,
      members: network,
      plan: {
        templates: [{ id: 'dairy', template: 'multi-level', when: 'line.category == "dairy"', params: { rates: ['10%'] } }],
      },
    });
    const result = estimate(engine, {
      at: Date.parse('2026-05-02T02:00:00Z'),
      buyer: 'c',
      lines: [
        { sku: 'm', category: 'dairy', qty: 1, paid: 10000n },
        { sku: 'x', category: 'snacks', qty: 1, paid: 5000n },
      ],
    });
    expect(Array.isArray(result) && result.map((a) => [a.to, a.amount, a.explanations.map((e) => e.reason)])).toEqual([
      ['B', 1000n, ['multi-level.position', 'condition.excluded']],
    ]);
  });

  it('makes a period template pay only the members for whom it holds', () => {
    const { awards } = run(
      [
        {
          id: 'team',
          template: 'team-tier',
          when: 'member.role != "branch" && period.kind == "month"',
          params: { period: 'month', tiers: [{ min: '0', rate: '10%' }] },
        },
      ],
      network,
      [paid('O1', [line(1, '100.00')]), { type: 'tick', at: '2026-06-02T00:00:00+08:00' }],
    );
    // B's team earns 10.00; A (a branch) would have earned 10.00 − 10.00 = 0 anyway: only B is paid
    expect(awards).toEqual([{ to: 'B', period: '2026-05', rule: 'team', amount: '10.00', status: 'settled' }]);
  });
});
