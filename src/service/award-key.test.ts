import { describe, expect, it } from 'vitest';
import { awardKeyOf, orderKeyRange } from './award-key.ts';

describe('awardKeyOf', () => {
  it('is the plain key for ids without / or \\', () => {
    expect(awardKeyOf('O1', undefined, 'L1', 'direct')).toBe('order:O1/L1/direct');
    expect(awardKeyOf(null, '2026-03', 'L1', 'team')).toBe('period:2026-03/L1/team');
  });

  it('keeps apart awards whose ids only differ in where a / falls', () => {
    const a = awardKeyOf('A/B', null, 'C', 'r');
    const b = awardKeyOf('A', null, 'B/C', 'r');
    expect(a).toBe('order:A\\/B/C/r');
    expect(b).toBe('order:A/B\\/C/r');
    expect(a).not.toBe(b);
    expect(awardKeyOf('A\\', null, '/C', 'r')).not.toBe(awardKeyOf('A', null, '\\/C', 'r'));
  });

  it('puts an order\'s award keys, and only those, in its key range, in byte order (PostgreSQL\'s collation "C")', () => {
    const bytes = (text: string) => Buffer.from(text, 'utf8');
    const within = (key: string, [from, to]: readonly [string, string]) =>
      Buffer.compare(bytes(key), bytes(from)) >= 0 && Buffer.compare(bytes(key), bytes(to)) < 0;
    const orders = ['A', 'A/B', 'A\\', 'A\\/', 'A0', 'A.', 'A/', 'AB', '订单', 'A\u{1F600}', 'A\t', ''];
    const members = ['L', 'B/C', '\\', '0', '/'];
    for (const order of orders) {
      const range = orderKeyRange(order);
      for (const other of orders)
        for (const member of members)
          expect(within(awardKeyOf(other, null, member, 'r/1'), range), `${other} in ${order}`).toBe(other === order);
      expect(within(awardKeyOf(null, order, 'L', 'r'), range)).toBe(false);
    }
  });
});
