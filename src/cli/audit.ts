import type { Command } from 'commander';
import { queryAudit } from '../service/audit.ts';
import { requireTenant } from './open-service.ts';
import { openStore } from './payouts.ts';
import { wholeNumber } from './whole-number.ts';

/** `fenyong audit --tenant id`: the audit log of manual actions, newest first. */
export function registerAudit(program: Command): void {
  program
    .command('audit')
    .description(
      'print the audit log of manual actions (approvals, adjustments, levels, plans, keys, webhooks, payout batches), newest first',
    )
    .requiredOption('--tenant <id>', 'tenant')
    .option('--action <action>', 'only this action (or a prefix such as withdrawal.*)')
    .option('--target <target>', 'only actions on this withdrawal, member, batch, key…')
    .option('--actor <actor>', 'only actions of this key id (or cli:<user>)')
    .option('--limit <n>', 'at most this many entries', '100')
    .option('--json', 'print JSON lines')
    .action(
      async (options: { tenant: string; action?: string; target?: string; actor?: string; limit: string; json?: boolean }) => {
        const sql = await openStore();
        try {
          await requireTenant(sql, options.tenant);
          const limit = wholeNumber(options.limit, 'limit', { min: 1, max: 100_000 });
          const entries = await queryAudit(sql, options.tenant, {
            action: options.action,
            target: options.target,
            actor: options.actor,
            limit,
          });
          for (const entry of entries) {
            if (options.json) process.stdout.write(`${JSON.stringify(entry)}\n`);
            else {
              const why = entry.reason ? `  "${entry.reason}"` : '';
              process.stdout.write(
                `${entry.at}  ${entry.actor.padEnd(14)} ${entry.action.padEnd(22)} ${entry.target ?? '-'}${why}  ${JSON.stringify(entry.details)}\n`,
              );
            }
          }
          if (!options.json && entries.length === 0) process.stdout.write('(no entries)\n');
        } finally {
          await sql.close();
        }
      },
    );
}
