import { z } from 'zod';
import { currencyDecimals } from '../../money/money.ts';
import { writeAudit } from '../../service/audit.ts';
import { createKey, forgetCachedKeys, SCOPES } from '../../service/keys.ts';
import { requireScope } from '../auth.ts';
import { ApiError, errorResponses } from '../errors.ts';
import type { RouteContext } from '../app.ts';
import type { Register, TypedApp } from '../typed.ts';

export const registerKeys: Register = (app, context) => {
  registerMe(app, context);
  registerCreateKey(app, context);
  registerListKeys(app, context);
  registerRevokeKey(app, context);
};

function registerCreateKey(app: TypedApp, context: RouteContext): void {
  const { service } = context;
  app.post(
    '/v1/keys',
    {
      schema: {
        tags: ['keys'],
        summary: 'Create an API key (shown once; stored hashed)',
        body: z.object({ scope: z.enum(SCOPES as ['admin', 'ingest', 'read']), label: z.string().max(200).optional() }),
        response: { 201: z.object({ id: z.string(), key: z.string(), scope: z.string() }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const tenant = await requireScope(service.sql, request, 'admin');
      const created = await service.sql.transaction(async (tx) => {
        const key = await createKey(tx, tenant, request.body.scope, request.body.label);
        // The audit entry names the key by its id: its text is shown once, here, and kept nowhere.
        await writeAudit(tx, tenant, [
          {
            actor: request.apiKey!.id,
            action: 'key.created',
            target: key.id,
            details: { scope: key.scope, ...(request.body.label ? { label: request.body.label } : {}) },
          },
        ]);
        return key;
      });
      return reply.status(201).send(created);
    },
  );
}

function registerListKeys(app: TypedApp, context: RouteContext): void {
  const { service } = context;
  app.get(
    '/v1/keys',
    {
      schema: {
        tags: ['keys'],
        summary: 'List API keys (never their secrets)',
        response: {
          200: z.object({
            keys: z.array(
              z.object({
                id: z.string(),
                scope: z.string(),
                label: z.string().nullable(),
                createdAt: z.string(),
                revokedAt: z.string().nullable(),
              }),
            ),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const tenant = await requireScope(service.sql, request, 'admin');
      const rows = (
        await service.sql.query<{
          id: string;
          scope: string;
          label: string | null;
          created_at: Date | string;
          revoked_at: Date | string | null;
        }>('select id, scope, label, created_at, revoked_at from api_keys where tenant_id = $1 order by created_at', [tenant])
      ).rows;
      const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());
      return {
        keys: rows.map((row) => ({
          id: row.id,
          scope: row.scope,
          label: row.label,
          createdAt: iso(row.created_at)!,
          revokedAt: iso(row.revoked_at),
        })),
      };
    },
  );
}

function registerRevokeKey(app: TypedApp, context: RouteContext): void {
  const { service } = context;
  app.delete(
    '/v1/keys/:id',
    {
      schema: {
        tags: ['keys'],
        summary: 'Revoke an API key (never the last admin key: 409)',
        params: z.object({ id: z.string() }),
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const tenant = await requireScope(service.sql, request, 'admin');
      const revoked = await service.sql.transaction(async (tx) => {
        // The admin keys locked first: two revocations at once cannot both leave the other last.
        const admins = await tx.query<{ id: string }>(
          "select id from api_keys where tenant_id = $1 and scope = 'admin' and revoked_at is null for update",
          [tenant],
        );
        if (admins.rows.length === 1 && admins.rows[0]!.id === request.params.id)
          throw ApiError.of(
            'conflict',
            `key ${request.params.id} is the tenant's last admin key: without it no one could administer the tenant; create another admin key first`,
            ['id'],
          );
        const result = await tx.query<{ id: string; scope: string }>(
          'update api_keys set revoked_at = now() where tenant_id = $1 and id = $2 and revoked_at is null returning id, scope',
          [tenant, request.params.id],
        );
        if (result.rows.length > 0)
          await writeAudit(tx, tenant, [
            {
              actor: request.apiKey!.id,
              action: 'key.revoked',
              target: request.params.id,
              details: { scope: result.rows[0]!.scope },
            },
          ]);
        return result.rows.length > 0;
      });
      if (!revoked) throw ApiError.of('not_found', `no active key ${request.params.id}`);
      forgetCachedKeys();
      return reply.status(204).send(null);
    },
  );
}

/** GET /v1/me: who is signed in (the console asks it first). */
const registerMe: Register = (app, { service }) => {
  app.get(
    '/v1/me',
    {
      schema: {
        tags: ['keys'],
        summary: 'Who is signed in: the tenant, and the key (its scope) or the member token (its member)',
        response: {
          200: z.object({
            tenant: z.object({
              id: z.string(),
              name: z.string(),
              timezone: z.string(),
              currency: z.string(),
              decimals: z
                .number()
                .int()
                .describe(
                  "the currency's minor-unit digits (CNY 2, JPY 0): every amount the API takes or answers has exactly these",
                ),
            }),
            key: z.object({
              id: z.string(),
              scope: z
                .enum([...SCOPES, 'member'] as ['admin', 'ingest', 'read', 'member'])
                .describe('`member`: a member token (read only, own data and downline)'),
            }),
            member: z
              .object({ id: z.string(), expiresAt: z.string() })
              .optional()
              .describe("with a member token: the leader's member"),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const tenant = await requireScope(service.sql, request, 'read');
      const row = (
        await service.sql.query<{ id: string; name: string; timezone: string; currency: string }>(
          'select id, name, timezone, currency from tenants where id = $1',
          [tenant],
        )
      ).rows[0];
      if (!row) throw ApiError.of('not_found', `no tenant ${tenant}`);
      const signedInTo = { ...row, decimals: currencyDecimals(row.currency) };
      const token = request.memberToken;
      if (token)
        return {
          tenant: signedInTo,
          key: { id: token.id, scope: 'member' as const },
          member: { id: token.member, expiresAt: token.expiresAt },
        };
      return { tenant: signedInTo, key: { id: request.apiKey!.id, scope: request.apiKey!.scope } };
    },
  );
};
