import { z } from 'zod';
import { AUDIT_ACTIONS, queryAudit } from '../../service/audit.ts';
import { requireScope } from '../auth.ts';
import { errorResponses } from '../errors.ts';
import type { Register } from '../typed.ts';
import { windowOfQuery, windowQuery } from '../window-query.ts';

/** The append-only audit log of manual actions (admin). */
export const registerAudit: Register = (app, { service }) => {
  app.get(
    '/v1/audit',
    {
      schema: {
        tags: ['payouts'],
        summary: 'The audit log of manual actions, newest first',
        querystring: z.object({
          action: z
            .string()
            .optional()
            .describe(`one of ${AUDIT_ACTIONS.join(', ')}; or a prefix such as withdrawal.*`),
          target: z
            .string()
            .optional()
            .describe('the withdrawal, adjustment, member, key, webhook, plan version or batch acted on'),
          actor: z.string().optional().describe('the API key id'),
          ...windowQuery,
          before: z.coerce.number().int().min(1).optional().describe('only entries older than this id (paging)'),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
        response: {
          200: z.object({
            entries: z.array(
              z.object({
                id: z.number(),
                at: z.string(),
                actor: z.string(),
                action: z.string(),
                target: z.string().nullable(),
                reason: z.string().nullable(),
                details: z.record(z.string(), z.unknown()),
              }),
            ),
            next: z.number().nullable().describe('the `before` of the next page (older entries), null on the last page'),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const tenant = await requireScope(service.sql, request, 'admin');
      // One entry more than the page tells whether another page follows.
      const window = await windowOfQuery(service.sql, tenant, request.query);
      const entries = await queryAudit(service.sql, tenant, { ...request.query, ...window, limit: request.query.limit + 1 });
      const shown = entries.slice(0, request.query.limit);
      return { entries: shown, next: entries.length > shown.length ? shown[shown.length - 1]!.id : null };
    },
  );
};
