import { z } from 'zod';
import type { Engine } from '../../engine/engine.ts';
import { formatMoney } from '../../money/money.ts';
import { auditOfEvent } from '../../service/audit.ts';
import type { ItemResult } from '../../service/service.ts';
import { requireScope } from '../auth.ts';
import { ApiError, errorResponses } from '../errors.ts';
import type { Register } from '../typed.ts';
import type { RouteContext } from '../app.ts';
import type { FastifyRequest } from 'fastify';

const asOfQuery = z.object({ asOf: z.string().optional().describe('ISO 8601 instant; defaults to now') });
const memberView = z.object({
  id: z.string(), role: z.string(), level: z.number().nullable(), parent: z.string().nullable(), regions: z.array(z.string()),
  personalSales: z.string().optional(), teamSales: z.string().optional(), children: z.number().optional(),
});
const ingestResult = z.object({ status: z.string(), seq: z.number().optional() });

/** Sends one member event through the normal ingestion path and answers like POST /v1/events. */
async function sendEvent(context: RouteContext, request: FastifyRequest, event: Record<string, unknown>) {
  // Setting a level by hand is an admin's act (DOMAIN.md); other member events are ingestion.
  const tenant = await requireScope(context.service.sql, request, event.type === 'member.level_set' ? 'admin' : 'ingest');
  const at = typeof event.at === 'string' ? event.at : new Date(context.now()).toISOString();
  const item = { ...event, at };
  // A level set by hand is audited in the transaction that applies it.
  const audit = event.type === 'member.level_set'
    ? { audit: ([r]: readonly ItemResult[]) => (r!.status === 'accepted' ? [auditOfEvent(item, request.apiKey!.id, r!.seq)!] : []) }
    : {};
  const [result] = await context.service.ingest(tenant, [item], 'http', undefined, audit);
  if (result!.status === 'rejected') {
    const { code, message, path } = result!.error;
    const status = code === 'unknown_member' ? 404 : code === 'invalid' ? 400 : 409;
    throw new ApiError(status, code, message, path ? [...path] : undefined);
  }
  return result!;
}

function instant(text: string | undefined, now: number): number {
  if (text === undefined) return now;
  const parsed = Date.parse(text);
  if (Number.isNaN(parsed)) throw new ApiError(400, 'invalid', 'asOf must be an ISO 8601 instant', ['asOf']);
  return parsed;
}

function viewAt(engine: Engine, id: string, at: number): z.infer<typeof memberView> {
  const placement = engine.state.network.placementAt(id, at);
  if (!placement) throw new ApiError(404, 'not_found', `member ${id} was not in the network at ${new Date(at).toISOString()}`);
  const member = engine.state.network.get(id)!;
  const money = (amount: bigint) => formatMoney(amount, engine.settings.decimals);
  return {
    id, role: placement.role, level: placement.role === 'customer' ? null : placement.level, parent: placement.parent,
    regions: [...placement.regions], personalSales: money(member.personalSales), teamSales: money(member.teamSales),
    children: member.children?.length ?? 0,
  };
}

export const registerMembers: Register = (app, context) => {
  const { service } = context;
  app.post('/v1/network/import', {
    schema: {
      tags: ['members'], summary: 'Import a starting network (before the first event; may be sent in chunks)',
      body: z.object({ members: z.array(z.unknown()).min(1).max(100_000) }),
      response: { 200: z.object({ seq: z.number(), members: z.number() }), ...errorResponses },
    },
  }, async (request) => {
    const tenant = await requireScope(service.sql, request, 'admin');
    return service.importNetwork(tenant, request.body.members, 'http');
  });

  app.post('/v1/members', {
    schema: {
      tags: ['members'], summary: 'A member joins (member.joined)',
      body: z.object({ member: z.object({ id: z.string(), role: z.string(), level: z.number().optional(), parent: z.string().nullable().optional(), regions: z.array(z.string()).optional() }), at: z.string().optional(), id: z.string().optional() }),
      response: { 200: ingestResult, ...errorResponses },
    },
  }, async (request) => sendEvent(context, request, { type: 'member.joined', ...request.body }));

  const change = (path: string, type: string, body: z.ZodObject, summary: string) =>
    app.post(path, {
      schema: { tags: ['members'], summary, params: z.object({ id: z.string() }), body, response: { 200: ingestResult, ...errorResponses } },
    }, async (request) => sendEvent(context, request, { type, member: (request.params as { id: string }).id, ...(request.body as object) }));
  change('/v1/members/:id/move', 'member.moved', z.object({ parent: z.string().nullable(), at: z.string().optional(), id: z.string().optional() }), 'Move a member under another parent');
  change('/v1/members/:id/promote', 'member.promoted', z.object({ role: z.enum(['branch', 'agency', 'leader']).default('leader'), level: z.number().int().min(1).default(1), at: z.string().optional(), id: z.string().optional() }), 'Promote a customer to distributor');
  change('/v1/members/:id/level', 'member.level_set', z.object({ level: z.number().int().min(1), at: z.string().optional(), id: z.string().optional() }), 'Set a level by hand');
  change('/v1/members/:id/regions', 'member.regions_set', z.object({ regions: z.array(z.string()), at: z.string().optional(), id: z.string().optional() }), 'Replace the regions a distributor holds');

  app.get('/v1/members', {
    schema: {
      tags: ['members'], summary: 'Search members by id prefix',
      querystring: z.object({ q: z.string().default(''), limit: z.coerce.number().int().min(1).max(1000).default(50), offset: z.coerce.number().int().min(0).default(0) }),
      response: { 200: z.object({ members: z.array(memberView) }), ...errorResponses },
    },
  }, async (request) => {
    const tenant = await requireScope(service.sql, request, 'read');
    return service.read(tenant, (runtime) => {
      const found: z.infer<typeof memberView>[] = [];
      const at = Math.max(context.now(), runtime.engine.state.clock ?? 0);
      let skip = request.query.offset;
      for (const member of runtime.engine.state.network.all()) {
        if (found.length >= request.query.limit) break;
        if (!member.id.startsWith(request.query.q)) continue;
        if (skip > 0) skip -= 1;
        else found.push(viewAt(runtime.engine, member.id, at));
      }
      return { members: found };
    });
  });

  app.get('/v1/members/:id', {
    schema: { tags: ['members'], summary: 'A member as of an instant', params: z.object({ id: z.string() }), querystring: asOfQuery, response: { 200: memberView, ...errorResponses } },
  }, async (request) => {
    const tenant = await requireScope(service.sql, request, 'read');
    return service.read(tenant, (runtime) => viewAt(runtime.engine, request.params.id, instant(request.query.asOf, Math.max(context.now(), runtime.engine.state.clock ?? 0))));
  });

  app.get('/v1/members/:id/upline', {
    schema: {
      tags: ['members'], summary: 'The upline (member first, then its parents) as of an instant', params: z.object({ id: z.string() }), querystring: asOfQuery,
      response: { 200: z.object({ upline: z.array(z.object({ id: z.string(), role: z.string(), level: z.number() })) }), ...errorResponses },
    },
  }, async (request) => {
    const tenant = await requireScope(service.sql, request, 'read');
    return service.read(tenant, (runtime) => {
      const at = instant(request.query.asOf, Math.max(context.now(), runtime.engine.state.clock ?? 0));
      const upline = runtime.engine.state.network.uplineAt(request.params.id, at);
      if (upline.length === 0) throw new ApiError(404, 'not_found', `member ${request.params.id} was not in the network then`);
      return { upline };
    });
  });

  app.get('/v1/members/:id/downline', {
    schema: {
      tags: ['members'], summary: 'The direct downline as of an instant (current tree when asOf is absent)', params: z.object({ id: z.string() }),
      querystring: asOfQuery.extend({ limit: z.coerce.number().int().min(1).max(1000).default(200), offset: z.coerce.number().int().min(0).default(0) }),
      response: { 200: z.object({ total: z.number(), children: z.array(memberView) }), ...errorResponses },
    },
  }, async (request) => {
    const tenant = await requireScope(service.sql, request, 'read');
    return service.read(tenant, (runtime) => {
      const network = runtime.engine.state.network;
      const member = network.get(request.params.id);
      if (!member) throw new ApiError(404, 'not_found', `member ${request.params.id} is not in the network`);
      const at = instant(request.query.asOf, Math.max(context.now(), runtime.engine.state.clock ?? 0));
      const ids = request.query.asOf === undefined ? (member.children ?? []).map((child) => child.id) : network.childrenAt(member.id, at);
      const page = ids.slice(request.query.offset, request.query.offset + request.query.limit);
      return { total: ids.length, children: page.map((id) => viewAt(runtime.engine, id, at)) };
    });
  });
};
