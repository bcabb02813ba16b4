import { z } from 'zod';
import { auditOfEvent } from '../../service/audit.ts';
import { iso, tenantMoney } from '../../service/payouts/common.ts';
import { isoOrNull } from '../../domain/instants.ts';
import { requireScope } from '../auth.ts';
import { ApiError, engineRefusal, errorResponses } from '../errors.ts';
import { nextCursor, pageOf, pageOfQuery, pageQuery, pageSql } from '../paging.ts';
import { windowOfQuery, windowQuery } from '../window-query.ts';
import { parseMoney } from '../../money/money.ts';
import type { RouteContext } from '../app.ts';
import { moneyString, optionalAt, type Register, type TypedApp } from '../typed.ts';

const adjustmentView = z.object({
  adjustment: z.string(),
  member: z.string(),
  at: z.string(),
  amount: moneyString,
  reason: z.string(),
  by: z.string().nullable(),
  seq: z.number(),
});

/** Manual adjustments (admin): a bonus or deduction with its mandatory reason, audited. */
export const registerAdjustments: Register = (app, context) => {
  registerPostAdjustment(app, context);
  registerListAdjustments(app, context);
};

function registerPostAdjustment(app: TypedApp, context: RouteContext): void {
  const { service } = context;
  app.post(
    '/v1/adjustments',
    {
      schema: {
        tags: ['payouts'],
        summary:
          "Post a manual bonus (positive) or deduction (negative) to a member's available balance; the reason is mandatory",
        body: z.object({
          adjustment: z.string().min(1).max(200).describe('your id of the adjustment: posting it again is a duplicate'),
          member: z.string(),
          amount: moneyString,
          reason: z.string().trim().min(1, 'a manual adjustment needs a reason').max(500),
          at: optionalAt,
        }),
        response: { 200: z.object({ status: z.enum(['accepted', 'duplicate']), seq: z.number().optional() }), ...errorResponses },
      },
    },
    async (request) => {
      const tenant = await requireScope(service.sql, request, 'admin');
      const actor = request.apiKey!.id;
      // A retry (same id, member, amount and reason) is a duplicate whatever its instant; the same id
      // with other content is a conflict (the engine says so too, for a retry that races the first).
      const money = await tenantMoney(service.sql, tenant);
      const known = (
        await service.sql.query<{ member: string; amount: string; reason: string }>(
          'select member, amount::text as amount, reason from adjustments where tenant_id = $1 and id = $2',
          [tenant, request.body.adjustment],
        )
      ).rows[0];
      if (known) {
        const same =
          known.member === request.body.member &&
          parseMoney(request.body.amount, money.decimals) === BigInt(known.amount) &&
          known.reason === request.body.reason;
        if (same) return { status: 'duplicate' as const };
        throw ApiError.of(
          'conflict',
          `adjustment ${request.body.adjustment} was already posted with other content; use a new id`,
          ['adjustment'],
        );
      }
      const event = {
        type: 'adjustment.posted',
        ...request.body,
        at: request.body.at ?? new Date(context.now()).toISOString(),
        by: actor,
      };
      const [result] = await service.ingest(tenant, [event], 'http', undefined, {
        serverTime: request.body.at === undefined,
        // Refused, it is answered to the person who posted it (422), not kept among the shop's refused events.
        logRejections: false,
        audit: ([r]) => (r!.status === 'accepted' ? [auditOfEvent(event, actor, r!.seq)!] : []),
      });
      if (result!.status === 'rejected') throw engineRefusal(result!.error);
      return result!.status === 'accepted' ? { status: 'accepted' as const, seq: result!.seq } : { status: 'duplicate' as const };
    },
  );
}

function registerListAdjustments(app: TypedApp, context: RouteContext): void {
  const { service } = context;
  app.get(
    '/v1/adjustments',
    {
      schema: {
        tags: ['payouts'],
        summary: 'Manual adjustments, newest first (or oldest first), paged',
        querystring: z.object({
          member: z.string().optional(),
          ...windowQuery,
          ...pageQuery({ sort: 'desc', limit: 1000, max: 10_000 }),
        }),
        response: { 200: z.object({ adjustments: z.array(adjustmentView), next: nextCursor }), ...errorResponses },
      },
    },
    async (request) => {
      const tenant = await requireScope(service.sql, request, 'admin');
      const money = await tenantMoney(service.sql, tenant);
      const page = pageOfQuery(request.query);
      const window = await windowOfQuery(service.sql, tenant, request.query);
      // In the order of the log: an adjustment is one event, its position its own.
      const seek = pageSql('adjustments.event_seq', page, { after: 3, fetch: 4 });
      const rows = (
        await service.sql.query<{
          id: string;
          member: string;
          at: Date | string;
          amount: string;
          reason: string;
          by_key: string | null;
          event_seq: string;
        }>(
          `select id, member, at, amount::text as amount, reason, by_key, event_seq::text as event_seq from adjustments
        where tenant_id = $1 and ($2::text is null or member = $2) and ${seek.where}
          and ($5::timestamptz is null or at >= $5) and ($6::timestamptz is null or at < $6) ${seek.order}`,
          [tenant, request.query.member ?? null, page.after, seek.fetch, isoOrNull(window.from), isoOrNull(window.to)],
        )
      ).rows;
      const shown = pageOf(rows, page, (r) => r.event_seq);
      return {
        next: shown.next,
        adjustments: shown.rows.map((r) => ({
          adjustment: r.id,
          member: r.member,
          at: iso(r.at)!,
          amount: money.money(r.amount),
          reason: r.reason,
          by: r.by_key,
          seq: Number(r.event_seq),
        })),
      };
    },
  );
}
