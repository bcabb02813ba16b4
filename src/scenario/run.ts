import type { ErrorCode } from '../domain/errors.ts';
import { Engine } from '../engine/engine.ts';
import type { Posting } from '../engine/ledger.ts';
import { formatMoney } from '../money/money.ts';
import type { Scenario } from './load.ts';

/** The outcome of a scenario in the shape of its `expect` (scenarios/README.md). */
export interface ScenarioResult {
  awards: { to: string; order?: string; period?: string; rule: string; amount: string; status: 'pending' | 'settled' }[];
  balances: Record<string, { pending: string; available: string }>;
  levels: Record<string, number>;
  withdrawals: { withdrawal: string; amount: string; tax: string; net: string }[];
  errors: { event: number; code: ErrorCode; message: string; path?: readonly (string | number)[] }[];
}

export interface ScenarioRun {
  readonly engine: Engine;
  readonly result: ScenarioResult;
  /** Every posting written, in order (for ledger checks). */
  readonly postings: Posting[];
}

/** Runs a scenario through the engine, event by event. Throws InputError for a bad plan/network. */
export function runScenario(scenario: Scenario): ScenarioRun {
  const engine = Engine.create({
    timezone: scenario.timezone,
    currency: scenario.currency,
    plan: scenario.plan,
    members: scenario.members,
  });
  const postings: Posting[] = [];
  const errors: ScenarioResult['errors'] = [];
  scenario.events.forEach((event, index) => {
    const outcome = engine.apply(event);
    postings.push(...outcome.postings);
    if (outcome.status === 'rejected') {
      const { code, message, path } = outcome.error;
      errors.push({ event: index, code, message, ...(path && path.length > 0 ? { path } : {}) });
    }
  });
  return { engine, result: { ...summarize(engine), errors }, postings };
}

/** The engine's current awards, balances, levels and withdrawals as decimal strings. */
export function summarize(engine: Engine): Omit<ScenarioResult, 'errors'> {
  const { state, settings } = engine;
  const money = (amount: bigint) => formatMoney(amount, settings.decimals);
  const awards: ScenarioResult['awards'] = [];
  for (const award of state.awards.all()) {
    if (award.amount === 0n) continue;
    awards.push({
      to: award.to,
      ...(award.order !== undefined ? { order: award.order } : { period: award.period! }),
      rule: award.rule,
      amount: money(award.amount),
      status: award.status,
    });
  }
  const balances: ScenarioResult['balances'] = {};
  for (const [member, balance] of state.ledger.members()) {
    balances[member] = { pending: money(balance.pending), available: money(balance.available) };
  }
  const levels: ScenarioResult['levels'] = {};
  for (const member of state.network.distributors()) levels[member.id] = member.level;
  // Withdrawals given back (rejected or failed) are no longer accepted ones.
  const kept = [...state.withdrawals.values()].filter((w) => w.status !== 'rejected' && w.status !== 'failed');
  const withdrawals = kept.map((w) => ({
    withdrawal: w.id,
    amount: money(w.amount),
    tax: money(w.tax),
    net: money(w.net),
  }));
  return { awards, balances, levels, withdrawals };
}
