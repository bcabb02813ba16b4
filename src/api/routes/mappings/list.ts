import { z } from 'zod';
import { presetNames } from '../../../mappings/presets.ts';
import { listMappings } from '../../../mappings/store.ts';
import { requireScope } from '../../auth.ts';
import { errorResponses } from '../../errors.ts';
import type { TypedApp } from '../../typed.ts';
import { ingestPath, signatureOut, type MappingRoutes } from './shared.ts';

/** GET /v1/mappings: the tenant's mappings (without secrets) and the presets shipped with fenyong. */
export function registerListMappings(app: TypedApp, { service }: MappingRoutes): void {
  app.get(
    '/v1/mappings',
    {
      schema: {
        tags: ['mappings'],
        summary: 'The payload mappings of the tenant (without secrets), and the ready ones shipped with fenyong',
        response: {
          200: z.object({
            mappings: z.array(
              z.object({
                name: z.string(),
                description: z.string().nullable(),
                url: z.string(),
                signature: signatureOut,
                updatedAt: z.string(),
              }),
            ),
            presets: z.array(z.string()).describe('names usable as `preset` in PUT /v1/mappings/{name}'),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const tenant = await requireScope(service.sql, request, 'admin');
      const rows = await listMappings(service.sql, tenant);
      return {
        mappings: rows.map((m) => ({
          name: m.name,
          description: m.description,
          url: ingestPath(tenant, m.name),
          signature: m.signature,
          updatedAt: m.updatedAt,
        })),
        presets: presetNames(),
      };
    },
  );
}
