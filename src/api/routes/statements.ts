import { DateTime } from 'luxon';
import { z } from 'zod';
import { InputError } from '../../domain/errors.ts';
import { buildStatement } from '../../statements/statement.ts';
import { statementCsv } from '../../statements/statement-csv.ts';
import { statementJson } from '../../statements/statement-json.ts';
import { statementPdf } from '../../statements/statement-pdf.ts';
import { requireScope } from '../auth.ts';
import { sendFile } from '../download.ts';
import { ApiError, errorResponses } from '../errors.ts';
import { moneyString, type Register } from '../typed.ts';

const balances = z.object({ pending: moneyString, available: moneyString, total: moneyString });
const status = z.enum(['requested', 'approved', 'paid', 'rejected', 'failed']);
const withdrawalFigures = {
  at: z.string(),
  withdrawal: z.string().nullable(),
  gross: moneyString,
  tax: moneyString,
  net: moneyString,
  taxMonth: z.string().nullable(),
};

const statementBody = z.object({
  tenant: z.object({ id: z.string(), name: z.string() }),
  member: z.object({ id: z.string(), role: z.enum(['branch', 'agency', 'leader', 'customer']), level: z.number().nullable() }),
  month: z.string(),
  timezone: z.string(),
  currency: z.string(),
  from: z.string().describe('start of the month in the tenant zone (ISO 8601)'),
  to: z.string().describe('end of the month, exclusive'),
  opening: balances.describe('balances at the start of the month'),
  awards: z.object({
    total: moneyString,
    byRule: z.array(
      z.object({
        rule: z.string(),
        count: z.number(),
        amount: moneyString,
        items: z.array(
          z.object({
            at: z.string(),
            order: z.string().nullable(),
            period: z.string().nullable(),
            amount: moneyString,
            account: z.enum(['pending', 'available']),
            explain: z.string().nullable().describe("GET this path for the award's explanation"),
          }),
        ),
      }),
    ),
  }),
  reversals: z
    .object({
      total: moneyString,
      items: z.array(
        z.object({
          at: z.string(),
          order: z.string().nullable(),
          period: z.string().nullable(),
          rule: z.string().nullable(),
          refund: z.string().nullable(),
          amount: moneyString,
          account: z.enum(['pending', 'available']),
          explain: z.string().nullable(),
        }),
      ),
    })
    .describe('refund adjustments of awards (negative when reversed)'),
  settlements: z
    .object({
      total: moneyString,
      items: z.array(
        z.object({
          at: z.string(),
          order: z.string().nullable(),
          period: z.string().nullable(),
          rule: z.string().nullable(),
          amount: moneyString,
        }),
      ),
    })
    .describe('awards moved from pending to available'),
  withdrawals: z.object({
    gross: moneyString,
    tax: moneyString,
    net: moneyString,
    items: z.array(
      z.object({
        ...withdrawalFigures,
        status: status.nullable().describe('at the end of the month'),
        statusNow: status.nullable(),
      }),
    ),
  }),
  withdrawalReversals: z
    .object({
      gross: moneyString,
      tax: moneyString,
      net: moneyString,
      items: z.array(z.object({ ...withdrawalFigures, status: status.nullable(), note: z.string().nullable() })),
    })
    .describe('rejected or failed withdrawals given back (negative figures)'),
  taxTrueUps: z
    .object({
      total: moneyString,
      items: z.array(
        z.object({ at: z.string(), withdrawal: z.string().nullable(), taxMonth: z.string().nullable(), amount: moneyString }),
      ),
    })
    .describe('tax of the month given back after a reversal (cumulative withholding)'),
  manualAdjustments: z.object({
    total: moneyString,
    items: z.array(
      z.object({
        at: z.string(),
        adjustment: z.string().nullable(),
        amount: moneyString,
        reason: z.string(),
        by: z.string().nullable(),
      }),
    ),
  }),
  other: z.array(z.object({ at: z.string(), kind: z.string(), pending: moneyString, available: moneyString })),
  movements: z
    .array(z.object({ section: z.string(), pending: moneyString, available: moneyString }))
    .describe('effect of each section on the balances'),
  closing: balances.describe('balances at the end of the month (sum of postings before it)'),
  check: z.object({
    ok: z.boolean().describe('opening + movements = closing, and the balances read model agrees'),
    expected: balances,
    ledger: balances,
    readModel: balances.nullable(),
  }),
});

export const registerStatements: Register = (app, context) => {
  const { service } = context;
  app.get(
    '/v1/statements/:member',
    {
      schema: {
        tags: ['statements'],
        summary:
          "A member's monthly statement (对账单): opening balance, awards by rule, refund reversals, settlements, withdrawals with tax, manual adjustments, closing balance",
        description: 'format=csv answers text/csv (UTF-8 with BOM); format=pdf answers application/pdf (A4, Chinese).',
        params: z.object({ member: z.string() }),
        querystring: z.object({
          month: z.string().optional().describe('YYYY-MM in the tenant time zone; default the current month'),
          format: z.enum(['json', 'csv', 'pdf']).default('json'),
        }),
        response: { 200: statementBody, ...errorResponses },
      },
    },
    async (request, reply) => {
      const tenant = await requireScope(service.sql, request, 'read');
      const { member } = request.params;
      const zone = request.query.month ? null : await service.read(tenant, (runtime) => runtime.engine.settings.timezone);
      const month = request.query.month ?? DateTime.fromMillis(context.now(), { zone: zone! }).toFormat('yyyy-MM');
      let statement;
      try {
        statement = await buildStatement(service, tenant, member, month);
      } catch (error) {
        // The member is the URL's: not in the network, the URL names nothing.
        if (error instanceof InputError && error.error.code === 'unknown_member')
          throw ApiError.of('not_found', error.error.message, ['member']);
        throw error;
      }
      const file = `statement-${member}-${month}`.replace(/[^\w.-]+/g, '_');
      if (request.query.format === 'csv') {
        return sendFile(reply, 'text/csv; charset=utf-8', `${file}.csv`, statementCsv(statement));
      }
      if (request.query.format === 'pdf') {
        const pdf = await statementPdf(statement, context.now());
        return sendFile(reply, 'application/pdf', `${file}.pdf`, pdf);
      }
      return statementJson(statement);
    },
  );
};
