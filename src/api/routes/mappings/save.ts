import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { CompiledMapping, type MappingSample } from '../../../mappings/mapping.ts';
import { loadPreset, presetNames, type Preset } from '../../../mappings/presets.ts';
import type { SignatureScheme } from '../../../mappings/signature.ts';
import { getMapping, saveMapping, type StoredMapping } from '../../../mappings/store.ts';
import { requireScope } from '../../auth.ts';
import { ApiError, errorResponses } from '../../errors.ts';
import type { TypedApp } from '../../typed.ts';
import {
  ingestPath,
  mappedEvents,
  mappingOrError,
  mappingOrErrorAsync,
  nameParam,
  sample,
  signatureOut,
  tenantContext,
  type MappingRoutes,
} from './shared.ts';

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

const saveBody = z.object({
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
});
type SaveBody = z.infer<typeof saveBody>;

/** PUT /v1/mappings/:name: a mapping is saved only when every sample maps to events the engine accepts. */
export function registerSaveMapping(app: TypedApp, { service }: MappingRoutes): void {
  app.put(
    '/v1/mappings/:name',
    {
      schema: {
        tags: ['mappings'],
        summary:
          'Create or replace a payload mapping (JSONata); every sample is mapped and checked as engine events, else the save is refused',
        params: nameParam,
        body: saveBody,
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
      const { preset, expression, samples } = mappingSource(name, body);
      const context = await tenantContext(service, tenant);
      const mapping = mappingOrError(() => CompiledMapping.compile(name, expression, context));
      const checked = await mappingOrErrorAsync(() => mapping.check(samples));
      const existing = await getMapping(service.sql, tenant, name);
      const generated = generatedSecret(body, existing);
      const signature = signatureScheme(body, preset);
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
}

/** The expression and samples to save: the request's own, or a shipped preset's. Refused unless exactly one is given. */
function mappingSource(name: string, body: SaveBody): { preset: Preset | null; expression: string; samples: MappingSample[] } {
  if ((body.expression === undefined) === (body.preset === undefined)) {
    throw ApiError.of(
      'invalid',
      `mapping "${name}": give exactly one of expression (JSONata) or preset (${presetNames().join(', ')})`,
      ['expression'],
    );
  }
  const preset = body.preset === undefined ? null : loadPreset(body.preset);
  if (body.preset !== undefined && !preset) {
    throw ApiError.of(
      'invalid',
      `mapping "${name}": no preset "${body.preset}"; the shipped ones are ${presetNames().join(', ')}`,
      ['preset'],
    );
  }
  const expression = body.expression ?? preset!.expression;
  const samples: MappingSample[] = (body.samples as MappingSample[] | undefined) ?? preset?.samples ?? [];
  checkSamples(name, samples);
  return { preset, expression, samples };
}

/** A mapping is saved only when checked against at least one sample, each named once (errors name the sample). */
function checkSamples(name: string, samples: readonly MappingSample[]): void {
  if (samples.length === 0)
    throw ApiError.of('invalid', `mapping "${name}": give at least one sample payload to check the expression against`, [
      'samples',
    ]);
  const names = new Set<string>();
  for (const [index, s] of samples.entries()) {
    if (names.has(s.name))
      throw ApiError.of('invalid', `mapping "${name}": two samples are named "${s.name}"`, ['samples', index, 'name']);
    names.add(s.name);
  }
}

/** A new secret when a new mapping is given none (shown once); a replaced mapping keeps its own. */
function generatedSecret(body: SaveBody, existing: StoredMapping | null): string | undefined {
  return body.signature?.secret === undefined && !existing ? `fysig_${randomBytes(24).toString('base64url')}` : undefined;
}

/** How the shop signs: as the request says, else as the preset's shop does, else X-Signature in hex. */
function signatureScheme(body: SaveBody, preset: Preset | null): SignatureScheme {
  return {
    header: body.signature?.header ?? preset?.signature.header ?? 'X-Signature',
    encoding: body.signature?.encoding ?? preset?.signature.encoding ?? 'hex',
    prefix: body.signature?.prefix ?? preset?.signature.prefix ?? '',
  };
}
