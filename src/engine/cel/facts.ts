import type { Minor, PeriodKind } from '../../domain/types.ts';
import type { ChainLink, NetLine, OrderInput, PeriodMember } from '../templates/template.ts';
import { CelLine, CelMember, CelOrder, CelPeriod } from './environment.ts';

/**
 * The variables of an order template's condition, made from the order's payment-time context
 * (never from the network of now): a refund or an explanation judges exactly as the payment did.
 * `order` and `seller` are made once per order; lines and payees as they are judged.
 */
export class OrderFacts {
  readonly order: CelOrder;
  readonly seller: CelMember;
  readonly #input: OrderInput;

  constructor(input: OrderInput) {
    this.#input = input;
    let amount = 0n;
    for (const line of input.lines) amount += line.paid;
    this.order = new CelOrder({
      id: input.order,
      paidAt: new Date(input.paidAt),
      amount,
      lineCount: BigInt(input.lines.length),
      region: input.region ?? undefined,
      pickupPoint: input.pickup?.point.id,
    });
    // An order without a seller has an empty seller: `has(seller.id)` is false, reading a field is an error.
    const seller = input.chain[0];
    this.seller = seller ? memberOf(seller, 0) : new CelMember({});
  }

  /** The variables for one line, and for one payee of it when the condition names `beneficiary`. */
  variables(line: NetLine | null, beneficiary: CelMember | null): Record<string, unknown> {
    const variables: Record<string, unknown> = { order: this.order, seller: this.seller };
    if (line) variables.line = lineOf(line);
    if (beneficiary) variables.beneficiary = beneficiary;
    return variables;
  }

  /** A payee as a member: from the chain (with its position), the pickup point, or by id alone (a region holder). */
  beneficiary(to: string): CelMember {
    const chain = this.#input.chain;
    for (let position = 0; position < chain.length; position++) if (chain[position]!.id === to) return memberOf(chain[position]!, position);
    const pickup = this.#input.pickup;
    if (pickup?.point.id === to) return memberOf(pickup.point, undefined);
    if (pickup?.parent?.id === to) return memberOf(pickup.parent, undefined);
    return new CelMember({ id: to });
  }
}

function memberOf(link: ChainLink, position: number | undefined): CelMember {
  return new CelMember({ id: link.id, level: BigInt(link.level), role: link.role, position: position === undefined ? undefined : BigInt(position) });
}

/** A line net of refunds: the same quantity and amount its awards are computed on. */
function lineOf(line: NetLine): CelLine {
  return new CelLine({ line: BigInt(line.line), sku: line.sku, category: line.category, quantity: BigInt(line.qty), amount: line.paid });
}

/** The variables of a period template's condition for one member at the close. */
export function periodVariables(member: PeriodMember, teamSales: Minor, period: CelPeriod): Record<string, unknown> {
  return { member: new CelMember({ id: member.id, level: BigInt(member.level), role: member.role, teamSales }), period };
}

export function periodOf(label: string, kind: PeriodKind, sales: Minor): CelPeriod {
  return new CelPeriod({ label, kind, sales });
}
