import { describe, expect, it } from 'vitest';
import type { OrderRefunded } from '../../domain/types.ts';
import { fingerprint } from '../fingerprint.ts';
import { refundFingerprint } from './order-refunded.ts';

const refund = (fields: Record<string, unknown>): OrderRefunded =>
  ({ type: 'order.refunded', at: 1_767_225_600_000, order: 'o1', refund: 'r1', ...fields }) as unknown as OrderRefunded;

describe('refundFingerprint', () => {
  it('writes the text the general fingerprint writes, whatever the shape', () => {
    const holey: unknown[] = new Array(2);
    holey[1] = { line: 1, qty: 1, amount: 5n };
    const cases: OrderRefunded[] = [
      refund({ lines: [{ line: 1, qty: 2, amount: 500n }] }),
      refund({
        lines: [
          { amount: 5n, qty: 1, line: 2 },
          { line: 1, qty: 3, amount: 0n },
        ],
        order: 'o"\\\u2028é',
        at: 0.5,
      }),
      refund({ lines: [], at: Number.NaN }),
      refund({ lines: [{ line: 1e21, qty: Infinity, amount: -5n }], at: -0 }),
      // Shapes the direct path leaves to the general walk:
      refund({ lines: [{ line: 1, qty: 2, amount: 500n, note: null }] }),
      refund({ lines: [{ line: 1, qty: 2, amount: 500n }], reason: undefined }),
      refund({ lines: [{ line: 1, qty: 2, amount: 500n }], reason: 'damaged' }),
      refund({ lines: [undefined, { line: 1, qty: 2, amount: 5n }] }),
      refund({ lines: holey }),
      refund({ lines: [{ line: 1, qty: 2, amount: 5 }] }),
      refund({ lines: [{ line: 1, qty: 2, amount: 5n }], order: null }),
      refund({ lines: [{ line: 1, qty: 2, amount: 5n, toJSON: () => 'x' }] }),
    ];
    for (const event of cases) expect(refundFingerprint(event)).toBe(fingerprint(event));
  });
});
