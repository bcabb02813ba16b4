import { z } from 'zod';
import { InputError } from '../../domain/errors.ts';
import { compilePlan } from '../../engine/engine.ts';
import { conditionFindings } from '../../lint/conditions.ts';
import { lintPlan, PROFILES } from '../../lint/lint.ts';
import { publishPlan } from '../../service/tenants.ts';
import { requireScope } from '../auth.ts';
import { ApiError, errorResponses } from '../errors.ts';
import { instantParam } from '../instant-param.ts';
import { refuseUnlessAllowed } from '../refused-plan.ts';
import type { RouteContext } from '../app.ts';
import type { Register, TypedApp } from '../typed.ts';
import { finding } from '../finding-schema.ts';

export const registerPlans: Register = (app, context) => {
  registerListPlans(app, context);
  registerPublishPlan(app, context);
  registerLintPlan(app, context);
};

function registerListPlans(app: TypedApp, context: RouteContext): void {
  const { service } = context;
  app.get(
    '/v1/plans',
    {
      schema: {
        tags: ['plans'],
        summary: 'Plan versions with their effective dates and lint findings',
        response: {
          200: z.object({
            versions: z.array(
              z.object({
                version: z.number(),
                effectiveFrom: z.string().nullable(),
                plan: z.unknown(),
                findings: z.array(finding),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const tenant = await requireScope(service.sql, request, 'read');
      const rows = (
        await service.sql.query<{
          version: number;
          effective_from: Date | string | null;
          plan: unknown;
          findings: z.infer<typeof finding>[];
        }>('select version, effective_from, plan, findings from plan_versions where tenant_id = $1 order by version', [tenant])
      ).rows;
      return {
        versions: rows.map((row) => ({
          version: row.version,
          effectiveFrom: row.effective_from === null ? null : new Date(row.effective_from).toISOString(),
          plan: row.plan,
          findings: row.findings,
        })),
      };
    },
  );
}

function registerPublishPlan(app: TypedApp, context: RouteContext): void {
  const { service } = context;
  app.post(
    '/v1/plans',
    {
      schema: {
        tags: ['plans'],
        summary: 'Publish a plan version in force from `effectiveFrom` (orders use the version in force when paid)',
        body: z.object({
          plan: z.unknown(),
          effectiveFrom: z
            .string()
            .describe(
              "ISO 8601 instant after every event applied so far; without an offset (or a bare date, its midnight) in the tenant's time zone",
            ),
          allowRefused: z.boolean().default(false),
        }),
        response: { 201: z.object({ version: z.number(), findings: z.array(finding) }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const tenant = await requireScope(service.sql, request, 'admin');
      const { from, result } = await service.read(tenant, (runtime) => ({
        from: instantParam(request.body.effectiveFrom, runtime.engine.settings.timezone, 'effectiveFrom'),
        result: lintPlan(compilePlan(request.body.plan, runtime.engine.settings)),
      }));
      refuseUnlessAllowed(result, request.body.allowRefused);
      const published = await publishPlan(service, tenant, request.body.plan, from, request.apiKey!.id);
      return reply.status(201).send({ version: published.version, findings: [...published.findings] });
    },
  );
}

function registerLintPlan(app: TypedApp, context: RouteContext): void {
  const { service } = context;
  app.post(
    '/v1/plans/lint',
    {
      schema: {
        tags: ['plans'],
        summary: 'Validate and lint a draft plan against a compliance profile',
        body: z.object({ plan: z.unknown(), profile: z.string().default('cn') }),
        response: {
          200: z.object({
            valid: z.boolean(),
            error: z
              .object({ code: z.string(), message: z.string(), path: z.array(z.union([z.string(), z.number()])).optional() })
              .optional(),
            findings: z.array(finding),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const tenant = await requireScope(service.sql, request, 'read');
      if (!PROFILES[request.body.profile]) throw ApiError.of('invalid', `unknown profile ${request.body.profile}`, ['profile']);
      return service.read(tenant, (runtime) => {
        try {
          const compiled = compilePlan(request.body.plan, runtime.engine.settings);
          return { valid: true, findings: lintPlan(compiled, request.body.profile) };
        } catch (error) {
          if (!(error instanceof InputError)) throw error;
          // A `when:` condition that does not compile is also listed as a finding (cel_*), as `plan lint` does.
          return {
            valid: false,
            error: { code: error.error.code, message: error.error.message, path: [...(error.error.path ?? [])] },
            findings: conditionFindings(request.body.plan),
          };
        }
      });
    },
  );
}
