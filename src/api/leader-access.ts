import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Service } from '../service/service.ts';
import { ApiError } from './errors.ts';

/**
 * What a member token (a leader, 团长, signed in to the console) may read, route by route. The
 * list is the whole rule: a route that is not here answers 403 to a member token, so a new route
 * is closed to leaders until it declares what they may see. Every listed route only reads; a
 * member token writes nothing.
 *
 * `reach` says whose data: `self` the token's member only (money: awards, balances, withdrawals,
 * statements), `downline` the member or anyone below it in the current tree (the network
 * explorer). A member outside the reach answers 403 whether or not it exists (in this tenant or
 * another), so a leader learns nothing about members they may not see.
 */
export interface LeaderRule {
  readonly reach: 'self' | 'downline';
  /** Where the request names its member; none: the token's own member (GET /v1/me). */
  readonly member?: {
    readonly in: 'params' | 'query';
    readonly name: string;
    /** When the query does not name one, the token's member is filled in. */
    readonly defaultsToSelf?: boolean;
  };
}

const ownInQuery: LeaderRule = { reach: 'self', member: { in: 'query', name: 'member', defaultsToSelf: true } };
const downlineParam: LeaderRule = { reach: 'downline', member: { in: 'params', name: 'id' } };

/** Keys are "METHOD url" as the route is registered. */
export const LEADER_RULES: Readonly<Record<string, LeaderRule>> = {
  'GET /v1/me': { reach: 'self' },
  'GET /v1/members/:id': downlineParam,
  'GET /v1/members/:id/downline': downlineParam,
  // Cut at the token's member (routes/member-reads.ts): never the upline above the leader.
  'GET /v1/members/:id/upline': downlineParam,
  'GET /v1/awards': ownInQuery,
  'GET /v1/awards/explain': ownInQuery,
  'GET /v1/balances': ownInQuery,
  'GET /v1/withdrawals': ownInQuery,
  'GET /v1/statements/:member': { reach: 'self', member: { in: 'params', name: 'member' } },
};

/** The rule of a route for member tokens, if it has one. */
export function leaderRuleOf(method: string, url: string): LeaderRule | undefined {
  return LEADER_RULES[`${method} ${url}`];
}

const refusal = (message: string) => new ApiError(403, 'forbidden', message);

/** Refuses at once a member token on a route without a rule (before its body is read). */
export function refuseUnlistedRoute(request: FastifyRequest, url: string): void {
  if (!leaderRuleOf(request.method, url))
    throw refusal("a member token only reads its member's own data and downline; this needs an API key");
}

/**
 * Checks each member-token request against its route's rule (hooked after authentication, see
 * authenticateFirst): the member it names is within reach. Handlers accept a member token only
 * once this check passed (requireScope), so without this hook member tokens read nothing.
 */
export function enforceLeaderRules(app: FastifyInstance, service: Service): void {
  app.addHook('onRequest', async (request) => {
    const token = request.memberToken;
    const url = request.routeOptions.url;
    if (!token || url === undefined) return;
    const rule = leaderRuleOf(request.method, url);
    if (!rule) throw refusal('a member token cannot use this route');
    const named = namedMember(request, rule, token.member);
    if (named !== token.member) {
      const within = rule.reach === 'downline' && (await inDownline(service, token.tenant, token.member, named));
      if (!within)
        throw refusal(
          rule.reach === 'self'
            ? `this reads only your own member's data, not ${named}'s`
            : `member ${named} is not in your downline`,
        );
    }
    request.leaderChecked = true;
  });
}

/** The member a request names under its rule (the token's own when it names none). */
function namedMember(request: FastifyRequest, rule: LeaderRule, self: string): string {
  if (!rule.member) return self;
  const source = (rule.member.in === 'params' ? request.params : request.query) as Record<string, unknown> | undefined;
  const value = source?.[rule.member.name];
  if (value === undefined && rule.member.defaultsToSelf && source) {
    source[rule.member.name] = self;
    return self;
  }
  if (typeof value !== 'string') throw refusal(`name one member in ${rule.member.name}`);
  return value;
}

/** Whether `id` is below `leader` in the tenant's current tree. */
function inDownline(service: Service, tenant: string, leader: string, id: string): Promise<boolean> {
  return service.read(tenant, (runtime) => {
    const network = runtime.engine.state.network;
    const top = network.get(leader);
    const member = network.get(id);
    return top !== undefined && member !== undefined && network.isAncestorOrSelf(top, member);
  });
}
