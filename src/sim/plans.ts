import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fail, InputError } from '../domain/errors.ts';
import { readYaml } from '../scenario/load.ts';
import type { SeriesPoint } from './forecast.ts';
import type { PlanInput, SimulationReport } from './run.ts';

/** The example plans of the repository (examples/plans): A, a three-level plan, is the default. */
export const EXAMPLE_PLANS = {
  a: fileURLToPath(new URL('../../examples/plans/a-three-level.yaml', import.meta.url)),
  b: fileURLToPath(new URL('../../examples/plans/b-differential.yaml', import.meta.url)),
};

/** A plan from a YAML or JSON file: a plan, or a scenario (its `plan`). Named by its `name` or the file. */
export function readPlanFile(file: string): PlanInput {
  const raw = readYaml(readFileSync(file, 'utf8'));
  const plan =
    raw !== null && typeof raw === 'object' && 'plan' in raw && 'events' in raw ? (raw as { plan: unknown }).plan : raw;
  const name =
    plan !== null && typeof plan === 'object' && typeof (plan as { name?: unknown }).name === 'string'
      ? (plan as { name: string }).name
      : basename(file, extname(file));
  return { name, plan };
}

/** A plan's monthly cost (or GMV) from a report, in currency units, for forecasting. */
export function seriesOf(report: Pick<SimulationReport, 'plans'>, planIndex = 0, figure: 'cost' | 'gmv' = 'cost'): SeriesPoint[] {
  const plan = report.plans[planIndex];
  if (!plan) throw new InputError(fail('invalid', `the report has no plan ${planIndex + 1}`));
  return plan.months.map((month) => ({ month: month.month, value: Number(month[figure]) }));
}
