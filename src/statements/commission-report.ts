import { fail, InputError } from '../domain/errors.ts';
import type { AwardRecord } from '../engine/awards.ts';
import type { EngineState, OrderRecord } from '../engine/state.ts';
import { divRoundHalfUp, formatMoney } from '../money/money.ts';
import { formatRate } from '../money/rate.ts';
import type { Service } from '../service/service.ts';
import { iso, monthOf, periodWindow, type Window } from './calendar.ts';
import { toCsv } from './csv.ts';

/**
 * Commission cost for operators, over a window of instants: the awards earned in it — those of
 * the orders paid in it (at their amount now, net of refund adjustments whenever posted) and
 * those of the periods ending in it — grouped by rule, by month, or by the branch / agency
 * (分公司 / 机构) the seller belonged to when the order was paid. GMV is the net paid of the
 * orders paid in the window, so commission / GMV compares the same orders.
 */

export const COMMISSION_GROUPINGS = ['rule', 'period', 'branch', 'agency'] as const;
export type CommissionBy = (typeof COMMISSION_GROUPINGS)[number];

export interface CommissionGroup {
  /** A rule id, a month `YYYY-MM`, or a branch / agency member id; null: no branch (agency) above the seller, or no seller. */
  readonly key: string | null;
  /** Orders paid in the window that fall in the group (null when grouping by rule: orders have several rules). */
  readonly orders: number | null;
  readonly gmv: bigint | null;
  readonly commission: bigint;
  /** Awards with a non-zero amount. */
  readonly awards: number;
}

export interface CommissionReport {
  readonly tenant: string;
  readonly timezone: string;
  readonly currency: string;
  readonly decimals: number;
  readonly window: Window;
  readonly by: CommissionBy;
  readonly groups: readonly CommissionGroup[];
  readonly totals: { readonly orders: number; readonly gmv: bigint; readonly commission: bigint; readonly awards: number };
  /** −(commission_expense postings) of the same awards, every posting whenever made. */
  readonly ledger: { readonly commission: bigint };
  readonly check: { readonly ok: boolean; readonly groupsEqualTotals: boolean; readonly ledgerEqualsTotals: boolean };
}

interface Computed {
  readonly seq: number;
  readonly settings: { timezone: string; currency: string; decimals: number };
  readonly groups: Map<string | null, { orders: number; gmv: bigint; commission: bigint; awards: number }>;
  readonly totals: { orders: number; gmv: bigint; commission: bigint; awards: number };
  readonly orderIds: string[];
  readonly periods: string[];
}

export async function buildCommissionReport(
  service: Service,
  tenant: string,
  window: Window,
  by: CommissionBy,
): Promise<CommissionReport> {
  if (!COMMISSION_GROUPINGS.includes(by))
    throw new InputError(fail('invalid', `by must be one of ${COMMISSION_GROUPINGS.join(', ')}`, ['by']));
  // The engine's state and the ledger are read separately; if an event landed in between, read again.
  for (let attempt = 0; ; attempt++) {
    const computed = await service.read(tenant, (runtime) => ({
      ...compute(runtime.engine.state, window, by),
      seq: runtime.seq,
    }));
    const ledger = await service.sql.transaction(async (tx) => {
      await tx.query('set transaction isolation level repeatable read, read only');
      const seq = Number(
        (await tx.query<{ last_seq: string }>('select last_seq::text as last_seq from tenants where id = $1', [tenant])).rows[0]
          ?.last_seq ?? 0,
      );
      const sum = (
        await tx.query<{ total: string | null }>(
          `select (-sum(amount))::text as total from postings
            where tenant_id = $1 and account = 'commission_expense' and (order_id = any($2::text[]) or period = any($3::text[]))`,
          [tenant, computed.orderIds, computed.periods],
        )
      ).rows[0]?.total;
      return { seq, commission: BigInt(sum ?? '0') };
    });
    if (ledger.seq !== computed.seq && attempt < 3) continue;
    const groups = [...computed.groups.entries()]
      .map(([key, group]) => ({ key, ...group, ...(by === 'rule' ? { orders: null, gmv: null } : {}) }))
      .sort((a, b) =>
        by === 'period'
          ? String(a.key).localeCompare(String(b.key))
          : Number(b.commission - a.commission) || String(a.key).localeCompare(String(b.key)),
      );
    const sum = groups.reduce((total, group) => total + group.commission, 0n);
    const groupsEqualTotals =
      sum === computed.totals.commission &&
      (by === 'rule' || groups.reduce((total, g) => total + (g.gmv ?? 0n), 0n) === computed.totals.gmv);
    const ledgerEqualsTotals = ledger.commission === computed.totals.commission;
    return {
      tenant,
      ...computed.settings,
      window,
      by,
      groups,
      totals: computed.totals,
      ledger: { commission: ledger.commission },
      check: { ok: groupsEqualTotals && ledgerEqualsTotals, groupsEqualTotals, ledgerEqualsTotals },
    };
  }
}

/** Which group an order, or a period award, falls in. */
class Grouping {
  private readonly orderKeys = new Map<string, string | null>();

  constructor(
    private readonly state: EngineState,
    private readonly by: CommissionBy,
  ) {}

  /** The nearest member of the grouping's role in an upline at `at` (its first member included). */
  private ancestor(ids: readonly string[], at: number): string | null {
    for (const id of ids) if (this.state.network.placementAt(id, at)?.role === this.by) return id;
    return null;
  }

  /** An order's month, or its seller's branch / agency at payment (null for rules: awards differ). */
  ofOrder(order: OrderRecord): string | null {
    const known = this.orderKeys.get(order.id);
    if (known !== undefined) return known;
    let key: string | null = null;
    if (this.by === 'period') key = monthOf(order.paidAt, this.state.settings.timezone);
    else if ((this.by === 'branch' || this.by === 'agency') && order.context.sellerId !== null) {
      key = this.ancestor(
        order.context.fullChain.map((link) => link.id),
        order.paidAt,
      );
    }
    this.orderKeys.set(order.id, key);
    return key;
  }

  /** A period award, earned at its period's last instant `at`. */
  ofPeriodAward(award: AwardRecord, at: number): string | null {
    if (this.by === 'rule') return award.rule;
    if (this.by === 'period') return monthOf(at, this.state.settings.timezone);
    return this.ancestor(
      this.state.network.uplineAt(award.to, at).map((link) => link.id),
      at,
    );
  }
}

type Sums = { orders: number; gmv: bigint; commission: bigint; awards: number };

function compute(state: EngineState, window: Window, by: CommissionBy): Omit<Computed, 'seq'> {
  const { timezone, currency, decimals } = state.settings;
  const inWindow = (at: number) => window.from <= at && at < window.to;
  const grouping = new Grouping(state, by);
  const groups = new Map<string | null, Sums>();
  const group = (key: string | null) => {
    let entry = groups.get(key);
    if (!entry) groups.set(key, (entry = { orders: 0, gmv: 0n, commission: 0n, awards: 0 }));
    return entry;
  };
  const totals: Sums = { orders: 0, gmv: 0n, commission: 0n, awards: 0 };
  const orderIds: string[] = [];
  for (const order of state.orders.values()) {
    if (!inWindow(order.paidAt)) continue;
    orderIds.push(order.id);
    totals.orders += 1;
    totals.gmv += order.netPaid;
    if (by !== 'rule') {
      const entry = group(grouping.ofOrder(order));
      entry.orders += 1;
      entry.gmv += order.netPaid;
    }
  }
  const periodEnds = new Map<string, number | null>();
  const periodEnd = (label: string) => {
    if (!periodEnds.has(label)) periodEnds.set(label, periodWindow(label, timezone)?.to ?? null);
    return periodEnds.get(label) ?? null;
  };
  for (const award of state.awards.all()) {
    let key: string | null;
    if (award.order !== undefined) {
      const order = state.orders.get(award.order);
      if (!order || !inWindow(order.paidAt)) continue;
      key = by === 'rule' ? award.rule : grouping.ofOrder(order);
    } else {
      // A period's awards are earned at its last instant.
      const end = periodEnd(award.period!);
      if (end === null || !inWindow(end - 1)) continue;
      key = grouping.ofPeriodAward(award, end - 1);
    }
    const entry = group(key);
    entry.commission += award.amount;
    totals.commission += award.amount;
    if (award.amount !== 0n) {
      entry.awards += 1;
      totals.awards += 1;
    }
  }
  const periods = [...periodEnds.entries()].filter(([, end]) => end !== null && inWindow(end - 1)).map(([label]) => label);
  return { settings: { timezone, currency, decimals }, groups, totals, orderIds, periods };
}

/** commission / GMV as a percentage with up to 4 decimals ("12.3456%"); null without GMV. */
export function ratioOf(commission: bigint, gmv: bigint | null): string | null {
  if (gmv === null || gmv <= 0n) return null;
  const ppm = divRoundHalfUp(commission * 1_000_000n, gmv);
  return ppm < 0n ? `-${formatRate(-ppm)}` : formatRate(ppm);
}

export function commissionReportJson(report: CommissionReport) {
  const money = (amount: bigint | null) => (amount === null ? null : formatMoney(amount, report.decimals));
  return {
    tenant: report.tenant,
    timezone: report.timezone,
    currency: report.currency,
    from: iso(report.window.from),
    to: iso(report.window.to),
    by: report.by,
    groups: report.groups.map((group) => ({
      key: group.key,
      orders: group.orders,
      gmv: money(group.gmv),
      commission: money(group.commission)!,
      awards: group.awards,
      ratio: ratioOf(group.commission, group.gmv),
      share: ratioOf(group.commission, report.totals.commission),
    })),
    totals: {
      orders: report.totals.orders,
      gmv: money(report.totals.gmv)!,
      commission: money(report.totals.commission)!,
      awards: report.totals.awards,
      ratio: ratioOf(report.totals.commission, report.totals.gmv),
    },
    ledger: { commission: money(report.ledger.commission)! },
    check: report.check,
  };
}

export const COMMISSION_COLUMNS = ['key', 'orders', 'gmv', 'commission', 'awards', 'ratio', 'share'] as const;

/** One row per group, then a TOTAL row (key `TOTAL`; a group without a branch or agency has an empty key). */
export function commissionReportCsv(report: CommissionReport): string {
  const json = commissionReportJson(report);
  return toCsv(COMMISSION_COLUMNS, [
    ...json.groups.map((g) => [g.key, g.orders, g.gmv, g.commission, g.awards, g.ratio, g.share]),
    [
      'TOTAL',
      json.totals.orders,
      json.totals.gmv,
      json.totals.commission,
      json.totals.awards,
      json.totals.ratio,
      ratioOf(report.totals.commission, report.totals.commission),
    ],
  ]);
}
