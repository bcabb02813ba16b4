import fc from 'fast-check';
import {
  runReference,
  type RefCondition,
  type RefEvent,
  type RefMemberInput,
  type RefScenario,
  type RefTemplate,
} from './model.ts';

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

const groupBuyArb: TemplateArb = fc
  .record({ pickupRate: rateArb, recommenderRate: rateArb, base: baseArb })
  .map(({ pickupRate, recommenderRate, base }) => ({
    template: 'group-buy' as const,
    params: { pickupRate: pct(pickupRate), recommenderRate: pct(recommenderRate), ...(base ? { base } : {}) },
  }));

const SKUS = ['s0', 's1', 's2'];
const CATEGORIES = ['fresh', 'dairy'];
/** Distributor ids D0–D8, taken modulo the world's distributors in planOf. */
const memberIdsArb = fc.uniqueArray(
  fc.integer({ min: 0, max: 8 }).map((i) => `D${i}`),
  { minLength: 1, maxLength: 3 },
);
const isoDate = (t: number) => new Date(t).toISOString().slice(0, 10);

/** A campaign window from about START to a few weeks on: calendar dates (midnight in the zone) or instants. */
const targetedArb: TemplateArb = fc
  .record({
    fromDay: fc.integer({ min: -1, max: 12 }),
    fromHour: fc.integer({ min: 0, max: 23 }),
    days: fc.integer({ min: 1, max: 20 }),
    form: fc.constantFrom('date', 'date', 'instant', 'local'),
    // Each filter in about a third of the campaigns, so that many lines still match all of them.
    skus: fc.option(fc.uniqueArray(fc.constantFrom(...SKUS), { minLength: 1 }), { nil: undefined, freq: 2 }),
    categories: fc.option(fc.uniqueArray(fc.constantFrom(...CATEGORIES), { minLength: 1 }), { nil: undefined, freq: 2 }),
    members: fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: memberIdsArb }),
    teamsOf: fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: memberIdsArb }),
    amount: fc.oneof(
      fc.integer({ min: 0, max: 2_000 }).map((n) => ({ perUnit: fen(n) })),
      fc.oneof(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 10 ** 9 })).map((n) => ({ perUnit: fen(n) })),
      rateArb.map((r) => ({ rate: pct(r) })),
    ),
    base: baseArb,
  })
  .map(({ fromDay, fromHour, days, form, skus, categories, members, teamsOf, amount, base }) => {
    const from = START - 2 * HOUR + fromDay * DAY;
    // A local date and time (no offset) keeps the wall clock: around 2026-03-08 02:00 in New York
    // it may be a time that never happens.
    const local = (t: number) => new Date(t).toISOString().slice(0, 16);
    const window =
      form === 'date'
        ? { from: isoDate(from), to: isoDate(from + days * DAY) }
        : form === 'local'
          ? { from: local(from + fromHour * HOUR), to: local(from + fromHour * HOUR + days * DAY + 90 * 60_000) }
          : {
              from: new Date(from + fromHour * HOUR).toISOString(),
              to: new Date(from + fromHour * HOUR + days * DAY).toISOString(),
            };
    return {
      template: 'targeted' as const,
      params: {
        ...window,
        ...(skus ? { skus } : {}),
        ...(categories ? { categories } : {}),
        ...(members ? { members } : {}),
        ...(teamsOf ? { teamsOf } : {}),
        ...amount,
        ...(base ? { base } : {}),
      },
    };
  });

const periodArb = fc.constantFrom<'month' | 'quarter' | 'year'>('month', 'month', 'month', 'quarter', 'year');
const delayArb = fc.constantFrom(0, 1, 3, undefined);

const teamTierArb: TemplateArb = fc
  .record({
    period: periodArb,
    tiers: fc.uniqueArray(
      fc.record({ min: fc.oneof(fc.integer({ min: 0, max: 30_000 }), fc.integer({ min: 0, max: 300_000 })), rate: rateArb }),
      { minLength: 1, maxLength: 3, selector: (t) => t.min },
    ),
    closeDelayDays: delayArb,
  })
  .map(({ period, tiers, closeDelayDays }) => ({
    template: 'team-tier' as const,
    params: {
      period,
      tiers: tiers.map((t) => ({ min: fen(t.min), rate: pct(t.rate) })),
      ...(closeDelayDays !== undefined ? { closeDelayDays } : {}),
    },
  }));

const poolArb: TemplateArb = fc
  .record({
    period: periodArb,
    share: rateArb,
    minLevel: fc.constantFrom(1, 2, 3, 7, undefined),
    weight: fc.constantFrom<'equal' | 'teamSales' | undefined>('equal', 'teamSales', 'teamSales', undefined),
    closeDelayDays: delayArb,
  })
  .map(({ period, share, minLevel, weight, closeDelayDays }) => ({
    template: 'pool' as const,
    params: {
      period,
      share: pct(share),
      ...(minLevel !== undefined ? { minLevel } : {}),
      ...(weight !== undefined ? { weight } : {}),
      ...(closeDelayDays !== undefined ? { closeDelayDays } : {}),
    },
  }));

/** Lines from a few fen to 10^13 minor units ("Amounts up to 10^13 minor units must stay exact"). */
const lineArb = fc
  .record({
    qty: fc.integer({ min: 1, max: 5 }),
    paid: fc.oneof(
      { weight: 4, arbitrary: fc.integer({ min: 0, max: 50_000 }) },
      { weight: 2, arbitrary: fc.integer({ min: 0, max: 999 }) },
      { weight: 1, arbitrary: fc.integer({ min: 100_000, max: 100_000_000 }) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 10 ** 13 }) },
    ),
    /** cost as thousandths of paid (often above it), or none. */
    cost: fc.option(fc.integer({ min: 0, max: 1_500 }), { nil: undefined, freq: 3 }),
    odd: fc.integer({ min: 0, max: 99 }),
    sku: fc.constantFrom(...SKUS),
    category: fc.constantFrom(...CATEGORIES, undefined),
  })
  .map(({ qty, paid, cost, odd, sku, category }) => ({
    sku,
    category,
    qty,
    paid,
    cost: cost === undefined ? undefined : Math.floor((paid / 1000) * cost) + (odd % 7),
  }));

/** Time between events: often none, often whole days (to land on `completedAt + freezeDays`). */
type Gap = number | { readonly to: 'midnight' | 'month'; readonly nudge: number };
const plainGapArb: fc.Arbitrary<Gap> = fc.oneof(
  fc.constant(0),
  fc.integer({ min: 0, max: 4 }).map((d) => d * DAY),
  fc.integer({ min: 1, max: 72 }).map((h) => h * HOUR),
);
/** Also to just before, at or after the next midnight or first of a month in the tenant's zone. */
const edgeArb = (to: 'midnight' | 'month') =>
  fc.record({ to: fc.constant(to), nudge: fc.constantFrom(0, 0, -1000, 1000, 3 * DAY, 5 * HOUR) });
const campaignGapArb: fc.Arbitrary<Gap> = fc.oneof(
  { weight: 3, arbitrary: plainGapArb },
  { weight: 1, arbitrary: edgeArb('midnight') },
);
const periodGapArb: fc.Arbitrary<Gap> = fc.oneof(
  { weight: 3, arbitrary: plainGapArb },
  { weight: 1, arbitrary: edgeArb('midnight') },
  { weight: 2, arbitrary: edgeArb('month') },
);

type RefundMode = 'whole' | 'qty' | 'amount' | 'both' | 'exceed' | 'missing-line';
const paidStepArbOf = (gapArb: fc.Arbitrary<Gap>) =>
  fc.record({
    kind: fc.constant('paid' as const),
    /** Often one of two buyers, so that one customer is bound, referred and re-bound. */
    buyer: fc.oneof(fc.integer({ min: 0, max: 1 }), fc.nat()),
    /** Half the orders name a referrer: often one of two distributors, else anyone, a customer or no member. */
    referrer: fc.option(fc.oneof(fc.integer({ min: 0, max: 1 }), fc.nat()), { freq: 2, nil: undefined }),
    /** A pickup point now and then: often one of two distributors, else anyone, a customer or no member. */
    pickup: fc.option(fc.oneof(fc.integer({ min: 0, max: 1 }), fc.nat()), { freq: 3, nil: undefined }),
    lines: fc.array(lineArb, { minLength: 1, maxLength: 3 }),
    gap: gapArb,
  });
const withdrawalStepArbOf = (gapArb: fc.Arbitrary<Gap>) =>
  fc.record({
    kind: fc.constant('withdrawal' as const),
    /** Often one of two distributors, else anyone, a customer or no member. */
    member: fc.oneof(fc.integer({ min: 0, max: 1 }), fc.nat()),
    /**
     * A fen or so up to the tax brackets (4000, 20000 / 25000, 50000 / 62500 yuan), or 0.00; or
     * (`share`) a part of what the member has available then (±1 fen), so that many are accepted.
     */
    amount: fc.oneof(
      fc.integer({ min: 0, max: 5_000 }),
      fc.constantFrom(0, 1, 80_000, 400_000, 400_001, 2_500_000, 2_500_001, 6_250_000, 6_250_001),
      fc.integer({ min: 0, max: 10_000_000 }),
      fc.record({ share: fc.constantFrom(1, 10, 250, 500, 1000), plus: fc.constantFrom(-1, 0, 0, 1) }),
      fc.record({ share: fc.integer({ min: 0, max: 1000 }), plus: fc.constant(0) }),
    ),
    /** An id used before now and then (a rejected one can be used again; an accepted one is a duplicate or a conflict). */
    id: fc.option(fc.nat(), { nil: undefined, freq: 4 }),
    gap: gapArb,
  });
type DistributorRole = 'branch' | 'agency' | 'leader';
const distributorRoleArb = fc.constantFrom<DistributorRole>('leader', 'agency', 'branch');
/**
 * Network changes (DOMAIN.md, The network; Levels): joins (new ids, or an id already in the
 * network: conflict; customers, now and then with a level: invalid), moves (to a distributor, a
 * root, a customer: invalid, no member, itself or below itself: cycle), promotions (of customers,
 * or of distributors: invalid) and levels set by hand (also on customers: invalid).
 */
const memberStepArbsOf = (gapArb: fc.Arbitrary<Gap>, weight: number) => [
  {
    weight: weight * 2,
    arbitrary: fc.record({
      kind: fc.constant('join' as const),
      /** -1: a new id; else an id in the network already. */
      id: fc.oneof({ weight: 5, arbitrary: fc.constant(-1) }, { weight: 1, arbitrary: fc.nat() }),
      role: fc.constantFrom<'customer' | DistributorRole>('customer', 'customer', 'leader', 'agency', 'branch'),
      level: fc.option(fc.integer({ min: 1, max: 4 }), { freq: 2, nil: undefined }),
      parent: fc.option(fc.nat(), { freq: 5, nil: undefined }),
      gap: gapArb,
    }),
  },
  {
    weight: weight * 2,
    arbitrary: fc.record({
      kind: fc.constant('move' as const),
      member: fc.nat(),
      /** undefined: a root; -1: itself. */
      parent: fc.option(fc.oneof({ weight: 8, arbitrary: fc.nat() }, { weight: 1, arbitrary: fc.constant(-1) }), {
        freq: 6,
        nil: undefined,
      }),
      gap: gapArb,
    }),
  },
  {
    weight,
    arbitrary: fc.record({
      kind: fc.constant('promote' as const),
      member: fc.nat(),
      role: distributorRoleArb,
      level: fc.option(fc.integer({ min: 1, max: 4 }), { freq: 2, nil: undefined }),
      gap: gapArb,
    }),
  },
  {
    weight,
    arbitrary: fc.record({
      kind: fc.constant('levelSet' as const),
      member: fc.nat(),
      level: fc.constantFrom(...LEVELS),
      gap: gapArb,
    }),
  },
];

const stepArbOf = (gapArb: fc.Arbitrary<Gap>, withdrawals = 0, network = 0, fullRefunds = 0) =>
  fc.oneof(
    {
      weight: fullRefunds,
      arbitrary: fc.record({ kind: fc.constant('refundAll' as const), order: fc.nat(), gap: gapArb }),
    },
    ...memberStepArbsOf(gapArb, network),
    { weight: 4, arbitrary: paidStepArbOf(gapArb) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('completed' as const), order: fc.nat(), gap: gapArb }) },
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant('refund' as const),
        order: fc.nat(),
        lines: fc.uniqueArray(
          fc.record({
            line: fc.nat(),
            mode: fc.constantFrom<RefundMode>(
              'whole',
              'qty',
              'qty',
              'amount',
              'amount',
              'both',
              'both',
              'exceed',
              'missing-line',
            ),
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
    { weight: withdrawals, arbitrary: withdrawalStepArbOf(gapArb) },
  );

/** Sales thresholds from nothing to a few orders' worth. */
const salesArb = fc
  .oneof(fc.constantFrom(0, 0, 1), fc.integer({ min: 0, max: 20_000 }), fc.integer({ min: 0, max: 200_000 }))
  .map(fen);
const leafConditionArb: fc.Arbitrary<RefCondition> = fc.oneof(
  salesArb.map((personalSales) => ({ personalSales })),
  salesArb.map((teamSales) => ({ teamSales })),
  fc.integer({ min: 0, max: 3 }).map((directRecruits) => ({ directRecruits })),
  fc
    .record({ level: fc.integer({ min: 1, max: 4 }), count: fc.integer({ min: 1, max: 2 }) })
    .map((directAtLevel) => ({ directAtLevel })),
);
const conditionArb: fc.Arbitrary<RefCondition> = fc.oneof(
  { weight: 3, arbitrary: leafConditionArb },
  { weight: 1, arbitrary: fc.array(leafConditionArb, { minLength: 1, maxLength: 3 }).map((any) => ({ any })) },
  { weight: 1, arbitrary: fc.array(leafConditionArb, { minLength: 1, maxLength: 3 }).map((all) => ({ all })) },
);
/** Plan levels 2–5, some reached only by hand (no upgradeWhen). */
const levelsArb = fc.uniqueArray(
  fc.record({ level: fc.integer({ min: 2, max: 5 }), upgradeWhen: fc.option(conditionArb, { freq: 4, nil: undefined }) }),
  { minLength: 1, maxLength: 4, selector: (l) => l.level },
);

const worldOf = (options: {
  shapes: ('forest' | 'line')[];
  minDistributors: number;
  templates: TemplateArb;
  gaps?: fc.Arbitrary<Gap>;
  zones?: (string | undefined)[];
  starts?: number[];
  steps?: number;
  withdrawals?: number;
  /** The weight of network changes among the steps (0: a static network). */
  network?: number;
  /** Plan levels with upgrade conditions, now and then. */
  levels?: boolean;
  /** The weight of refunds of everything left of an order (its net paid down to zero). */
  fullRefunds?: number;
  /** Compression of inactive uplines: now and then, or always. */
  compression?: boolean | 'always';
  /** At most this many withdrawals after the other steps (when something has had time to settle). */
  tail?: number;
}) =>
  fc.record({
    /** The tenant's zone (undefined: the harness's Asia/Shanghai) and where time starts. */
    timezone: fc.constantFrom(...(options.zones ?? [undefined])),
    start: fc.constantFrom(...(options.starts ?? [START])),
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
    first: paidStepArbOf(options.gaps ?? plainGapArb),
    levels: options.levels ? fc.option(levelsArb, { freq: 4, nil: undefined }) : fc.constant(undefined),
    /** inactiveDays: a few days (the gaps are hours to days); the engine refuses 0 (DOMAIN.md is silent). */
    inactiveDays:
      options.compression === 'always'
        ? fc.constantFrom(1, 1, 2)
        : options.compression
          ? fc.option(fc.constantFrom(1, 2, 3, 5), { freq: 2, nil: undefined })
          : fc.constant(undefined),
    steps: fc.array(stepArbOf(options.gaps ?? plainGapArb, options.withdrawals, options.network, options.fullRefunds), {
      maxLength: options.steps ?? 14,
    }),
    // The tail often crosses into a new month of the tenant's zone (tax months).
    // Mostly parts of what the richest member has then, so that a month sees several taxed ones.
    tail: fc.array(
      fc.oneof(
        withdrawalStepArbOf(fc.oneof(plainGapArb, edgeArb('month'))),
        withdrawalStepArbOf(fc.oneof(plainGapArb, edgeArb('month'))).chain((step) =>
          fc
            .record({ share: fc.integer({ min: 100, max: 700 }), plus: fc.constant(0) })
            .map((amount) => ({ ...step, member: 0, amount })),
        ),
      ),
      { minLength: Math.min(1, options.tail ?? 0), maxLength: options.tail ?? 0 },
    ),
    minWithdrawal: fc.constantFrom(undefined, '1.00', '10.00'),
    tax: fc.constantFrom<'none' | 'cn-labor' | undefined>('cn-labor', 'cn-labor', 'none', undefined),
    finalTick: fc.option(options.gaps ?? plainGapArb, { nil: undefined }),
  });

/** Any scenario of the subset. */
export const worldArb = worldOf({ shapes: ['forest', 'forest', 'line'], minDistributors: 1, templates: templateArb });

/** Long chains under differential templates that nearly always have a peer bonus (peer counts, generations). */
export const longChainWorldArb = worldOf({ shapes: ['line'], minDistributors: 4, templates: differentialArb(20) });

const ZONES = ['Asia/Shanghai', 'America/New_York', 'UTC', undefined];

/** group-buy and targeted campaigns, often stacked with a chain template, in several zones. */
export const campaignWorldArb = worldOf({
  shapes: ['forest', 'forest', 'line'],
  minDistributors: 1,
  templates: fc.oneof(
    { weight: 2, arbitrary: groupBuyArb },
    { weight: 3, arbitrary: targetedArb },
    { weight: 1, arbitrary: templateArb },
  ),
  gaps: campaignGapArb,
  zones: ZONES,
});

/** team-tier and pool periods closing as time passes (also at the end of 2026), with refunds before and after. */
export const periodWorldArb = worldOf({
  shapes: ['forest', 'forest', 'line'],
  minDistributors: 1,
  templates: fc.oneof(
    { weight: 2, arbitrary: teamTierArb },
    { weight: 2, arbitrary: poolArb },
    { weight: 1, arbitrary: templateArb },
  ),
  gaps: periodGapArb,
  zones: ZONES,
  starts: [START, START, Date.UTC(2026, 5, 25, 12), Date.UTC(2026, 11, 20, 12)],
  steps: 18,
});

/** Withdrawals with and without cn-labor tax across months in three zones, from settled awards and pools. */
export const withdrawalWorldArb = worldOf({
  shapes: ['forest', 'line'],
  minDistributors: 1,
  templates: fc.oneof({ weight: 3, arbitrary: multiLevelArb }, { weight: 1, arbitrary: poolArb }),
  gaps: periodGapArb,
  zones: ZONES,
  steps: 20,
  withdrawals: 4,
  tail: 4,
});

/**
 * The network changing during the scenario: joins, moves, promotions, levels set by hand and
 * levels rising by their conditions, under chain templates (often with levels), now and then a
 * period template or a teamsOf / group-buy campaign.
 */
export const networkWorldArb = worldOf({
  shapes: ['forest', 'forest', 'line'],
  minDistributors: 1,
  templates: fc.oneof(
    { weight: 6, arbitrary: templateArb },
    { weight: 2, arbitrary: teamTierArb },
    { weight: 2, arbitrary: poolArb },
    { weight: 1, arbitrary: groupBuyArb },
    { weight: 1, arbitrary: targetedArb },
  ),
  // Whole days often, so that an order lands exactly inactiveDays after an upline's activity.
  gaps: fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 0, max: 3 }).map((d) => d * DAY) },
    { weight: 2, arbitrary: periodGapArb },
  ),
  steps: 20,
  network: 3,
  levels: true,
  compression: true,
});

/**
 * Compression always on, a window of 1–2 days and gaps of whole days (orders exactly at a window's
 * edge), chain templates on long chains, full refunds (a sale no longer above zero is no activity),
 * joins and promotions (activity) and moves (none).
 */
export const compressionWorldArb = worldOf({
  shapes: ['line', 'line', 'forest'],
  minDistributors: 2,
  templates: fc.oneof({ weight: 2, arbitrary: multiLevelArb }, { weight: 1, arbitrary: templateArb }),
  gaps: fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 0, max: 2 }).map((d) => d * DAY) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 30 }).map((h) => h * HOUR) },
  ),
  steps: 16,
  network: 1,
  fullRefunds: 2,
  compression: 'always',
});

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
  if (original.type === 'withdrawal.requested') {
    switch (how) {
      case 'same':
        return { ...original };
      case 'respelled':
        return { ...original, amount: respell(original.amount) };
      case 'now':
        return { ...original, at: now() };
      default:
        return { ...original, amount: fen(cents(original.amount) + 1) };
    }
  }
  if (original.type === 'member.joined') {
    switch (how) {
      case 'same':
        return { ...original };
      case 'respelled': // the defaults written out: a duplicate (conformance/own/113)
        return {
          ...original,
          member: {
            ...original.member,
            parent: original.member.parent ?? null,
            ...(original.member.role !== 'customer' ? { level: original.member.level ?? 1 } : {}),
          },
        };
      case 'now':
        return { ...original, at: now() };
      default:
        return { ...original, member: { ...original.member, role: original.member.role === 'leader' ? 'agency' : 'leader' } };
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

type NetworkStep = Extract<World['steps'][number], { kind: 'join' | 'move' | 'promote' | 'levelSet' }>;

/**
 * The network as the generator follows it: the roles of the members it knows of (joins and
 * promotions it judges accepted), the members who join (J0, J1, …), and the network changes of the
 * steps, with whether an event is one to deliver again (an accepted join).
 */
function changingNetwork(members: readonly RefMemberInput[]) {
  const ids = (customer: boolean) => members.filter((m) => (m.role === 'customer') === customer).map((m) => m.id);
  // Members that join during the scenario (J0, J1, …) buy, refer and pick up too.
  const joined: string[] = [];
  const roles = new Map(members.map((m) => [m.id, m.role]));
  const isDistributor = (id: string | null | undefined) => id != null && roles.has(id) && roles.get(id) !== 'customer';
  const customers = () => [...roles].filter(([, r]) => r === 'customer').map(([id]) => id);
  /** Members named by network changes: everyone, unknown buyers once bound, and no member. */
  const anyone = () => [...members.map((m) => m.id), ...joined, 'N0', 'X-not-a-member'];
  /** Parents: mostly distributors, else anyone. */
  const parents = () => [...[...roles].filter(([, r]) => r !== 'customer').map(([id]) => id), ...anyone()];
  const change = (step: NetworkStep, at: string): { event: RefEvent; resend: boolean } => {
    if (step.kind === 'join') {
      const id = step.id === -1 ? `J${joined.length}` : pick(anyone(), step.id);
      // A level on a customer now and then (invalid).
      const level = step.role === 'customer' && step.level !== 4 ? undefined : step.level;
      const parent = step.parent === undefined ? undefined : pick(parents(), step.parent);
      const member: RefMemberInput = {
        id,
        role: step.role,
        ...(level !== undefined ? { level } : {}),
        ...(parent !== undefined ? { parent } : {}),
      };
      if (step.id === -1) joined.push(id);
      const fits =
        !roles.has(id) && !(step.role === 'customer' && level !== undefined) && (parent === undefined || isDistributor(parent));
      if (fits) roles.set(id, step.role);
      return { event: { at, type: 'member.joined', member }, resend: fits };
    }
    if (step.kind === 'move') {
      // Mostly distributors (whole teams move), else anyone; customers (re-bound by the move) a third of the time.
      const member =
        step.member % 3 === 0 && customers().length > 0 ? pick(customers(), step.member / 3) : pick(parents(), step.member);
      const parent = step.parent === undefined ? null : step.parent === -1 ? member : pick(parents(), step.parent);
      return { event: { at, type: 'member.moved', member, parent }, resend: false };
    }
    if (step.kind === 'promote') {
      // Mostly customers (C0…, joined ones, N0 once bound), else anyone.
      const member = pick([...customers(), ...customers(), ...anyone()], step.member);
      if (roles.get(member) === 'customer') roles.set(member, step.role);
      const level = step.level !== undefined ? { level: step.level } : {};
      return { event: { at, type: 'member.promoted', member, role: step.role, ...level }, resend: false };
    }
    return { event: { at, type: 'member.level_set', member: pick(parents(), step.member), level: step.level }, resend: false };
  };
  return {
    // Buyers: the members, and a few the network does not know (guests, or customers once referred).
    buyers: () => ['C0', 'N0', ...ids(true).slice(1), 'N1', 'N2', ...ids(false), ...joined],
    // Referrers and pickup points: distributors, a customer (invalid) or no member (unknown_member).
    referrers: () => [...ids(false), 'C0', 'X-not-a-member', ...joined],
    /** Who withdraws: the starting distributors, a customer, no member. */
    payees: () => [...ids(false), 'C0', 'Z-none'],
    isDistributor,
    change,
  };
}

/** Turns an abstract world into a scenario, keeping refunds within (or, when meant, beyond) what is left. */
export function scenarioOf(world: World): RefScenario {
  const members = networkOf(world);
  const network = changingNetwork(members);
  const left: Left[] = [];
  const events: RefEvent[] = [];
  let now = world.start;
  let refunds = 0;
  let withdrawals = 0;
  const zone = world.timezone ?? 'Asia/Shanghai';
  const at = (gap: Gap) => {
    if (typeof gap === 'number') now += gap;
    else now = Math.max(now, nextEdge(now, gap.to, zone) + gap.nudge);
    return new Date(now).toISOString();
  };
  /** Accepted order.paid and order.refunded events and every withdrawal (maybe rejected), to deliver again. */
  const sent: RefEvent[] = [];
  const accepted = new Set<string>();
  for (const step of [world.first, ...world.steps, ...world.tail]) {
    if (step.kind === 'paid') {
      const id = `O${left.length + 1}`;
      left.push({ id, lines: step.lines.map((l, i) => ({ line: i + 1, qty: l.qty, amount: l.paid })) });
      const event: RefEvent = {
        at: at(step.gap),
        type: 'order.paid',
        order: id,
        buyer: pick(network.buyers(), step.buyer),
        ...(step.referrer !== undefined ? { referrer: pick(network.referrers(), step.referrer) } : {}),
        ...(step.pickup !== undefined ? { pickupPoint: pick(network.referrers(), step.pickup) } : {}),
        lines: linesOf(step),
      };
      events.push(event);
      // Only accepted events are delivered again (a new event earlier than the clock is not in the subset).
      const fits = (id: string | undefined) => id === undefined || network.isDistributor(id);
      if (fits(event.referrer) && fits(event.pickupPoint)) {
        sent.push(event);
        accepted.add(id);
      }
    } else if (step.kind === 'completed' && left.length > 0) {
      events.push({ at: at(step.gap), type: 'order.completed', order: left[step.order % left.length]!.id });
    } else if ((step.kind === 'refund' || step.kind === 'refundAll') && left.length > 0) {
      const order = step.kind === 'refund' ? left[step.order % left.length]! : lastOrders(left, step.order);
      const { lines, faulty } =
        step.kind === 'refund' ? refundLinesOf(order, step) : { lines: everythingLeft(order), faulty: false };
      if (lines.every((l) => l.qty === 0 && l.amount === '0.00')) continue; // not a refund of anything
      if (!faulty) takeBack(order, lines);
      const event: RefEvent = { at: at(step.gap), type: 'order.refunded', order: order.id, refund: `R${++refunds}`, lines };
      events.push(event);
      if (!faulty && accepted.has(order.id)) sent.push(event);
    } else if (step.kind === 'again' && sent.length > 0) {
      // "Events are idempotent by their identity ... the same event twice changes nothing the
      // second time; the same identity with other content is a conflict. 'The same' is field by
      // field, at included, amounts compared as money and instants as instants."
      const original = sent[step.event % sent.length]!;
      const again = redelivered(original, step.how, () => at(step.gap));
      // A withdrawal sent before may have been rejected: sent again, it is a new request, which
      // may not be earlier than the clock (the format's `at` never decreases).
      events.push(again.type === 'withdrawal.requested' && Date.parse(again.at) < now ? { ...again, at: at(0) } : again);
    } else if (step.kind === 'withdrawal') {
      const id = step.id === undefined || withdrawals === 0 ? `W${++withdrawals}` : `W${1 + (step.id % withdrawals)}`;
      const member = pick(network.payees(), step.member);
      const event = withdrawalOf(world, { members, events }, step, { at: at(step.gap), withdrawal: id, member });
      events.push(event);
      sent.push(event);
    } else if (step.kind === 'join' || step.kind === 'move' || step.kind === 'promote' || step.kind === 'levelSet') {
      const { event, resend } = network.change(step, at(step.gap));
      events.push(event);
      if (resend) sent.push(event);
    } else if (step.kind === 'unknown-order') {
      events.push(unknownOrder(step, at(step.gap), `R${++refunds}`));
    } else {
      events.push({ at: at(step.gap), type: 'tick' });
    }
  }
  if (world.finalTick !== undefined) events.push({ at: at(world.finalTick), type: 'tick' });
  return { ...(world.timezone !== undefined ? { timezone: world.timezone } : {}), plan: planOf(world), members, events };
}

const pick = <T>(list: readonly T[], n: number) => list[n % list.length]!;

/** Mostly one of the last two orders (a full refund that takes a seller's sale away before the next order). */
const lastOrders = (left: Left[], n: number) => left[n % 3 === 0 ? n % left.length : Math.max(0, left.length - 1 - (n % 2))]!;

/** A refund of everything left of an order (its lines that have anything left). */
const everythingLeft = (order: Left) =>
  order.lines.filter((l) => l.qty > 0 || l.amount > 0).map((l) => ({ line: l.line, qty: l.qty, amount: fen(l.amount) }));

/** What is left of an order once a refund's lines are taken back. */
function takeBack(order: Left, lines: readonly { line: number; qty: number; amount: string }[]) {
  for (const l of lines) {
    const line = order.lines.find((x) => x.line === l.line)!;
    line.qty -= l.qty;
    line.amount -= cents(l.amount);
  }
}

/** An order's lines in the conformance format. */
function linesOf(step: Extract<World['steps'][number], { kind: 'paid' }>) {
  return step.lines.map((l, i) => ({
    line: i + 1,
    sku: l.sku,
    ...(l.category !== undefined ? { category: l.category } : {}),
    qty: l.qty,
    paid: fen(l.paid),
    ...(l.cost !== undefined ? { cost: fen(l.cost) } : {}),
  }));
}

type WithdrawalStep = Extract<World['steps'][number], { kind: 'withdrawal' }>;

/**
 * A withdrawal request: a set amount, or (`share`) a part of what the member has available once
 * what is due at its instant has run, and (for an even `member`) of the member who has the most.
 * The model only steers the input here; the engine is compared with it as for any other event.
 */
function withdrawalOf(
  world: World,
  so: { members: RefMemberInput[]; events: RefEvent[] },
  step: WithdrawalStep,
  request: { at: string; withdrawal: string; member: string },
): RefEvent {
  let { member } = request;
  let amount = step.amount;
  if (typeof amount !== 'number') {
    const tick: RefEvent = { at: request.at, type: 'tick' };
    const { balances } = runReference({
      timezone: world.timezone,
      plan: planOf(world),
      members: so.members,
      events: [...so.events, tick],
    });
    const available = (id: string) => {
      const text = balances.get(id)?.available ?? '0.00';
      return text.startsWith('-') ? 0 : cents(text);
    };
    if (step.member % 2 === 0) {
      const richest = [...balances.keys()].sort((a, b) => available(b) - available(a))[0];
      if (richest) member = richest;
    }
    amount = Math.max(0, Math.floor((available(member) * amount.share) / 1000) + amount.plus);
  }
  return { ...request, type: 'withdrawal.requested', member, amount: fen(amount) };
}

/** The plan: options left out now and then (their defaults apply), templates t1, t2, t3. */
function planOf(world: World): RefScenario['plan'] {
  // Targeted members and teamsOf name D0–D8: taken modulo the world's distributors.
  const resolve = (ids?: readonly string[]) =>
    ids && [...new Set(ids.map((id) => `D${Number(id.slice(1)) % world.distributors.length}`))];
  const templates = world.templates.map((t, i) => {
    const template = { ...t, id: `t${i + 1}` } as RefTemplate;
    if (template.template !== 'targeted') return template;
    const { members, teamsOf, ...rest } = template.params;
    return {
      ...template,
      params: { ...rest, ...(members ? { members: resolve(members) } : {}), ...(teamsOf ? { teamsOf: resolve(teamsOf) } : {}) },
    } as RefTemplate;
  });
  return {
    ...(world.levels !== undefined
      ? { levels: world.levels.map((l) => ({ level: l.level, ...(l.upgradeWhen ? { upgradeWhen: l.upgradeWhen } : {}) })) }
      : {}),
    ...(world.inactiveDays !== undefined ? { compression: { inactiveDays: world.inactiveDays } } : {}),
    ...(world.freezeDays !== undefined ? { freezeDays: world.freezeDays } : {}),
    ...(world.selfPurchase !== undefined ? { selfPurchase: world.selfPurchase } : {}),
    ...(world.binding !== undefined ? { binding: world.binding } : {}),
    ...(world.protectDays !== undefined ? { protectDays: world.protectDays } : {}),
    ...(world.minWithdrawal !== undefined ? { minWithdrawal: world.minWithdrawal } : {}),
    ...(world.tax !== undefined ? { tax: world.tax } : {}),
    templates,
  };
}

/** An event naming an order that was never paid (unknown_order). */
function unknownOrder(step: { refund: boolean }, at: string, refund: string): RefEvent {
  return step.refund
    ? { at, type: 'order.refunded', order: 'O-none', refund, lines: [{ line: 1, qty: 1, amount: '0.00' }] }
    : { at, type: 'order.completed', order: 'O-none' };
}

/** The next midnight (or first of a month) after an instant in a zone, found by the hour (a generator aid, not the oracle). */
function nextEdge(t: number, to: 'midnight' | 'month', zone: string): number {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
  });
  const wall = (x: number) => Object.fromEntries(format.formatToParts(x).map((p) => [p.type, Number(p.value)]));
  let x = Math.floor(t / HOUR) * HOUR + HOUR;
  for (let i = 0; i < 24 * 40; i += 1, x += HOUR) {
    const w = wall(x);
    if (w.hour === 0 && w.minute === 0 && (to === 'midnight' || w.day === 1)) return x;
  }
  return x;
}
