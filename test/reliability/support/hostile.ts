import fc from 'fast-check';

/**
 * Hostile values for fuzzing: what a broken or malicious client sends instead of the documented
 * shapes. Each family is named so that a failure says which kind of input broke what.
 */

/** Strings that have broken parsers, databases and logs before. */
export const NASTY_STRINGS: readonly string[] = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\u200b',
  'ze\u200dro\u200cwidth\ufeff',
  '\u202egnp.exe',
  '😀🚀💰',
  '👨‍👩‍👧‍👦',
  '分佣引擎',
  '\ud800',
  '\udfff\ud800',
  'ﷺ',
  'Ω≈ç√∫',
  'e\u0301',
  '１２３',
  '١٢٣',
  '../../etc/passwd',
  '%00',
  '%2e%2e%2f',
  "'; drop table events; --",
  "' or '1'='1",
  '$1',
  '{{7*7}}',
  '${process.exit()}',
  '<script>alert(1)</script>',
  '=cmd|"/c calc"!A1',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-Infinity',
  'true',
  '[]',
  '{}',
  '\n\r\t',
  'x'.repeat(129),
  'y'.repeat(4096),
  'z'.repeat(70_000),
];

/** Numbers at the edges: unsafe integers, huge, tiny, negative zero. */
export const NASTY_NUMBERS: readonly number[] = [
  0,
  -0,
  -1,
  1,
  0.5,
  -0.01,
  0.001,
  1e-7,
  2 ** 31,
  2 ** 32,
  2 ** 53 - 1,
  2 ** 53,
  2 ** 53 + 2,
  2 ** 63,
  -(2 ** 63),
  1e21,
  1e308,
  -1e308,
  5e-324,
  Number.MAX_VALUE,
  Number.MIN_SAFE_INTEGER - 2,
];

/** Amounts in fen that must never become money: negative, fractional fen, huge, not decimal. */
export const NASTY_AMOUNTS: readonly (string | number)[] = [
  '-0.01',
  '-1',
  '0.001',
  '0.005',
  '0.0000001',
  '1e2',
  '1E-2',
  '1,00',
  ' 1.00',
  '1.00 ',
  '+1.00',
  '1.',
  '.5',
  '0x10',
  '0b1',
  '1_000',
  '99999999999999999999999999999999.99',
  '9223372036854775807',
  '9223372036854775808',
  '92233720368547758.08',
  '-9223372036854775808',
  '1'.repeat(400),
  'NaN',
  'Infinity',
  '-Infinity',
  '１２.３０',
  '١٢',
  '12.30元',
  '¥12.30',
  '',
  '-',
  '--1',
  '1..2',
  '00000000000000000001.00',
  -0.01,
  0.001,
  0.1,
  1e21,
  2 ** 53,
  -(2 ** 53),
  1.5,
  Number.MAX_VALUE,
];

/** Instants in wrong time zones and offsets, impossible dates and non-dates. */
export const NASTY_INSTANTS: readonly string[] = [
  '2026-04-01T00:00:00+25:00',
  '2026-04-01T00:00:00+08',
  '2026-04-01T00:00:00+0800',
  '2026-04-01T00:00:00-24:00',
  '2026-04-01T00:00:00 +08:00',
  '2026-04-01T00:00:00[Asia/Shanghai]',
  '2026-04-01T00:00:00 Asia/Shanghai',
  '2026-04-01T00:00:00 CST',
  '2026-04-01T00:00:00UTC+8',
  '2026-04-01T00:00:00Z+08:00',
  '2026-02-30',
  '2026-13-01',
  '2026-00-10',
  '2026-04-31T00:00:00Z',
  '2026-04-01T24:00:01Z',
  '2026-04-01T23:59:60Z',
  '2026-W14-3',
  '2026-091',
  '+275760-09-13T00:00:00Z',
  '+275760-09-13T00:00:00.001Z',
  '-271821-04-20T00:00:00Z',
  '+999999-12-31T23:59:59Z',
  '0000-01-01T00:00:00Z',
  '1969-12-31T23:59:59Z',
  '9999-12-31T23:59:59.999999999Z',
  '2026-04-01T00:00:00.123456789123Z',
  '2026-03-29T02:30:00',
  '20260401T000000Z',
  '1775001600',
  '1775001600000',
  'now',
  'today',
  'yesterday',
  '2026/04/01',
  '04/01/2026',
  '2026年4月1日',
  '',
  'T',
  'Z',
];

/** Time zones a tenant must not get (and one odd but valid). */
export const NASTY_ZONES: readonly string[] = [
  'Mars/Olympus_Mons',
  'UTC+8',
  'GMT+08:00',
  '+08:00',
  'Asia/Shanghai ',
  'asia/shanghai',
  'Etc/GMT-14',
  'Etc/GMT+12',
  'local',
  'system',
  '',
  'Z',
  'Asia/Pyongyang\u0000',
];

/** Object keys that pollute prototypes or confuse naive merges. */
export const POLLUTING_KEYS: readonly string[] = [
  '__proto__',
  'constructor',
  'prototype',
  '__defineGetter__',
  'hasOwnProperty',
  'toJSON',
  'valueOf',
];

export const nastyString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  {
    weight: 1,
    arbitrary: fc.string({
      unit: fc.constantFrom('\u200b', '\u0000', '\ud83d', 'é', '的', '\u202e'),
      minLength: 1,
      maxLength: 300,
    }),
  },
);

export const nastyNumber = fc.oneof(fc.constantFrom(...NASTY_NUMBERS), fc.double({ noNaN: true }), fc.integer());

/** An id as a hostile client sends it: unicode, zero-width, overlong, empty, a number, an object. */
export const nastyId: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: nastyString },
  { weight: 1, arbitrary: nastyNumber },
  { weight: 1, arbitrary: fc.constantFrom(null, true, [], {}, ['a'], { id: 'x' }) },
);

/** Nested arrays or objects `depth` levels deep, as JSON text (a parser's or serialiser's stack). */
export function deepJson(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array' ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** A nested value `depth` levels deep (parsed), to put inside otherwise valid requests. */
export function deepValue(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i += 1) value = i % 2 === 0 ? [value] : { deeper: value };
  return value;
}

/** Any hostile value in place of a field: wrong type, edge number, nasty string, deep nesting, polluting object. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: nastyString },
  { weight: 3, arbitrary: nastyNumber },
  { weight: 2, arbitrary: fc.constantFrom(...NASTY_AMOUNTS) },
  { weight: 2, arbitrary: fc.constantFrom(...NASTY_INSTANTS) },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}, [null], [[]]) },
  { weight: 1, arbitrary: fc.integer({ min: 10, max: 300 }).map(deepValue) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(...POLLUTING_KEYS).map((key) => JSON.parse(`{"${key}": {"polluted": true}}`) as unknown),
  },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.array(nastyString, { maxLength: 5 }) },
);

/** Extra fields nobody documented, including polluting keys. */
export const unknownFields: fc.Arbitrary<Record<string, unknown>> = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom(...POLLUTING_KEYS), fc.string({ maxLength: 12 })), hostileValue), { maxLength: 3 })
  .map((entries) => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of entries)
      Object.defineProperty(out, key, { value, enumerable: true, configurable: true, writable: true });
    return out;
  });

/** True when a prototype every object shares has gained properties (prototype pollution happened). */
export function prototypePolluted(): string[] {
  const probe: Record<string, unknown> = {};
  return ['polluted', 'admin', 'isAdmin', 'scope', 'a', 'deeper'].filter((key) => key in probe || key in Object.prototype);
}
