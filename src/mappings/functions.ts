import type jsonata from 'jsonata';
import { formatMoney, parseMoney } from '../money/money.ts';

/**
 * Functions a mapping may call besides JSONata's own, for exact money: JSONata's arithmetic is
 * floating point ("29.95" × 3 is 89.85000000000001), so amounts are never computed with `*`, `+`
 * or `$sum`. Each takes amounts as decimal strings (or whole numbers) and answers a decimal string
 * with the tenant currency's minor digits, computed on integers.
 *
 *   $fen(11980)                 "119.80"  integer minor units (分) → decimal string
 *   $minor(11980, 2)            "119.80"  the same with explicit minor digits (default: the tenant's)
 *   $moneyMul("29.95", 3)       "89.85"   an amount × a whole quantity
 *   $moneyAdd("1.10", "2.20")   "3.30"    any number of amounts
 *   $moneySub("10.00", "0.35")  "9.65"
 *   $moneySum(items.price)      "…"       the sum of an array of amounts (empty → "0.00")
 */
export function registerMoneyFunctions(expression: jsonata.Expression, decimals: number): void {
  const amount = (value: unknown, fn: string): bigint => {
    const text =
      typeof value === 'number' ? (Number.isFinite(value) ? numberText(value) : null) : typeof value === 'string' ? value : null;
    const parsed = text === null ? null : parseMoney(text, decimals);
    if (parsed === null) fail(fn, `${JSON.stringify(value)} is not an amount with at most ${decimals} decimals`);
    return parsed!;
  };
  const whole = (value: unknown, fn: string): bigint => {
    if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
    if (typeof value === 'string' && /^[+-]?\d+$/.test(value.trim())) return BigInt(value.trim());
    return fail(fn, `${JSON.stringify(value)} is not a whole number (integer minor units such as 11980, or a quantity)`);
  };
  const format = (value: bigint) => formatMoney(value, decimals);
  expression.registerFunction(
    'fen',
    (value: unknown) => (value === undefined ? undefined : formatMoney(whole(value, '$fen'), 2)),
    '<(ns)?:s>',
  );
  expression.registerFunction(
    'minor',
    (value: unknown, digits?: number) => {
      if (value === undefined) return undefined;
      const places = digits ?? decimals;
      if (!Number.isInteger(places) || places < 0 || places > 6)
        fail('$minor', `${String(digits)} is not a number of minor digits (0 to 6)`);
      return formatMoney(whole(value, '$minor'), places);
    },
    '<(ns)?n?:s>',
  );
  expression.registerFunction(
    'moneyMul',
    (value: unknown, qty: unknown) =>
      value === undefined ? undefined : format(amount(value, '$moneyMul') * whole(qty, '$moneyMul')),
    '<(ns)?(ns):s>',
  );
  expression.registerFunction('moneyAdd', (...values: unknown[]) =>
    format(values.flat().reduce<bigint>((sum, v) => sum + (v === undefined ? 0n : amount(v, '$moneyAdd')), 0n)),
  );
  expression.registerFunction('moneySub', (a: unknown, ...rest: unknown[]) =>
    format(
      rest
        .flat()
        .reduce<bigint>(
          (sum, v) => sum - (v === undefined ? 0n : amount(v, '$moneySub')),
          a === undefined ? 0n : amount(a, '$moneySub'),
        ),
    ),
  );
  expression.registerFunction('moneySum', (values: unknown) => {
    const list = values === undefined ? [] : Array.isArray(values) ? values : [values];
    return format(list.reduce<bigint>((sum, v) => sum + (v === undefined ? 0n : amount(v, '$moneySum')), 0n));
  });
}

/** A whole or short decimal number as written (JSON numbers such as 119.8 or 12); never exponent notation. */
function numberText(value: number): string | null {
  const text = String(value);
  return /e/i.test(text) ? null : text;
}

function fail(fn: string, message: string): never {
  throw Object.assign(new Error(`${fn}: ${message}`), { code: 'FENYONG_MONEY' });
}
