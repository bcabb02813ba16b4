import { describe, expect, it } from 'vitest';
import { summarize } from '../scenario/run.ts';
import { Engine } from './engine.ts';

/** Builds an engine on a small network and applies events, failing loudly on an unexpected rejection. */
function run(plan: Record<string, unknown>, members: unknown[], events: Record<string, unknown>[]) {
  const engine = Engine.create({ timezone: 'Asia/Shanghai', currency: 'CNY', plan, members });
  for (const event of events) {
    const outcome = engine.apply(event);
    expect(outcome.status, JSON.stringify(event)).not.toBe('rejected');
  }
  return { engine, ...summarize(engine) };
}

const network = [
  { id: 'A', role: 'agency', level: 2 },
  { id: 'B', role: 'leader', level: 1, parent: 'A' },
  { id: 'Z', role: 'agency', level: 2 },
  { id: 'c', role: 'customer', parent: 'B' },
];
const paid = (at: string, lines: unknown[], order = 'O1') => ({ type: 'order.paid', at, order, buyer: 'c', lines });

/** DOMAIN.md, "Settlement and refunds": a refund recomputes the order on its net lines and posts the difference. */
describe('refund recomputation', () => {
  it('recomputes a profit base with the cost scaled by the net quantity, exactly', () => {
    // 3 units paid 300.00 at a cost of 100.00 in all. One unit and 100.00 back: net 200.00 − 66.666… = 133.333…
    const { awards } = run(
      { templates: [{ id: 'ml', template: 'multi-level', params: { rates: ['10%'], base: 'profit' } }] },
      network,
      [
        paid('2026-03-01T10:00:00+08:00', [{ line: 1, sku: 's', qty: 3, paid: '300.00', cost: '100.00' }]),
        {
          type: 'order.refunded',
          at: '2026-03-02T10:00:00+08:00',
          order: 'O1',
          refund: 'R1',
          lines: [{ line: 1, qty: 1, amount: '100.00' }],
        },
      ],
    );
    // 10% × 133.333… = 13.333… → 13.33 (20.00 at payment, then an adjustment of −6.67)
    expect(awards).toEqual([{ to: 'B', order: 'O1', rule: 'ml', amount: '13.33', status: 'pending' }]);
  });

  it('recomputes with the network of payment time even after a move and a level change', () => {
    // differential: B (level 1) 10%, A (level 2) 15% − 10% at payment
    const { awards } = run(
      { templates: [{ id: 'diff', template: 'differential', params: { rates: { 1: '10%', 2: '15%' } } }] },
      network,
      [
        paid('2026-03-01T10:00:00+08:00', [{ line: 1, sku: 's', qty: 2, paid: '200.00' }]),
        { type: 'member.moved', at: '2026-03-02T10:00:00+08:00', member: 'B', parent: 'Z' },
        { type: 'member.level_set', at: '2026-03-02T11:00:00+08:00', member: 'B', level: 2 },
        {
          type: 'order.refunded',
          at: '2026-03-03T10:00:00+08:00',
          order: 'O1',
          refund: 'R1',
          lines: [{ line: 1, qty: 1, amount: '100.00' }],
        },
      ],
    );
    expect(awards).toEqual([
      { to: 'B', order: 'O1', rule: 'diff', amount: '10.00', status: 'pending' },
      { to: 'A', order: 'O1', rule: 'diff', amount: '5.00', status: 'pending' },
    ]);
  });

  it('takes a reversal of a settled award from available, which may go below zero', () => {
    const { balances } = run({ templates: [{ id: 'ml', template: 'multi-level', params: { rates: ['10%'] } }] }, network, [
      paid('2026-03-01T10:00:00+08:00', [{ line: 1, sku: 's', qty: 1, paid: '100.00' }]),
      { type: 'order.completed', at: '2026-03-02T10:00:00+08:00', order: 'O1' },
      { type: 'withdrawal.requested', at: '2026-03-03T10:00:00+08:00', withdrawal: 'W1', member: 'B', amount: '10.00' },
      {
        type: 'order.refunded',
        at: '2026-03-04T10:00:00+08:00',
        order: 'O1',
        refund: 'R1',
        lines: [{ line: 1, qty: 1, amount: '100.00' }],
      },
    ]);
    expect(balances.B).toEqual({ pending: '0.00', available: '-10.00' });
  });

  it('lets an award that a refund creates before the order settles settle with the order', () => {
    // level-price: the seller's margin 150 − 2 × 100 is below zero, so it earns nothing at payment;
    // one unit comes back without money and its margin becomes 150 − 100 = 50.
    const { awards, balances } = run(
      { freezeDays: 0, templates: [{ id: 'price', template: 'level-price', params: { prices: { 1: '100.00', 2: '80.00' } } }] },
      network,
      [
        paid('2026-03-01T10:00:00+08:00', [{ line: 1, sku: 's', qty: 2, paid: '150.00' }]),
        {
          type: 'order.refunded',
          at: '2026-03-02T10:00:00+08:00',
          order: 'O1',
          refund: 'R1',
          lines: [{ line: 1, qty: 1, amount: '0.00' }],
        },
        { type: 'order.completed', at: '2026-03-03T10:00:00+08:00', order: 'O1' },
        { type: 'tick', at: '2026-03-04T10:00:00+08:00' },
      ],
    );
    expect(awards).toEqual([
      { to: 'A', order: 'O1', rule: 'price', amount: '20.00', status: 'settled' },
      { to: 'B', order: 'O1', rule: 'price', amount: '50.00', status: 'settled' },
    ]);
    expect(balances.B).toEqual({ pending: '0.00', available: '50.00' });
  });

  // BUG (reported): the award created by the refund is left pending for ever.
  it('makes an award that a refund creates after the order settled available at once, like any adjustment of a settled order', () => {
    const { awards, balances } = run(
      { freezeDays: 0, templates: [{ id: 'price', template: 'level-price', params: { prices: { 1: '100.00', 2: '80.00' } } }] },
      network,
      [
        paid('2026-03-01T10:00:00+08:00', [{ line: 1, sku: 's', qty: 2, paid: '150.00' }]),
        { type: 'order.completed', at: '2026-03-02T10:00:00+08:00', order: 'O1' },
        { type: 'tick', at: '2026-03-03T10:00:00+08:00' }, // O1 settles: A has 40.00 available
        {
          type: 'order.refunded',
          at: '2026-03-04T10:00:00+08:00',
          order: 'O1',
          refund: 'R1',
          lines: [{ line: 1, qty: 1, amount: '0.00' }],
        },
        { type: 'tick', at: '2026-04-04T10:00:00+08:00' },
      ],
    );
    expect(balances.A).toEqual({ pending: '0.00', available: '20.00' }); // 40.00 − 20.00 reversed from available
    expect(awards).toContainEqual({ to: 'B', order: 'O1', rule: 'price', amount: '50.00', status: 'settled' });
    expect(balances.B).toEqual({ pending: '0.00', available: '50.00' });
  });
});
