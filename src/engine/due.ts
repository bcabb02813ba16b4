import type { InstantMs, Minor } from '../domain/types.ts';
import { PeriodAward } from './award-records.ts';
import { groupParts } from './awards.ts';
import { planAt, type DueClose, type EngineState, type PeriodBucket } from './state.ts';
import type { PeriodInput, PeriodMember, PeriodTemplate } from './templates/template.ts';
import type { Work } from './work.ts';

/**
 * Time passes: everything due at or before `until` runs, settlements first, then period closes
 * oldest first (DOMAIN.md, "Settlement and refunds").
 */
export function runDue(state: EngineState, until: InstantMs, work: Work): void {
  for (let next = state.dueSettlements.peek(); next && next.at <= until; next = state.dueSettlements.peek()) {
    state.dueSettlements.pop();
    const order = next.order;
    order.settled = true;
    for (let position = 0; position < order.awardCount; position++) state.awards.settle(order.awardNumber(position), next.at, work);
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
    const out = { postings: work.postings, awards: work.awards };
    for (const [, { amount, explanations }] of groupParts(parts, compiled.id)) {
      const to = explanations[0]!.to;
      // A period's awards are made once: each rule closes each period once.
      const award = new PeriodAward(bucket.label, explanations).open(state.awards, to, compiled.id);
      state.awards.setAmount(award, amount, true, due.at, 'close', undefined, out);
      state.awards.settle(award, due.at, out);
    }
  }
  bucket.openCloses -= 1;
  if (bucket.openCloses === 0) state.periods.delete(bucket.key);
}

function periodInput(state: EngineState, bucket: PeriodBucket): PeriodInput {
  let sales = 0n;
  const bySeller = new Map<string, Minor>();
  for (const order of bucket.orders) {
    sales += order.netPaid;
    const sellerId = order.context.sellerId;
    if (sellerId !== null && order.netPaid !== 0n) bySeller.set(sellerId, (bySeller.get(sellerId) ?? 0n) + order.netPaid);
  }
  // T(m): the seller's sales count for it and for everyone above it in the network at close.
  const teamSales = new Map<string, Minor>();
  for (const [sellerId, amount] of bySeller) {
    for (let cursor = state.network.get(sellerId) ?? null; cursor; cursor = cursor.parent) {
      teamSales.set(cursor.id, (teamSales.get(cursor.id) ?? 0n) + amount);
    }
  }
  return {
    settings: state.settings,
    period: bucket.label,
    sales,
    teamSales,
    parentOf: (id) => state.network.get(id)?.parent?.id ?? null,
    distributors: function* (): Generator<PeriodMember> {
      for (const member of state.network.distributors()) {
        yield { id: member.id, level: member.level, role: member.role, entrySeq: member.entrySeq, parent: member.parent?.id ?? null };
      }
    },
  };
}
