import fc from 'fast-check';
import type { RefEvent, RefMemberInput, RefScenario, RefTemplate } from './model.ts';

/**
 * Random scenarios of the reference model's subset (see differential.test.ts for what they
 * cover), as abstract worlds turned into scenarios in the conformance format.
 */

// ----- generators ------------------------------------------------------------------------------

const START = Date.UTC(2026, 2, 1, 2, 0, 0);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const fen = (n: number) => `${Math.floor(n / 100)}.${String(n % 100).padStart(2, '0')}`;
/** A rate in millionths -> "12.5%" (up to 4 decimals of a percent). */
const pct = (millionths: number) => {
  const text = `${Math.floor(millionths / 10_000)}.${String(millionths % 10_000).padStart(4, '0')}`;
  return `${text.replace(/\.?0+$/, '')}%`;
};
/** Rates that often make half-way cases: whole and half percents, and any 4-decimal percent. */
const rateArb = fc.oneof(
  fc.integer({ min: 0, max: 30 }).map((p) => p * 10_000),
  fc.integer({ min: 0, max: 60 }).map((p) => p * 5_000),
  fc.integer({ min: 0, max: 300_000 }),
);
const baseArb = fc.constantFrom<'paid' | 'profit' | undefined>('paid', 'profit', undefined);
/** Levels 5 and 6 are never listed in a template: "0 for a level not listed" / priced from below. */
const LEVELS = [1, 2, 3, 4, 5, 6];

type TemplateArb = fc.Arbitrary<Omit<RefTemplate, 'id'>>;

const multiLevelArb: TemplateArb = fc
  .record({ rates: fc.array(rateArb, { minLength: 1, maxLength: 3 }), base: baseArb })
  .map(({ rates, base }) => ({
    template: 'multi-level' as const,
    params: { rates: rates.map(pct), ...(base ? { base } : {}) },
  }));

const differentialArb = (peerFreq: number): TemplateArb =>
  fc
    .record({
      rates: fc.dictionary(fc.constantFrom('1', '2', '3', '4'), rateArb, { minKeys: 1 }),
      peer: fc.option(
        fc.record({
          rate: rateArb,
          of: fc.constantFrom<'award' | 'base'>('award', 'base'),
          generations: fc.constantFrom(1, 2, 2, undefined),
        }),
        { nil: undefined, freq: peerFreq },
      ),
      base: baseArb,
    })
    .map(({ rates, peer, base }) => ({
      template: 'differential' as const,
      params: {
        rates: Object.fromEntries(Object.entries(rates).map(([level, r]) => [level, pct(r)])),
        ...(peer
          ? {
              peer: {
                rate: pct(peer.rate),
                of: peer.of,
                ...(peer.generations !== undefined ? { generations: peer.generations } : {}),
              },
            }
          : {}),
        ...(base ? { base } : {}),
      },
    }));

const levelPriceArb: TemplateArb = fc
  .dictionary(
    fc.constantFrom('1', '2', '3', '4'),
    fc.oneof(fc.integer({ min: 0, max: 8_000 }), fc.integer({ min: 0, max: 1_000_000_000 })),
    { minKeys: 1 },
  )
  .map((prices) => ({
    template: 'level-price' as const,
    params: { prices: Object.fromEntries(Object.entries(prices).map(([level, p]) => [level, fen(p)])) },
  }));

const templateArb: TemplateArb = fc.oneof(multiLevelArb, differentialArb(2), levelPriceArb);

/** Lines from a few fen to 10^13 minor units ("Amounts up to 10^13 minor units must stay exact"). */
const lineArb = fc
  .record({
    qty: fc.integer({ min: 1, max: 5 }),
    paid: fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: 0, max: 50_000 }) },
      { weight: 2, arbitrary: fc.integer({ min: 0, max: 999 }) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 10 ** 13 }) },
    ),
    /** cost as thousandths of paid (often above it), or none. */
    cost: fc.option(fc.integer({ min: 0, max: 1_500 }), { nil: undefined, freq: 3 }),
    odd: fc.integer({ min: 0, max: 99 }),
  })
  .map(({ qty, paid, cost, odd }) => ({
    qty,
    paid,
    cost: cost === undefined ? undefined : Math.floor((paid / 1000) * cost) + (odd % 7),
  }));

/** Time between events: often none, often whole days (to land on `completedAt + freezeDays`). */
const gapArb = fc.oneof(
  fc.constant(0),
  fc.integer({ min: 0, max: 4 }).map((d) => d * DAY),
  fc.integer({ min: 1, max: 72 }).map((h) => h * HOUR),
);

type RefundMode = 'whole' | 'qty' | 'amount' | 'both' | 'exceed' | 'missing-line';
const paidStepArb = fc.record({
  kind: fc.constant('paid' as const),
  /** Often one of two buyers, so that one customer is bound, referred and re-bound. */
  buyer: fc.oneof(fc.integer({ min: 0, max: 1 }), fc.nat()),
  /** Half the orders name a referrer: often one of two distributors, else anyone, a customer or no member. */
  referrer: fc.option(fc.oneof(fc.integer({ min: 0, max: 1 }), fc.nat()), { freq: 2, nil: undefined }),
  lines: fc.array(lineArb, { minLength: 1, maxLength: 3 }),
  gap: gapArb,
});
const stepArb = fc.oneof(
  { weight: 4, arbitrary: paidStepArb },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('completed' as const), order: fc.nat(), gap: gapArb }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('refund' as const),
      order: fc.nat(),
      lines: fc.uniqueArray(
        fc.record({
          line: fc.nat(),
          mode: fc.constantFrom<RefundMode>('whole', 'qty', 'qty', 'amount', 'amount', 'both', 'both', 'exceed', 'missing-line'),
          q: fc.nat(),
          a: fc.nat(),
        }),
        { minLength: 1, maxLength: 2, selector: (l) => l.line % 3 },
      ),
      gap: gapArb,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('tick' as const), gap: gapArb }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('again' as const),
      event: fc.nat(),
      how: fc.constantFrom('same', 'respelled', 'now', 'changed'),
      gap: gapArb,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('unknown-order' as const), refund: fc.boolean(), gap: gapArb }),
  },
);

const worldOf = (options: { shapes: ('forest' | 'line')[]; minDistributors: number; templates: TemplateArb }) =>
  fc.record({
    /** A forest, or one line D0 <- D1 <- … with C0 bound to the last (the longest chain). */
    shape: fc.constantFrom(...options.shapes),
    distributors: fc.array(
      fc.record({
        role: fc.constantFrom<'branch' | 'agency' | 'leader'>('branch', 'agency', 'leader'),
        /** Mostly levels 1–3 (so that equal levels meet, for peer bonuses), sometimes 4–6. */
        level: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(1, 2, 3) }, { weight: 1, arbitrary: fc.constantFrom(...LEVELS) }),
        /** Often the distributor just before (long chains), else any before it, or none (a root). */
        parent: fc.option(fc.oneof(fc.constant(-1), fc.nat()), { freq: 6 }),
      }),
      { minLength: options.minDistributors, maxLength: 9 },
    ),
    customers: fc.array(fc.option(fc.nat(), { freq: 6 }), { minLength: 1, maxLength: 4 }),
    freezeDays: fc.constantFrom(0, 1, 2, 3, undefined),
    selfPurchase: fc.constantFrom(true, false, undefined),
    binding: fc.constantFrom<'first' | 'last' | undefined>('first', 'last', 'last', undefined),
    protectDays: fc.constantFrom(0, 1, 2, undefined),
    templates: fc.array(options.templates, { minLength: 1, maxLength: 3 }),
    first: paidStepArb,
    steps: fc.array(stepArb, { maxLength: 14 }),
    finalTick: fc.option(gapArb, { nil: undefined }),
  });

/** Any scenario of the subset. */
export const worldArb = worldOf({ shapes: ['forest', 'forest', 'line'], minDistributors: 1, templates: templateArb });

/** Long chains under differential templates that nearly always have a peer bonus (peer counts, generations). */
export const longChainWorldArb = worldOf({ shapes: ['line'], minDistributors: 4, templates: differentialArb(20) });

export type World = typeof worldArb extends fc.Arbitrary<infer T> ? T : never;

const cents = (text: string) => {
  const [units, fraction = ''] = text.split('.');
  return Number(units) * 100 + Number(fraction.padEnd(2, '0'));
};

/** A money text spelled otherwise: "5.10" -> "5.1", "5.00" -> "5". */
const respell = (text: string) => text.replace(/\.?0+$/, '') || '0';

/** An earlier order.paid or order.refunded delivered again: the same, respelled, at the current clock, or changed. */
function redelivered(original: RefEvent, how: string, now: () => string): RefEvent {
  if (original.type === 'order.paid') {
    switch (how) {
      case 'same':
        return { ...original };
      case 'respelled':
        return { ...original, lines: [...original.lines].reverse().map((l) => ({ ...l, paid: respell(l.paid) })) };
      case 'now':
        return { ...original, at: now() };
      default:
        return { ...original, lines: original.lines.map((l, i) => (i === 0 ? { ...l, qty: l.qty + 1 } : l)) };
    }
  }
  if (original.type !== 'order.refunded') return original;
  switch (how) {
    case 'same':
      return { ...original };
    case 'respelled':
      return { ...original, lines: [...original.lines].reverse().map((l) => ({ ...l, amount: respell(l.amount) })) };
    case 'now':
      return { ...original, at: now() };
    default:
      return { ...original, lines: original.lines.map((l, i) => (i === 0 ? { ...l, qty: l.qty + 1 } : l)) };
  }
}

/** The starting network: distributors D0… in a forest, customers C0… bound to one of them or unbound. */
function networkOf(world: World): RefMemberInput[] {
  const members: RefMemberInput[] = world.distributors.map((d, i) => ({
    id: `D${i}`,
    role: d.role,
    level: d.level,
    parent:
      i === 0 ? null : world.shape === 'line' || d.parent === -1 ? `D${i - 1}` : d.parent === null ? null : `D${d.parent % i}`,
  }));
  world.customers.forEach((chosen, i) => {
    const parent = world.shape === 'line' && i === 0 ? world.distributors.length - 1 : chosen;
    members.push({ id: `C${i}`, role: 'customer', parent: parent === null ? null : `D${parent % world.distributors.length}` });
  });
  return members;
}

type Left = { id: string; lines: { line: number; qty: number; amount: number }[] };
type RefundStep = Extract<World['steps'][number], { kind: 'refund' }>;

/** A refund's lines from what is left of the order: within it, or (one faulty line alone) beyond it. */
function refundLinesOf(order: Left, step: RefundStep) {
  const faulty = step.lines.find((l) => l.mode === 'exceed' || l.mode === 'missing-line');
  // At most one fault per event (DOMAIN.md, Events and errors): a faulty line goes alone.
  // One entry per line of the order (a refund lists a line once).
  const chosen = faulty
    ? [faulty]
    : step.lines.filter((l, i) => step.lines.findIndex((o) => o.line % order.lines.length === l.line % order.lines.length) === i);
  const lines = chosen.map((l) => {
    const line = order.lines[l.line % order.lines.length]!;
    switch (l.mode) {
      case 'missing-line':
        return { line: order.lines.length + 1 + (l.q % 3), qty: 0, amount: fen(1) };
      case 'exceed':
        return l.q % 2 === 0
          ? { line: line.line, qty: line.qty + 1, amount: fen(0) }
          : { line: line.line, qty: 0, amount: fen(line.amount + 1) };
      case 'whole':
        return { line: line.line, qty: line.qty, amount: fen(line.amount) };
      case 'qty':
        return { line: line.line, qty: line.qty === 0 ? 0 : 1 + (l.q % line.qty), amount: fen(0) };
      case 'amount':
        return { line: line.line, qty: 0, amount: fen(line.amount === 0 ? 0 : 1 + (l.a % line.amount)) };
      case 'both':
        return { line: line.line, qty: l.q % (line.qty + 1), amount: fen(l.a % (line.amount + 1)) };
    }
  });
  return { lines, faulty: faulty !== undefined };
}

/** Turns an abstract world into a scenario, keeping refunds within (or, when meant, beyond) what is left. */
export function scenarioOf(world: World): RefScenario {
  const members = networkOf(world);
  // Buyers: the members, and a few the network does not know (guests, or customers once referred).
  const ids = (customer: boolean) => members.filter((m) => (m.role === 'customer') === customer).map((m) => m.id);
  const buyers = ['C0', 'N0', ...ids(true).slice(1), 'N1', 'N2', ...ids(false)];
  const referrers = [...ids(false), 'C0', 'X-not-a-member'];
  const left: Left[] = [];
  const events: RefEvent[] = [];
  let now = START;
  let refunds = 0;
  const at = (gap: number) => new Date((now += gap)).toISOString();
  /** Accepted order.paid and order.refunded events, to deliver again. */
  const sent: RefEvent[] = [];
  const accepted = new Set<string>();
  for (const step of [world.first, ...world.steps]) {
    if (step.kind === 'paid') {
      const id = `O${left.length + 1}`;
      const lines = step.lines.map((l, i) => ({
        line: i + 1,
        sku: `s${i}`,
        qty: l.qty,
        paid: fen(l.paid),
        ...(l.cost !== undefined ? { cost: fen(l.cost) } : {}),
      }));
      left.push({ id, lines: step.lines.map((l, i) => ({ line: i + 1, qty: l.qty, amount: l.paid })) });
      const event: RefEvent = {
        at: at(step.gap),
        type: 'order.paid',
        order: id,
        buyer: buyers[step.buyer % buyers.length]!,
        ...(step.referrer !== undefined ? { referrer: referrers[step.referrer % referrers.length]! } : {}),
        lines,
      };
      events.push(event);
      // Only accepted events are delivered again (a new event earlier than the clock is not in the subset).
      if (event.referrer === undefined || members.some((m) => m.id === event.referrer && m.role !== 'customer')) {
        sent.push(event);
        accepted.add(id);
      }
    } else if (step.kind === 'completed' && left.length > 0) {
      events.push({ at: at(step.gap), type: 'order.completed', order: left[step.order % left.length]!.id });
    } else if (step.kind === 'refund' && left.length > 0) {
      const order = left[step.order % left.length]!;
      const { lines, faulty } = refundLinesOf(order, step);
      if (lines.every((l) => l.qty === 0 && l.amount === '0.00')) continue; // not a refund of anything
      if (!faulty) {
        for (const l of lines) {
          const line = order.lines.find((x) => x.line === l.line)!;
          line.qty -= l.qty;
          line.amount -= cents(l.amount);
        }
      }
      const event: RefEvent = { at: at(step.gap), type: 'order.refunded', order: order.id, refund: `R${++refunds}`, lines };
      events.push(event);
      if (!faulty && accepted.has(order.id)) sent.push(event);
    } else if (step.kind === 'again' && sent.length > 0) {
      // "Events are idempotent by their identity ... the same event twice changes nothing the
      // second time; the same identity with other content is a conflict. 'The same' is field by
      // field, at included, amounts compared as money and instants as instants."
      const original = sent[step.event % sent.length]!;
      events.push(redelivered(original, step.how, () => at(step.gap)));
    } else if (step.kind === 'unknown-order') {
      events.push(unknownOrder(step, at(step.gap), `R${++refunds}`));
    } else {
      events.push({ at: at(step.gap), type: 'tick' });
    }
  }
  if (world.finalTick !== undefined) events.push({ at: at(world.finalTick), type: 'tick' });
  return { plan: planOf(world), members, events };
}

/** The plan: options left out now and then (their defaults apply), templates t1, t2, t3. */
function planOf(world: World): RefScenario['plan'] {
  return {
    ...(world.freezeDays !== undefined ? { freezeDays: world.freezeDays } : {}),
    ...(world.selfPurchase !== undefined ? { selfPurchase: world.selfPurchase } : {}),
    ...(world.binding !== undefined ? { binding: world.binding } : {}),
    ...(world.protectDays !== undefined ? { protectDays: world.protectDays } : {}),
    templates: world.templates.map((t, i) => ({ ...t, id: `t${i + 1}` }) as RefTemplate),
  };
}

/** An event naming an order that was never paid (unknown_order). */
function unknownOrder(step: { refund: boolean }, at: string, refund: string): RefEvent {
  return step.refund
    ? { at, type: 'order.refunded', order: 'O-none', refund, lines: [{ line: 1, qty: 1, amount: '0.00' }] }
    : { at, type: 'order.completed', order: 'O-none' };
}
