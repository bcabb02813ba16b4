import { type Command, Option } from 'commander';
import { buildStatement } from '../statements/statement.ts';
import { statementCsv } from '../statements/statement-csv.ts';
import { statementJson } from '../statements/statement-json.ts';
import { statementPdf } from '../statements/statement-pdf.ts';
import { withService, writeOutput } from './open-service.ts';

/**
 * `fenyong statement --tenant t --member m --month YYYY-MM [--format json|csv|pdf] [--out FILE]`:
 * a member's monthly statement from the database of DATABASE_URL or PGlite. Exit 1 when its
 * check fails (opening + movements ≠ closing).
 */
export function registerStatement(program: Command, setExit: (code: number) => void): void {
  program
    .command('statement')
    .description("a member's monthly statement (对账单) as JSON, CSV or PDF")
    .requiredOption('--tenant <id>', 'tenant id')
    .requiredOption('--member <id>', 'member id')
    .requiredOption('--month <YYYY-MM>', 'calendar month in the tenant time zone')
    .addOption(new Option('--format <format>', 'output format').choices(['json', 'csv', 'pdf']).default('json'))
    .option('--out <file>', 'write to this file (default: standard output)')
    .action(async (options: { tenant: string; member: string; month: string; format: 'json' | 'csv' | 'pdf'; out?: string }) => {
      await withService(async (service) => {
        const statement = await buildStatement(service, options.tenant, options.member, options.month);
        const body =
          options.format === 'pdf'
            ? await statementPdf(statement, Date.now())
            : options.format === 'csv'
              ? statementCsv(statement)
              : `${JSON.stringify(statementJson(statement), null, 2)}\n`;
        writeOutput(body, options.out);
        if (options.out)
          process.stderr.write(`wrote ${options.out} (${options.format}, check ${statement.check.ok ? 'ok' : 'MISMATCH'})\n`);
        if (!statement.check.ok) setExit(1);
      });
    });
}
