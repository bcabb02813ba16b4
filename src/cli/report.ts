import { type Command, Option } from 'commander';
import { parseWindow } from '../statements/calendar.ts';
import {
  buildCommissionReport,
  COMMISSION_GROUPINGS,
  commissionReportCsv,
  commissionReportJson,
  type CommissionBy,
} from '../statements/commission-report.ts';
import { buildTaxReport, taxReportCsv, taxReportJson } from '../statements/tax-report.ts';
import { withService, writeOutput } from './open-service.ts';

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/**
 * `fenyong report tax --tenant t --month YYYY-MM` and
 * `fenyong report commission --tenant t --from … --to … [--by rule|period|branch|agency]`, as JSON
 * or CSV, from the database of DATABASE_URL or PGlite. Exit 1 when a report's check fails.
 */
export function registerReport(program: Command, setExit: (code: number) => void): void {
  const report = program.command('report').description('finance reports: tax withheld per month, commission cost');
  const format = () => new Option('--format <format>', 'output format').choices(['json', 'csv']).default('json');

  report
    .command('tax')
    .description(
      "tax withheld in a month per member (gross, taxable, withheld, net); totals equal the month's tax_payable postings",
    )
    .requiredOption('--tenant <id>', 'tenant id')
    .requiredOption('--month <YYYY-MM>', 'calendar month in the tenant time zone')
    .addOption(format())
    .option('--out <file>', 'write to this file (default: standard output)')
    .action(async (options: { tenant: string; month: string; format: 'json' | 'csv'; out?: string }) => {
      await withService(async (service) => {
        const result = await buildTaxReport(service, options.tenant, options.month);
        writeOutput(options.format === 'csv' ? taxReportCsv(result) : json(taxReportJson(result)), options.out);
        if (!result.check.ok) setExit(1);
      });
    });

  report
    .command('commission')
    .description('commission cost by rule, month, branch or agency, with commission / GMV, for the orders paid in a window')
    .requiredOption('--tenant <id>', 'tenant id')
    .requiredOption('--from <date>', 'first day (YYYY-MM-DD) or month (YYYY-MM) in the tenant zone, or an ISO 8601 instant')
    .requiredOption('--to <date>', 'last day or month, inclusive, or an ISO 8601 instant, exclusive')
    .addOption(new Option('--by <grouping>', 'grouping').choices([...COMMISSION_GROUPINGS]).default('rule'))
    .addOption(format())
    .option('--out <file>', 'write to this file (default: standard output)')
    .action(
      async (options: { tenant: string; from: string; to: string; by: CommissionBy; format: 'json' | 'csv'; out?: string }) => {
        await withService(async (service) => {
          const zone = await service.read(options.tenant, (runtime) => runtime.engine.settings.timezone);
          const result = await buildCommissionReport(
            service,
            options.tenant,
            parseWindow(options.from, options.to, zone),
            options.by,
          );
          writeOutput(options.format === 'csv' ? commissionReportCsv(result) : json(commissionReportJson(result)), options.out);
          if (!result.check.ok) setExit(1);
        });
      },
    );
}
