import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { InputError } from '../domain/errors.ts';
import { UnknownTenant, type Service } from '../service/service.ts';
import { authenticateFirst } from './auth.ts';
import { ApiError } from './errors.ts';
import { registerAwards } from './routes/awards.ts';
import { registerEstimate } from './routes/estimate.ts';
import { registerEvents } from './routes/events.ts';
import { registerKeys } from './routes/keys.ts';
import { registerMembers } from './routes/members.ts';
import { registerPlans } from './routes/plans.ts';
import { registerTenants } from './routes/tenants.ts';
import { registerWebhooks } from './routes/webhooks.ts';
import { registerLedger } from './routes/ledger.ts';
import { registerReports } from './routes/reports.ts';
import { registerMappings } from './routes/mappings.ts';
import { registerBackfill } from './routes/backfill.ts';
import { registerPayouts } from './routes/payouts.ts';
import { registerAdjustments } from './routes/adjustments.ts';
import { registerPayees } from './routes/payees.ts';
import { registerAudit } from './routes/audit.ts';
import { registerFinanceReports } from './routes/reports-finance.ts';
import { registerStatements } from './routes/statements.ts';
import { registerSimulations } from './routes/simulations.ts';
import { registerConsole } from './console.ts';

export interface ApiOptions {
  readonly service: Service;
  /** Token of the platform operator, who creates tenants. */
  readonly platformToken?: string;
  /** Wall clock for events sent without `at` (ms). */
  readonly now?: () => number;
  readonly logger?: boolean;
  /** Folder of the built web console (console/dist), served at `/`; none when absent. */
  readonly consoleDir?: string;
}

export interface RouteContext {
  readonly service: Service;
  readonly platformToken: string | undefined;
  readonly now: () => number;
}

/** The HTTP API under /v1, its OpenAPI 3.1 document at /openapi.json and docs at /docs. */
export async function buildApp(options: ApiOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ? { redact: ['req.headers.authorization'] } : false,
    bodyLimit: 8 * 1024 * 1024,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'fenyong API', version: '1', description: 'Distribution-commission engine (分佣引擎). Amounts are decimal strings in the tenant currency.' },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'fyk_… key (scope admin, ingest or read)' } } },
      security: [{ apiKey: [] }],
    },
    transform: jsonSchemaTransform,
    // Adds the schemas registered with an id (Error) under components, where their $refs point.
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof ApiError) return reply.status(error.status).send(error.body());
    if (error instanceof InputError) {
      const status = error.error.code === 'conflict' ? 409 : error.error.code === 'invalid' ? 400 : 422;
      return reply.status(status).send({ error: { code: error.error.code, message: error.error.message, ...(error.error.path ? { path: [...error.error.path] } : {}) } });
    }
    if (error instanceof UnknownTenant) return reply.status(404).send({ error: { code: 'not_found', message: error.message } });
    const fastifyError = error as { statusCode?: number; validation?: unknown; message: string; code?: string };
    if (fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return reply.status(413).send({ error: { code: 'too_large', message: 'the request body is too large (8 MB at most)' } });
    if (fastifyError.validation || (fastifyError.statusCode && fastifyError.statusCode < 500)) {
      return reply.status(400).send({ error: { code: 'invalid', message: fastifyError.message } });
    }
    app.log.error(error);
    return reply.status(500).send({ error: { code: 'invalid', message: 'internal error; the request was not applied' } });
  });
  authenticateFirst(app, options.service.sql, options.platformToken);
  const context: RouteContext = { service: options.service, platformToken: options.platformToken, now: options.now ?? Date.now };
  const typed = app.withTypeProvider<ZodTypeProvider>();
  for (const register of [registerTenants, registerKeys, registerPlans, registerEvents, registerMembers, registerAwards, registerLedger, registerEstimate, registerWebhooks, registerReports, registerStatements, registerFinanceReports, registerPayouts, registerAdjustments, registerPayees, registerAudit, registerMappings, registerBackfill]) {
    register(typed, context);
  }
  registerSimulations(typed, context);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/health', { schema: { hide: true } }, async () => ({ ok: true }));
  if (options.consoleDir) await registerConsole(app, options.consoleDir);
  return app;
}
