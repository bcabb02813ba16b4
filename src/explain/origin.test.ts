import { describe, expect, it } from 'vitest';
import { Engine } from '../engine/engine.ts';
import { awardOrigin, awardOrigins } from './origin.ts';

const settings = { timezone: 'Asia/Shanghai', currency: 'CNY', decimals: 2 };
const members = [
  { id: 'A', role: 'leader', level: 2 },
  { id: 'c', role: 'customer', parent: 'A' },
];
const paid = (order: string, at: string) => ({
  type: 'order.paid',
  at,
  order,
  buyer: 'c',
  lines: [{ line: 1, sku: 'x', qty: 1, paid: '100.00' }],
});

/** A plan paying `direct` on each sale and a monthly `pool`, named as given, closing `delayDays` after the month. */
const plan = (names: { direct?: string; pool?: string }, delayDays: number) => ({
  templates: [
    { id: 'direct', template: 'multi-level', params: { rates: ['10%'] }, ...(names.direct ? { name: names.direct } : {}) },
    {
      id: 'pool',
      template: 'pool',
      params: { period: 'month', share: '1%', closeDelayDays: delayDays },
      ...(names.pool ? { name: names.pool } : {}),
    },
  ],
});

function engineWithTwoVersions(): Engine {
  // v2 (from 20 June, Shanghai) renames both rules and delays the close by 7 days instead of 0.
  const engine = Engine.create({
    ...settings,
    plan: plan({ direct: '直推奖', pool: '分红池' }, 0),
    members,
    laterPlans: [{ plan: plan({ direct: '推荐奖' }, 7), from: Date.parse('2026-06-20T00:00:00+08:00') }],
  });
  for (const event of [paid('O1', '2026-06-05T10:00:00+08:00'), paid('O2', '2026-06-25T10:00:00+08:00')])
    expect(engine.apply(event).status, JSON.stringify(event)).toBe('applied');
  expect(engine.passTime(Date.parse('2026-07-10T00:00:00+08:00')).status).toBe('applied');
  return engine;
}

describe('where an award comes from (its date and its rule name)', () => {
  it("dates an order's award at the payment and names its rule as the order's version does", () => {
    const engine = engineWithTwoVersions();
    expect(awardOrigin(engine, { order: 'O1', period: null, rule: 'direct' })).toEqual({
      at: '2026-06-05T02:00:00.000Z',
      ruleName: '直推奖',
    });
    expect(awardOrigin(engine, { order: 'O2', period: null, rule: 'direct' })).toEqual({
      at: '2026-06-25T02:00:00.000Z',
      ruleName: '推荐奖',
    });
  });

  it("dates a period's award at the close the engine ran, not one worked out again from a later version's delay", () => {
    const engine = engineWithTwoVersions();
    // The close was scheduled by June's first order, under v1 (no delay): the end of June in Shanghai.
    const pool = [...engine.state.awards.all()].find((award) => award.rule === 'pool')!;
    expect(pool.changes[0]!.at).toBe(Date.parse('2026-06-30T16:00:00Z'));
    // Its name is v2's (in force on the month's last day), which has none for `pool`.
    expect(awardOrigin(engine, { order: null, period: '2026-06', rule: 'pool' })).toEqual({
      at: '2026-06-30T16:00:00.000Z',
      ruleName: null,
    });
  });

  it('answers no date where the engine knows no such order or close; the name still comes from the version of the time', () => {
    const originOf = awardOrigins(engineWithTwoVersions());
    expect(originOf({ order: 'gone', period: null, rule: 'direct' })).toEqual({ at: null, ruleName: '推荐奖' });
    // No close of May ran (no order); May's version names the rule.
    expect(originOf({ order: null, period: '2026-05', rule: 'pool' })).toEqual({ at: null, ruleName: '分红池' });
    expect(originOf({ order: null, period: 'not a period', rule: 'other' })).toEqual({ at: null, ruleName: null });
  });
});
