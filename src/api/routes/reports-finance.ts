import { DateTime } from 'luxon';
import { z } from 'zod';
import { parseWindow } from '../../statements/calendar.ts';
import {
  buildCommissionReport,
  COMMISSION_GROUPINGS,
  commissionReportCsv,
  commissionReportJson,
} from '../../statements/commission-report.ts';
import { buildTaxReport, taxReportCsv, taxReportJson } from '../../statements/tax-report.ts';
import { requireScope } from '../auth.ts';
import { sendFile } from '../download.ts';
import { errorResponses } from '../errors.ts';
import { moneyString, type Register } from '../typed.ts';

/** The finance reports: monthly tax withheld, and commission cost against GMV. */

const taxFigures = {
  withdrawals: z.number(),
  reversals: z.number(),
  gross: moneyString,
  taxable: moneyString,
  withheld: moneyString,
  net: moneyString,
};

const taxReport = z.object({
  tenant: z.object({ id: z.string(), name: z.string() }),
  month: z.string(),
  timezone: z.string(),
  currency: z.string(),
  from: z.string(),
  to: z.string(),
  rows: z.array(
    z.object({
      member: z.string(),
      taxMonth: z.string().describe('the month the tax is computed on'),
      correction: z.boolean().describe('a withdrawal of an earlier tax month given back in this month'),
      regime: z.string(),
      ...taxFigures,
    }),
  ),
  totals: z.object(taxFigures).describe('the sum of the rows'),
  ledger: z.object({ taxPayable: moneyString.describe("the month's tax_payable postings"), gross: moneyString }),
  check: z.object({ ok: z.boolean(), withheldEqualsLedger: z.boolean(), grossEqualsLedger: z.boolean(), netAddsUp: z.boolean() }),
});

const commissionReport = z.object({
  tenant: z.string(),
  timezone: z.string(),
  currency: z.string(),
  from: z.string(),
  to: z.string(),
  by: z.enum(COMMISSION_GROUPINGS),
  groups: z.array(
    z.object({
      key: z
        .string()
        .nullable()
        .describe('rule, month (YYYY-MM), or branch / agency id; null: none above the seller, or no seller'),
      orders: z.number().nullable(),
      gmv: moneyString.nullable(),
      commission: moneyString,
      awards: z.number(),
      ratio: z.string().nullable().describe('commission / GMV of the group'),
      share: z.string().nullable().describe('share of the total commission'),
    }),
  ),
  totals: z.object({
    orders: z.number(),
    gmv: moneyString,
    commission: moneyString,
    awards: z.number(),
    ratio: z.string().nullable(),
  }),
  ledger: z.object({ commission: moneyString.describe('the commission_expense postings of the same awards') }),
  check: z.object({ ok: z.boolean(), groupsEqualTotals: z.boolean(), ledgerEqualsTotals: z.boolean() }),
});

export const registerFinanceReports: Register = (app, context) => {
  const { service } = context;
  const zoneOf = (tenant: string) => service.read(tenant, (runtime) => runtime.engine.settings.timezone);

  app.get(
    '/v1/reports/tax',
    {
      schema: {
        tags: ['reports'],
        summary:
          "Monthly tax withheld (代扣代缴) per member: gross, taxable, withheld, net; totals equal the month's tax_payable postings",
        description: 'format=csv answers text/csv (UTF-8 with BOM) with a TOTAL row.',
        querystring: z.object({
          month: z.string().optional().describe('YYYY-MM in the tenant time zone; default the current month'),
          format: z.enum(['json', 'csv']).default('json'),
        }),
        response: { 200: taxReport, ...errorResponses },
      },
    },
    async (request, reply) => {
      const tenant = await requireScope(service.sql, request, 'read');
      const month = request.query.month ?? DateTime.fromMillis(context.now(), { zone: await zoneOf(tenant) }).toFormat('yyyy-MM');
      const report = await buildTaxReport(service, tenant, month);
      if (request.query.format === 'csv') {
        return sendFile(reply, 'text/csv; charset=utf-8', `tax-${month}.csv`, taxReportCsv(report));
      }
      return taxReportJson(report);
    },
  );

  app.get(
    '/v1/reports/commission',
    {
      schema: {
        tags: ['reports'],
        summary:
          'Commission cost by rule, month, branch or agency, and commission / GMV, for the orders paid (and periods ending) in a window',
        description:
          'Awards count at their amount now (net of refunds) under the instant they were earned: an order award when its order was paid, ' +
          "a period award at its period's end. Branch and agency are the seller's at payment. format=csv answers text/csv with a TOTAL row.",
        querystring: z.object({
          from: z.string().describe('first day (YYYY-MM-DD) or month (YYYY-MM) in the tenant zone, or an ISO 8601 instant'),
          to: z.string().describe('last day or month, inclusive, or an ISO 8601 instant, exclusive'),
          by: z.enum(COMMISSION_GROUPINGS).default('rule'),
          format: z.enum(['json', 'csv']).default('json'),
        }),
        response: { 200: commissionReport, ...errorResponses },
      },
    },
    async (request, reply) => {
      const tenant = await requireScope(service.sql, request, 'read');
      const { from, to, by, format } = request.query;
      const window = parseWindow(from, to, await zoneOf(tenant));
      const report = await buildCommissionReport(service, tenant, window, by);
      if (format === 'csv') {
        return sendFile(reply, 'text/csv; charset=utf-8', `commission-by-${by}.csv`, commissionReportCsv(report));
      }
      return commissionReportJson(report);
    },
  );
};
