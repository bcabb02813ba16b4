import { createHmac } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { EngineError } from '../../../domain/errors.ts';
import { MappingError, NAME_PATTERN } from '../../../mappings/mapping.ts';
import { verifyPayload } from '../../../mappings/signature.ts';
import { getMapping, type StoredMapping } from '../../../mappings/store.ts';
import { toJson } from '../../../service/json.ts';
import type { ItemResult } from '../../../service/service.ts';
import { unstorableInput } from '../../../service/storable.ts';
import { ApiError, errorResponses } from '../../errors.ts';
import type { TypedApp } from '../../typed.ts';
import { tenantContext, type MappingRoutes } from './shared.ts';

const itemResult = z.union([
  z.object({ status: z.literal('accepted'), seq: z.number() }),
  z.object({ status: z.literal('duplicate') }),
]);

/**
 * POST /v1/ingest/:tenant/:name, where the shop's own webhooks arrive. It takes no API key (a shop
 * cannot send one): the request is authenticated by the shop's HMAC-SHA256 signature of the raw
 * body under the mapping's secret, and the tenant is the one named in the URL.
 */
export function registerIngest(app: TypedApp, routes: MappingRoutes): void {
  // The raw body is needed for the signature, so this route reads bytes, in a scope of its own.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    registerIngestRoute(scope.withTypeProvider<ZodTypeProvider>(), routes);
  });
}

function registerIngestRoute(app: TypedApp, routes: MappingRoutes): void {
  app.post(
    '/v1/ingest/:tenant/:name',
    {
      schema: {
        tags: ['mappings'],
        summary: "Receive a shop's webhook: checked by the shop's signature (no API key), mapped and ingested",
        description:
          "Authenticated by the signature the shop computes: HMAC-SHA256 of the raw body under the mapping's secret, in the " +
          "mapping's header (e.g. X-Shopify-Hmac-Sha256, base64). Unknown mappings and bad signatures answer 401. " +
          'A payload the mapping cannot turn into valid events answers 400 naming the mapping and the field; an event the ' +
          'engine refuses answers its code with its status (409 conflict or cycle, 422 an unknown member or order, a refund beyond ' +
          'what was paid); both are listed in GET /v1/events/rejected.',
        security: [],
        params: z.object({ tenant: z.string(), name: z.string() }),
        body: z.unknown().describe('the webhook body exactly as the shop sends it (JSON, or form-encoded)'),
        response: { 200: z.object({ mapping: z.string(), results: z.array(itemResult) }), ...errorResponses },
      },
    },
    async (request) => {
      const { tenant, name } = request.params;
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const stored = await signedMapping(routes, tenant, name, raw, request);
      const payload = parseBody(raw, request, name);
      const source = `mapping:${name}`;
      const events = await mapOrRecordRejection(routes, stored, payload, stringHeaders(request), source);
      if (events.length === 0) return { mapping: name, results: [] };
      const results = await routes.service.ingest(tenant, events, source);
      const refused = results.findIndex((r) => r.status === 'rejected');
      if (refused >= 0) throw eventRefusal(name, events, refused, results[refused]!);
      return { mapping: name, results: results as z.infer<typeof itemResult>[] };
    },
  );
}

/** The mapping named in the URL, if the request carries its signature; else 401, the same for both. */
async function signedMapping(
  { service }: MappingRoutes,
  tenant: string,
  name: string,
  raw: Buffer,
  request: FastifyRequest,
): Promise<StoredMapping> {
  const stored = NAME_PATTERN.test(name) ? await getMapping(service.sql, tenant, name) : null;
  if (!stored) {
    createHmac('sha256', 'no such mapping').update(raw).digest(); // the same work as a check
    throw unsigned();
  }
  if (!verifyPayload(stored.signature, stored.secret, raw, request.headers[stored.signature.header.toLowerCase()]))
    throw unsigned();
  return stored;
}

const unsigned = () =>
  ApiError.of(
    'unauthorized',
    "no valid signature: a shop's webhook must carry the HMAC-SHA256 of its raw body under the mapping's secret, in the mapping's header (or the mapping does not exist)",
  );

/** The request headers a mapping sees as $headers (those with one value). */
function stringHeaders(request: FastifyRequest): Record<string, string> {
  return Object.fromEntries(
    Object.entries(request.headers).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}

/**
 * The events the mapping makes of the payload. A payload it cannot map is refused with 400 and
 * kept in rejected_events, so the shop's operator finds it in GET /v1/events/rejected.
 */
async function mapOrRecordRejection(
  { service, compiled }: MappingRoutes,
  stored: StoredMapping,
  payload: unknown,
  headers: Record<string, string>,
  source: string,
): Promise<Record<string, unknown>[]> {
  const { tenant, name } = stored;
  try {
    return await compiled.get(stored, await tenantContext(service, tenant)).map(payload, headers, 'the payload');
  } catch (error) {
    if (!(error instanceof MappingError)) throw error;
    await service.sql.query(
      `insert into rejected_events (tenant_id, event_key, type, payload, code, message, path, source) values ($1, null, null, $2, 'invalid', $3, $4, $5)`,
      [tenant, toJson({ mapping: name, payload }), error.message, toJson(error.path), source],
    );
    throw ApiError.of('invalid', error.message, error.path);
  }
}

/** The engine's refusal of a mapped event, naming the mapping and the event, with its code's status (STATUS_OF_CODE). */
function eventRefusal(name: string, events: Record<string, unknown>[], refused: number, result: ItemResult): ApiError {
  const error = (result as { error: EngineError }).error;
  return ApiError.of(
    error.code,
    `mapping "${name}", the payload: event ${refused} (${String(events[refused]!.type)}) was refused: ${error.message}`,
    ['events', refused, ...(error.path ?? [])],
  );
}

/** The webhook body as JSON or form fields; a body PostgreSQL could not store is refused before anything else. */
function parseBody(raw: Buffer, request: FastifyRequest, name: string): unknown {
  const type = String(request.headers['content-type'] ?? '');
  const text = raw.toString('utf8');
  let payload: unknown;
  if (type.includes('application/x-www-form-urlencoded')) payload = Object.fromEntries(new URLSearchParams(text));
  else {
    try {
      payload = JSON.parse(text) as unknown;
    } catch (error) {
      throw ApiError.of('invalid', `mapping "${name}": the payload is not JSON (${(error as Error).message})`, ['body']);
    }
  }
  // Text PostgreSQL cannot store, or hostile nesting: refused before it is mapped or recorded.
  const unstorable = unstorableInput(payload);
  if (unstorable)
    throw ApiError.of('invalid', `mapping "${name}", the payload: ${unstorable.message}`, ['body', ...(unstorable.path ?? [])]);
  return payload;
}
