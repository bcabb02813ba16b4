import { Environment } from '@marcbachmann/cel-js';

/**
 * The two CEL environments a plan's `when:` conditions are checked and run in: one for order
 * templates (judged per order line, and per payee when the condition names `beneficiary`) and
 * one for period templates (judged per member at the period's close). Every variable is a typed
 * object of the classes below; the engine fills them from what it keeps of an order's payment
 * time, so a refund or an explanation judges exactly as the payment did.
 *
 * Money is an `int` of minor units (fen): `line.amount >= 10000` is 100.00 yuan. There is no
 * double in a condition (see forbidden.ts), so no amount is ever a float.
 */

export type ConditionKind = 'order' | 'period';

/** The fields of each variable, in CEL types: what `fenyong plan lint` lists on an unknown name. */
export const VARIABLES: Readonly<Record<ConditionKind, Readonly<Record<string, Readonly<Record<string, string>>>>>> = {
  order: {
    line: { line: 'int', sku: 'string', category: 'string', quantity: 'int', amount: 'int' },
    order: {
      id: 'string',
      paidAt: 'google.protobuf.Timestamp',
      amount: 'int',
      lineCount: 'int',
      region: 'string',
      pickupPoint: 'string',
    },
    seller: { id: 'string', level: 'int', role: 'string', position: 'int' },
    beneficiary: { id: 'string', level: 'int', role: 'string', position: 'int' },
  },
  period: {
    member: { id: 'string', level: 'int', role: 'string', teamSales: 'int' },
    period: { label: 'string', kind: 'string', sales: 'int' },
  },
};

/** The CEL type name of each variable (seller and beneficiary are both members). */
const TYPE_OF: Readonly<Record<string, string>> = {
  line: 'Line',
  order: 'Order',
  seller: 'Member',
  beneficiary: 'Member',
  member: 'Member',
  period: 'Period',
};

/*
 * The values a condition reads, one class per CEL type (the library knows a value's type by its
 * constructor). Integers are bigints. A field the engine does not have for this line or member (a
 * line without a category, a payee outside the chain has no position…) is undefined, which CEL
 * sees as absent: reading it is an evaluation error, and `has(line.category)` tests for it.
 */
export class CelLine {
  constructor(
    readonly line: bigint,
    readonly sku: string,
    readonly category: string | undefined,
    readonly quantity: bigint,
    readonly amount: bigint,
  ) {}
}

export class CelOrder {
  constructor(
    readonly id: string,
    readonly paidAt: Date,
    readonly amount: bigint,
    readonly lineCount: bigint,
    readonly region: string | undefined,
    readonly pickupPoint: string | undefined,
  ) {}
}

export class CelMember {
  constructor(
    readonly id: string | undefined,
    readonly level: bigint | undefined,
    readonly role: string | undefined,
    /** Order templates: the place in the chain. */
    readonly position: bigint | undefined,
    /** Period templates: T(m). */
    readonly teamSales: bigint | undefined,
  ) {}
}

export class CelPeriod {
  constructor(
    readonly label: string,
    readonly kind: string,
    readonly sales: bigint,
  ) {}
}

const CLASSES: Readonly<Record<string, abstract new (...args: never[]) => unknown>> = {
  Line: CelLine,
  Order: CelOrder,
  Member: CelMember,
  Period: CelPeriod,
};
/**
 * Structural limits, enforced by the parser: a condition is a short rule, not a program. With
 * macros over lists forbidden, evaluation costs at most a few steps per node.
 */
export const LIMITS = {
  /** Characters of the expression (checked before parsing). */
  maxLength: 1000,
  maxAstNodes: 200,
  maxDepth: 24,
  maxListElements: 100,
  maxMapEntries: 20,
  maxCallArguments: 8,
} as const;

function environmentFor(kind: ConditionKind): Environment {
  const { maxLength: _, ...limits } = LIMITS;
  const env = new Environment({
    unlistedVariablesAreDyn: false,
    homogeneousAggregateLiterals: true,
    enableOptionalTypes: false,
    limits,
  });
  const variables = VARIABLES[kind];
  const registered = new Set<string>();
  for (const [name, fields] of Object.entries(variables)) {
    const typeName = TYPE_OF[name]!;
    if (!registered.has(typeName)) {
      env.registerType(typeName, { ctor: CLASSES[typeName]! as new () => unknown, fields: { ...fields } });
      registered.add(typeName);
    }
    env.registerVariable(name, typeName);
  }
  return env;
}

/** Made once: building an environment is the expensive part of the library. */
export const ENVIRONMENTS: Readonly<Record<ConditionKind, Environment>> = {
  order: environmentFor('order'),
  period: environmentFor('period'),
};
