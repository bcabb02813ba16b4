import { z } from 'zod';
import { explainAward } from '../../explain/render.ts';
import { findAward, templateOfRule } from '../../explain/find.ts';
import { formatMoney } from '../../money/money.ts';
import type { Sql } from '../../store/sql.ts';
import { orderKeyRange } from '../../service/award-key.ts';
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
  amount: z.string(),
  status: z.string(),
});

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
      const decimals = await service.read(tenant, (runtime) => runtime.engine.settings.decimals);
      const { rows, next } =
        after === undefined
          ? await listAwards(service.sql, tenant, filters, limit)
          : await pollAwards(service.sql, tenant, after, filters, limit);
      return {
        awards: rows.map((row) => ({
          to: row.member,
          order: row.order_id,
          period: row.period,
          rule: row.rule,
          amount: formatMoney(BigInt(row.amount), decimals),
          status: row.status,
        })),
        cursor: after !== undefined && next === null ? after : cursorOf(next ?? { journal: 0, key: null }),
      };
    },
  );
}

function registerExplainAward(app: TypedApp, context: RouteContext): void {
  const { service } = context;
  app.get(
    '/v1/awards/explain',
    {
      schema: {
        tags: ['awards'],
        summary: '"Why did I get this?": one award in plain sentences, with its exact computation',
        querystring: z.object({
          member: z.string(),
          order: z.string().optional(),
          period: z.string().optional(),
          rule: z.string(),
          lang: z.enum(['zh-CN', 'en']).default('zh-CN'),
        }),
        response: { 200: z.object({ award, sentences: z.array(z.string()), explanations: z.unknown() }), ...errorResponses },
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
        return {
          award: {
            to: found.to,
            order: found.order ?? null,
            period: found.period ?? null,
            rule: found.rule,
            amount: formatMoney(found.amount, decimals),
            status: found.status,
          },
          sentences: explainAward(found, runtime.engine.settings, lang, templateOfRule(runtime.engine, found.rule)),
          explanations: JSON.parse(
            JSON.stringify(found.explanations, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)),
          ),
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
