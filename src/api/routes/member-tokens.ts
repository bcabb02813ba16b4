import { z } from 'zod';
import { writeAudit } from '../../service/audit.ts';
import {
  DEFAULT_TOKEN_DAYS,
  forgetCachedMemberTokens,
  issueMemberToken,
  listMemberTokens,
  MAX_TOKEN_DAYS,
  revokeMemberToken,
} from '../../service/member-tokens.ts';
import { requireScope } from '../auth.ts';
import { ApiError, errorResponses } from '../errors.ts';
import { enforceLeaderRules } from '../leader-access.ts';
import type { Register } from '../typed.ts';

const tokenListing = z.object({
  id: z.string(),
  member: z.string(),
  createdBy: z.string().describe('id of the API key that issued it'),
  createdAt: z.string(),
  expiresAt: z.string(),
  revokedAt: z.string().nullable(),
});

/** The console path that signs a leader in: the token rides in the fragment, which no server logs. */
export const leaderLink = (token: string): string => `/leader#token=${token}`;

/**
 * Member tokens (issue 6): an admin issues a leader a token (and the console link carrying it),
 * lists a member's tokens and revokes one. With a token the leader reads their own data and
 * downline, nothing else (src/api/leader-access.ts, hooked here).
 */
export const registerMemberTokens: Register = (app, context) => {
  enforceLeaderRules(app, context.service);
  registerIssue(app, context);
  registerListAndRevoke(app, context);
};

const params = z.object({ id: z.string().describe('member id') });

const registerIssue: Register = (app, { service }) => {
  app.post(
    '/v1/members/:id/tokens',
    {
      schema: {
        tags: ['members'],
        summary: 'Issue a member token for a distributor: their read-only sign-in to the console (shown once; stored hashed)',
        params,
        body: z
          .object({
            expiresInDays: z.number().int().min(1).max(MAX_TOKEN_DAYS).optional().describe(`default ${DEFAULT_TOKEN_DAYS}`),
          })
          .default({}),
        response: {
          201: z.object({
            id: z.string(),
            member: z.string(),
            token: z.string().describe('fym_… — shown only in this answer'),
            link: z.string().describe('console path that signs the leader in (the token is in the fragment)'),
            expiresAt: z.string(),
          }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const tenant = await requireScope(service.sql, request, 'admin');
      const member = request.params.id;
      const distributor = await service.read(tenant, (runtime) => runtime.engine.state.network.get(member)?.isDistributor);
      if (distributor === undefined) throw ApiError.of('not_found', `member ${member} is not in the network`, ['id']);
      if (!distributor)
        throw ApiError.of('invalid', `member ${member} is a customer: tokens are for distributors (leaders)`, ['id']);
      const days = request.body.expiresInDays ?? DEFAULT_TOKEN_DAYS;
      const issued = await service.sql.transaction(async (tx) => {
        // Expiry runs on the real clock, as its check does (verifyMemberToken), not the tenant's event time.
        const made = await issueMemberToken(tx, { tenant, member, days, by: request.apiKey!.id, now: Date.now() });
        // Named by its id: the token's text is shown once, here, and kept nowhere.
        await writeAudit(tx, tenant, [
          {
            actor: request.apiKey!.id,
            action: 'member_token.issued',
            target: made.id,
            details: { member, expiresAt: made.expiresAt },
          },
        ]);
        return made;
      });
      return reply
        .status(201)
        .send({ id: issued.id, member, token: issued.token, link: leaderLink(issued.token), expiresAt: issued.expiresAt });
    },
  );
};

const registerListAndRevoke: Register = (app, { service }) => {
  app.get(
    '/v1/members/:id/tokens',
    {
      schema: {
        tags: ['members'],
        summary: "A member's tokens, newest first (never their secrets)",
        params,
        response: { 200: z.object({ tokens: z.array(tokenListing) }), ...errorResponses },
      },
    },
    async (request) => {
      const tenant = await requireScope(service.sql, request, 'admin');
      return { tokens: await listMemberTokens(service.sql, tenant, request.params.id) };
    },
  );

  app.delete(
    '/v1/members/:id/tokens/:tokenId',
    {
      schema: {
        tags: ['members'],
        summary: "Revoke a member's token (its leader is signed out within seconds)",
        params: params.extend({ tokenId: z.string() }),
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const tenant = await requireScope(service.sql, request, 'admin');
      const { id: member, tokenId } = request.params;
      const revoked = await service.sql.transaction(async (tx) => {
        const done = await revokeMemberToken(tx, tenant, member, tokenId);
        if (done)
          await writeAudit(tx, tenant, [
            { actor: request.apiKey!.id, action: 'member_token.revoked', target: tokenId, details: { member } },
          ]);
        return done;
      });
      if (!revoked) throw ApiError.of('not_found', `no active token ${tokenId} of member ${member}`);
      forgetCachedMemberTokens();
      return reply.status(204).send(null);
    },
  );
};
