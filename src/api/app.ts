import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { InputError } from '../domain/errors.ts';
import { UnknownTenant, type Service } from '../service/service.ts';
import { unstorableInput } from '../service/storable.ts';
import { authenticateFirst } from './auth.ts';
import { rateLimiter, type RateLimitOptions } from './rate-limit.ts';
import { ApiError, engineRefusal, MAX_PARAM_LENGTH, noRoute, PARAM_TOO_LONG, type ErrorBody } from './errors.ts';
import { registerAwards } from './routes/awards.ts';
import { registerEstimate } from './routes/estimate.ts';
import { registerEvents } from './routes/events.ts';
import { registerKeys } from './routes/keys.ts';
import { registerMembers } from './routes/members.ts';
import { registerMemberTokens } from './routes/member-tokens.ts';
import { registerPlans } from './routes/plans.ts';
import { registerPlanLibrary } from './routes/plan-library.ts';
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
import { storageFailure } from '../store/failures.ts';

export interface ApiOptions {
  readonly service: Service;
  /** Token of the platform operator, who creates tenants. */
  readonly platformToken?: string;
  /** Wall clock for events sent without `at` (ms). */
  readonly now?: () => number;
  readonly logger?: boolean;
  /** Folder of the built web console (console/dist), served at `/`; none when absent. */
  readonly consoleDir?: string;
  /** Requests per key (or address) and window; none when absent (FENYONG_RATE_LIMIT in the server). */
  readonly rateLimit?: RateLimitOptions;
}

export interface RouteContext {
  readonly service: Service;
  readonly platformToken: string | undefined;
  readonly now: () => number;
}

/**
 * What request logging (FENYONG_LOG=1) writes of a request: its method and route pattern
 * (/v1/members/:id/payee, never the ids, which a shop may make of phone numbers), never its query,
 * headers (keys, tokens, signatures) or body (accounts, names). Redaction paths guard the headers
 * should a serializer ever pass them on.
 */
const REQUEST_LOGGING = {
  serializers: {
    req: (request: FastifyRequest) => ({
      method: request.method,
      route: request.routeOptions?.url ?? '(no route)',
      remoteAddress: request.ip,
    }),
  },
  redact: {
    paths: ['req.headers.authorization', 'req.headers["x-signature"]', 'req.headers.cookie', 'req.query', 'req.body', 'req.url'],
    censor: '[redacted]',
  },
};

const KB = 1024;
const MB = 1024 * KB;
/** Bulk routes (batches of events, a starting network, mappings with their samples) take up to this. */
const DEFAULT_BODY_LIMIT = 8 * MB;
/** What a route without a bulk body needs at most (a key, a withdrawal, a payee, a webhook…). */
const SMALL_BODY_LIMIT = 64 * KB;
/** Body limits of the routes that need more than SMALL_BODY_LIMIT ("METHOD url" as registered). */
const BODY_LIMITS: Readonly<Record<string, number>> = {
  'POST /v1/events': DEFAULT_BODY_LIMIT,
  'POST /v1/network/import': DEFAULT_BODY_LIMIT,
  'PUT /v1/mappings/:name': DEFAULT_BODY_LIMIT,
  'POST /v1/mappings/:name/test': DEFAULT_BODY_LIMIT,
  'POST /v1/payouts/batches': 2 * MB, // up to 10,000 member ids
  'POST /v1/tenants': 1 * MB, // with its first plan
  'POST /v1/plans': 1 * MB,
  'POST /v1/plans/lint': 1 * MB,
  'POST /v1/simulations': 1 * MB,
  'POST /v1/ingest/:tenant/:name': 1 * MB, // a shop's webhook, read before its signature is checked
  'POST /v1/estimate': 256 * KB,
  'POST /v1/payouts/batches/:id/results': 32 * MB, // a payer's XLSX file (the route sets it itself)
  'POST /v1/backfill/events': 64 * MB, // 100,000 events of history (the route sets it itself)
};

const formatBytes = (bytes: number) => (bytes >= MB ? `${bytes / MB} MB` : `${bytes / KB} KB`);

/**
 * Gives every route taking a body the limit it needs (BODY_LIMITS, else SMALL_BODY_LIMIT), unless
 * the route sets its own (a payer's result file); a larger body is refused with 413 before it is read.
 */
function limitBodies(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (
      route.bodyLimit !== undefined ||
      !route.url.startsWith('/v1/') ||
      !methods.some((m) => ['POST', 'PUT', 'PATCH'].includes(m))
    )
      return;
    route.bodyLimit = BODY_LIMITS[`${methods[0]} ${route.url}`] ?? SMALL_BODY_LIMIT;
  });
}

/**
 * Tells how long the server took over each request (`Server-Timing: app;dur=<ms>`, which browser
 * dev tools show): what a client's latency adds on its side (queueing, network, its own event
 * loop) is then the difference. From the request's arrival to its reply being sent.
 */
function timeResponses(app: FastifyInstance): void {
  const arrivals = new WeakMap<FastifyRequest, number>();
  app.addHook('onRequest', async (request) => {
    arrivals.set(request, performance.now());
  });
  app.addHook('onSend', async (request, reply, payload) => {
    const arrivedAt = arrivals.get(request);
    if (arrivedAt !== undefined) reply.header('server-timing', `app;dur=${(performance.now() - arrivedAt).toFixed(1)}`);
    return payload;
  });
}

/** The body limit of a route (bytes), as limitBodies sets it: for tests and the docs. */
export function bodyLimitOf(method: string, url: string): number {
  return BODY_LIMITS[`${method} ${url}`] ?? SMALL_BODY_LIMIT;
}

/**
 * Refuses, before validation, parameters and JSON bodies holding text PostgreSQL cannot store (NUL,
 * lone surrogates) or nesting deeper than any request needs (src/service/storable.ts): 400, never
 * a failed query. Raw bodies (a shop's webhook, a payer's file) are checked where they are parsed.
 */
function refuseUnstorableInput(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const parts = [
      ['params', request.params],
      ['query', request.query],
      ['body', request.body],
    ] as const;
    for (const [part, value] of parts) {
      if (Buffer.isBuffer(value)) continue;
      const error = unstorableInput(value);
      if (error)
        throw new ApiError(
          400,
          'invalid',
          error.message,
          part === 'body' ? [...(error.path ?? [])] : [part, ...(error.path ?? [])],
        );
    }
  });
}

/** A URL the router cannot decode (bad percent-encoding), or a parameter beyond its limit: the one error schema. */
function answerFrameworkError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    void reply.status(414).send(PARAM_TOO_LONG);
    return;
  }
  const body: ErrorBody = { error: { code: 'invalid', message: 'the URL is not valid (bad percent-encoding)' } };
  void reply.status(400).send(body);
}

/** The OpenAPI 3.1 document (served at /openapi.json) and its docs page at /docs. */
async function registerDocs(app: FastifyInstance): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'fenyong API',
        version: '1',
        description: 'Distribution-commission engine (分佣引擎). Amounts are decimal strings in the tenant currency.',
      },
      components: {
        securitySchemes: {
          apiKey: {
            type: 'http',
            scheme: 'bearer',
            description:
              "fyk_… key (scope admin, ingest or read), or a leader's fym_… member token (read only: its own data and downline)",
          },
        },
      },
      security: [{ apiKey: [] }],
    },
    transform: jsonSchemaTransform,
    // Adds the schemas registered with an id (Error) under components, where their $refs point.
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
}

/** Every error as the one error schema, with the status its cause calls for. */
function answerErrors(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    if (error instanceof ApiError) return reply.status(error.status).send(error.body());
    // A whole input refused (a plan, a starting network, a tenant): the status of its code.
    if (error instanceof InputError) {
      const refusal = engineRefusal(error.error);
      return reply.status(refusal.status).send(refusal.body());
    }
    if (error instanceof UnknownTenant) {
      const refusal = ApiError.of('not_found', error.message);
      return reply.status(refusal.status).send(refusal.body());
    }
    const fastifyError = error as { statusCode?: number; validation?: unknown; message: string; code?: string };
    if (fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      const limit = request.routeOptions.bodyLimit ?? DEFAULT_BODY_LIMIT;
      return reply.status(413).send({
        error: {
          code: 'too_large',
          message: `the request body is too large (${formatBytes(limit)} at most for ${request.method} ${request.routeOptions.url ?? 'this route'})`,
        },
      });
    }
    if (fastifyError.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      const sent = request.headers['content-type'] ?? 'none';
      return reply.status(415).send({
        error: { code: 'invalid', message: `send JSON with content-type: application/json (this request sent ${sent})` },
      });
    }
    if (fastifyError.validation || (fastifyError.statusCode && fastifyError.statusCode < 500)) {
      const path = validationPath(fastifyError.validation);
      return reply.status(400).send({ error: { code: 'invalid', message: fastifyError.message, ...(path ? { path } : {}) } });
    }
    // The database down, restarting or out of disk: nothing was applied, the client may send it again.
    const storage = storageFailure(error);
    if (storage) {
      app.log.warn(error);
      return reply
        .status(storage.status)
        .header('retry-after', String(storage.retryAfterSeconds))
        .send({ error: { code: storage.code, message: storage.message } });
    }
    app.log.error(error);
    // (Not `invalid`: nothing is wrong with the request, and sending it again may well succeed.)
    return reply.status(500).send({ error: { code: 'internal', message: 'internal error; the request was not applied' } });
  });
}

/** The /v1 routes; the order they are registered in is the order of the OpenAPI document's paths. */
function registerRoutes(app: FastifyInstance, context: RouteContext): void {
  const typed = app.withTypeProvider<ZodTypeProvider>();
  for (const register of [
    registerTenants,
    registerKeys,
    registerPlans,
    registerPlanLibrary,
    registerEvents,
    registerMembers,
    registerMemberTokens,
    registerAwards,
    registerLedger,
    registerEstimate,
    registerWebhooks,
    registerReports,
    registerStatements,
    registerFinanceReports,
    registerPayouts,
    registerAdjustments,
    registerPayees,
    registerAudit,
    registerMappings,
    registerBackfill,
  ]) {
    register(typed, context);
  }
  registerSimulations(typed, context);
}

/** The HTTP API under /v1, its OpenAPI 3.1 document at /openapi.json and docs at /docs. */
export async function buildApp(options: ApiOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ? REQUEST_LOGGING : false,
    bodyLimit: DEFAULT_BODY_LIMIT,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: answerFrameworkError,
  });
  limitBodies(app);
  // Fastify reads text/plain as a string by default, which a JSON route then refused as 400: a body
  // that is not JSON is 415 on every route (routes taking files add their own parsers).
  app.removeContentTypeParser('text/plain');
  timeResponses(app);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  await registerDocs(app);
  answerErrors(app);
  // (With the console, its handler answers unknown API routes the same way and serves its pages.)
  if (!options.consoleDir)
    app.setNotFoundHandler((request, reply) => reply.status(404).send(noRoute(request.method, request.url)));
  authenticateFirst(app, options.service.sql, options.platformToken, await rateLimiter(app, options.rateLimit));
  refuseUnstorableInput(app);
  const context: RouteContext = { service: options.service, platformToken: options.platformToken, now: options.now ?? Date.now };
  registerRoutes(app, context);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/health', { schema: { hide: true } }, async () => ({ ok: true }));
  if (options.consoleDir) await registerConsole(app, options.consoleDir);
  return app;
}

/**
 * The field a schema refused, as the path every other refusal gives (`["members", 0, "id"]`),
 * from the first issue's JSON pointer (`/members/0/id`); none for a refusal of the whole body.
 */
function validationPath(validation: unknown): (string | number)[] | null {
  const first = Array.isArray(validation) ? (validation[0] as { instancePath?: unknown } | undefined) : undefined;
  if (typeof first?.instancePath !== 'string' || first.instancePath === '') return null;
  return first.instancePath
    .split('/')
    .slice(1)
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part.replace(/~1/g, '/').replace(/~0/g, '~')));
}
