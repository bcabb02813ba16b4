import { z } from 'zod';
import { getMapping } from '../../../mappings/store.ts';
import { requireScope } from '../../auth.ts';
import { ApiError, errorResponses } from '../../errors.ts';
import type { TypedApp } from '../../typed.ts';
import { ingestPath, nameParam, sample, signatureOut, type MappingRoutes } from './shared.ts';

/** GET /v1/mappings/:name: one mapping as saved, never its secret. */
export function registerGetMapping(app: TypedApp, { service }: MappingRoutes): void {
  app.get(
    '/v1/mappings/:name',
    {
      schema: {
        tags: ['mappings'],
        summary: 'A payload mapping: its expression, samples and signature scheme (not its secret)',
        params: nameParam,
        response: {
          200: z.object({
            name: z.string(),
            description: z.string().nullable(),
            expression: z.string(),
            samples: z.array(sample),
            signature: signatureOut,
            url: z.string(),
            createdAt: z.string(),
            updatedAt: z.string(),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const tenant = await requireScope(service.sql, request, 'admin');
      const m = await getMapping(service.sql, tenant, request.params.name);
      if (!m) throw ApiError.of('not_found', `no mapping ${request.params.name}`);
      return {
        name: m.name,
        description: m.description,
        expression: m.expression,
        samples: m.samples,
        signature: m.signature,
        url: ingestPath(tenant, m.name),
        createdAt: m.createdAt,
        updatedAt: m.updatedAt,
      };
    },
  );
}
