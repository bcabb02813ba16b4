import { z } from 'zod';
import { SENT_EVENT_TYPES } from '../../domain/event-types.ts';
import { auditOfEvent, MANUAL_EVENT_TYPES } from '../../service/audit.ts';
import { MAX_BATCH, type ItemResult } from '../../service/service.ts';
import { firstIssue } from '../../schema/primitives.ts';
import { requireScope } from '../auth.ts';
import { ApiError, errorBody, errorResponses } from '../errors.ts';
import { nextCursor, pageOf, pageOfQuery, pageQuery, pageSql } from '../paging.ts';
import type { RouteContext } from '../app.ts';
import type { Register, TypedApp } from '../typed.ts';

const itemResult = z.union([
  z.object({ status: z.literal('accepted'), seq: z.number() }),
  z.object({ status: z.literal('duplicate') }),
  z.object({ status: z.literal('rejected'), error: errorBody.shape.error }),
]);

const eventDoc = z
  .looseObject({
    type: z.enum(SENT_EVENT_TYPES),
    at: z.string().describe('ISO 8601 instant'),
    id: z.string().optional().describe('your event id: makes retries of any event idempotent'),
  })
  .describe('an event as in the scenario format (DOMAIN.md); validated item by item');

const batchDoc = z.object({ events: z.array(z.unknown()).min(1).max(MAX_BATCH) });

/**
 * Why a body is neither one event nor a batch, said of the form it was meant as: a union's own
 * error ("Invalid input") names neither the field nor the fault.
 */
function bodyError(body: unknown): ApiError {
  if (typeof body === 'string')
    return ApiError.of('invalid', 'send JSON with content-type: application/json: one event, or a batch { "events": [...] }');
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    return ApiError.of('invalid', 'send one event (an object with type and at) or a batch: { "events": [...] }');
  const parsed = ('events' in body ? batchDoc : eventDoc).safeParse(body);
  if (parsed.success)
    return ApiError.of('invalid', 'send one event (an object with type and at) or a batch: { "events": [...] }');
  const { path, message } = firstIssue(parsed.error);
  return ApiError.of('invalid', message, path);
}

export const registerEvents: Register = (app, context) => {
  registerPostEvents(app, context);
  registerListEvents(app, context);
  registerListRejected(app, context);
};

function registerPostEvents(app: TypedApp, context: RouteContext): void {
  const { service } = context;
  app.post(
    '/v1/events',
    {
      // The handler words a refused body itself (bodyError), after the key is checked.
      attachValidation: true,
      schema: {
        tags: ['events'],
        summary: `Send one event, or a batch of up to ${MAX_BATCH} ({ events: [...] }), applied in order`,
        description:
          'An ingest key sends what a shop reports (orders paid, completed and refunded, members joining, moving, promoted). Manual acts (a level set by hand, a payout decision, an adjustment) and ticks need an admin key: a batch holding one is refused whole (403) when sent with another key. An event further ahead of the server clock than FENYONG_MAX_AHEAD_DAYS is rejected (invalid at `at`).',
        body: z.union([batchDoc, eventDoc]),
        response: { 200: z.object({ results: z.array(itemResult) }), ...errorResponses },
      },
    },
    async (request) => {
      const tenant = await requireScope(service.sql, request, 'ingest');
      if (request.validationError) throw bodyError(request.body);
      const body = request.body as { events?: unknown[] };
      const items = Array.isArray(body.events) ? body.events : [request.body];
      if (items.length > MAX_BATCH) throw ApiError.of('invalid', `a batch has at most ${MAX_BATCH} events`, ['events']);
      const typeOf = (item: unknown) => String((item as { type?: unknown } | null)?.type);
      const manual = items.map((item) => MANUAL_EVENT_TYPES.has(typeOf(item)));
      if (request.apiKey?.scope !== 'admin') refuseAdminActs(items.map(typeOf));
      // Manual acts sent as events are audited like their own endpoints, in the same transaction.
      const actor = request.apiKey!.id;
      const audit = (results: readonly ItemResult[]) =>
        results.flatMap((r, index) =>
          manual[index] && r.status === 'accepted' ? [auditOfEvent(items[index], actor, r.seq)!] : [],
        );
      const results = await service.ingest(tenant, items, 'http', undefined, manual.some(Boolean) ? { audit } : {});
      return {
        results: results.map((r) =>
          r.status === 'rejected'
            ? {
                status: r.status,
                error: { code: r.error.code, message: r.error.message, ...(r.error.path ? { path: [...r.error.path] } : {}) },
              }
            : r,
        ),
      };
    },
  );
}

/**
 * Acts only an admin key may send as events: manual acts (a level set by hand, a payout decision,
 * an adjustment), and a tick, which moves the tenant's clock for good and settles what falls due
 * by then (POST /v1/tick needs an admin key too; the server's scheduler ticks on its own).
 */
function refuseAdminActs(types: readonly string[]): void {
  const manual = types.find((type) => MANUAL_EVENT_TYPES.has(type));
  if (manual !== undefined)
    throw ApiError.of(
      'forbidden',
      `${manual} is a manual act (a level set by hand, a payout decision, an adjustment): it needs an admin key`,
    );
  if (types.includes('tick'))
    throw ApiError.of(
      'forbidden',
      "a tick moves the tenant's clock and settles what falls due by then: it needs an admin key (the server ticks on its own)",
    );
}

function registerListEvents(app: TypedApp, context: RouteContext): void {
  const { service } = context;
  app.get(
    '/v1/events',
    {
      schema: {
        tags: ['events'],
        summary: 'The event log, oldest first (or newest first with sort=desc), paged by sequence number',
        description:
          "Besides the events sent, the log holds `time.passed` entries: time the tenant's clock moved for an event that was refused (work due before it ran first) and `network.imported` for a network import.",
        querystring: z.object({
          after: z.coerce.number().int().min(0).default(0).describe('only events after this sequence number'),
          before: z.coerce.number().int().min(1).optional().describe('only events before this sequence number'),
          sort: z.enum(['asc', 'desc']).default('asc'),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
          type: z.string().optional(),
          order: z.string().optional().describe('only events of this order id'),
          member: z.string().optional().describe('only events naming this member (member, buyer, referrer or pickup point)'),
        }),
        response: {
          200: z.object({
            events: z.array(
              z.object({ seq: z.number(), type: z.string(), at: z.string(), source: z.string(), payload: z.unknown() }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const tenant = await requireScope(service.sql, request, 'read');
      const { after, before, sort, limit, type, order, member } = request.query;
      const rows = (
        await service.sql.query<{ seq: string; type: string; at: Date | string; source: string; payload: unknown }>(
          `select seq::text as seq, type, at, source, payload from events
        where tenant_id = $1 and seq > $2 and ($3::bigint is null or seq < $3) and ($4::text is null or type = $4)
          and ($5::text is null or payload->>'order' = $5)
          and ($6::text is null or $6 in (payload->>'member', payload->'member'->>'id', payload->>'buyer', payload->>'referrer', payload->>'pickupPoint'))
        order by events.seq ${sort === 'desc' ? 'desc' : 'asc'} limit $7`,
          [tenant, after, before ?? null, type ?? null, order ?? null, member ?? null, limit],
        )
      ).rows;
      return {
        events: rows.map((row) => ({
          seq: Number(row.seq),
          type: row.type,
          at: new Date(row.at).toISOString(),
          source: row.source,
          payload: row.payload,
        })),
      };
    },
  );
}

function registerListRejected(app: TypedApp, context: RouteContext): void {
  const { service } = context;
  app.get(
    '/v1/events/rejected',
    {
      schema: {
        tags: ['events'],
        summary: 'Rejected events with their error, newest first (or oldest first), paged',
        querystring: z.object({ ...pageQuery({ sort: 'desc', limit: 100, max: 1000 }) }),
        response: {
          200: z.object({
            rejected: z.array(
              z.object({
                id: z.number(),
                type: z.string().nullable(),
                code: z.string(),
                message: z.string(),
                path: z.unknown(),
                source: z.string(),
                receivedAt: z.string(),
                payload: z.unknown(),
              }),
            ),
            next: nextCursor,
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const tenant = await requireScope(service.sql, request, 'read');
      const page = pageOfQuery(request.query);
      // By the serial id of the row: the order they were refused in.
      const seek = pageSql('rejected_events.id', page, { after: 2, fetch: 3 });
      const rows = (
        await service.sql.query<{
          id: string;
          type: string | null;
          code: string;
          message: string;
          path: unknown;
          source: string;
          received_at: Date | string;
          payload: unknown;
        }>(
          `select id::text as id, type, code, message, path, source, received_at, payload from rejected_events
        where tenant_id = $1 and ${seek.where} ${seek.order}`,
          [tenant, page.after, seek.fetch],
        )
      ).rows;
      const shown = pageOf(rows, page, (row) => row.id);
      return {
        next: shown.next,
        rejected: shown.rows.map((row) => ({
          ...row,
          id: Number(row.id),
          receivedAt: new Date(row.received_at).toISOString(),
          received_at: undefined,
        })),
      };
    },
  );
}
