import { z } from 'zod';
import { requireScope } from '../auth.ts';
import { errorResponses } from '../errors.ts';
import type { Register } from '../typed.ts';
import { registerBackfillEvents } from './backfill-events.ts';

/**
 * A backfill of history sends events older than now, in time order. Meanwhile the scheduler must
 * not let the tenant's time pass to "now" (a tick would make every later historical event too
 * late): `fenyong backfill` holds it off the tenant, renewing the hold as it goes; a hold lapses by
 * itself, so a backfill that dies leaves nothing behind.
 */
export const registerBackfill: Register = (app, context) => {
  const { service } = context;
  registerBackfillEvents(app, context);
  app.post(
    '/v1/backfill/hold',
    {
      schema: {
        tags: ['events'],
        summary: 'Hold the scheduler off the tenant while history is sent (renew before it lapses)',
        body: z.object({ seconds: z.number().int().min(1).max(3600).default(120).describe('how long the hold lasts from now') }),
        response: { 200: z.object({ holdUntil: z.string() }), ...errorResponses },
      },
    },
    async (request) => {
      const tenant = await requireScope(service.sql, request, 'admin');
      const row = (
        await service.sql.query<{ until: Date | string }>(
          `update tenants set scheduler_hold_until = now() + make_interval(secs => $2) where id = $1 returning scheduler_hold_until as until`,
          [tenant, request.body.seconds],
        )
      ).rows[0]!;
      return { holdUntil: new Date(row.until).toISOString() };
    },
  );

  app.delete(
    '/v1/backfill/hold',
    {
      schema: {
        tags: ['events'],
        summary: 'Release the hold: the scheduler lets time pass again (due settlements run)',
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const tenant = await requireScope(service.sql, request, 'admin');
      await service.sql.query('update tenants set scheduler_hold_until = null where id = $1', [tenant]);
      return reply.status(204).send(null);
    },
  );
};
