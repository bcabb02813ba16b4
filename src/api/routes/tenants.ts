import { z } from 'zod';
import { createKey } from '../../service/keys.ts';
import { createTenant } from '../../service/tenants.ts';
import { requirePlatform } from '../auth.ts';
import { errorResponses } from '../errors.ts';
import { refuseUnlessAllowed } from '../refused-plan.ts';
import type { Register } from '../typed.ts';
import { finding } from '../finding-schema.ts';

/** The currencies ICU knows (ISO 4217), whose minor unit fenyong takes from it. */
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

export const registerTenants: Register = (app, { service, platformToken }) => {
  app.post(
    '/v1/tenants',
    {
      schema: {
        tags: ['tenants'],
        summary: 'Create a tenant (platform token) and its first admin key',
        body: z.object({
          id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'lowercase letters, digits and dashes'),
          name: z.string().min(1),
          timezone: z.string().default('Asia/Shanghai'),
          currency: z
            .string()
            .default('CNY')
            .transform((code) => code.toUpperCase())
            .refine((code) => CURRENCIES.has(code), 'an ISO 4217 currency code, such as CNY, USD, JPY or KWD'),
          plan: z.unknown().optional().describe('the first plan (see the scenario format); empty when absent'),
          allowRefused: z
            .boolean()
            .default(false)
            .describe('create it even when the plan has refuse findings of the compliance lint (after legal review)'),
        }),
        response: { 201: z.object({ tenant: z.string(), adminKey: z.string(), findings: z.array(finding) }), ...errorResponses },
      },
    },
    async (request, reply) => {
      requirePlatform(platformToken, request);
      const { findings } = await createTenant(service, request.body, (found) =>
        refuseUnlessAllowed(found, request.body.allowRefused),
      );
      const key = await createKey(service.sql, request.body.id, 'admin', 'first admin key');
      return reply.status(201).send({ tenant: request.body.id, adminKey: key.key, findings: [...findings] });
    },
  );
};
