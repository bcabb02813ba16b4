import { createHmac, randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { EngineError } from '../../domain/errors.ts';
import { CompiledMapping, MappingError, NAME_PATTERN, type MappingSample } from '../../mappings/mapping.ts';
import { loadPreset, presetNames } from '../../mappings/presets.ts';
import { verifyPayload } from '../../mappings/signature.ts';
import { deleteMapping, getMapping, listMappings, saveMapping, type StoredMapping } from '../../mappings/store.ts';
import { currencyDecimals } from '../../money/money.ts';
import type { SchemaContext } from '../../engine/templates/template.ts';
import type { Service } from '../../service/service.ts';
import { toJson } from '../../service/json.ts';
import { unstorableInput } from '../../service/storable.ts';
import { requireScope } from '../auth.ts';
import { ApiError, errorBody, errorResponses } from '../errors.ts';
import type { Register } from '../typed.ts';

/**
 * Payload mappings (issue 7): PUT/GET/DELETE /v1/mappings/:name (admin), POST
 * /v1/mappings/:name/test (read), and POST /v1/ingest/:tenant/:name, where the shop's own
 * webhooks arrive. That endpoint takes no API key (a shop cannot send one): the request is
 * authenticated by the shop's HMAC-SHA256 signature of the raw body under the mapping's secret,
 * and the tenant is the one named in the URL.
 */

const nameParam = z.object({
  name: z.string().regex(NAME_PATTERN, 'a mapping name is 1–64 lowercase letters, digits, "-" or "_"'),
});
const sample = z.object({
  name: z.string().min(1).max(100),
  headers: z
    .record(z.string(), z.string())
    .optional()
    .describe('request headers the shop sends with it, e.g. {"X-Shopify-Topic": "orders/paid"}'),
  payload: z.unknown().describe('the webhook body as the shop sends it'),
  expect: z.array(z.unknown()).optional().describe('the native events it must map to (checked at save time)'),
});
const signatureIn = z.object({
  header: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,100}$/)
    .optional()
    .describe("header carrying the signature (default X-Signature, or the preset's)"),
  encoding: z.enum(['hex', 'base64']).optional().describe("how the HMAC-SHA256 is written (default hex, or the preset's)"),
  prefix: z.string().max(32).optional().describe('text before the signature, e.g. "sha256="'),
  secret: z
    .string()
    .min(16)
    .max(512)
    .optional()
    .describe("the shared secret (e.g. Shopify's webhook secret); generated and shown once when a new mapping has none"),
});
const signatureOut = z.object({ header: z.string(), encoding: z.enum(['hex', 'base64']), prefix: z.string() });
const mappedEvents = z.array(z.record(z.string(), z.unknown()));
const itemResult = z.union([
  z.object({ status: z.literal('accepted'), seq: z.number() }),
  z.object({ status: z.literal('duplicate') }),
]);

/** The path of a tenant's ingestion endpoint for a mapping. */
export const ingestPath = (tenant: string, name: string) => `/v1/ingest/${tenant}/${name}`;

export const registerMappings: Register = (app, { service }) => {
  const compiled = new CompiledCache();

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

  app.put(
    '/v1/mappings/:name',
    {
      schema: {
        tags: ['mappings'],
        summary:
          'Create or replace a payload mapping (JSONata); every sample is mapped and checked as engine events, else the save is refused',
        params: nameParam,
        body: z.object({
          description: z.string().max(500).optional(),
          expression: z
            .string()
            .min(1)
            .max(100_000)
            .optional()
            .describe('JSONata; sees the payload, $headers (lower-case names) and $mapping'),
          preset: z
            .string()
            .optional()
            .describe('a mapping shipped in mappings/ (e.g. "cn-mall", "shopify"): its expression, samples and signature scheme'),
          samples: z.array(sample).min(1).max(100).optional().describe('required with `expression`; a preset brings its own'),
          signature: signatureIn.optional(),
        }),
        response: {
          200: z.object({
            name: z.string(),
            created: z.boolean(),
            url: z.string().describe('where the shop sends its webhooks (POST)'),
            signature: signatureOut,
            secret: z.string().optional().describe('the generated secret, shown this once'),
            samples: z.array(z.object({ name: z.string(), events: mappedEvents })),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const tenant = await requireScope(service.sql, request, 'admin');
      const { name } = request.params;
      const body = request.body;
      if ((body.expression === undefined) === (body.preset === undefined)) {
        throw new ApiError(
          400,
          'invalid',
          `mapping "${name}": give exactly one of expression (JSONata) or preset (${presetNames().join(', ')})`,
          ['expression'],
        );
      }
      const preset = body.preset === undefined ? null : loadPreset(body.preset);
      if (body.preset !== undefined && !preset) {
        throw new ApiError(
          400,
          'invalid',
          `mapping "${name}": no preset "${body.preset}"; the shipped ones are ${presetNames().join(', ')}`,
          ['preset'],
        );
      }
      const expression = body.expression ?? preset!.expression;
      const samples: MappingSample[] = (body.samples as MappingSample[] | undefined) ?? preset?.samples ?? [];
      if (samples.length === 0)
        throw new ApiError(
          400,
          'invalid',
          `mapping "${name}": give at least one sample payload to check the expression against`,
          ['samples'],
        );
      const names = new Set<string>();
      for (const [index, s] of samples.entries()) {
        if (names.has(s.name))
          throw new ApiError(400, 'invalid', `mapping "${name}": two samples are named "${s.name}"`, ['samples', index, 'name']);
        names.add(s.name);
      }
      const context = await tenantContext(service, tenant);
      const mapping = mappingOrError(() => CompiledMapping.compile(name, expression, context));
      const checked = await mappingOrErrorAsync(() => mapping.check(samples));
      const existing = await getMapping(service.sql, tenant, name);
      const generated =
        body.signature?.secret === undefined && !existing ? `fysig_${randomBytes(24).toString('base64url')}` : undefined;
      const signature = {
        header: body.signature?.header ?? preset?.signature.header ?? 'X-Signature',
        encoding: body.signature?.encoding ?? preset?.signature.encoding ?? 'hex',
        prefix: body.signature?.prefix ?? preset?.signature.prefix ?? '',
      } as const;
      const { created } = await saveMapping(service.sql, {
        tenant,
        name,
        description: body.description ?? preset?.description ?? null,
        expression,
        samples,
        signature,
        secret: body.signature?.secret ?? generated ?? existing!.secret,
      });
      return {
        name,
        created,
        url: ingestPath(tenant, name),
        signature,
        ...(generated ? { secret: generated } : {}),
        samples: checked,
      };
    },
  );

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
      if (!m) throw new ApiError(404, 'not_found', `no mapping ${request.params.name}`);
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
        throw new ApiError(404, 'not_found', `no mapping ${request.params.name}`);
      return reply.status(204).send(null);
    },
  );

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
        if (!stored) throw new ApiError(404, 'not_found', `no mapping ${name}`);
        mapping = compiled.get(stored, context);
      }
      const events = await mappingOrErrorAsync(() =>
        mapping.map(request.body.payload, request.body.headers ?? {}, 'the payload'),
      );
      return { events };
    },
  );

  // The shop's webhooks: the raw body is needed for the signature, so this route reads bytes.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    scope.withTypeProvider<ZodTypeProvider>().post(
      '/v1/ingest/:tenant/:name',
      {
        schema: {
          tags: ['mappings'],
          summary: "Receive a shop's webhook: checked by the shop's signature (no API key), mapped and ingested",
          description:
            "Authenticated by the signature the shop computes: HMAC-SHA256 of the raw body under the mapping's secret, in the " +
            "mapping's header (e.g. X-Shopify-Hmac-Sha256, base64). Unknown mappings and bad signatures answer 401. " +
            'A payload the mapping cannot turn into valid events answers 400 naming the mapping and the field; an event the ' +
            'engine refuses answers its code (409 conflict, 422 otherwise); both are listed in GET /v1/events/rejected.',
          security: [],
          params: z.object({ tenant: z.string(), name: z.string() }),
          body: z.unknown().describe('the webhook body exactly as the shop sends it (JSON, or form-encoded)'),
          response: { 200: z.object({ mapping: z.string(), results: z.array(itemResult) }), 409: errorBody, ...errorResponses },
        },
      },
      async (request) => {
        const { tenant, name } = request.params;
        const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const stored = NAME_PATTERN.test(name) ? await getMapping(service.sql, tenant, name) : null;
        if (!stored) {
          createHmac('sha256', 'no such mapping').update(raw).digest(); // the same work as a check
          throw unsigned();
        }
        if (!verifyPayload(stored.signature, stored.secret, raw, request.headers[stored.signature.header.toLowerCase()]))
          throw unsigned();
        const payload = parseBody(raw, request, name);
        const headers = Object.fromEntries(
          Object.entries(request.headers).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
        );
        const source = `mapping:${name}`;
        let events: Record<string, unknown>[];
        try {
          events = await compiled.get(stored, await tenantContext(service, tenant)).map(payload, headers, 'the payload');
        } catch (error) {
          if (!(error instanceof MappingError)) throw error;
          await service.sql.query(
            `insert into rejected_events (tenant_id, event_key, type, payload, code, message, path, source) values ($1, null, null, $2, 'invalid', $3, $4, $5)`,
            [tenant, toJson({ mapping: name, payload }), error.message, toJson(error.path), source],
          );
          throw new ApiError(400, 'invalid', error.message, error.path);
        }
        if (events.length === 0) return { mapping: name, results: [] };
        const results = await service.ingest(tenant, events, source);
        const refused = results.findIndex((r) => r.status === 'rejected');
        if (refused >= 0) {
          const error = (results[refused] as { error: EngineError }).error;
          const status = error.code === 'invalid' ? 400 : error.code === 'conflict' ? 409 : 422;
          throw new ApiError(
            status,
            error.code,
            `mapping "${name}", the payload: event ${refused} (${String(events[refused]!.type)}) was refused: ${error.message}`,
            ['events', refused, ...(error.path ?? [])],
          );
        }
        return { mapping: name, results: results as z.infer<typeof itemResult>[] };
      },
    );
  });
};

const unsigned = () =>
  new ApiError(
    401,
    'unauthorized',
    "no valid signature: a shop's webhook must carry the HMAC-SHA256 of its raw body under the mapping's secret, in the mapping's header (or the mapping does not exist)",
  );

function parseBody(raw: Buffer, request: FastifyRequest, name: string): unknown {
  const type = String(request.headers['content-type'] ?? '');
  const text = raw.toString('utf8');
  let payload: unknown;
  if (type.includes('application/x-www-form-urlencoded')) payload = Object.fromEntries(new URLSearchParams(text));
  else {
    try {
      payload = JSON.parse(text) as unknown;
    } catch (error) {
      throw new ApiError(400, 'invalid', `mapping "${name}": the payload is not JSON (${(error as Error).message})`, ['body']);
    }
  }
  // Text PostgreSQL cannot store, or hostile nesting: refused before it is mapped or recorded.
  const unstorable = unstorableInput(payload);
  if (unstorable) throw new ApiError(400, 'invalid', `mapping "${name}", the payload: ${unstorable.message}`, ['body', ...(unstorable.path ?? [])]);
  return payload;
}

async function tenantContext(service: Service, tenant: string): Promise<SchemaContext> {
  const row = (
    await service.sql.query<{ timezone: string; currency: string }>('select timezone, currency from tenants where id = $1', [
      tenant,
    ])
  ).rows[0];
  if (!row) throw new ApiError(404, 'not_found', `no tenant ${tenant}`);
  return { timezone: row.timezone, decimals: currencyDecimals(row.currency) };
}

function mappingOrError<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof MappingError) throw new ApiError(400, 'invalid', error.message, error.path);
    throw error;
  }
}

async function mappingOrErrorAsync<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof MappingError) throw new ApiError(400, 'invalid', error.message, error.path);
    throw error;
  }
}

/** Compiled expressions by tenant and mapping, recompiled when the mapping changes. */
class CompiledCache {
  private readonly entries = new Map<string, { version: string; mapping: CompiledMapping }>();

  get(stored: StoredMapping, context: SchemaContext): CompiledMapping {
    const key = `${stored.tenant}\u0000${stored.name}`;
    const version = `${stored.updatedAt}|${context.decimals}|${context.timezone}|${stored.expression.length}`;
    const hit = this.entries.get(key);
    if (hit && hit.version === version) return hit.mapping;
    const mapping = mappingOrError(() => CompiledMapping.compile(stored.name, stored.expression, context));
    if (this.entries.size > 10_000) this.entries.clear();
    this.entries.set(key, { version, mapping });
    return mapping;
  }
}
