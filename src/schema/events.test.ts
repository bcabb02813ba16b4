import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Random } from '../sim/random.ts';
import { eventReader, eventSchema, readOrderEvent } from './events.ts';

const contexts = [
  { timezone: 'Asia/Shanghai', decimals: 2 },
  { timezone: 'UTC', decimals: 0 },
];

/** A value's text with key order, undefined values and bigints shown: equal texts, equal values. */
const shape = (value: unknown) =>
  JSON.stringify(value, (_key, field: unknown) =>
    field === undefined ? '(undefined)' : typeof field === 'bigint' ? `${field}n` : field,
  );

/** Order events of the usual form, and every kind of variation of their fields. */
function orderEvent(random: Random): Record<string, unknown> {
  const vary = <T>(usual: T, others: readonly unknown[]) => (random.chance(0.85) ? usual : random.pick(others));
  const lines = Array.from({ length: random.int(0, 3) }, (_, i) => {
    const line: Record<string, unknown> = {
      line: vary(i + 1, [0, -1, 1.5, '2', 2 ** 53, -0, null]),
      sku: vary(`sku-${random.int(1, 9)}`, ['', 7, 'x'.repeat(128), 'x'.repeat(129), null]),
      qty: vary(random.int(1, 3), [0, 1_000_000, 1_000_001, '2', 2.5, null]),
      paid: vary(`${random.int(0, 500)}.${random.int(10, 99)}`, [
        '1.234',
        '1.230',
        '-1.00',
        '0',
        12,
        12.5,
        ' 1.00',
        '1e3',
        '10000000000000.01',
        '',
        null,
      ]),
    };
    if (random.chance(0.2)) line.category = random.pick(['food', undefined, 5, null, '']);
    if (random.chance(0.2)) line.cost = random.pick(['1.00', undefined, null, '-1', 3, 'x']);
    if (random.chance(0.05)) line.extra = 'ignored';
    return line;
  });
  const event: Record<string, unknown> = {
    type: vary('order.paid', ['order.completed', 'order.refunded', 'tick', 'order.paid ', 7, undefined]),
    at: vary(`2026-03-${String(random.int(1, 31)).padStart(2, '0')}T10:00:0${random.int(0, 9)}.${random.int(100, 999)}Z`, [
      '2026-03-01T10:00:00',
      '2026-03-01',
      '2026-02-30T10:00:00Z',
      '2026-03-01T10:00:00+08:00',
      '1969-01-01T00:00:00Z',
      'soon',
      5,
      null,
    ]),
    order: vary(`o${random.int(1, 1e6)}`, ['', 12, 1.5, 'x'.repeat(129), null, undefined]),
    buyer: vary(`C${random.int(1, 99)}`, ['', 3, null, undefined]),
    lines: random.chance(0.95)
      ? random.chance(0.05) && lines.length > 1
        ? [lines[0], lines[0]]
        : lines
      : random.pick([{}, 'x', null]),
  };
  for (const key of ['referrer', 'pickupPoint']) if (random.chance(0.2)) event[key] = random.pick(['L1', null, undefined, '', 5]);
  if (random.chance(0.2)) event.region = random.pick(['330106', '33010', 330106, null, undefined, 'abcdef']);
  if (random.chance(0.1)) event.id = `e${random.int(1, 100)}`;
  if (random.chance(0.05)) delete event[random.pick(['type', 'at', 'order', 'buyer', 'lines'])];
  return event;
}

describe('order events read directly', () => {
  it('are exactly what zod makes of them, and every other input is left to zod', () => {
    const random = new Random(5);
    let direct = 0;
    for (const context of contexts) {
      const schema = eventSchema(context);
      const reader = eventReader(context);
      for (let i = 0; i < 20_000; i++) {
        const raw = orderEvent(random);
        const read = readOrderEvent(raw, context);
        const reference = z.safeParse(schema, raw);
        if (read !== null) {
          direct += 1;
          expect(reference.success, shape(raw)).toBe(true);
          expect(shape(read), shape(raw)).toBe(shape(reference.data));
        }
        // The reader's answer is zod's, whichever way it was reached (errors included).
        expect(shape(reader.safeParse(raw)), shape(raw)).toBe(shape(reference));
      }
    }
    expect(direct).toBeGreaterThan(2000);
  });

  it('take at most 1000 lines an order, so that no award can overflow the ledger', () => {
    const context = contexts[0]!;
    const schema = eventReader(context);
    const order = (lines: number) => ({
      type: 'order.paid',
      at: '2026-03-01T10:00:00Z',
      order: 'o1',
      buyer: 'C1',
      lines: Array.from({ length: lines }, (_, i) => ({ line: i + 1, sku: 's', qty: 1_000_000, paid: '10000000000000.00' })),
    });
    expect(schema.safeParse(order(1000)).success).toBe(true);
    const refused = schema.safeParse(order(1001));
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.path).toEqual(['lines']);
    expect(refused.error?.issues[0]?.message).toBe('an order has at most 1000 lines');
  });

  it('read an optional field sent as null as absent, and a date-time with a space for its T', () => {
    const reader = eventReader(contexts[0]!);
    const read = (raw: unknown) => {
      const parsed = reader.safeParse(raw);
      if (!parsed.success) throw new Error(parsed.error.message);
      return parsed.data as unknown as Record<string, unknown>;
    };
    const paid = read({
      type: 'order.paid',
      at: '2026-03-01 10:00:00+08:00',
      order: 'o1',
      buyer: 'C1',
      referrer: null,
      lines: [{ line: 1, sku: 's', qty: 1, paid: '10.00', cost: null, category: null }],
    });
    expect(paid.at).toBe(Date.parse('2026-03-01T02:00:00Z'));
    expect(paid.referrer).toBeUndefined();
    expect(paid.lines).toEqual([{ line: 1, sku: 's', qty: 1, paid: 1000n, cost: undefined, category: undefined }]);
    const joined = read({
      type: 'member.joined',
      at: '2026-03-01 10:00:00 +08:00',
      member: { id: 'L', role: 'leader', level: null, regions: null },
    });
    expect(joined.at).toBe(Date.parse('2026-03-01T02:00:00Z'));
    expect(joined.member).toEqual({ id: 'L', role: 'leader', level: undefined, regions: undefined });
    expect(read({ type: 'tick', at: '2026-03-01 10:00' }).at).toBe(Date.parse('2026-03-01T02:00:00Z'));
  });
});
