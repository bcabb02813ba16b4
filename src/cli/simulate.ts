import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import type { Command } from 'commander';
import { fail, InputError } from '../domain/errors.ts';
import { configFromEnv } from '../server/config.ts';
import { parse as parseYaml } from 'yaml';
import { EXAMPLE_PLANS, readPlanFile } from '../sim/plans.ts';
import { progressPrinter } from '../sim/progress.ts';
import { replaySource } from '../sim/replay.ts';
import { CURRENT, generatedSource, simulate, type PlanInput, type SimulationReport } from '../sim/run.ts';
import { reportCharts } from '../sim/svg.ts';
import { renderReport } from '../sim/table.ts';
import { syntheticData, type SyntheticData } from '../sim/timeline.ts';
import { openDatabase } from '../store/open.ts';
import { wholeNumber } from './whole-number.ts';

interface SimulateOptions {
  plan?: string[];
  members?: string;
  months?: string;
  ordersPerMonth?: string;
  seed?: string;
  start?: string;
  params?: string;
  tenant?: string;
  from?: string;
  to?: string;
  json?: boolean;
  svg?: string;
  quiet?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** `fenyong simulate`: plans side by side over generated data or a tenant's replayed history. */
export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description(
      "run one or more plans over the same generated data (or a tenant's history) and compare cost, cost ratio and payout spread per month",
    )
    .option(
      '--plan <file>',
      'plan or scenario YAML/JSON (repeat for plan B …); "current" = the tenant\'s own plan (with --tenant); default: examples/plans/a-three-level.yaml',
      collect,
    )
    .option('--members <n>', 'members of the starting network', undefined)
    .option('--months <n>', 'months to simulate')
    .option('--orders-per-month <n>', 'orders of an average month')
    .option('--seed <n>', 'seed of the generator (same seed, same data)')
    .option('--start <YYYY-MM>', 'first month')
    .option('--params <file>', 'generator parameters as YAML/JSON (see src/sim/timeline.ts); the options above override it')
    .option('--tenant <id>', "replay this tenant's history from the database instead (DATABASE_URL or PGlite)")
    .option('--from <YYYY-MM>', 'with --tenant: first month of the window')
    .option('--to <YYYY-MM>', 'with --tenant: last month of the window (included)')
    .option('--json', 'print the report as JSON')
    .option('--svg <dir>', 'write the charts (cost by rule per plan, cost ratio side by side) as SVG files into this folder')
    .option('--quiet', 'no progress lines on stderr')
    .action(async (options: SimulateOptions) => {
      const files = options.plan?.length ? options.plan : [options.tenant ? CURRENT : EXAMPLE_PLANS.a];
      const plans: PlanInput[] = files.map((file) => (file === CURRENT ? { name: CURRENT, plan: CURRENT } : readPlanFile(file)));
      const run = options.quiet ? {} : { onProgress: progressPrinter('simulate') };
      let report: SimulationReport;
      if (options.tenant) {
        if (!options.from || !options.to) throw new InputError(fail('invalid', '--tenant needs --from and --to (YYYY-MM)'));
        const config = configFromEnv();
        const sql = await openDatabase(config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir });
        try {
          report = await simulate(await replaySource(sql, options.tenant, { from: options.from, to: options.to }), plans, run);
        } finally {
          await sql.close();
        }
      } else {
        const data = dataFromOptions(options);
        if (!options.quiet) announce(data, plans.length);
        report = await simulate(generatedSource(data), plans, run);
      }
      process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report));
      if (options.svg) {
        mkdirSync(options.svg, { recursive: true });
        const charts = reportCharts(report);
        for (const chart of charts) writeFileSync(join(options.svg, chart.name), chart.svg);
        if (!options.quiet)
          process.stderr.write(`[simulate] charts written to ${options.svg}: ${charts.map((c) => c.name).join(', ')}\n`);
      }
    });
}

/** Generator parameters: the --params file, overridden by the options given. */
function dataFromOptions(options: SimulateOptions): SyntheticData {
  const base = (options.params ? parseYaml(readFileSync(options.params, 'utf8')) : {}) as Record<string, unknown>;
  return syntheticData({
    ...base,
    ...(options.seed ? { seed: wholeNumber(options.seed, 'seed') } : {}),
    ...(options.months ? { months: wholeNumber(options.months, 'months', { min: 1 }) } : {}),
    ...(options.start ? { start: options.start } : {}),
    network: {
      ...(base.network as object),
      ...(options.members ? { members: wholeNumber(options.members, 'members', { min: 1 }) } : {}),
    },
    orders: {
      ...(base.orders as object),
      ...(options.ordersPerMonth ? { ordersPerMonth: wholeNumber(options.ordersPerMonth, 'orders-per-month', { min: 1 }) } : {}),
    },
  });
}

/** What is about to run, and a hint when the heap will not hold it (the engine keeps every order, about 2 KB). */
function announce(data: SyntheticData, plans: number): void {
  const int = (value: number) => value.toLocaleString('en-US');
  process.stderr.write(
    `[simulate] ${int(data.network.startSize)} members, ${int(data.orders)} orders over ${data.months.length} months, ${plans} plan(s)\n`,
  );
  const needMB = Math.ceil((data.orders * 2_200 + data.network.size * 1_000) / 1024 / 1024);
  const limitMB = Math.floor(getHeapStatistics().heap_size_limit / 1024 / 1024);
  if (needMB > limitMB * 0.8) {
    const suggest = Math.ceil((needMB * 1.5) / 1024) * 1024;
    process.stderr.write(
      `[simulate] this run needs about ${needMB} MB of heap and the limit is ${limitMB} MB: run it with NODE_OPTIONS=--max-old-space-size=${suggest}\n`,
    );
  }
}
