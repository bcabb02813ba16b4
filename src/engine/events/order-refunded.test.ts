import { describe, expect, it } from 'vitest';
import { Engine } from '../engine.ts';

/**
 * DOMAIN.md, "Events and errors": a refund is identified by its id, across the tenant. The same
 * refund again changes nothing; the same id with other content is a conflict. "The same" is
 * field by field, amounts compared as money and instants as instants.
 */
describe('a refund id that comes again', () => {
  const engine = (): Engine => {
    const made = Engine.create({
      timezone: 'Asia/Shanghai',
      currency: 'CNY',
      plan: { templates: [{ id: 'ml', template: 'multi-level', params: { rates: ['10%'] } }] },
      members: [
        { id: 'L', role: 'leader', level: 1 },
        { id: 'c', role: 'customer', parent: 'L' },
      ],
    });
    for (const order of ['O1', 'O2']) {
      const lines = [{ line: 1, sku: 's', qty: 3, paid: '300.00' }];
      expect(made.apply({ type: 'order.paid', at: '2026-03-01T10:00:00+08:00', order, buyer: 'c', lines }).status).toBe(
        'applied',
      );
    }
    return made;
  };
  const refund = (fields: Record<string, unknown> = {}) => ({
    type: 'order.refunded',
    at: '2026-03-02T10:00:00+08:00',
    order: 'O1',
    refund: 'R1',
    lines: [{ line: 1, qty: 1, amount: '100.00' }],
    ...fields,
  });

  it('is a duplicate when its content is the same, amounts as money and instants as instants', () => {
    const tenant = engine();
    expect(tenant.apply(refund()).status).toBe('applied');
    const pendingAfterRefund = tenant.state.ledger.balanceOf('L').pending;
    expect(pendingAfterRefund).toBe(2000n + 3000n);
    for (const same of [
      refund(),
      refund({ lines: [{ line: 1, qty: 1, amount: '100' }] }),
      refund({ at: '2026-03-02T02:00:00Z' }),
    ])
      expect(tenant.apply(same).status, JSON.stringify(same)).toBe('duplicate');
    expect(tenant.state.ledger.balanceOf('L').pending).toBe(pendingAfterRefund);
  });

  it('is a conflict with other content, also for another order, and changes nothing', () => {
    for (const other of [
      refund({ lines: [{ line: 1, qty: 1, amount: '100.01' }] }),
      refund({ at: '2026-03-02T10:00:01+08:00' }),
      refund({ order: 'O2' }),
    ]) {
      const tenant = engine();
      expect(tenant.apply(refund()).status).toBe('applied');
      const outcome = tenant.apply(other);
      expect(outcome.status === 'rejected' && outcome.error.code, JSON.stringify(other)).toBe('conflict');
      expect(tenant.state.ledger.balanceOf('L').pending).toBe(2000n + 3000n);
    }
  });

  it('is kept when the first refund was rejected (a rejected event leaves no trace)', () => {
    const tenant = engine();
    const tooMuch = refund({ lines: [{ line: 1, qty: 4, amount: '400.00' }] });
    const rejected = tenant.apply(tooMuch);
    expect(rejected.status === 'rejected' && rejected.error.code).toBe('refund_exceeds_paid');
    expect(tenant.apply(refund()).status).toBe('applied');
  });
});
