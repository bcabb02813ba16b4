import { currencyDecimals, formatMoney, parseMoney } from '../money/money.ts';
import { InputError } from '../domain/errors.ts';
import type { Scenario } from './load.ts';
import { runScenario, type ScenarioResult } from './run.ts';

/** One difference between a scenario's `expect` and what the engine did. */
export interface Mismatch {
  readonly kind: 'missing' | 'extra' | 'different';
  readonly what: string;
  readonly expected?: string;
  readonly actual?: string;
}

/**
 * Runs a scenario and compares it with its `expect`; a scenario whose plan or starting network
 * is refused matches only an `expect.error` of the same code (DOMAIN.md: it rejects the whole
 * scenario with its error).
 */
export function checkScenario(scenario: Scenario): Mismatch[] {
  const rejectedWith = scenario.expect.error;
  const input = (actual: string): Mismatch[] => [
    {
      kind: 'different',
      what: 'scenario input',
      expected: rejectedWith ? `rejected with ${rejectedWith}` : 'a valid plan and network',
      actual,
    },
  ];
  let result: ScenarioResult;
  try {
    result = runScenario(scenario).result;
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return rejectedWith === error.error.code ? [] : input(`${error.error.code}: ${error.message}`);
  }
  return rejectedWith === undefined ? compare(scenario, result) : input('a valid plan and network');
}

/**
 * Compares a result with `expect` under the conformance rules: awards and errors must match
 * exactly (awards only when listed; errors always), balances, levels and withdrawals for what
 * is listed; amounts compare as money.
 */
export function compare(scenario: Scenario, result: ScenarioResult): Mismatch[] {
  const expect = scenario.expect;
  const decimals = currencyDecimals(scenario.currency);
  const norm = (value: string | number | undefined) => normalizeMoney(value, decimals);
  const mismatches: Mismatch[] = [];
  if (expect.awards) {
    const expected = new Map(expect.awards.map((a) => [awardLabel(a), `${norm(a.amount)}${a.status ? ' ' + a.status : ''}`]));
    const actual = new Map(result.awards.map((a) => [awardLabel(a), { amount: a.amount, status: a.status }]));
    for (const [label, want] of expected) {
      const got = actual.get(label);
      const gotText = got && (want.includes(' ') ? `${got.amount} ${got.status}` : got.amount);
      if (!got) mismatches.push({ kind: 'missing', what: `award ${label}`, expected: want });
      else if (gotText !== want) mismatches.push({ kind: 'different', what: `award ${label}`, expected: want, actual: gotText });
    }
    for (const [label, got] of actual) {
      if (!expected.has(label)) mismatches.push({ kind: 'extra', what: `award ${label}`, actual: `${got.amount} ${got.status}` });
    }
  }
  for (const [member, want] of Object.entries(expect.balances ?? {})) {
    const got = result.balances[member] ?? { pending: norm('0'), available: norm('0') };
    for (const field of ['pending', 'available'] as const) {
      if (want[field] === undefined) continue;
      if (norm(want[field]) !== got[field]) {
        mismatches.push({
          kind: 'different',
          what: `balance ${member}.${field}`,
          expected: norm(want[field]),
          actual: got[field],
        });
      }
    }
  }
  for (const [member, level] of Object.entries(expect.levels ?? {})) {
    const got = result.levels[member];
    if (got !== level)
      mismatches.push({
        kind: got === undefined ? 'missing' : 'different',
        what: `level of ${member}`,
        expected: String(level),
        actual: got === undefined ? 'not a distributor' : String(got),
      });
  }
  if (expect.withdrawals) compareWithdrawals(expect.withdrawals, result, norm, mismatches);
  compareErrors(expect.errors ?? [], result, mismatches);
  return mismatches;
}

function compareWithdrawals(
  expected: NonNullable<Scenario['expect']['withdrawals']>,
  result: ScenarioResult,
  norm: (value: string | number | undefined) => string,
  mismatches: Mismatch[],
): void {
  const actual = new Map(result.withdrawals.map((w) => [w.withdrawal, w]));
  for (const want of expected) {
    const got = actual.get(want.withdrawal);
    const wantText = `${norm(want.amount)} tax ${want.tax === undefined ? '*' : norm(want.tax)} net ${want.net === undefined ? '*' : norm(want.net)}`;
    if (!got) {
      mismatches.push({ kind: 'missing', what: `withdrawal ${want.withdrawal}`, expected: wantText });
      continue;
    }
    const gotText = `${got.amount} tax ${want.tax === undefined ? '*' : got.tax} net ${want.net === undefined ? '*' : got.net}`;
    if (gotText !== wantText)
      mismatches.push({ kind: 'different', what: `withdrawal ${want.withdrawal}`, expected: wantText, actual: gotText });
    actual.delete(want.withdrawal);
  }
  for (const [id, got] of actual) {
    mismatches.push({ kind: 'extra', what: `withdrawal ${id}`, actual: `${got.amount} tax ${got.tax} net ${got.net}` });
  }
}

function compareErrors(expected: { event: number; code: string }[], result: ScenarioResult, mismatches: Mismatch[]): void {
  const want = new Map(expected.map((e) => [e.event, e.code]));
  const got = new Map(result.errors.map((e) => [e.event, e]));
  for (const [event, code] of want) {
    const actual = got.get(event);
    if (!actual) mismatches.push({ kind: 'missing', what: `error of event ${event}`, expected: code, actual: 'accepted' });
    else if (actual.code !== code)
      mismatches.push({
        kind: 'different',
        what: `error of event ${event}`,
        expected: code,
        actual: describeError(actual),
      });
  }
  for (const [event, actual] of got) {
    if (!want.has(event)) mismatches.push({ kind: 'extra', what: `error of event ${event}`, actual: describeError(actual) });
  }
}

/** `code (message, at lines.0.paid)`: what a person needs to find the fault in the event. */
function describeError(error: ScenarioResult['errors'][number]): string {
  const at = error.path && error.path.length > 0 ? `, at ${error.path.join('.')}` : '';
  return `${error.code} (${error.message}${at})`;
}

function awardLabel(award: { to: string; order?: string | undefined; period?: string | undefined; rule: string }): string {
  return `${award.to} ${award.order !== undefined ? `order ${award.order}` : `period ${award.period}`} rule ${award.rule}`;
}

function normalizeMoney(value: string | number | undefined, decimals: number): string {
  const parsed = parseMoney(String(value ?? '0'), decimals);
  return parsed === null ? String(value) : formatMoney(parsed, decimals);
}
