import { z } from 'zod';
import { deleteMapping } from '../../../mappings/store.ts';
import { requireScope } from '../../auth.ts';
import { ApiError, errorResponses } from '../../errors.ts';
import type { TypedApp } from '../../typed.ts';
import { nameParam, type MappingRoutes } from './shared.ts';

/** DELETE /v1/mappings/:name: the shop's pushes to its endpoint are refused from then on. */
export function registerDeleteMapping(app: TypedApp, { service }: MappingRoutes): void {
  app.delete(
    '/v1/mappings/:name',
    {
      schema: {
        tags: ['mappings'],
        summary: 'Remove a payload mapping (its endpoint then answers 401)',
        params: nameParam,
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const tenant = await requireScope(service.sql, request, 'admin');
      if (!(await deleteMapping(service.sql, tenant, request.params.name)))
        throw ApiError.of('not_found', `no mapping ${request.params.name}`);
      return reply.status(204).send(null);
    },
  );
}
