import type { InstantMs, Minor } from '../domain/types.ts';
import { PeriodAward } from './award-records.ts';
import { groupParts } from './awards.ts';
import { closeKey, planAt, type DueClose, type EngineState, type PeriodBucket } from './state.ts';
import type { Member } from './network.ts';
import type { OrderBook } from './order-book.ts';
import { safeNumber } from '../money/running-sum.ts';
import { TeamSales } from './team-sales.ts';
import type { PeriodInput, PeriodMember, PeriodTemplate } from './templates/template.ts';
import type { Work } from './work.ts';

/**
 * Time passes: everything due at or before `until` runs, settlements first, then period closes
 * oldest first (DOMAIN.md, "Settlement and refunds").
 */
export function runDue(state: EngineState, until: InstantMs, work: Work): void {
  const due = state.dueSettlements;
  const orders = state.orders;
  for (let at = due.nextAt(); at <= until; at = due.nextAt()) {
    const order = due.pop();
    orders.settle(order);
    const count = orders.awardCount(order);
    for (let position = 0; position < count; position++) state.awards.settle(orders.awardNumber(order, position), at, work);
  }
  for (let next = state.dueCloses.peek(); next && next.at <= until; next = state.dueCloses.peek()) {
    state.dueCloses.pop();
    closePeriod(state, next, work);
  }
}

/** Pays one period template for one period, with the network as it is at the close. */
function closePeriod(state: EngineState, due: DueClose, work: Work): void {
  const bucket = due.bucket;
  // The version in force at the period's last instant decides what the period pays.
  const plan = planAt(state, bucket.end - 1);
  const compiled = plan.templates.find((entry) => entry.id === due.rule && entry.template.kind === 'period');
  if (compiled) {
    const template = compiled.template as PeriodTemplate<unknown>;
    const parts = template.compute(compiled.id, compiled.params, periodInput(state, bucket));
    const out = { postingLog: work.postingLog, awards: work.awards };
    for (const [to, { amount, parts: memberParts }] of groupParts(parts)) {
      // A period's awards are made once (each rule closes each period once), and settled at once.
      const member = state.network.get(to);
      const award = new PeriodAward(bucket.label, memberParts, due.at).pay(state.awards, to, compiled.id, amount, out, member);
      state.awards.settle(award, due.at, out, member);
    }
  }
  state.closedPeriods.set(closeKey(due.rule, bucket.label), due.at);
  bucket.openCloses -= 1;
  if (bucket.openCloses === 0) state.periods.delete(bucket.key);
}

function periodInput(state: EngineState, bucket: PeriodBucket): PeriodInput {
  const network = state.network;
  return {
    settings: state.settings,
    period: bucket.label,
    sales: netSales(state.orders, bucket.orders),
    teamSales:
      TeamSales.build(state.orders, bucket.orders, network.size, (id) => network.get(id)) ?? teamSalesInBigInts(state, bucket),
    parentOf: (id) => network.get(id)?.parent?.id ?? null,
    distributors: function* (): Generator<PeriodMember> {
      for (const member of network.distributors()) {
        yield {
          id: member.id,
          level: member.level,
          role: member.role,
          entrySeq: member.entrySeq,
          parent: member.parent?.id ?? null,
        };
      }
    },
  };
}

/** Net paid sales of every order of the period, with or without a seller (in doubles while they are exact). */
function netSales(book: OrderBook, orders: readonly number[]): Minor {
  let sum = 0;
  for (const order of orders) {
    // As a RunningSum: a number while it is a safe integer (no BigInt made per order of the period).
    const netPaid = book.netPaidSum(order);
    sum += typeof netPaid === 'number' ? netPaid : (safeNumber(netPaid) ?? Number.NaN);
    if (!Number.isSafeInteger(sum)) return orders.reduce((total, each) => total + book.netPaid(each), 0n);
  }
  return BigInt(sum);
}

/**
 * T(m) summed in BigInts, for a period whose sums leave the safe integers (beyond 90 trillion
 * yuan): each seller's net paid (sellers in the order of their first sale) counts for it and for
 * everyone above it in the network at close.
 */
function teamSalesInBigInts(state: EngineState, bucket: PeriodBucket): Map<string, Minor> {
  const bySeller = new Map<Member, Minor>();
  for (const order of bucket.orders) {
    const seller = state.orders.seller(order);
    const netPaid = state.orders.netPaid(order);
    if (seller !== null && netPaid !== 0n) bySeller.set(seller, (bySeller.get(seller) ?? 0n) + netPaid);
  }
  const teamSales = new Map<string, Minor>();
  for (const [seller, amount] of bySeller) {
    for (let cursor: Member | null = seller; cursor; cursor = cursor.parent)
      teamSales.set(cursor.id, (teamSales.get(cursor.id) ?? 0n) + amount);
  }
  return teamSales;
}
