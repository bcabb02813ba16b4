import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { fail, InputError } from '../domain/errors.ts';
import { configFromEnv } from '../server/config.ts';
import { parse as parseYaml } from 'yaml';
import { backtest } from '../sim/backtest.ts';
import { checkSeries, forecast, type SeriesPoint } from '../sim/forecast.ts';
import { tenantHistory } from '../sim/history.ts';
import { EXAMPLE_PLANS, readPlanFile, seriesOf } from '../sim/plans.ts';
import { progressPrinter } from '../sim/progress.ts';
import { generatedSource, simulate, type Progress, type SimulationReport } from '../sim/run.ts';
import { groupDigits, textTable } from '../sim/table.ts';
import { syntheticData } from '../sim/timeline.ts';
import { openDatabase } from '../store/open.ts';
import { optionalWholeNumber } from './whole-number.ts';

const money = (value: number) => groupDigits(value.toFixed(2));
const pct = (value: number) => `${(value * 100).toFixed(2)}%`;

/** The series `--figure` names: cost or gmv, nothing else. */
function figureOf(text: string): 'cost' | 'gmv' {
  if (text === 'cost' || text === 'gmv') return text;
  throw new InputError(fail('invalid', `--figure must be cost or gmv, not "${text}"`));
}

/**
 * A monthly history from a file: a `fenyong simulate --json` report (its plan `plan`, 1-based),
 * a JSON/YAML list of `{month, cost}` (or `{month, value}`), or CSV lines `month,cost`.
 */
export function readHistory(file: string, plan = 1, figure: 'cost' | 'gmv' = 'cost'): SeriesPoint[] {
  const text = readFileSync(file, 'utf8');
  let series: SeriesPoint[];
  if (/^\s*[[{]/.test(text) || /\.(ya?ml|json)$/i.test(file)) {
    const raw = parseYaml(text) as unknown;
    if (raw && typeof raw === 'object' && 'plans' in raw) series = seriesOf(raw as SimulationReport, plan - 1, figure);
    else if (Array.isArray(raw)) {
      series = raw.map((row: Record<string, unknown>, index) => {
        const value = Number(row[figure] ?? row.value);
        if (typeof row.month !== 'string' || !Number.isFinite(value))
          throw new InputError(fail('invalid', `${file}: entry ${index + 1} needs a month (YYYY-MM) and a ${figure}`));
        return { month: row.month, value };
      });
    } else throw new InputError(fail('invalid', `${file}: not a simulation report nor a list of {month, ${figure}}`));
  } else {
    series = text
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line && !/^month\b/i.test(line))
      .map((line) => {
        const [month, value] = line.split(/[,;\t]/).map((cell) => cell.trim());
        return { month: month!, value: Number(value) };
      });
  }
  checkSeries(series);
  return series;
}

/** `fenyong forecast` and `fenyong backtest`. */
export function registerForecast(program: Command, setExit: (code: number) => void): void {
  registerForecastCommand(program);
  registerBacktest(program, setExit);
}

/** `fenyong forecast`: the next months from a history file or a tenant's own history. */
function registerForecastCommand(program: Command): void {
  program
    .command('forecast')
    .description("project the next months' commission cost from a monthly history, with an interval")
    .option('--history <file>', 'a `simulate --json` report, a JSON/YAML list of {month, cost}, or CSV month,cost')
    .option('--tenant <id>', "the tenant's own history from the database (its plan replayed; complete months only)")
    .option('--plan <n>', 'with a report of several plans: which one (1-based)', '1')
    .option('--figure <cost|gmv>', 'which series', 'cost')
    .option('--periods <n>', 'months ahead', '3')
    .option('--json', 'print JSON')
    .action(
      async (options: { history?: string; tenant?: string; plan: string; figure: string; periods: string; json?: boolean }) => {
        if (!options.history === !options.tenant)
          throw new InputError(fail('invalid', 'give either --history FILE or --tenant ID'));
        const figure = figureOf(options.figure);
        const plan = optionalWholeNumber(options.plan, 'plan', 1, { min: 1 });
        const periods = optionalWholeNumber(options.periods, 'periods', 3, { min: 1, max: 120 });
        let history: SeriesPoint[];
        if (options.history) history = readHistory(options.history, plan, figure);
        else {
          const config = configFromEnv();
          const sql = await openDatabase(config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir });
          try {
            history = seriesOf(await tenantHistory(sql, options.tenant!, { onProgress: progressPrinter('forecast') }), 0, figure);
          } finally {
            await sql.close();
          }
        }
        const result = forecast(history, periods);
        if (options.json) {
          process.stdout.write(`${JSON.stringify({ figure, history, ...result }, null, 2)}\n`);
          return;
        }
        const rows = [
          ...history.slice(-12).map((point) => [point.month, money(point.value), '', '', 'actual']),
          ...result.points.map((point) => [
            point.month,
            money(point.value),
            money(point.low),
            money(point.high),
            `forecast (${point.basis})`,
          ]),
        ];
        process.stdout.write(
          `${textTable(['Month', figure, `low ${result.level * 100}%`, `high ${result.level * 100}%`, ''], rows)}\n\n${result.explanation}\n`,
        );
      },
    );
}

/** `fenyong backtest`: the forecast's error on generated data whose process is known. */
export function registerBacktest(program: Command, setExit: (code: number) => void): void {
  program
    .command('backtest')
    .description(
      'generate data whose process is known, run a plan over it, and for every month M forecast M+1 from months 1..M; print the error (MAPE)',
    )
    .option('--seed <n>', 'seed of the generator', '20260301')
    .option('--months <n>', 'months of generated history', '24')
    .option('--members <n>', 'members of the starting network', '20000')
    .option('--orders-per-month <n>', 'orders of an average month', '20000')
    .option('--growth <g>', 'monthly growth of the order volume (0.01: +1%)', '0')
    .option('--plan <file>', 'plan YAML (default examples/plans/a-three-level.yaml)')
    .option('--max-mape <percent>', 'exit 1 when the MAPE is above this')
    .option('--json', 'print JSON')
    .option('--quiet', 'no progress lines on stderr')
    .action(
      async (options: {
        seed: string;
        months: string;
        members: string;
        ordersPerMonth: string;
        growth: string;
        plan?: string;
        maxMape?: string;
        json?: boolean;
        quiet?: boolean;
      }) => {
        const months = optionalWholeNumber(options.months, 'months', 24);
        // The error counts forecasts with a year of history behind them (one season): month 13 on.
        if (months < 13)
          throw new InputError(
            fail(
              'invalid',
              `--months ${months}: a backtest needs at least 13 months (forecasts of month 13 on count: a year of history behind them)`,
            ),
          );
        const maxMape = options.maxMape === undefined ? undefined : Number(options.maxMape);
        if (maxMape !== undefined && !(maxMape >= 0))
          throw new InputError(fail('invalid', '--max-mape must be a percentage, e.g. 2'));
        const result = await runBacktest({
          seed: optionalWholeNumber(options.seed, 'seed', 20260301),
          months,
          members: optionalWholeNumber(options.members, 'members', 20000, { min: 1 }),
          ordersPerMonth: optionalWholeNumber(options.ordersPerMonth, 'orders-per-month', 20000, { min: 1 }),
          growth: Number(options.growth),
          planFile: options.plan ?? EXAMPLE_PLANS.a,
          ...(options.quiet ? {} : { onProgress: progressPrinter('backtest') }),
        });
        const { test } = result;
        if (options.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        else {
          const rows = test.rows.map((row) => [
            row.month,
            money(row.actual),
            money(row.predicted),
            `${row.error >= 0 ? '+' : ''}${pct(row.error)}`,
            row.basis,
          ]);
          process.stdout.write(`${textTable(['Month', 'actual cost', 'forecast', 'error', 'basis'], rows)}\n\n`);
          process.stdout.write(
            `MAPE of the one-month forecast over the last ${test.counted} months: ${pct(test.mape)} (interval coverage ${pct(test.coverage)}); ${result.orders.toLocaleString('en-US')} orders simulated in ${(result.simulationMs / 1000).toFixed(1)} s\n`,
          );
        }
        if (maxMape !== undefined && !(test.mape * 100 <= maxMape)) setExit(1);
      },
    );
}

/** Generates the known process, simulates one plan and backtests its monthly cost. */
export async function runBacktest(input: {
  seed: number;
  months: number;
  members: number;
  ordersPerMonth: number;
  growth?: number;
  planFile: string;
  orders?: Record<string, unknown>;
  network?: Record<string, unknown>;
  onProgress?: (progress: Progress) => void;
}) {
  const data = syntheticData({
    seed: input.seed,
    months: input.months,
    network: { ...input.network, members: input.members },
    orders: { ...input.orders, ordersPerMonth: input.ordersPerMonth, growth: input.growth ?? 0 },
  });
  const report = await simulate(
    generatedSource(data),
    [readPlanFile(input.planFile)],
    input.onProgress ? { onProgress: input.onProgress } : {},
  );
  const series = seriesOf(report);
  return {
    params: data.params,
    plan: report.plans[0]!.name,
    orders: data.orders,
    simulationMs: report.timing.totalMs,
    series,
    test: backtest(series),
  };
}
