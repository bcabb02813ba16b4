import { z } from 'zod';
import { replaySource, tenantPlans, type ReplayWindow } from '../../sim/replay.ts';
import { CURRENT, generatedSource, simulate, SimulationStopped, type EventSource, type PlanInput } from '../../sim/run.ts';
import { dataParamsSchema, syntheticData, type DataParamsInput } from '../../sim/timeline.ts';
import type { Sql } from '../../store/sql.ts';
import { requireScope } from '../auth.ts';
import { ApiError, errorResponses } from '../errors.ts';
import { moneyString, type Register } from '../typed.ts';
import { finding } from '../finding-schema.ts';

/** What one simulation request may ask for, so that it stays within memory and time. */
export const SIMULATION_LIMITS = {
  members: 200_000,
  orders: 2_000_000,
  events: 2_000_000,
  plans: 3,
  timeLimitMs: 120_000,
} as const;

const spread = z.object({
  earners: z.number().describe('members with a positive payout'),
  median: moneyString,
  max: moneyString,
  top10Share: z.number().describe('share of the cost going to the top 10% of earners'),
  gini: z.number().describe('Gini coefficient of the payouts over the earners, 0…1'),
});
const month = z.object({
  month: z.string(),
  orders: z.number(),
  gmv: moneyString.describe('net paid of the orders paid in the month'),
  cost: moneyString.describe('awards of those orders (net of refund adjustments) and of periods ending in the month'),
  costByRule: z.record(z.string(), moneyString),
  ratio: z.number().describe('cost / gmv'),
  payouts: spread,
  levels: z
    .object({ customers: z.number(), distributors: z.number(), byLevel: z.record(z.string(), z.number()) })
    .describe('at the end of the month'),
  findings: z.array(finding),
});
const planReport = z.object({
  name: z.string(),
  findings: z.array(finding).describe("the plan's lint findings (profile cn), then every month's, e.g. cost-over-cap"),
  rules: z.array(z.string()),
  months: z.array(month),
  totals: z.object({
    orders: z.number(),
    gmv: moneyString,
    cost: moneyString,
    costByRule: z.record(z.string(), moneyString),
    ratio: z.number(),
    payouts: spread,
  }),
  rejected: z.object({
    count: z.number(),
    samples: z.array(z.object({ at: z.string(), code: z.string(), message: z.string() })),
  }),
});
export const simulationReportSchema = z.object({
  kind: z.enum(['generated', 'replay']),
  currency: z.string(),
  timezone: z.string(),
  months: z.array(z.string()),
  data: z.record(z.string(), z.unknown()).describe('the generator parameters and network facts, or the replay window'),
  plans: z.array(planReport),
  timing: z.object({
    totalMs: z.number(),
    plans: z.array(z.object({ name: z.string(), ms: z.number(), events: z.number(), orders: z.number(), lines: z.number() })),
  }),
});

const draft = z.object({
  name: z.string().min(1).max(100).optional(),
  plan: z.unknown().describe('a draft plan, as for POST /v1/plans'),
});

/** Simulations run one at a time in a process (each holds a whole engine in memory). */
let running = false;

export const registerSimulations: Register = (app, { service }) => {
  app.post(
    '/v1/simulations',
    {
      schema: {
        tags: ['plans'],
        summary: "Simulate plans side by side over generated data or a replay of this tenant's own history (what-if)",
        description:
          'Runs each plan (a draft, or "current": the tenant\'s own plan versions) through its own engine over the same events: generated ' +
          `(\`generator\`, at most ${SIMULATION_LIMITS.members.toLocaleString('en-US')} members and ${SIMULATION_LIMITS.orders.toLocaleString('en-US')} orders) or this tenant's history ` +
          '(`replay: {from, to}`, whole months; a draft takes effect at `from`, everything before runs under the real versions). ' +
          `Answers per month GMV, cost by rule, cost ratio, payout spread and members per level, with the lint findings. At most ${SIMULATION_LIMITS.timeLimitMs / 1000} s; one simulation at a time.`,
        body: z.object({
          plans: z
            .array(z.union([z.literal(CURRENT), draft]))
            .min(1)
            .max(SIMULATION_LIMITS.plans),
          generator: dataParamsSchema
            .omit({ timezone: true, currency: true })
            .optional()
            .describe("generated data (the tenant's zone and currency)"),
          replay: z
            .object({
              from: z.string().describe('first month, YYYY-MM'),
              to: z.string().describe('last month, YYYY-MM (included)'),
            })
            .optional(),
          cap: z.number().min(0).max(1).default(0.3).describe("rewards above this share of a month's sales are flagged"),
        }),
        response: { 200: simulationReportSchema, ...errorResponses },
      },
    },
    async (request) => {
      const tenant = await requireScope(service.sql, request, 'read');
      const body = request.body;
      if (body.replay && body.generator) throw ApiError.of('invalid', 'give either generator or replay, not both', ['replay']);
      const { timezone, currency, versions } = await tenantPlans(service.sql, tenant);
      const plans: PlanInput[] = body.plans.map((entry, index) => {
        if (entry === CURRENT) return { name: CURRENT, plan: body.replay ? CURRENT : versions[versions.length - 1]!.plan };
        const named = (entry.plan as { name?: unknown } | null)?.name;
        return { name: entry.name ?? (typeof named === 'string' ? named : `plan ${index + 1}`), plan: entry.plan };
      });
      if (running)
        throw ApiError.of('rate_limited', 'another simulation is running in this instance; try again when it has finished');
      running = true;
      try {
        const source = await sourceOf(service.sql, tenant, body, { timezone, currency });
        const report = await simulate(source, plans, {
          cap: body.cap,
          timeLimitMs: SIMULATION_LIMITS.timeLimitMs,
          yieldEveryMs: 50,
        });
        // The report's arrays are read-only; the response schema's types are not.
        return report as z.infer<typeof simulationReportSchema>;
      } catch (error) {
        if (error instanceof SimulationStopped) throw ApiError.of('too_large', error.message);
        throw error;
      } finally {
        running = false;
      }
    },
  );
};

type Body = { generator?: Omit<DataParamsInput, 'timezone' | 'currency'>; replay?: ReplayWindow };

/** The events to simulate over, within the limits: the tenant's own history, or generated data in its zone and currency. */
async function sourceOf(
  sql: Sql,
  tenant: string,
  body: Body,
  settings: { timezone: string; currency: string },
): Promise<EventSource> {
  if (body.replay) {
    const source = await replaySource(sql, tenant, body.replay);
    if (source.size.total > SIMULATION_LIMITS.events) {
      const message = `the window holds ${source.size.total} events; replay at most ${SIMULATION_LIMITS.events} (a shorter window)`;
      throw ApiError.of('too_large', message, ['replay']);
    }
    return source;
  }
  const generator = body.generator ?? {};
  if ((generator.network?.members ?? 0) > SIMULATION_LIMITS.members) {
    throw ApiError.of('too_large', `at most ${SIMULATION_LIMITS.members} members`, ['generator', 'network', 'members']);
  }
  const data = syntheticData({ ...generator, ...settings });
  if (data.orders > SIMULATION_LIMITS.orders) {
    const message = `the parameters make ${data.orders} orders; at most ${SIMULATION_LIMITS.orders}`;
    throw ApiError.of('too_large', message, ['generator', 'orders', 'ordersPerMonth']);
  }
  return generatedSource(data);
}
