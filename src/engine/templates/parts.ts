import type { AwardPart, OrderInput, OrderTemplate } from './template.ts';

/** Runs an order template with its explanations, as a list of parts ("why", estimates). */
export function explainedParts(template: OrderTemplate<unknown>, rule: string, params: unknown, input: OrderInput): AwardPart[] {
  const parts: AwardPart[] = [];
  template.compute(rule, params, input, {
    explaining: true,
    add: (to, amount, explanation) => parts.push({ to, amount, explanation: explanation! }),
  });
  return parts;
}
