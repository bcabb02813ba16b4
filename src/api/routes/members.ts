import { z } from 'zod';
import { auditOfEvent } from '../../service/audit.ts';
import type { ItemResult } from '../../service/service.ts';
import { requireScope } from '../auth.ts';
import { engineRefusal, errorResponses } from '../errors.ts';
import type { Register, TypedApp } from '../typed.ts';
import { registerMemberReads } from './member-reads.ts';
import type { RouteContext } from '../app.ts';
import type { FastifyRequest } from 'fastify';

const ingestResult = z.object({ status: z.string(), seq: z.number().optional() });

/** Sends one member event through the normal ingestion path and answers like POST /v1/events. */
async function sendEvent(context: RouteContext, request: FastifyRequest, event: Record<string, unknown>) {
  // Setting a level by hand is an admin's act (DOMAIN.md); other member events are ingestion.
  const tenant = await requireScope(context.service.sql, request, event.type === 'member.level_set' ? 'admin' : 'ingest');
  const at = typeof event.at === 'string' ? event.at : new Date(context.now()).toISOString();
  const item = { ...event, at };
  // A level set by hand is audited in the transaction that applies it.
  const audit =
    event.type === 'member.level_set'
      ? {
          audit: ([r]: readonly ItemResult[]) =>
            r!.status === 'accepted' ? [auditOfEvent(item, request.apiKey!.id, r!.seq)!] : [],
        }
      : {};
  const [result] = await context.service.ingest(tenant, [item], 'http', undefined, {
    ...audit,
    serverTime: typeof event.at !== 'string',
  });
  // The member of /v1/members/:id/… is the URL's: unknown, it is 404 not_found; an unknown parent 422.
  if (result!.status === 'rejected') throw engineRefusal(result!.error, event.type === 'member.joined' ? [] : ['member']);
  return result!;
}

export const registerMembers: Register = (app, context) => {
  registerImportNetwork(app, context);
  registerJoin(app, context);
  registerMemberChanges(app, context);
  registerMemberReads(app, context);
};

function registerImportNetwork(app: TypedApp, context: RouteContext): void {
  const { service } = context;
  app.post(
    '/v1/network/import',
    {
      schema: {
        tags: ['members'],
        summary: 'Import a starting network (before the first event; may be sent in chunks)',
        body: z.object({ members: z.array(z.unknown()).min(1).max(100_000) }),
        response: { 200: z.object({ seq: z.number(), members: z.number() }), ...errorResponses },
      },
    },
    async (request) => {
      const tenant = await requireScope(service.sql, request, 'admin');
      return service.importNetwork(tenant, request.body.members, 'http');
    },
  );
}

function registerJoin(app: TypedApp, context: RouteContext): void {
  app.post(
    '/v1/members',
    {
      schema: {
        tags: ['members'],
        summary: 'A member joins (member.joined)',
        body: z.object({
          member: z.object({
            id: z.string(),
            role: z.string(),
            level: z.number().optional(),
            parent: z.string().nullable().optional(),
            regions: z.array(z.string()).optional(),
          }),
          at: z.string().optional(),
          id: z.string().optional(),
        }),
        response: { 200: ingestResult, ...errorResponses },
      },
    },
    async (request) => sendEvent(context, request, { type: 'member.joined', ...request.body }),
  );
}

/** POST `path` (`:id` the member) sends a member event of `type` whose other fields are `body`. */
function registerChange(
  app: TypedApp,
  context: RouteContext,
  change: { path: string; type: string; body: z.ZodObject; summary: string },
): void {
  const { path, type, body, summary } = change;
  app.post(
    path,
    {
      schema: {
        tags: ['members'],
        summary,
        params: z.object({ id: z.string() }),
        body,
        response: { 200: ingestResult, ...errorResponses },
      },
    },
    async (request) =>
      sendEvent(context, request, { type, member: (request.params as { id: string }).id, ...(request.body as object) }),
  );
}

/** The member changes other than joining: move, promote, set a level, set regions. */
function registerMemberChanges(app: TypedApp, context: RouteContext): void {
  const change = (path: string, type: string, body: z.ZodObject, summary: string) =>
    registerChange(app, context, { path, type, body, summary });
  change(
    '/v1/members/:id/move',
    'member.moved',
    z.object({ parent: z.string().nullable(), at: z.string().optional(), id: z.string().optional() }),
    'Move a member under another parent',
  );
  change(
    '/v1/members/:id/promote',
    'member.promoted',
    z.object({
      role: z.enum(['branch', 'agency', 'leader']).default('leader'),
      level: z.number().int().min(1).default(1),
      at: z.string().optional(),
      id: z.string().optional(),
    }),
    'Promote a customer to distributor',
  );
  change(
    '/v1/members/:id/level',
    'member.level_set',
    z.object({ level: z.number().int().min(1), at: z.string().optional(), id: z.string().optional() }),
    'Set a level by hand',
  );
  change(
    '/v1/members/:id/regions',
    'member.regions_set',
    z.object({ regions: z.array(z.string()), at: z.string().optional(), id: z.string().optional() }),
    'Replace the regions a distributor holds',
  );
}
