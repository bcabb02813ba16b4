import { z } from 'zod';
import { auditOfEvent, MANUAL_EVENT_TYPES } from '../../service/audit.ts';
import { BULK_CHUNK, type BulkAudit } from '../../service/bulk-ingest.ts';
import type { ItemResult } from '../../service/service.ts';
import { requireScope } from '../auth.ts';
import { errorBody, errorResponses } from '../errors.ts';
import type { Register } from '../typed.ts';

/** Events per request of POST /v1/backfill/events. */
export const MAX_BULK = 100_000;

/**
 * History in bulk (`fenyong backfill`): many events per request, applied in order in transactions
 * of BULK_CHUNK, the engine working on the next chunk while the database writes the last ones
 * (src/service/bulk-ingest.ts). Answered
 * with counts and the rejected events only: a backfill's events are nearly all accepted.
 */
export const registerBackfillEvents: Register = (app, { service }) => {
  app.post(
    '/v1/backfill/events',
    {
      bodyLimit: 64 * 1024 * 1024,
      schema: {
        tags: ['events'],
        summary: `Send history in bulk: up to ${MAX_BULK.toLocaleString('en-US')} events in time order (admin)`,
        description:
          `Applied in order like POST /v1/events, in transactions of ${BULK_CHUNK.toLocaleString('en-US')} events: when a request fails, ` +
          'the chunks before the failure stay applied, and sending the same events again answers them duplicate (events are idempotent by identity).',
        body: z.object({ events: z.array(z.unknown()).min(1).max(MAX_BULK) }),
        response: {
          200: z.object({
            accepted: z.number().describe('events applied'),
            duplicate: z.number().describe('events already applied (the same identity and content)'),
            rejected: z.array(z.object({ index: z.number().describe('position in `events`'), error: errorBody.shape.error })),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const tenant = await requireScope(service.sql, request, 'admin');
      const items = request.body.events;
      const manual = items.map((item) => MANUAL_EVENT_TYPES.has(String((item as { type?: unknown } | null)?.type)));
      const actor = request.apiKey!.id;
      // Manual acts in the history are audited like their own endpoints, in their chunk's transaction.
      const audit: BulkAudit | undefined = manual.some(Boolean)
        ? (results, offset) =>
            results.flatMap((r, i) =>
              manual[offset + i] && r.status === 'accepted' ? [auditOfEvent(items[offset + i], actor, r.seq)!] : [],
            )
        : undefined;
      return summary(await service.ingestBulk(tenant, items, 'backfill', audit));
    },
  );
};

function summary(results: readonly ItemResult[]) {
  let accepted = 0;
  let duplicate = 0;
  const rejected: { index: number; error: z.infer<typeof errorBody>['error'] }[] = [];
  results.forEach((result, index) => {
    if (result.status === 'accepted') accepted += 1;
    else if (result.status === 'duplicate') duplicate += 1;
    else
      rejected.push({
        index,
        error: {
          code: result.error.code,
          message: result.error.message,
          ...(result.error.path ? { path: [...result.error.path] } : {}),
        },
      });
  });
  return { accepted, duplicate, rejected };
}
