import { exact } from '../../money/rate.ts';
import type {
  AwardPart,
  Explanation,
  NetLine,
  OrderInput,
  OrderTemplate,
  PartSink,
  PeriodInput,
  PeriodMember,
  PeriodTemplate,
  Template,
} from '../templates/template.ts';
import type { CompiledCondition } from './compile.ts';
import { lineFacts, OrderFacts, periodOf, periodVariables } from './facts.ts';
import { judge, type Verdict } from './judge.ts';

/**
 * A template with a `when:` condition: the same template, run only on what the condition lets
 * through. Made once per plan version (schema/plan.ts); a template without a condition is never
 * wrapped, so plans without conditions pay nothing for them.
 *
 * - Order templates: a line (or, when the condition names `beneficiary`, a payee of a line) for
 *   which the condition is false is left out; the template computes the rest as usual, and what
 *   it would have paid there stays unpaid (nobody else gets it).
 * - Period templates: a member for whom it is false is not eligible (a pool is split among the
 *   others) and is paid nothing by the template.
 */
export function withCondition(template: Template, condition: CompiledCondition): Template {
  return template.kind === 'order' ? conditionalOrder(template, condition) : conditionalPeriod(template, condition);
}

function conditionalOrder(inner: OrderTemplate<unknown>, condition: CompiledCondition): OrderTemplate<unknown> {
  return {
    ...inner,
    compute(rule, params, input, out) {
      const facts = new OrderFacts(input);
      if (out.explaining) computeExplained(inner, condition, facts, rule, params, input, out);
      else computeFast(inner, condition, facts, rule, params, input, out);
    },
  };
}

/** Paying or refunding: amounts only, the condition judged as seldom as its scope allows. */
function computeFast(
  inner: OrderTemplate<unknown>,
  condition: CompiledCondition,
  facts: OrderFacts,
  rule: string,
  params: unknown,
  input: OrderInput,
  out: PartSink,
): void {
  if (condition.scope === 'order') {
    if (judge(condition, facts.variables(undefined, undefined)).holds) inner.compute(rule, params, input, out);
    return;
  }
  if (condition.scope === 'line') {
    const lines = input.lines.filter((line) => judge(condition, facts.variables(lineFacts(line), undefined)).holds);
    if (lines.length > 0) inner.compute(rule, params, lines.length === input.lines.length ? input : withLines(input, lines), out);
    return;
  }
  for (const line of input.lines) {
    const celLine = lineFacts(line);
    inner.compute(rule, params, withLines(input, [line]), {
      explaining: false,
      add: (to, amount) => {
        if (judge(condition, facts.variables(celLine, facts.beneficiary(to))).holds) out.add(to, amount, null);
      },
    });
  }
}

/**
 * The order with only some of its lines. Field by field, not spread: the engine may hand over an
 * object whose fields are getters, and a new field of OrderInput must be passed on here too.
 */
function withLines(input: OrderInput, lines: readonly NetLine[]): OrderInput {
  return {
    settings: input.settings,
    order: input.order,
    paidAt: input.paidAt,
    lines,
    sellerId: input.sellerId,
    chain: input.chain,
    fullChain: input.fullChain,
    pickup: input.pickup,
    region: input.region,
    regionHolders: input.regionHolders,
  };
}

interface Judged {
  readonly to: string;
  readonly amount: bigint;
  readonly explanation: Explanation;
  readonly verdict: Verdict;
}

/**
 * Asked why: every line is computed, and each part says whether the condition let it through.
 * A member paid under the rule also hears of the lines the condition left out for it (a part of
 * zero with reason `condition.excluded` or `condition.error`); the amounts are those of computeFast.
 */
function computeExplained(
  inner: OrderTemplate<unknown>,
  condition: CompiledCondition,
  facts: OrderFacts,
  rule: string,
  params: unknown,
  input: OrderInput,
  out: PartSink,
): void {
  const judged: Judged[] = [];
  const orderVerdict = condition.scope === 'order' ? judge(condition, facts.variables(undefined, undefined)) : null;
  for (const line of input.lines) {
    const celLine = lineFacts(line);
    const lineVerdict =
      orderVerdict ?? (condition.scope === 'line' ? judge(condition, facts.variables(celLine, undefined)) : null);
    inner.compute(rule, params, withLines(input, [line]), {
      explaining: true,
      add: (to, amount, explanation) => {
        const verdict = lineVerdict ?? judge(condition, facts.variables(celLine, facts.beneficiary(to)));
        judged.push({ to, amount, explanation: explanation!, verdict });
      },
    });
  }
  const paid = new Set(judged.filter((part) => part.verdict.holds).map((part) => part.to));
  for (const part of judged) {
    if (part.verdict.holds) out.add(part.to, part.amount, withWhen(part.explanation, condition));
    else if (paid.has(part.to)) out.add(part.to, 0n, leftOut(part, condition));
  }
}

function withWhen(explanation: Explanation, condition: CompiledCondition): Explanation {
  return { ...explanation, facts: { ...explanation.facts, when: condition.source } };
}

/** The note of a part the condition left out: what it would have paid, and why it was not. */
function leftOut(part: Judged, condition: CompiledCondition): Explanation {
  const { rule, template, to, order, line, position, level } = part.explanation;
  const error = part.verdict.error;
  return {
    rule,
    template,
    to,
    order,
    line,
    position,
    level,
    exact: exact(0n),
    amount: 0n,
    reason: error === undefined ? 'condition.excluded' : 'condition.error',
    facts: { when: condition.source, wouldBe: part.amount.toString(), ...(error === undefined ? {} : { error }) },
  };
}

function conditionalPeriod(inner: PeriodTemplate<unknown>, condition: CompiledCondition): PeriodTemplate<unknown> {
  return {
    ...inner,
    compute(rule, params, input) {
      const period = periodOf(input.period, inner.period(params), input.sales);
      const verdicts = new Map<string, Verdict>();
      const verdictOf = (member: PeriodMember): Verdict => {
        let verdict = verdicts.get(member.id);
        if (!verdict)
          verdicts.set(
            member.id,
            (verdict = judge(condition, periodVariables(member, input.teamSales.get(member.id) ?? 0n, period))),
          );
        return verdict;
      };
      const eligible: PeriodInput = {
        settings: input.settings,
        period: input.period,
        sales: input.sales,
        teamSales: input.teamSales,
        parentOf: input.parentOf,
        distributors: function* () {
          for (const member of input.distributors()) if (verdictOf(member).holds) yield member;
        },
      };
      const parts = inner.compute(rule, params, eligible);
      return keepEligible(parts, input, verdicts, verdictOf).map((part) => ({
        ...part,
        explanation: withWhen(part.explanation, condition),
      }));
    },
  };
}

/** Templates that pay from team sales (team-tier) never ask for the distributors: judge their payees here. */
function keepEligible(
  parts: AwardPart[],
  input: PeriodInput,
  verdicts: ReadonlyMap<string, Verdict>,
  verdictOf: (member: PeriodMember) => Verdict,
): AwardPart[] {
  if (parts.every((part) => verdicts.has(part.to))) return parts.filter((part) => verdicts.get(part.to)!.holds);
  const members = new Map<string, PeriodMember>();
  for (const member of input.distributors()) members.set(member.id, member);
  return parts.filter((part) => {
    const member = members.get(part.to);
    return member !== undefined && verdictOf(member).holds;
  });
}
