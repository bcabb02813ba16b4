import fc from 'fast-check';
import { NASTY_AMOUNTS, NASTY_INSTANTS, hostileValue, nastyId } from './hostile.ts';
import { mutated, type KnownIds } from './openapi.ts';

/** Marks an `at` the sender replaces with the next instant of its clock (so that most events are on time). */
export const NEXT_AT = '<next>';

const at = fc.oneof({ weight: 6, arbitrary: fc.constant(NEXT_AT) }, { weight: 1, arbitrary: fc.constantFrom(...NASTY_INSTANTS) });
const fresh = (prefix: string) =>
  fc.string({ minLength: 1, maxLength: 6, unit: fc.constantFrom(...'abcdefghij0123456789') }).map((s) => `${prefix}-${s}`);

/** Amounts: mostly money, often hostile (negative, fractional fen, huge, not decimal). */
const amount = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 100_000 }).map((fen) => (fen / 100).toFixed(2)) },
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_AMOUNTS) },
  { weight: 1, arbitrary: hostileValue },
);

/** Events of every type as a shop sends them, naming the tenant's real members and orders. */
export function engineEvents(known: KnownIds): fc.Arbitrary<Record<string, unknown>> {
  const member = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...known.members) }, { weight: 1, arbitrary: nastyId });
  return fc.oneof(
    orderEvents(known, member),
    memberEvents(member),
    payoutEvents(known, member),
    fc.record({ type: fc.constant('tick'), at }),
  );
}

function orderEvents(known: KnownIds, member: fc.Arbitrary<unknown>): fc.Arbitrary<Record<string, unknown>> {
  const order = fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(...known.orders) },
    { weight: 2, arbitrary: fresh('fz-o') },
    { weight: 1, arbitrary: nastyId },
  );
  const qty = fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constantFrom(-1, 0.5, 2 ** 53, 1e21, '3', 'x'));
  const line = fc.record(
    {
      line: fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constantFrom(-1, 1.5, 'a')),
      sku: fc.oneof(fc.constant('fz-sku'), nastyId),
      qty,
      paid: amount,
    },
    { requiredKeys: ['line', 'sku', 'qty', 'paid'] },
  );
  const refundLine = fc.record({ line: fc.constant(1), qty: fc.integer({ min: 0, max: 2 }), amount });
  return fc.oneof(
    fc.record({
      type: fc.constant('order.paid'),
      at,
      order,
      buyer: member,
      referrer: fc.option(member),
      lines: fc.array(line, { minLength: 1, maxLength: 3 }),
    }),
    fc.record({ type: fc.constant('order.completed'), at, order }),
    fc.record({
      type: fc.constant('order.refunded'),
      at,
      order,
      refund: fresh('fz-r'),
      lines: fc.array(refundLine, { minLength: 1, maxLength: 2 }),
    }),
  );
}

function memberEvents(member: fc.Arbitrary<unknown>): fc.Arbitrary<Record<string, unknown>> {
  const level = fc.oneof(fc.integer({ min: 0, max: 100 }), hostileValue);
  const role = fc.constantFrom('customer', 'leader', 'branch', 'agency', 'king');
  const joining = fc.record({ id: fc.oneof(fresh('fz-m'), nastyId), role, parent: fc.option(member) });
  const regions = fc.array(fc.oneof(fc.constantFrom('330106', '33', 330106, '999999'), nastyId), { maxLength: 3 });
  return fc.oneof(
    fc.record({ type: fc.constant('member.joined'), at, member: joining }),
    fc.record({ type: fc.constant('member.moved'), at, member, parent: fc.option(member) }),
    fc.record({ type: fc.constant('member.promoted'), at, member, role, level }),
    fc.record({ type: fc.constant('member.level_set'), at, member, level }),
    fc.record({ type: fc.constant('member.regions_set'), at, member, regions }),
  );
}

function payoutEvents(known: KnownIds, member: fc.Arbitrary<unknown>): fc.Arbitrary<Record<string, unknown>> {
  const withdrawal = fc.oneof(fc.constantFrom(...known.withdrawals), fresh('fz-w'), nastyId);
  const decision = fc.constantFrom('withdrawal.approved', 'withdrawal.rejected', 'withdrawal.paid', 'withdrawal.failed');
  const reason = fc.oneof(fc.constant('fuzz'), hostileValue);
  return fc.oneof(
    fc.record({ type: fc.constant('withdrawal.requested'), at, withdrawal: fresh('fz-w'), member, amount }),
    fc.record({ type: decision, at, withdrawal }),
    fc.record({ type: fc.constant('adjustment.posted'), at, adjustment: fresh('fz-adj'), member, amount, reason }),
  );
}

/** A batch of 1–4 events, each possibly broken by one mutation, some with their own `id`. */
export function eventBatches(known: KnownIds): fc.Arbitrary<{ mutation: string; value: unknown }[]> {
  const withId = fc
    .tuple(engineEvents(known), fc.option(fc.oneof(fresh('fz-id'), nastyId), { freq: 4 }))
    .map(([event, id]) => (id === null ? event : { ...event, id }));
  return fc.array(mutated(withId), { minLength: 1, maxLength: 4 });
}

/** Replaces NEXT_AT markers with `next()` (deeply, as mutations may have moved things). */
export function stampInstants(value: unknown, next: () => string): unknown {
  if (value === NEXT_AT) return next();
  if (Array.isArray(value)) return value.map((child) => stampInstants(child, next));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value))
      Object.defineProperty(out, key, {
        value: stampInstants(child, next),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    return out;
  }
  return value;
}

const MONEY_TEXT = /^\s*-?\d+(\.\d+)?\s*$/;

/**
 * Why an accepted event should have been refused, if it should: an amount that is not a decimal
 * of whole fen (negative only for adjustments), or not above zero for a withdrawal.
 */
export function acceptedAmountProblem(event: unknown): string | null {
  if (event === null || typeof event !== 'object') return null;
  const e = event as { type?: unknown; amount?: unknown; lines?: unknown };
  const amounts: [string, unknown][] = [];
  if ('amount' in e) amounts.push(['amount', e.amount]);
  if (Array.isArray(e.lines))
    e.lines.forEach((line: Record<string, unknown>, i) =>
      ['paid', 'cost', 'amount'].forEach((f) => f in line && amounts.push([`lines.${i}.${f}`, line[f]])),
    );
  for (const [path, value] of amounts) {
    const text =
      typeof value === 'number' ? (Number.isSafeInteger(value) ? String(value) : null) : typeof value === 'string' ? value : null;
    if (text === null || !MONEY_TEXT.test(text)) return `${path} = ${JSON.stringify(value)} accepted`;
    const [, fraction = ''] = text.trim().replace(/^-/, '').split('.');
    if (/[^0]/.test(fraction.slice(2))) return `${path} = ${JSON.stringify(value)} (fractional fen) accepted`;
    if (text.trim().startsWith('-') && !(e.type === 'adjustment.posted' && path === 'amount') && Number(text) !== 0)
      return `${path} = ${JSON.stringify(value)} (negative) accepted`;
  }
  return null;
}
