import { DateTime } from 'luxon';
import { z } from 'zod';
import { formatMoney, parseMoney } from '../../money/money.ts';
import type { Sql } from '../../store/sql.ts';
import { windowEdge } from '../../statements/calendar.ts';
import { requireScope } from '../auth.ts';
import { ApiError, errorResponses } from '../errors.ts';
import { moneyString, type Register } from '../typed.ts';

/** Buckets a summary may span (two years of days). */
export const MAX_BUCKETS = 731;
const RECENT_REJECTED = 5;

const summaryQuery = z.object({
  from: z
    .string()
    .optional()
    .describe(
      'first day (YYYY-MM-DD) or month (YYYY-MM) of the tenant time zone, or ISO 8601 instant; default 30 days (12 months) before `to`',
    ),
  to: z
    .string()
    .optional()
    .describe('last day (YYYY-MM-DD) or month (YYYY-MM), inclusive, or ISO 8601 instant, exclusive; default now'),
  bucket: z.enum(['day', 'month']).default('day'),
});

const bucketRow = z.object({
  bucket: z.string().describe('YYYY-MM-DD or YYYY-MM in the tenant time zone'),
  start: z.string(),
  orders: z.number().describe('orders paid in the bucket'),
  gmv: moneyString.describe('paid amount of those orders (GMV, before refunds)'),
  refunds: moneyString.describe('amounts refunded in the bucket'),
  cost: moneyString.describe('commission cost: awards less their refund adjustments, posted in the bucket'),
  costByRule: z.record(z.string(), moneyString),
});

const summary = z.object({
  currency: z.string(),
  timezone: z.string(),
  bucket: z.enum(['day', 'month']),
  from: z.string(),
  to: z.string(),
  rules: z.array(z.string()).describe('rules with a cost in the window, costliest first'),
  buckets: z.array(bucketRow),
  totals: z.object({
    orders: z.number(),
    gmv: moneyString,
    refunds: moneyString,
    cost: moneyString,
    costByRule: z.record(z.string(), moneyString),
  }),
  ledger: z
    .object({
      pending: moneyString.describe('awarded, not yet settled (frozen)'),
      available: moneyString.describe('settled and not yet withdrawn'),
      settled: moneyString.describe('settled so far, in all'),
      withdrawn: moneyString.describe('withdrawn so far, gross (rejected and failed withdrawals not counted)'),
      tax: moneyString.describe('tax withheld from withdrawals'),
      net: moneyString.describe('withdrawn, net of tax'),
    })
    .describe('the ledger now, whatever the window'),
  rejected: z.object({
    total: z.number().describe('rejected events received in the window'),
    recent: z.array(
      z.object({ id: z.number(), type: z.string().nullable(), code: z.string(), message: z.string(), receivedAt: z.string() }),
    ),
  }),
});

type Bucket = 'day' | 'month';

/** Reads `from`/`to` as instants: a plain day or month from its start in the tenant zone (`to` inclusive). */
function window(
  query: { from?: string | undefined; to?: string | undefined },
  bucket: Bucket,
  zone: string,
  now: number,
): { from: DateTime; to: DateTime } {
  // (The same reading as the commission report's window: src/statements/calendar.ts.)
  const parse = (text: string, field: 'from' | 'to'): DateTime => DateTime.fromMillis(windowEdge(text, field, zone), { zone });
  const to = query.to ? parse(query.to, 'to') : DateTime.fromMillis(now, { zone });
  const from = query.from
    ? parse(query.from, 'from')
    : bucket === 'day'
      ? to.minus({ milliseconds: 1 }).startOf('day').minus({ days: 29 })
      : to.minus({ milliseconds: 1 }).startOf('month').minus({ months: 11 });
  if (to <= from) throw ApiError.of('invalid', '`to` must be after `from`', ['to']);
  return { from, to };
}

/** The labels of every bucket the window touches, in order. */
function bucketsOf(from: DateTime, to: DateTime, bucket: Bucket): { label: string; start: string }[] {
  const labels: { label: string; start: string }[] = [];
  for (let cursor = from.startOf(bucket); cursor < to; cursor = cursor.plus(bucket === 'day' ? { days: 1 } : { months: 1 })) {
    if (labels.length >= MAX_BUCKETS)
      throw ApiError.of('invalid', `a summary spans at most ${MAX_BUCKETS} buckets; narrow the window or use bucket=month`, [
        'from',
      ]);
    labels.push({ label: cursor.toFormat(bucket === 'day' ? 'yyyy-MM-dd' : 'yyyy-MM'), start: cursor.toUTC().toISO()! });
  }
  return labels;
}

/** Sums of order lines (`paid` of order.paid, `amount` of order.refunded) per bucket, in numeric text. */
async function lineSums(sql: Sql, type: 'order.paid' | 'order.refunded', field: 'paid' | 'amount', params: unknown[]) {
  return (
    await sql.query<{ bucket: string; orders: number; total: string }>(
      `select to_char(date_trunc($2::text, e.at at time zone $3::text), $4::text) as bucket,
            count(distinct e.seq)::int as orders,
            coalesce(sum(case when l.value->>$8::text ~ '^[0-9]+(\\.[0-9]+)?$' then (l.value->>$8::text)::numeric else 0 end), 0)::text as total
       from events e
       cross join lateral jsonb_array_elements(case when jsonb_typeof(e.payload->'lines') = 'array' then e.payload->'lines' else '[]'::jsonb end) l
      where e.tenant_id = $1 and e.type = $7 and e.at >= $5 and e.at < $6
      group by 1`,
      [...params, type, field],
    )
  ).rows;
}

export const registerReports: Register = (app, context) => {
  const { service } = context;
  app.get(
    '/v1/reports/summary',
    {
      schema: {
        tags: ['reports'],
        summary: 'GMV, commission cost by rule per day or month, the ledger totals and recent rejected events',
        description:
          "Commission counts in the day or month it was posted: an order's award at its payment, a period award at its close (November's pool, closed on December 1, is in December here). GET /v1/reports/commission?by=period groups awards by the period they are for.",
        querystring: summaryQuery,
        response: { 200: summary, ...errorResponses },
      },
    },
    async (request) => {
      const tenant = await requireScope(service.sql, request, 'read');
      const { bucket } = request.query;
      const settings = await service.read(tenant, (runtime) => ({
        ...runtime.engine.settings,
        clock: runtime.engine.state.clock ?? 0,
      }));
      const { decimals, timezone: zone } = settings;
      const { from, to } = window(request.query, bucket, zone, Math.max(context.now(), settings.clock));
      const labels = bucketsOf(from, to, bucket);
      const params = [tenant, bucket, zone, bucket === 'day' ? 'YYYY-MM-DD' : 'YYYY-MM', from.toJSDate(), to.toJSDate()];
      const money = (amount: bigint) => formatMoney(amount, decimals);
      const { rows, rules, ruleTotals, buckets } = await perBucket(service.sql, params, labels, decimals);
      const sum = (pick: (row: Row) => bigint) => [...rows.values()].reduce((total, row) => total + pick(row), 0n);

      const ledger = await ledgerTotals(service.sql, tenant);
      const rejected = await rejectedSummary(service.sql, tenant, from.toJSDate(), to.toJSDate());

      return {
        currency: settings.currency,
        timezone: zone,
        bucket,
        from: from.toUTC().toISO()!,
        to: to.toUTC().toISO()!,
        rules,
        buckets,
        totals: {
          orders: [...rows.values()].reduce((total, row) => total + row.orders, 0),
          gmv: money(sum((row) => row.gmv)),
          refunds: money(sum((row) => row.refunds)),
          cost: money(sum((row) => row.cost)),
          costByRule: Object.fromEntries(rules.map((rule) => [rule, money(ruleTotals.get(rule)!)])),
        },
        ledger: Object.fromEntries(Object.entries(ledger).map(([name, amount]) => [name, money(amount)])) as Record<
          keyof typeof ledger,
          string
        >,
        rejected,
      };
    },
  );
};

type Row = { start: string; orders: number; gmv: bigint; refunds: bigint; cost: bigint; byRule: Map<string, bigint> };

/** GMV, refunds and commission cost by rule of every bucket (empty buckets included). */
async function perBucket(sql: Sql, params: unknown[], labels: { label: string; start: string }[], decimals: number) {
  const minor = (numeric: string) => parseMoney(numeric, decimals) ?? 0n;
  const money = (amount: bigint) => formatMoney(amount, decimals);
  const [paid, refunded] = [
    await lineSums(sql, 'order.paid', 'paid', params),
    await lineSums(sql, 'order.refunded', 'amount', params),
  ];
  const costs = (
    await sql.query<{ bucket: string; rule: string | null; cost: string }>(
      `select to_char(date_trunc($2::text, p.at at time zone $3::text), $4::text) as bucket, p.rule, (-sum(p.amount))::text as cost
       from postings p
      where p.tenant_id = $1 and p.account = 'commission_expense' and p.at >= $5 and p.at < $6
      group by 1, 2`,
      params,
    )
  ).rows;

  const rows = new Map<string, Row>(
    labels.map(({ label, start }) => [
      label,
      { start, orders: 0, gmv: 0n, refunds: 0n, cost: 0n, byRule: new Map<string, bigint>() },
    ]),
  );
  const ruleTotals = new Map<string, bigint>();
  for (const row of paid) {
    const target = rows.get(row.bucket);
    if (!target) continue;
    target.orders = row.orders;
    target.gmv = minor(row.total);
  }
  for (const row of refunded) {
    const target = rows.get(row.bucket);
    if (target) target.refunds = minor(row.total);
  }
  for (const row of costs) {
    const target = rows.get(row.bucket);
    if (!target) continue;
    const rule = row.rule ?? '—';
    const cost = BigInt(row.cost);
    target.cost += cost;
    target.byRule.set(rule, (target.byRule.get(rule) ?? 0n) + cost);
    ruleTotals.set(rule, (ruleTotals.get(rule) ?? 0n) + cost);
  }
  const rules = [...ruleTotals.entries()]
    .sort((a, b) => (b[1] > a[1] ? 1 : b[1] < a[1] ? -1 : a[0].localeCompare(b[0])))
    .map(([rule]) => rule);
  const buckets = [...rows.entries()].map(([label, row]) => ({
    bucket: label,
    start: row.start,
    orders: row.orders,
    gmv: money(row.gmv),
    refunds: money(row.refunds),
    cost: money(row.cost),
    costByRule: Object.fromEntries(rules.map((rule) => [rule, money(row.byRule.get(rule) ?? 0n)])),
  }));
  return { rows, rules, ruleTotals, buckets };
}

/** Pending and available balances, settled, withdrawn, tax and net of one tenant, in minor units. */
async function ledgerTotals(sql: Sql, tenant: string) {
  const balances = (
    await sql.query<{ pending: string; available: string }>(
      'select coalesce(sum(pending), 0)::text as pending, coalesce(sum(available), 0)::text as available from balances where tenant_id = $1',
      [tenant],
    )
  ).rows[0]!;
  const settled = (
    await sql.query<{ settled: string }>(
      "select coalesce(sum(amount), 0)::text as settled from postings where tenant_id = $1 and kind = 'settlement' and account = 'available'",
      [tenant],
    )
  ).rows[0]!;
  const withdrawn = (
    await sql.query<{ amount: string; tax: string; net: string }>(
      // Rejected and failed withdrawals gave their money (and tax) back: not withdrawn.
      "select coalesce(sum(amount), 0)::text as amount, coalesce(sum(tax), 0)::text as tax, coalesce(sum(net), 0)::text as net from withdrawals where tenant_id = $1 and status not in ('rejected', 'failed')",
      [tenant],
    )
  ).rows[0]!;
  return {
    pending: BigInt(balances.pending),
    available: BigInt(balances.available),
    settled: BigInt(settled.settled),
    withdrawn: BigInt(withdrawn.amount),
    tax: BigInt(withdrawn.tax),
    net: BigInt(withdrawn.net),
  };
}

/** How many events were rejected in the window, and the latest few whatever their instant. */
async function rejectedSummary(sql: Sql, tenant: string, from: Date, to: Date) {
  const total = (
    await sql.query<{ n: number }>(
      'select count(*)::int as n from rejected_events where tenant_id = $1 and received_at >= $2 and received_at < $3',
      [tenant, from, to],
    )
  ).rows[0]!.n;
  const recent = (
    await sql.query<{ id: string; type: string | null; code: string; message: string; received_at: Date | string }>(
      'select id::text as id, type, code, message, received_at from rejected_events where tenant_id = $1 order by id desc limit $2',
      [tenant, RECENT_REJECTED],
    )
  ).rows;
  return {
    total,
    recent: recent.map((row) => ({
      id: Number(row.id),
      type: row.type,
      code: row.code,
      message: row.message,
      receivedAt: new Date(row.received_at).toISOString(),
    })),
  };
}
