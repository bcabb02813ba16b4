import type { Command } from 'commander';
import { configFromEnv } from '../server/config.ts';
import { Service } from '../service/service.ts';
import { verifyTenant } from '../service/verify.ts';
import { openDatabase } from '../store/open.ts';
import { requireTenant } from './open-service.ts';

/** `fenyong verify [--tenant id]`: the invariant checker over the database of DATABASE_URL or PGlite. */
export function registerVerify(program: Command, setExit: (code: number) => void): void {
  program
    .command('verify')
    .description(
      "check every tenant's ledger: journals balance, balances equal postings, awards and balances equal a clean replay",
    )
    .option('--tenant <id>', 'only this tenant')
    .action(async (options: { tenant?: string }) => {
      const config = configFromEnv();
      const sql = await openDatabase(
        config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir, reserveBytes: config.reserveBytes },
      );
      try {
        const service = new Service(sql);
        if (options.tenant) await requireTenant(sql, options.tenant);
        const tenants = options.tenant
          ? [options.tenant]
          : (await sql.query<{ id: string }>('select id from tenants order by id')).rows.map((r) => r.id);
        for (const tenant of tenants) {
          const report = await verifyTenant(service, tenant);
          process.stdout.write(`${report.ok ? 'ok  ' : 'FAIL'} ${tenant}\n`);
          for (const check of report.checks)
            process.stdout.write(`     ${check.ok ? '✓' : '✗'} ${check.name}: ${check.detail}\n`);
          if (!report.ok) setExit(1);
        }
      } finally {
        await sql.close();
      }
    });
}
