import { describe, expect, it } from 'vitest';
import { sumValue } from '../money/running-sum.ts';
import { Engine } from './engine.ts';
import type { Posting } from './ledger.ts';
import type { PostingSink } from './posting-log.ts';

/** Collects what a sink is given, as Posting objects (the amount read as a bigint). */
function written(outcome: { writePostings(sink: PostingSink): void }): Posting[] {
  const postings: Posting[] = [];
  outcome.writePostings({
    posting: (journal, at, kind, account, member, amount, ref) =>
      postings.push({ journal, at, kind, account, member, amount: sumValue(amount), ref }),
  });
  return postings;
}

describe('an outcome writes its postings to a sink', () => {
  it('the same postings, in the same order, as it shows — awards, settlements, adjustments, withdrawals — before and after they are read', () => {
    const engine = Engine.create({
      timezone: 'Asia/Shanghai',
      currency: 'CNY',
      plan: {
        freezeDays: 0,
        templates: [{ id: 'ml', template: 'multi-level', params: { rates: ['10%', '5%'] } }],
        tax: 'cn-labor',
      },
      members: [
        { id: 'A', role: 'agency' },
        { id: 'B', role: 'leader', parent: 'A' },
        { id: 'c', role: 'customer', parent: 'B' },
      ],
    });
    const events = [
      {
        type: 'order.paid',
        at: '2026-03-01T10:00:00+08:00',
        order: 'O1',
        buyer: 'c',
        lines: [{ line: 1, sku: 's', qty: 3, paid: '300.00' }],
      },
      {
        type: 'order.refunded',
        at: '2026-03-02T10:00:00+08:00',
        order: 'O1',
        refund: 'R1',
        lines: [{ line: 1, qty: 1, amount: '100.00' }],
      },
      { type: 'order.completed', at: '2026-03-03T10:00:00+08:00', order: 'O1' },
      { type: 'tick', at: '2026-03-04T10:00:00+08:00' },
      { type: 'withdrawal.requested', at: '2026-03-05T10:00:00+08:00', withdrawal: 'W1', member: 'B', amount: '10.00' },
    ];
    let count = 0;
    const journals = new Map<number, bigint>();
    const members = new Map<string, { pending: bigint; available: bigint }>();
    for (const event of events) {
      const outcome = engine.apply(event);
      expect(outcome.status, JSON.stringify(event)).toBe('applied');
      const before = written(outcome);
      expect(before).toEqual(outcome.postings);
      expect(written(outcome)).toEqual(before);
      count += before.length;
      for (const p of before) {
        journals.set(p.journal, (journals.get(p.journal) ?? 0n) + p.amount);
        if (p.member === null) continue;
        const sums = members.get(p.member) ?? { pending: 0n, available: 0n };
        if (p.account === 'pending') sums.pending += p.amount;
        if (p.account === 'available') sums.available += p.amount;
        members.set(p.member, sums);
      }
    }
    expect(count).toBeGreaterThanOrEqual(14);
    // What the sink was given is a whole ledger: every journal balances, and the members'
    // postings sum to the balances the engine keeps.
    for (const [journal, sum] of journals) expect(sum, `journal ${journal}`).toBe(0n);
    for (const member of ['A', 'B']) {
      const { pending, available } = engine.state.ledger.balanceOf(member);
      expect(members.get(member), member).toEqual({ pending, available });
    }
  });
});
