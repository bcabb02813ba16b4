import { z } from 'zod';
import { explainAward, readableFigures } from '../../explain/render.ts';
import { findAward } from '../../explain/find.ts';
import { LANGS } from '../../explain/messages.ts';
import type { Explanation } from '../../engine/templates/template.ts';
import { formatMoney } from '../../money/money.ts';
import type { Sql } from '../../store/sql.ts';
import type { Engine } from '../../engine/engine.ts';
import { orderKeyRange } from '../../service/award-key.ts';
import { awardOrigins, ruleLabelOf } from '../../explain/origin.ts';
import { awardChanges, firstJournalFrom, type AwardFilters, type AwardRow, type ChangeCursor } from '../award-changes.ts';
import { requireScope } from '../auth.ts';
import { ApiError, errorResponses } from '../errors.ts';
import type { RouteContext } from '../app.ts';
import type { Register, TypedApp } from '../typed.ts';

const award = z.object({
  to: z.string(),
  order: z.string().nullable(),
  period: z.string().nullable(),
  rule: z.string(),
  ruleName: z
    .string()
    .nullable()
    .describe("the rule's name (its template's `name`) in the plan version that made the award; null when it has none"),
  at: z.string().nullable().describe("when the award was made (ISO 8601): its order's payment, or its period's close"),
  amount: z.string(),
  status: z.string(),
});

type AwardFigures = { to: string; order: string | null; period: string | null; rule: string; amount: bigint; status: string };

/**
 * Awards as the API answers them: each row, its amount in major units, and its origin
 * (src/explain/origin.ts, worked out once per page for the awards that share one).
 */
function awardsOut(engine: Engine, rows: readonly AwardFigures[]): z.infer<typeof award>[] {
  const originOf = awardOrigins(engine);
  return rows.map(({ to, order, period, rule, amount, status }) => ({
    to,
    order,
    period,
    rule,
    ...originOf({ order, period, rule }),
    amount: formatMoney(amount, engine.settings.decimals),
    status,
  }));
}

/** GET /v1/awards filters, with `after` for polling the awards changed since a previous answer. */
const awardsQuery = z.object({
  member: z.string().optional(),
  order: z.string().optional(),
  period: z.string().optional(),
  rule: z.string().optional(),
  // Not z.coerce.boolean: that reads "false" and "0" as true (any non-empty text).
  includeZero: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((text) => text === 'true' || text === '1')
    .describe('also list awards netted to zero (true/false)'),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
  after: z.string().optional().describe('the `cursor` of a previous answer: only awards created or changed since (polling)'),
});

export const registerAwards: Register = (app, context) => {
  registerListAwards(app, context);
  registerExplainAward(app, context);
};

function registerListAwards(app: TypedApp, context: RouteContext): void {
  const { service } = context;
  app.get(
    '/v1/awards',
    {
      schema: {
        tags: ['awards'],
        summary: 'Awards (net of refunds), filtered by member, order, period or rule',
        querystring: awardsQuery,
        response: {
          200: z.object({
            awards: z.array(award),
            cursor: z
              .string()
              .describe(
                'pass as `after` to get the awards created or changed after these (the same cursor when there were none)',
              ),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const tenant = await requireScope(service.sql, request, 'read');
      const { member, order, period, rule, includeZero, limit, after } = request.query;
      const filters = { member: member ?? null, order: order ?? null, period: period ?? null, rule: rule ?? null, includeZero };
      const { rows, next } =
        after === undefined
          ? await listAwards(service.sql, tenant, filters, limit)
          : await pollAwards(service.sql, tenant, after, filters, limit);
      // Read after the query: the engine has then caught up with at least the awards listed.
      const awards = await service.read(tenant, (runtime) =>
        awardsOut(
          runtime.engine,
          rows.map((row) => ({
            to: row.member,
            order: row.order_id,
            period: row.period,
            rule: row.rule,
            amount: BigInt(row.amount),
            status: row.status,
          })),
        ),
      );
      return {
        awards,
        cursor: after !== undefined && next === null ? after : cursorOf(next ?? { journal: 0, key: null }),
      };
    },
  );
}

/** GET /v1/awards/explain: which award, and the language of its sentences. */
const explainQuery = z.object({
  member: z.string().describe("the member the award went to (with a member token: the token's member, the default)"),
  order: z.string().optional().describe('the order of an order award (give order or period, not both)'),
  period: z.string().optional().describe('the period of a period award, e.g. 2026-03 (give order or period, not both)'),
  rule: z.string().describe('the rule (template id of the plan) that made the award'),
  lang: z.enum(LANGS).default('zh-CN').describe('the language of `sentences`: zh-CN (the default, as `fenyong explain`) or en'),
});

const decimalOf = (raw: string) => `${raw} in major units of the tenant currency, e.g. "59.90" (its decimals)`;
const exactDecimalOf = (raw: string) =>
  `${raw} in major units, exactly: the currency's decimals and up to 6 more, ending in "…" when it does not terminate`;
/** An exact value of minor units as the engine holds it: num / den, integers as decimal strings. */
const exactMinor = z.object({ num: z.string(), den: z.string() });

/**
 * One part of an award's computation (an order line, or the period): the engine's raw part
 * (amounts in minor units, rates in ppm, exact values as fractions), kept as it always was, and
 * beside each raw figure the same figure readable, the one the sentences show (`…Decimal`,
 * `ratePercent`, `factsReadable`). Loose: a raw field added to the engine is passed on as it is.
 */
const explanationPart = z.looseObject({
  rule: z.string(),
  template: z.string().describe('the template the rule runs, e.g. multi-level'),
  to: z.string(),
  order: z.string().optional(),
  line: z.number().int().optional().describe('the order line this part is about'),
  period: z.string().optional(),
  reason: z.string().describe('why, as a code (template.case, e.g. multi-level.position); `sentences` says it in words'),
  base: z
    .object({
      kind: z.string().describe('paid, profit, award (an award below), teamSales or periodSales'),
      amount: exactMinor.describe('what the rate applies to, in minor units, exactly (num / den)'),
      amountDecimal: z.string().describe(exactDecimalOf('`amount`')),
    })
    .optional(),
  rate: z.string().optional().describe('the rate in parts per million of the whole (50000 is 5%)'),
  ratePercent: z.string().optional().describe('`rate` as a percentage, e.g. "5%" or "12.5%"'),
  unitPrice: z.string().optional().describe('a unit price in minor units'),
  unitPriceDecimal: z.string().optional().describe(decimalOf('`unitPrice`')),
  qty: z.number().int().optional(),
  exact: exactMinor.describe('the value before rounding, in minor units (num / den)'),
  exactDecimal: z.string().describe(exactDecimalOf('`exact`')),
  amount: z.string().describe('this part of the award in minor units (fen), after rounding'),
  amountDecimal: z.string().describe(decimalOf('`amount`')),
  position: z.number().int().optional().describe('0 the seller, 1 its upline… in the chain used'),
  level: z.number().int().optional().describe("the member's level when the order was paid"),
  compressed: z
    .object({ networkPosition: z.number().int(), skipped: z.array(z.string()), inactiveDays: z.number().int() })
    .optional()
    .describe('when compression skipped inactive members below: the position in the network and who was skipped'),
  facts: z
    .record(z.string(), z.union([z.string(), z.number()]))
    .optional()
    .describe("the reason's figures, raw: money in minor units, rates (ownRate, paidBelow) in ppm"),
  factsReadable: z
    .record(z.string(), z.string())
    .optional()
    .describe('`facts` with money in major units ("12.00") and rates as percentages ("5%"), the others as they are'),
});

/** A part as the API answers it: the raw part (bigints as strings), each raw figure with its readable twin. */
function explanationOut(part: Explanation, decimals: number): z.input<typeof explanationPart> {
  // (Typed as the answer, readable figures aside: they are set below.)
  const raw = JSON.parse(JSON.stringify(part, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))) as z.input<
    typeof explanationPart
  >;
  // The same figures the sentences are made of (src/explain/render.ts), so that both always agree.
  const figures = readableFigures(part, decimals);
  return {
    ...raw,
    base: raw.base && { ...raw.base, amountDecimal: figures.base ?? '' },
    ratePercent: figures.rate,
    unitPriceDecimal: figures.unitPrice,
    exactDecimal: figures.exact,
    amountDecimal: figures.amount,
    factsReadable: figures.facts,
  };
}

function registerExplainAward(app: TypedApp, context: RouteContext): void {
  const { service } = context;
  app.get(
    '/v1/awards/explain',
    {
      schema: {
        tags: ['awards'],
        summary: '"Why did I get this?": one award in plain sentences, with its exact computation',
        querystring: explainQuery,
        response: {
          200: z.object({
            award: award.describe('the award, as GET /v1/awards lists it (amount in major units)'),
            sentences: z
              .array(z.string())
              .describe(
                'the explanation in `lang`, one string a line, as `fenyong explain` prints it: first the headline ' +
                  '(who earned how much, on what, under which rule, and the status), then, indented by two spaces, ' +
                  "each order line's (or the period's) computation with its rounding; when the award changed (a " +
                  'refund), a "History:" line (变动记录：) and each change, indented. Join with newlines for a text.',
              ),
            explanations: z
              .array(explanationPart)
              .describe(
                "the award's computation part by part (one per order line it was earned on, or the period), raw and readable",
              ),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const tenant = await requireScope(service.sql, request, 'read');
      const { member, order, period, rule, lang } = request.query;
      if ((order === undefined) === (period === undefined))
        throw new ApiError(400, 'invalid', 'give exactly one of order or period');
      return service.read(tenant, (runtime) => {
        const found = findAward(runtime.engine, `${member}:${order ?? period}:${rule}`);
        if (!found) throw new ApiError(404, 'not_found', `no award of ${member} on ${order ?? period} under ${rule}`);
        const decimals = runtime.engine.settings.decimals;
        // (Fields named one by one: an order's award reads them through getters, which a spread would miss.)
        const shown = awardsOut(runtime.engine, [
          {
            to: found.to,
            order: found.order ?? null,
            period: found.period ?? null,
            rule: found.rule,
            amount: found.amount,
            status: found.status,
          },
        ])[0]!;
        return {
          award: shown,
          sentences: explainAward(found, runtime.engine.settings, lang, ruleLabelOf(runtime.engine, found)),
          explanations: found.explanations.map((part) => explanationOut(part, decimals)),
        };
      });
    },
  );
}

// (An award whose changes never moved money has no journal: first among its log position's. An
// order's awards are read as their range of the primary key, $8 to $9: see orderKeyRange.)
const LIST_AWARDS = `
select member, order_id, period, rule, amount::text as amount, status, updated_seq::text as change_seq,
  updated_journal::text as change_journal, award_key from awards
where tenant_id = $1 and ($2::text is null or member = $2)
  and ($3::text is null or (award_key >= $8 and award_key < $9 and order_id = $3))
  and ($4::text is null or period = $4) and ($5::text is null or rule = $5) and ($6 or amount <> 0)
order by updated_seq, updated_journal nulls first, award_key limit $7`;

/**
 * A listing (no `after`): the awards in change order, and a cursor to poll from its last one
 * (polling's order is the same for every award it can see: journals grow with log positions).
 */
async function listAwards(
  sql: Sql,
  tenant: string,
  f: AwardFilters,
  limit: number,
): Promise<{ rows: AwardRow[]; next: ChangeCursor | null }> {
  const [from, to] = f.order === null ? [null, null] : orderKeyRange(f.order);
  const params = [tenant, f.member, f.order, f.period, f.rule, f.includeZero, limit, from, to];
  const rows = (await sql.query<AwardRow>(LIST_AWARDS, params)).rows;
  const last = rows[rows.length - 1];
  if (!last) return { rows, next: null };
  if (last.change_journal !== null) return { rows, next: { journal: Number(last.change_journal), key: last.award_key } };
  // (No journal: the awards of its log position that have one come after it.)
  return { rows, next: { journal: await firstJournalFrom(sql, tenant, Number(last.change_seq)), key: null } };
}

/** Polling (`after`): what changed since the cursor (award-changes.ts); null when nothing did. */
async function pollAwards(
  sql: Sql,
  tenant: string,
  after: string,
  filters: AwardFilters,
  limit: number,
): Promise<{ rows: AwardRow[]; next: ChangeCursor | null }> {
  const parsed = parseCursor(after);
  const from = 'journal' in parsed ? parsed : { journal: await firstJournalFrom(sql, tenant, parsed.seq), key: null };
  const { rows, next } = await awardChanges(sql, tenant, from, filters, limit);
  const moved = next.key !== from.key || next.journal !== from.journal;
  return { rows, next: moved ? next : null };
}

/**
 * An opaque position in the awards' change order: the journal of the last change and the award
 * (or none: nothing of that journal yet). Cursors of earlier formats are still read; one that was
 * inside a log position resumes at the start of that position's changes, so a few awards may come
 * again (at least once, never lost): `seq|key` (the first format) and `c2:seq:journal:±key`.
 */
function cursorOf(position: ChangeCursor): string {
  return Buffer.from(`c3:${position.journal}:${position.key === null ? '-' : '+' + position.key}`).toString('base64url');
}

const BAD_CURSOR = 'after must be the cursor of a previous answer of GET /v1/awards';

function parseCursor(cursor: string): ChangeCursor | { seq: number } {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const current = /^c3:(\d+):([-+])/.exec(text);
  if (current) {
    const journal = Number(current[1]);
    if (!Number.isSafeInteger(journal)) throw new ApiError(400, 'invalid', BAD_CURSOR, ['after']);
    return { journal, key: current[2] === '-' ? null : text.slice(current[0].length) };
  }
  const second = /^c2:(\d+):(\d+):([-+])/.exec(text);
  if (second) {
    const [seq, journal] = [Number(second[1]), Number(second[2])];
    if (!Number.isSafeInteger(seq) || !Number.isSafeInteger(journal)) throw new ApiError(400, 'invalid', BAD_CURSOR, ['after']);
    // Its journal is where the next window starts, or (with a key) the first of the log position it was inside.
    return { journal, key: null };
  }
  const bar = text.indexOf('|');
  const seq = Number(text.slice(0, bar));
  if (bar < 0 || !Number.isSafeInteger(seq) || seq < 0) throw new ApiError(400, 'invalid', BAD_CURSOR, ['after']);
  return { seq };
}
