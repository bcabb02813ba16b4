import { z } from 'zod';
import { CompiledMapping } from '../../../mappings/mapping.ts';
import { getMapping } from '../../../mappings/store.ts';
import { requireScope } from '../../auth.ts';
import { ApiError, errorResponses } from '../../errors.ts';
import type { TypedApp } from '../../typed.ts';
import { mappedEvents, mappingOrError, mappingOrErrorAsync, nameParam, tenantContext, type MappingRoutes } from './shared.ts';

/** POST /v1/mappings/:name/test: a dry run of the saved mapping, or of a draft expression, on a payload. */
export function registerTestMapping(app: TypedApp, { service, compiled }: MappingRoutes): void {
  app.post(
    '/v1/mappings/:name/test',
    {
      schema: {
        tags: ['mappings'],
        summary: 'Map a payload without ingesting it: the events it gives, or the error naming the field',
        params: nameParam,
        body: z.object({
          payload: z.unknown(),
          headers: z.record(z.string(), z.string()).optional(),
          expression: z.string().min(1).max(100_000).optional().describe('a draft to try instead of the saved expression'),
        }),
        response: { 200: z.object({ events: mappedEvents }), ...errorResponses },
      },
    },
    async (request) => {
      const tenant = await requireScope(service.sql, request, 'read');
      const { name } = request.params;
      const context = await tenantContext(service, tenant);
      let mapping: CompiledMapping;
      if (request.body.expression !== undefined) {
        const text = request.body.expression;
        mapping = mappingOrError(() => CompiledMapping.compile(name, text, context));
      } else {
        const stored = await getMapping(service.sql, tenant, name);
        if (!stored) throw ApiError.of('not_found', `no mapping ${name}`);
        mapping = compiled.get(stored, context);
      }
      const events = await mappingOrErrorAsync(() =>
        mapping.map(request.body.payload, request.body.headers ?? {}, 'the payload'),
      );
      return { events };
    },
  );
}
