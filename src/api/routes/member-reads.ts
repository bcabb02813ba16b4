import { z } from 'zod';
import { shownLevel } from '../../domain/types.ts';
import type { Engine } from '../../engine/engine.ts';
import { formatMoney } from '../../money/money.ts';
import { directoryOf, type KeysetPage, type MemberDirectory } from '../../service/member-directory.ts';
import type { TenantRuntime } from '../../service/runtime.ts';
import { requireScope } from '../auth.ts';
import { ApiError, errorResponses } from '../errors.ts';
import { instantParam } from '../instant-param.ts';
import type { Register, TypedApp } from '../typed.ts';
import type { RouteContext } from '../app.ts';

const asOfQuery = z.object({
  asOf: z
    .string()
    .optional()
    .describe("ISO 8601 instant (without an offset, or a bare date: in the tenant's time zone); defaults to now"),
});
const pageQuery = z.object({
  after: z.string().optional().describe('cursor: the `next` of the previous page (ids are in code-unit order)'),
  offset: z.coerce.number().int().min(0).default(0).describe('members to skip (after the cursor, if any); prefer `after`'),
});
export const memberView = z.object({
  id: z.string(),
  role: z.string(),
  level: z.number().nullable(),
  parent: z.string().nullable(),
  regions: z.array(z.string()),
  personalSales: z.string().optional(),
  teamSales: z.string().optional(),
  children: z.number().optional(),
  teamSize: z.number().optional().describe('members below, all levels, now'),
});
const next = z.string().nullable().describe('cursor of the next page (`after`), null on the last page');

/** `asOf` in the tenant's zone (see instantParam), or now. */
function instant(text: string | undefined, now: number, zone: string): number {
  return text === undefined ? now : instantParam(text, zone, 'asOf');
}

/** A member as it stood at `at` (role, level, parent, regions), with its sales and counts of now. */
function viewAt(engine: Engine, directory: MemberDirectory, id: string, at: number): z.infer<typeof memberView> {
  const placement = engine.state.network.placementAt(id, at);
  if (!placement) throw ApiError.of('not_found', `member ${id} was not in the network at ${new Date(at).toISOString()}`);
  const member = engine.state.network.get(id)!;
  const money = (amount: bigint) => formatMoney(amount, engine.settings.decimals);
  return {
    id,
    role: placement.role,
    level: shownLevel(placement.role, placement.level),
    parent: placement.parent,
    regions: [...placement.regions],
    personalSales: money(member.personalSales),
    teamSales: money(member.teamSales),
    children: member.children?.length ?? 0,
    teamSize: directory.teamSize(member),
  };
}

/**
 * The member reads of the console's network explorer, every one bounded by its page whatever the
 * network's size: search by id prefix and the direct downline, both in id order with a cursor,
 * served by the tenant's member directory (src/service/member-directory.ts).
 */
export const registerMemberReads: Register = (app, context) => {
  registerSearch(app, context);
  registerMember(app, context);
  registerDownline(app, context);
};

/** The instant "now" of a tenant: the clock, or the tenant's last event if that is later. */
const nowOf = (context: RouteContext, runtime: TenantRuntime) => Math.max(context.now(), runtime.engine.state.clock ?? 0);

/** The views of a page of ids at `at`. */
function views(runtime: TenantRuntime, ids: KeysetPage<string>, at: number) {
  const directory = directoryOf(runtime.engine.state.network);
  return ids.items.map((id) => viewAt(runtime.engine, directory, id, at));
}

function registerSearch(app: TypedApp, context: RouteContext): void {
  app.get(
    '/v1/members',
    {
      schema: {
        tags: ['members'],
        summary: 'Search members by id prefix (in id order, a page at a time)',
        querystring: z
          .object({ q: z.string().default(''), limit: z.coerce.number().int().min(1).max(1000).default(50) })
          .extend(pageQuery.shape),
        response: {
          200: z.object({ members: z.array(memberView), total: z.number().describe('members whose id starts with q'), next }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const tenant = await requireScope(context.service.sql, request, 'read');
      const { q, after, limit, offset } = request.query;
      return context.service.read(tenant, (runtime) => {
        const found = directoryOf(runtime.engine.state.network).search(q, after ?? null, limit, offset);
        return { members: views(runtime, found, nowOf(context, runtime)), total: found.total, next: found.next };
      });
    },
  );
}

function registerMember(app: TypedApp, context: RouteContext): void {
  const { service } = context;
  app.get(
    '/v1/members/:id',
    {
      schema: {
        tags: ['members'],
        summary: 'A member as of an instant',
        params: z.object({ id: z.string() }),
        querystring: asOfQuery,
        response: { 200: memberView, ...errorResponses },
      },
    },
    async (request) => {
      const tenant = await requireScope(service.sql, request, 'read');
      const view = await service.read(tenant, (runtime) =>
        viewAt(
          runtime.engine,
          directoryOf(runtime.engine.state.network),
          request.params.id,
          instant(request.query.asOf, nowOf(context, runtime), runtime.engine.settings.timezone),
        ),
      );
      // A leader sees no one above themselves (src/api/leader-access.ts), not even their parent.
      return request.memberToken?.member === view.id ? { ...view, parent: null } : view;
    },
  );

  app.get(
    '/v1/members/:id/upline',
    {
      schema: {
        tags: ['members'],
        summary: 'The upline (member first, then its parents) as of an instant',
        params: z.object({ id: z.string() }),
        querystring: asOfQuery,
        response: {
          200: z.object({
            upline: z.array(
              z.object({ id: z.string(), role: z.string(), level: z.number().nullable().describe('null for a customer') }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const tenant = await requireScope(service.sql, request, 'read');
      return service.read(tenant, (runtime) => {
        const upline = runtime.engine.state.network.uplineAt(
          request.params.id,
          instant(request.query.asOf, nowOf(context, runtime), runtime.engine.settings.timezone),
        );
        if (upline.length === 0) throw ApiError.of('not_found', `member ${request.params.id} was not in the network then`);
        const shown = upline.map((member) => ({ ...member, level: shownLevel(member.role, member.level) }));
        return { upline: cutAtLeader(shown, request.memberToken?.member) };
      });
    },
  );
}

/** The upline as a leader may see it: up to themselves, never above (all of it for an API key). */
function cutAtLeader<T extends { readonly id: string }>(upline: T[], leader: string | undefined): T[] {
  if (leader === undefined) return upline;
  const at = upline.findIndex((member) => member.id === leader);
  return at < 0 ? [] : upline.slice(0, at + 1);
}

function registerDownline(app: TypedApp, context: RouteContext): void {
  app.get(
    '/v1/members/:id/downline',
    {
      schema: {
        tags: ['members'],
        summary: 'The direct downline as of an instant (current tree when asOf is absent), in id order, a page at a time',
        params: z.object({ id: z.string() }),
        querystring: asOfQuery.extend({ limit: z.coerce.number().int().min(1).max(1000).default(200) }).extend(pageQuery.shape),
        response: { 200: z.object({ total: z.number(), children: z.array(memberView), next }), ...errorResponses },
      },
    },
    async (request) => {
      const tenant = await requireScope(context.service.sql, request, 'read');
      const { asOf, after, limit, offset } = request.query;
      return context.service.read(tenant, (runtime) => {
        const member = runtime.engine.state.network.get(request.params.id);
        if (!member) throw ApiError.of('not_found', `member ${request.params.id} is not in the network`);
        const directory = directoryOf(runtime.engine.state.network);
        const at = instant(asOf, nowOf(context, runtime), runtime.engine.settings.timezone);
        const page: KeysetPage<string> =
          asOf === undefined
            ? idsOf(directory.children(member, after ?? null, limit, offset))
            : directory.childrenAt(member, at, after ?? null, limit, offset);
        return { total: page.total, children: views(runtime, page, at), next: page.next };
      });
    },
  );
}

function idsOf(page: KeysetPage<{ readonly id: string }>): KeysetPage<string> {
  return { ...page, items: page.items.map((member) => member.id) };
}
