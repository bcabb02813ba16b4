import { z } from 'zod';
import { getPayee, setPayee } from '../../service/payees.ts';
import { requireScope } from '../auth.ts';
import { ApiError, errorResponses } from '../errors.ts';
import type { Register } from '../typed.ts';

const payeeView = z.object({
  member: z.string(),
  realName: z.string(),
  account: z.string().describe('masked, e.g. 6222********1234'),
  updatedAt: z.string(),
});

/**
 * Payee details of members (who payouts go to). Setting them is an admin's act (a changed account
 * redirects money), audited; the full account is never stored, logged or answered.
 */
export const registerPayees: Register = (app, { service }) => {
  app.put(
    '/v1/members/:id/payee',
    {
      schema: {
        tags: ['payouts'],
        summary:
          "Set a member's payee details: real name and bank or wallet account. Only the masked account and a sha256 of the account are stored; the account is never answered in full",
        params: z.object({ id: z.string() }),
        body: z.object({
          realName: z.string().max(100),
          account: z.string().max(100).describe('bank card number, or wallet account (phone number, e-mail)'),
        }),
        response: { 200: payeeView, ...errorResponses },
      },
    },
    async (request) => {
      const tenant = await requireScope(service.sql, request, 'admin');
      const known = await service.read(tenant, (runtime) => runtime.engine.state.network.get(request.params.id) !== undefined);
      if (!known) throw ApiError.of('not_found', `member ${request.params.id} is not in the network`);
      return setPayee(service.sql, tenant, request.params.id, request.body, request.apiKey!.id);
    },
  );

  app.get(
    '/v1/members/:id/payee',
    {
      schema: {
        tags: ['payouts'],
        summary: "A member's payee details (account masked)",
        params: z.object({ id: z.string() }),
        querystring: z.object({
          ifNone: z
            .enum(['404', 'null'])
            .default('404')
            .describe(
              'when the member has no payee details: 404 not_found (the default), or 200 with null (a normal state for a ' +
                'member, which a console shows as "none yet" without a failed request)',
            ),
        }),
        response: { 200: payeeView.nullable(), ...errorResponses },
      },
    },
    async (request) => {
      const tenant = await requireScope(service.sql, request, 'read');
      const payee = await getPayee(service.sql, tenant, request.params.id);
      if (payee) return payee;
      if (request.query.ifNone === 'null') return null;
      throw ApiError.of('not_found', `member ${request.params.id} has no payee details`);
    },
  );
};
