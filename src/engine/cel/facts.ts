import type { Minor, PeriodKind } from '../../domain/types.ts';
import type { ChainLink, NetLine, OrderInput, PeriodMember } from '../templates/template.ts';
import { CelLine, CelMember, CelOrder, CelPeriod } from './environment.ts';

/**
 * The variables of an order template's condition, made from the order's payment-time context
 * (never from the network of now): a refund or an explanation judges exactly as the payment did.
 * `order` and `seller` are made once per order; lines and payees as they are judged.
 */
export class OrderFacts {
  readonly #input: OrderInput;
  /** One object for every judgement of the order: a condition runs synchronously and keeps nothing. */
  readonly #variables: { order: CelOrder; seller: CelMember; line: CelLine | undefined; beneficiary: CelMember | undefined };

  constructor(input: OrderInput) {
    this.#input = input;
    let amount = 0n;
    for (const line of input.lines) amount += line.paid;
    const order = new CelOrder(
      input.order,
      new Date(input.paidAt),
      amount,
      BigInt(input.lines.length),
      input.region ?? undefined,
      input.pickup?.point.id,
    );
    // An order without a seller has an empty seller: `has(seller.id)` is false, reading a field is an error.
    const seller = input.chain[0];
    this.#variables = { order, seller: seller ? memberOf(seller, 0) : NO_MEMBER, line: undefined, beneficiary: undefined };
  }

  /** The variables for the order, one of its lines, and one payee of it (when the condition names `beneficiary`). */
  variables(line: CelLine | undefined, beneficiary: CelMember | undefined): Readonly<Record<string, unknown>> {
    this.#variables.line = line;
    this.#variables.beneficiary = beneficiary;
    return this.#variables;
  }

  /** A payee as a member: from the chain (with its position), the pickup point, or by id alone (a region holder). */
  beneficiary(to: string): CelMember {
    const chain = this.#input.chain;
    for (let position = 0; position < chain.length; position++)
      if (chain[position]!.id === to) return memberOf(chain[position]!, position);
    const pickup = this.#input.pickup;
    if (pickup?.point.id === to) return memberOf(pickup.point, undefined);
    if (pickup?.parent?.id === to) return memberOf(pickup.parent, undefined);
    return new CelMember(to, undefined, undefined, undefined, undefined);
  }
}

const NO_MEMBER = new CelMember(undefined, undefined, undefined, undefined, undefined);

function memberOf(link: ChainLink, position: number | undefined): CelMember {
  return new CelMember(link.id, BigInt(link.level), link.role, position === undefined ? undefined : BigInt(position), undefined);
}

/** A line net of refunds: the same quantity and amount its awards are computed on. */
export function lineFacts(line: NetLine): CelLine {
  return new CelLine(BigInt(line.line), line.sku, line.category, BigInt(line.qty), line.paid);
}

/** The variables of a period template's condition for one member at the close. */
export function periodVariables(member: PeriodMember, teamSales: Minor, period: CelPeriod): Record<string, unknown> {
  return { member: new CelMember(member.id, BigInt(member.level), member.role, undefined, teamSales), period };
}

export function periodOf(label: string, kind: PeriodKind, sales: Minor): CelPeriod {
  return new CelPeriod(label, kind, sales);
}
