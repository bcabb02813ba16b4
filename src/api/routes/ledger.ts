import { z } from 'zod';
import { formatMoney } from '../../money/money.ts';
import { verifyTenant } from '../../service/verify.ts';
import type { RouteContext } from '../app.ts';
import { requireScope } from '../auth.ts';
import { ApiError, engineRefusal, errorResponses } from '../errors.ts';
import { nextCursor, pageOfQuery, pageQuery } from '../paging.ts';
import { moneyString, type Register, type TypedApp } from '../typed.ts';
import { listWithdrawals, withdrawalStatus, withdrawalView } from '../withdrawal-view.ts';

const balance = z.object({ member: z.string(), pending: moneyString, available: moneyString });

/** The ledger's reads and writes: balances, withdrawals, the passing of time, and its self-check. */
export const registerLedger: Register = (app, context) => {
  registerBalances(app, context);
  registerRequestWithdrawal(app, context);
  registerListWithdrawals(app, context);
  registerTick(app, context);
  registerVerify(app, context);
};

/** A tenant's currency decimals, for formatting the amounts it stores in minor units. */
const decimalsOf = (context: RouteContext, tenant: string) =>
  context.service.read(tenant, (runtime) => runtime.engine.settings.decimals);

const nowIso = (context: RouteContext) => new Date(context.now()).toISOString();

function registerBalances(app: TypedApp, context: RouteContext): void {
  const { service } = context;
  app.get(
    '/v1/balances',
    {
      schema: {
        tags: ['ledger'],
        summary: 'Balances of every member with postings (or one member)',
        querystring: z.object({ member: z.string().optional(), limit: z.coerce.number().int().min(1).max(10000).default(1000) }),
        response: { 200: z.object({ balances: z.array(balance) }), ...errorResponses },
      },
    },
    async (request) => {
      const tenant = await requireScope(service.sql, request, 'read');
      const decimals = await decimalsOf(context, tenant);
      const rows = (
        await service.sql.query<{ member: string; pending: string; available: string }>(
          `select member, pending::text as pending, available::text as available from balances
        where tenant_id = $1 and ($2::text is null or member = $2) order by member limit $3`,
          [tenant, request.query.member ?? null, request.query.limit],
        )
      ).rows;
      const money = (text: string) => formatMoney(BigInt(text), decimals);
      return {
        balances: rows.map((row) => ({ member: row.member, pending: money(row.pending), available: money(row.available) })),
      };
    },
  );
}

function registerRequestWithdrawal(app: TypedApp, context: RouteContext): void {
  const { service } = context;
  app.post(
    '/v1/withdrawals',
    {
      schema: {
        tags: ['ledger'],
        summary: 'Request a withdrawal (tax withheld per the plan)',
        body: z.object({ withdrawal: z.string(), member: z.string(), amount: moneyString, at: z.string().optional() }),
        response: { 200: z.object({ status: z.string(), seq: z.number().optional() }), ...errorResponses },
      },
    },
    async (request) => {
      const tenant = await requireScope(service.sql, request, 'ingest');
      const event = { type: 'withdrawal.requested', ...request.body, at: request.body.at ?? nowIso(context) };
      const [result] = await service.ingest(tenant, [event], 'http', undefined, { serverTime: request.body.at === undefined });
      if (result!.status === 'rejected') throw engineRefusal(result!.error);
      return result!;
    },
  );
}

function registerListWithdrawals(app: TypedApp, context: RouteContext): void {
  const { service } = context;
  app.get(
    '/v1/withdrawals',
    {
      schema: {
        tags: ['ledger'],
        summary: 'Accepted withdrawals with gross, tax withheld and net, oldest first (or newest first), paged',
        querystring: z.object({
          member: z.string().optional(),
          status: withdrawalStatus.optional(),
          batched: z.enum(['true', 'false']).optional().describe('only those on a payout batch (true) or on none (false)'),
          ...pageQuery({ sort: 'asc', limit: 1000, max: 10_000 }),
        }),
        response: {
          200: z.object({ withdrawals: z.array(withdrawalView), next: nextCursor }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const tenant = await requireScope(service.sql, request, 'read');
      const decimals = await decimalsOf(context, tenant);
      const money = (text: string) => formatMoney(BigInt(text), decimals);
      const { query } = request;
      return listWithdrawals(
        service.sql,
        tenant,
        {
          member: query.member ?? null,
          status: query.status ?? null,
          batched: query.batched === undefined ? null : query.batched === 'true',
        },
        pageOfQuery(query),
        money,
      );
    },
  );
}

function registerTick(app: TypedApp, context: RouteContext): void {
  const { service } = context;
  app.post(
    '/v1/tick',
    {
      schema: {
        tags: ['ledger'],
        summary: 'Let time pass to `at` (default now): due settlements and period closes run',
        body: z.object({ at: z.string().optional() }).default({}),
        response: { 200: z.object({ status: z.string() }), ...errorResponses },
      },
    },
    async (request) => {
      const tenant = await requireScope(service.sql, request, 'admin');
      const at = request.body.at ?? nowIso(context);
      const [result] = await service.ingest(tenant, [{ type: 'tick', at }], 'http', undefined, {
        serverTime: request.body.at === undefined,
      });
      if (result!.status === 'rejected') throw ApiError.of('invalid', result!.error.message, ['at']);
      return { status: result!.status };
    },
  );
}

function registerVerify(app: TypedApp, { service }: RouteContext): void {
  app.get(
    '/v1/verify',
    {
      schema: {
        tags: ['ledger'],
        summary: 'Check the ledger: journals balance, balances equal postings, awards equal a replay',
        response: {
          200: z.object({
            ok: z.boolean(),
            checks: z.array(z.object({ name: z.string(), ok: z.boolean(), detail: z.string() })),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const tenant = await requireScope(service.sql, request, 'admin');
      return verifyTenant(service, tenant);
    },
  );
}
