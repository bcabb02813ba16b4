import { describe, expect, it } from 'vitest';
import { DueSettlements } from './due-settlements.ts';

describe('DueSettlements', () => {
  it('pops in (instant, sequence) order, like a priority queue, across lanes and growth', () => {
    const due = new DueSettlements();
    const pushed: { at: number; seq: number; order: number }[] = [];
    let seq = 0;
    // Two freeze lengths interleaved (each lane in order), and one instant out of order.
    for (let i = 0; i < 3000; i++) {
      const at = i * 10 + (i % 2 === 0 ? 0 : 7_000);
      pushed.push({ at, seq, order: i });
      due.push(at, seq++, i);
    }
    pushed.push({ at: 5, seq, order: 9999 });
    due.push(5, seq++, 9999);
    expect(due.length).toBe(3001);
    expect(due.peek()).toEqual({ at: 0, seq: 0, order: 0 });
    const expected = [...pushed].sort((a, b) => a.at - b.at || a.seq - b.seq);
    const popped: number[] = [];
    for (let at = due.nextAt(); at !== Infinity; at = due.nextAt()) popped.push(due.pop());
    expect(popped).toEqual(expected.map((entry) => entry.order));
    expect(due.pop()).toBe(-1);
    expect(due.peek()).toBeUndefined();
  });
});
