import { closeSync, openSync, readSync } from 'node:fs';
import type { Command } from 'commander';
import { backfill } from '../client/backfill.ts';
import { FenyongError } from '../client/index.ts';
import { wholeNumber } from './whole-number.ts';

/**
 * `fenyong backfill --url … --key … --network FILE --orders FILE`: sends a tenant's history to a
 * running fenyong through the HTTP API (src/client/backfill.ts), with progress on stderr and the
 * result on stdout. Exit 1 when any event was rejected (the first ones are listed with their
 * line), 2 when the input or the run failed (input files are checked before the server is asked).
 */
export function registerBackfill(program: Command, setExit: (code: number) => void): void {
  program
    .command('backfill')
    .description('import a network and past events (JSON lines) into a running fenyong, with progress')
    .requiredOption('--url <url>', 'where fenyong runs, e.g. http://127.0.0.1:3000')
    .requiredOption('--key <key>', 'an admin key of the tenant (fyk_…)')
    .option(
      '--network <file>',
      'members, one JSON object a line ({id, role, level?, parent?, regions?}); imported before the first event',
    )
    .option(
      '--orders <file>',
      'past events, one JSON object a line, in time order (order.paid, order.completed, order.refunded, member.*)',
    )
    .option('--batch <n>', 'events per request (at most 100,000, the default; a request also stops before 48 MB)', '100000')
    .option('--from-line <n>', 'skip the first n lines of the events file (resume)', '0')
    .action(async (options: { url: string; key: string; network?: string; orders?: string; batch: string; fromLine: string }) => {
      if (!options.network && !options.orders) {
        process.stderr.write('fenyong backfill: give --network, --orders or both\n');
        setExit(2);
        return;
      }
      const batch = wholeNumber(options.batch, 'batch', { min: 1, max: 100_000 });
      const fromLine = wholeNumber(options.fromLine, 'from-line');
      // The files first: a typo in a path is told before anything is sent to the server.
      for (const file of [options.network, options.orders]) if (file) assertReadableFile(file);
      try {
        const report = await backfill({
          url: options.url,
          key: options.key,
          batch,
          fromLine,
          ...(options.network ? { network: options.network } : {}),
          ...(options.orders ? { orders: options.orders } : {}),
        });
        process.stdout.write(
          `done: ${report.members} members imported${report.skippedMembers ? ` (${report.skippedMembers} were there already)` : ''} in ${(report.networkMs / 1000).toFixed(1)} s; ` +
            `${report.events} events in ${(report.eventsMs / 1000).toFixed(1)} s: ${report.accepted} accepted, ${report.duplicate} duplicate, ${report.rejected} rejected\n`,
        );
        for (const rejection of report.rejections)
          process.stdout.write(`  line ${rejection.line}: rejected ${rejection.code}: ${rejection.message}\n`);
        if (report.rejected > report.rejections.length)
          process.stdout.write(`  (${report.rejected - report.rejections.length} more rejected, not listed)\n`);
        if (report.rejected > 0) setExit(1);
      } catch (error) {
        const message =
          error instanceof FenyongError
            ? `${error.code}: ${error.message}`
            : error instanceof Error
              ? error.message
              : String(error);
        process.stderr.write(`fenyong backfill: ${message}\n`);
        setExit(2);
      }
    });
}

/** Throws the error reading `file` would (ENOENT, EACCES, EISDIR…: exit 2 through main), or nothing. */
function assertReadableFile(file: string): void {
  const descriptor = openSync(file, 'r');
  try {
    // A folder opens on Linux; reading it is what fails.
    readSync(descriptor, Buffer.alloc(1));
  } finally {
    closeSync(descriptor);
  }
}
