import { describe, expect, it } from 'vitest';
import { eventReader, memberSchema } from './events.ts';
import { fieldsOf, misspeltField } from './misspelt-fields.ts';
import { firstIssue } from './primitives.ts';

const context = { decimals: 2, timezone: 'Asia/Shanghai' };
const reader = eventReader(context);
const order = (extra: Record<string, unknown>, line: Record<string, unknown> = {}) => ({
  type: 'order.paid',
  at: '2026-03-01T10:00:00+08:00',
  order: 'O1',
  buyer: 'c',
  lines: [{ line: 1, sku: 'x', qty: 1, paid: '10.00', ...line }],
  ...extra,
});
const refusal = (raw: unknown) => {
  const parsed = reader.safeParse(raw);
  return parsed.success ? null : firstIssue(parsed.error);
};

describe('a misspelt field of an event', () => {
  it('is refused with the field it meant, where a typo would lose the referrer or the category for good', () => {
    expect(refusal(order({ referer: 'L' }))).toEqual({
      path: ['referer'],
      message: expect.stringContaining('did you mean "referrer"'),
    });
    expect(refusal(order({ pickup_point: 'P' }))).toMatchObject({ path: ['pickup_point'] });
    expect(refusal(order({}, { catgory: 'food' }))).toMatchObject({ path: ['lines', 0, 'catgory'] });
    expect(refusal({ type: 'member.joined', at: '2026-03-01', member: { id: 'd', role: 'customer', prent: 'L' } })).toMatchObject(
      {
        path: ['member', 'prent'],
      },
    );
  });

  it('leaves a shop’s own extra fields alone, unlike any known one, and a known field sent beside its look-alike', () => {
    expect(reader.safeParse(order({ order_no: '123', channel: 'app', id: 'e-1' })).success).toBe(true);
    expect(reader.safeParse(order({ referrer: 'L', referer: 'L' })).success).toBe(true);
  });

  it('is found in a starting network member too', () => {
    expect(misspeltField({ id: 'L', role: 'leader', levle: 2 }, fieldsOf(memberSchema(context))!)).toMatchObject({
      path: ['levle'],
    });
  });
});
