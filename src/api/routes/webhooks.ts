import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { writeAudit } from '../../service/audit.ts';
import { requireScope } from '../auth.ts';
import { ApiError, errorResponses } from '../errors.ts';
import type { RouteContext } from '../app.ts';
import type { Register, TypedApp } from '../typed.ts';

export const WEBHOOK_TOPICS = [
  'award.created',
  'award.adjusted',
  'award.settled',
  'award.reversed',
  'level.changed',
  'withdrawal.accepted',
  'withdrawal.approved',
  'withdrawal.paid',
  'withdrawal.rejected',
  'withdrawal.failed',
] as const;

/** A URL as the audit log keeps it: without user info or query (they may hold tokens). */
function withoutSecrets(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '(unparsable)';
  }
}

export const registerWebhooks: Register = (app, context) => {
  registerCreateWebhook(app, context);
  registerListWebhooks(app, context);
  registerDeleteWebhook(app, context);
  registerListDeliveries(app, context);
};

function registerCreateWebhook(app: TypedApp, context: RouteContext): void {
  const { service } = context;
  app.post(
    '/v1/webhooks',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Subscribe a URL to topics; deliveries are signed with HMAC-SHA256 (header X-Fenyong-Signature)',
        body: z.object({
          url: z.url({ protocol: /^https?$/, error: 'an http:// or https:// address' }),
          topics: z
            .array(z.enum(WEBHOOK_TOPICS))
            .min(1)
            .default([...WEBHOOK_TOPICS]),
        }),
        response: { 201: z.object({ id: z.string(), secret: z.string(), topics: z.array(z.string()) }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const tenant = await requireScope(service.sql, request, 'admin');
      const id = `wh_${randomBytes(6).toString('base64url')}`;
      const secret = `whsec_${randomBytes(24).toString('base64url')}`;
      await service.sql.transaction(async (tx) => {
        await tx.query('insert into webhooks (tenant_id, id, url, secret, topics) values ($1, $2, $3, $4, $5)', [
          tenant,
          id,
          request.body.url,
          secret,
          JSON.stringify(request.body.topics),
        ]);
        // (Never the secret.)
        await writeAudit(tx, tenant, [
          {
            actor: request.apiKey!.id,
            action: 'webhook.created',
            target: id,
            details: { url: withoutSecrets(request.body.url), topics: request.body.topics },
          },
        ]);
      });
      service.notifying.add(tenant);
      return reply.status(201).send({ id, secret, topics: request.body.topics });
    },
  );
}

function registerListWebhooks(app: TypedApp, context: RouteContext): void {
  const { service } = context;
  app.get(
    '/v1/webhooks',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Webhook subscriptions (without secrets)',
        response: {
          200: z.object({ webhooks: z.array(z.object({ id: z.string(), url: z.string(), topics: z.array(z.string()) })) }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const tenant = await requireScope(service.sql, request, 'read');
      const rows = (
        await service.sql.query<{ id: string; url: string; topics: string[] }>(
          'select id, url, topics from webhooks where tenant_id = $1 order by created_at',
          [tenant],
        )
      ).rows;
      return { webhooks: rows };
    },
  );
}

function registerDeleteWebhook(app: TypedApp, context: RouteContext): void {
  const { service } = context;
  app.delete(
    '/v1/webhooks/:id',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Remove a webhook',
        params: z.object({ id: z.string() }),
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const tenant = await requireScope(service.sql, request, 'admin');
      const removed = await service.sql.transaction(async (tx) => {
        const rows = (
          await tx.query<{ url: string }>('delete from webhooks where tenant_id = $1 and id = $2 returning url', [
            tenant,
            request.params.id,
          ])
        ).rows;
        if (rows.length > 0)
          await writeAudit(tx, tenant, [
            {
              actor: request.apiKey!.id,
              action: 'webhook.removed',
              target: request.params.id,
              details: { url: withoutSecrets(rows[0]!.url) },
            },
          ]);
        return rows.length > 0;
      });
      if (!removed) throw ApiError.of('not_found', `no webhook ${request.params.id}`);
      return reply.status(204).send(null);
    },
  );
}

function registerListDeliveries(app: TypedApp, context: RouteContext): void {
  const { service } = context;
  app.get(
    '/v1/webhooks/:id/deliveries',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'The delivery log of a webhook, newest first',
        params: z.object({ id: z.string() }),
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }),
        response: {
          200: z.object({
            deliveries: z.array(
              z.object({
                outboxId: z.number(),
                topic: z.string(),
                status: z.string(),
                attempts: z.number(),
                lastStatus: z.number().nullable(),
                lastError: z.string().nullable(),
                deliveredAt: z.string().nullable(),
                payload: z.unknown(),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const tenant = await requireScope(service.sql, request, 'read');
      // A removed webhook keeps its delivery log; an id this tenant never had is not found.
      const exists = await service.sql.query(
        `select 1 from webhooks where tenant_id = $1 and id = $2
       union all select 1 from webhook_deliveries where tenant_id = $1 and webhook_id = $2 limit 1`,
        [tenant, request.params.id],
      );
      if (exists.rows.length === 0) throw ApiError.of('not_found', `no webhook ${request.params.id}`);
      const rows = (
        await service.sql.query<{
          outbox_id: string;
          topic: string;
          status: string;
          attempts: number;
          last_status: number | null;
          last_error: string | null;
          delivered_at: Date | string | null;
          payload: unknown;
        }>(
          `select d.outbox_id::text as outbox_id, o.topic, d.status, d.attempts, d.last_status, d.last_error, d.delivered_at, o.payload
         from webhook_deliveries d join outbox o on o.tenant_id = d.tenant_id and o.id = d.outbox_id
        where d.tenant_id = $1 and d.webhook_id = $2 order by d.outbox_id desc limit $3`,
          [tenant, request.params.id, request.query.limit],
        )
      ).rows;
      return {
        deliveries: rows.map((r) => ({
          outboxId: Number(r.outbox_id),
          topic: r.topic,
          status: r.status,
          attempts: r.attempts,
          lastStatus: r.last_status,
          lastError: r.last_error,
          deliveredAt: r.delivered_at === null ? null : new Date(r.delivered_at).toISOString(),
          payload: r.payload,
        })),
      };
    },
  );
}
