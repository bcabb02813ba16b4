import { z } from 'zod';
import { estimate } from '../../engine/estimate.ts';
import { explainPart } from '../../explain/render.ts';
import { formatMoney, parseMoney } from '../../money/money.ts';
import { requireScope } from '../auth.ts';
import { ApiError, engineRefusal, errorResponses } from '../errors.ts';
import { instantParam } from '../instant-param.ts';
import { moneyString, type Register } from '../typed.ts';

const estimateBody = z.object({
  buyer: z.string().optional(),
  referrer: z.string().optional(),
  pickupPoint: z.string().optional(),
  region: z.string().optional(),
  at: z
    .string()
    .optional()
    .describe(
      "ISO 8601 instant (without an offset: in the tenant's time zone); picks the plan version in force; defaults to now",
    ),
  lines: z
    .array(
      z.object({
        sku: z.string(),
        category: z.string().optional(),
        qty: z.number().int().min(1).default(1),
        price: moneyString.describe('paid amount of the line'),
        cost: moneyString.optional(),
      }),
    )
    .min(1)
    .max(100),
  lang: z.enum(['zh-CN', 'en']).default('zh-CN'),
});

const estimateResponse = z.object({
  awards: z.array(z.object({ to: z.string(), rule: z.string(), amount: moneyString, why: z.array(z.string()) })),
});

export const registerEstimate: Register = (app, context) => {
  const { service } = context;
  app.post(
    '/v1/estimate',
    {
      schema: {
        tags: ['awards'],
        summary: '预估佣金: what each member of the chain would earn for this order now',
        description:
          "Priced on the network, levels and bindings of now; `at` picks only the plan version in force and the campaign windows that apply. At most 100 lines; a line's `price` is its paid amount (`paid` in events). It equals the real award when the order is paid at `at` and nothing changes in between.",
        body: estimateBody,
        response: { 200: estimateResponse, ...errorResponses },
      },
    },
    async (request) => {
      const tenant = await requireScope(service.sql, request, 'read');
      const body = request.body;
      return service.peek(tenant, (runtime) => {
        const settings = runtime.engine.settings;
        const money = (text: string, path: (string | number)[]) => {
          const value = parseMoney(text, settings.decimals);
          if (value === null || value < 0n) throw ApiError.of('invalid', `"${text}" is not an amount`, path);
          return value;
        };
        const at = body.at
          ? instantParam(body.at, settings.timezone, 'at')
          : Math.max(context.now(), runtime.engine.state.clock ?? 0);
        const result = estimate(runtime.engine, {
          at,
          ...(body.buyer ? { buyer: body.buyer } : {}),
          ...(body.referrer ? { referrer: body.referrer } : {}),
          ...(body.pickupPoint ? { pickupPoint: body.pickupPoint } : {}),
          ...(body.region ? { region: body.region } : {}),
          lines: body.lines.map((line, i) => ({
            sku: line.sku,
            ...(line.category ? { category: line.category } : {}),
            qty: line.qty,
            paid: money(line.price, ['lines', i, 'price']),
            ...(line.cost ? { cost: money(line.cost, ['lines', i, 'cost']) } : {}),
          })),
        });
        // A buyer, referrer or pickup point the tenant does not know is in the body: 422 unknown_member.
        if (!Array.isArray(result)) throw engineRefusal(result);
        return {
          awards: result.map((a) => ({
            to: a.to,
            rule: a.rule,
            amount: formatMoney(a.amount, settings.decimals),
            why: a.explanations.map((e) => explainPart(e, settings, body.lang).trim()),
          })),
        };
      });
    },
  );
};
