import { readFileSync } from 'node:fs';
import { parse, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { fail, InputError } from '../domain/errors.ts';

/**
 * Reads a scenario or plan file. Decimal numbers written without quotes (119.80) are kept as
 * their exact text, never as floats, so that money parsing sees the digits the author wrote.
 * (The tag is put first and marked default: yaml tries tags in order, and its own float rule
 * would otherwise read 119.80 as 119.8.) Exponents (1e3) and integers stay numbers. Merge keys
 * (`<<: *base`) are applied as YAML 1.1 and most parsers do, and an anchor may be used any
 * number of times (a generated file reuses one for every order's lines). A `%YAML 1.1`
 * directive is taken, its schema is not. A file that is not YAML throws a YAMLError.
 */
export function readYaml(text: string): unknown {
  try {
    return parse(text, {
      // The core schema whatever a `%YAML 1.1` directive says: 1.1 would read a date-time as a
      // Date (refused as not text), `010` as octal 8 and `no` as false.
      schema: 'core',
      customTags: (tags) => [DECIMAL_AS_TEXT, ...tags],
      merge: true,
      maxAliasCount: -1,
    });
  } catch (error) {
    // An alias without its anchor is a ReferenceError of the parser's: the file is not YAML.
    if (error instanceof ReferenceError) throw new YAMLParseError([0, 0], 'BAD_ALIAS', error.message);
    throw error;
  }
}

const DECIMAL_AS_TEXT = {
  tag: 'tag:yaml.org,2002:float',
  default: true,
  test: /^[-+]?(?:[0-9][0-9_]*)?\.[0-9]+$/,
  // `.5` is YAML's 0.5: written with its zero, as money parsing reads decimals.
  resolve: (source: string) => source.replace(/^([-+]?)\./, '$10.'),
};

const expectedAward = z.object({
  to: z.coerce.string(),
  order: z.coerce.string().optional(),
  period: z.coerce.string().optional(),
  rule: z.coerce.string(),
  amount: z.union([z.string(), z.number()]),
  status: z.enum(['pending', 'settled']).optional(),
});

const moneyText = z.union([z.string(), z.number()]).transform(String);

/** A key a file leaves empty (`awards:`, which YAML reads as null) holds what `[]` or `{}` would. */
const emptyAs = <T extends z.ZodType>(empty: unknown, schema: T) =>
  z.preprocess((value) => (value === null ? empty : value), schema);

export const scenarioSchema = z.object({
  name: z
    .union([z.string(), z.number(), z.boolean()])
    .nullish()
    .transform((name) => (name == null || name === '' ? '(unnamed)' : String(name))),
  timezone: z.string().default('Asia/Shanghai'),
  currency: z.string().default('CNY'),
  plan: z.unknown(),
  members: emptyAs([], z.array(z.unknown()).default([])),
  events: emptyAs([], z.array(z.unknown()).default([])),
  expect: emptyAs(
    {},
    z
      .object({
        awards: emptyAs([], z.array(expectedAward).optional()),
        balances: emptyAs(
          {},
          z.record(z.string(), z.object({ pending: moneyText.optional(), available: moneyText.optional() })).optional(),
        ),
        levels: emptyAs({}, z.record(z.string(), z.coerce.number()).optional()),
        withdrawals: emptyAs(
          [],
          z
            .array(
              z.object({
                withdrawal: z.coerce.string(),
                amount: moneyText,
                tax: moneyText.optional(),
                net: moneyText.optional(),
              }),
            )
            .optional(),
        ),
        errors: emptyAs([], z.array(z.object({ event: z.coerce.number().int(), code: z.string() })).optional()),
        // The whole scenario rejected (DOMAIN.md: a plan or starting network that is not valid
        // rejects it with its error): `error: invalid` or `error: { code: invalid }`.
        error: z.union([z.string(), z.object({ code: z.string() }).transform((error) => error.code)]).optional(),
      })
      .default({}),
  ),
});

export type Scenario = z.output<typeof scenarioSchema>;
export type Expectation = Scenario['expect'];

export function parseScenario(raw: unknown): Scenario {
  const parsed = scenarioSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.map((part) => (typeof part === 'symbol' ? String(part) : part));
    throw new InputError(fail('invalid', `scenario: ${issue.message}`, path));
  }
  return parsed.data;
}

export function loadScenario(file: string): Scenario {
  return parseScenario(readYaml(readFileSync(file, 'utf8')));
}
