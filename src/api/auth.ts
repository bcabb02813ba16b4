import type { FastifyInstance, FastifyRequest } from 'fastify';
import { allows, isPlatformToken, verifyKey, type ApiKey, type Scope } from '../service/keys.ts';
import { looksLikeMemberToken, verifyMemberToken, type MemberToken } from '../service/member-tokens.ts';
import type { Sql } from '../store/sql.ts';
import { ApiError } from './errors.ts';
import { refuseUnlistedRoute } from './leader-access.ts';
import type { Limiter } from './rate-limit.ts';

declare module 'fastify' {
  interface FastifyRequest {
    apiKey?: ApiKey;
    /** A leader's member token (read only, scoped by src/api/leader-access.ts). */
    memberToken?: MemberToken;
    /** Set once the member token passed its route's leader rule (enforceLeaderRules). */
    leaderChecked?: boolean;
  }
}

function bearer(request: FastifyRequest): string {
  const header = request.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match)
    throw new ApiError(401, 'unauthorized', 'send an API key as "Authorization: Bearer fyk_…" (or a member token, fym_…)');
  return match[1]!;
}

/** Authenticates a tenant key and checks that its scope allows `need`; returns the tenant. */
export async function requireScope(sql: Sql, request: FastifyRequest, need: Scope): Promise<string> {
  if (request.memberToken) return leaderTenant(request, request.memberToken, need);
  const key = request.apiKey ?? (await verifyKey(sql, bearer(request)));
  if (!key) throw new ApiError(401, 'unauthorized', 'unknown or revoked API key');
  if (!allows(key.scope, need))
    throw new ApiError(403, 'forbidden', `this ${key.scope} key cannot do that; it needs an ${need} key`);
  request.apiKey = key;
  return key.tenant;
}

/**
 * The tenant of a member token allowed here: it only reads, and only once its route's leader rule
 * passed (a handler reached without that check refuses rather than show the whole tenant).
 */
function leaderTenant(request: FastifyRequest, token: MemberToken, need: Scope): string {
  if (need !== 'read') throw new ApiError(403, 'forbidden', 'a member token only reads; this needs an API key');
  if (!request.leaderChecked) throw new ApiError(403, 'forbidden', 'a member token cannot use this route');
  return token.tenant;
}

/** The platform operator (creates tenants): the token given in FENYONG_PLATFORM_TOKEN. */
export function requirePlatform(expected: string | undefined, request: FastifyRequest): void {
  if (!isPlatformToken(expected, bearer(request)))
    throw new ApiError(401, 'unauthorized', 'creating tenants needs the platform token');
}

/**
 * Authenticates every /v1 request as it arrives, before its body and query are parsed and
 * validated: without a valid key (the platform token for /v1/tenants) the answer is 401 whatever
 * the request carries; a member token on a route leaders may not use is 403 (leader-access.ts).
 * Each route still checks the scope it needs (requireScope). The rate limit (when given) counts
 * every request, by its API key once known, by its address otherwise (a wrong key, a member
 * token), before a refusal is answered.
 */
export function authenticateFirst(
  app: FastifyInstance,
  sql: Sql,
  platformToken: string | undefined,
  limit: Limiter | null = null,
): void {
  app.addHook('onRequest', async (request, reply) => {
    const route = request.routeOptions.url;
    if (route === undefined || !route.startsWith('/v1/')) return;
    let refusal: unknown = null;
    try {
      await authenticate(sql, platformToken, request, route);
    } catch (error) {
      refusal = error;
    }
    await limit?.(request, reply);
    if (refusal) throw refusal;
  });
}

async function authenticate(sql: Sql, platformToken: string | undefined, request: FastifyRequest, route: string): Promise<void> {
  // A shop's webhook carries its own signature instead of a key (routes/mappings.ts checks it).
  if (route.startsWith('/v1/ingest/')) return;
  if (route === '/v1/tenants' || route.startsWith('/v1/tenants/')) return requirePlatform(platformToken, request);
  const presented = bearer(request);
  if (looksLikeMemberToken(presented)) {
    const token = await verifyMemberToken(sql, presented);
    if (!token) throw new ApiError(401, 'unauthorized', 'unknown, revoked or expired member token');
    request.memberToken = token;
    return refuseUnlistedRoute(request, route);
  }
  const key = await verifyKey(sql, presented);
  if (!key) throw new ApiError(401, 'unauthorized', 'unknown or revoked API key');
  request.apiKey = key;
}
