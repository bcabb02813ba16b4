import { fail, type EngineError } from '../../domain/errors.ts';
import type { Plan, WithdrawalRequested } from '../../domain/types.ts';
import { formatMoney } from '../../money/money.ts';
import { fingerprint, repeatVerdict } from '../fingerprint.ts';
import { planAt, type EngineState, type WithdrawalRecord } from '../state.ts';
import { TAX_REGIMES } from '../tax/tax.ts';
import type { Verdict, Work } from '../work.ts';

/** The verdict on a withdrawal id already accepted (duplicate or conflict), or null for a new one. */
export function withdrawalRequestedRepeat(
  state: EngineState,
  event: WithdrawalRequested,
  print = fingerprint(event),
): 'duplicate' | EngineError | null {
  const conflict = `withdrawal ${event.withdrawal} was already accepted with other content; use a new id`;
  return repeatVerdict(state.withdrawals.get(event.withdrawal), print, conflict, 'withdrawal');
}

/**
 * Pays out available money, withholding tax on the month's cumulative gross (DOMAIN.md,
 * "Balances and withdrawals"). A rejected withdrawal leaves no trace, so its id can be reused.
 */
export function withdrawalRequested(state: EngineState, event: WithdrawalRequested, work: Work): Verdict {
  const print = fingerprint(event);
  const repeated = withdrawalRequestedRepeat(state, event, print);
  if (repeated) return repeated;
  const member = state.network.get(event.member);
  if (!member) return fail('unknown_member', `member ${event.member} is not in the network`, ['member']);
  const plan = planAt(state, event.at).plan;
  const decimals = state.settings.decimals;
  if (event.amount < plan.minWithdrawal) {
    return fail('below_minimum', `the smallest withdrawal is ${formatMoney(plan.minWithdrawal, decimals)}`, ['amount']);
  }
  const limit = checkLimits(state, member.id, event, plan.withdrawals);
  if (limit) return limit;
  const available = state.ledger.balanceOf(member.id).available;
  if (event.amount > available) {
    return fail(
      'insufficient_funds',
      `${member.id} has ${formatMoney(available < 0n ? 0n : available, decimals)} available; pending awards become available once settled`,
      ['amount'],
    );
  }

  const monthLabel = state.calendar.monthOf(event.at);
  const monthKey = `${member.id}\u0000${monthLabel}`;
  const month = state.taxMonths.get(monthKey) ?? { gross: 0n, withheld: 0n };
  const tax = TAX_REGIMES[plan.tax]!.withhold(month, event.amount, decimals);
  state.taxMonths.set(monthKey, { gross: month.gross + event.amount, withheld: month.withheld + tax });
  // Small withdrawals are approved at once; above `reviewAbove` an operator approves them.
  const status =
    plan.withdrawals.reviewAbove !== undefined && event.amount > plan.withdrawals.reviewAbove ? 'requested' : 'approved';
  const record: WithdrawalRecord = {
    id: event.withdrawal,
    fingerprint: print,
    member: member.id,
    at: event.at,
    amount: event.amount,
    tax,
    net: event.amount - tax,
    month: monthLabel,
    day: state.calendar.dayOf(event.at),
    status,
    history: [{ status, at: event.at }],
  };
  state.withdrawals.set(record.id, record);
  work.postingLog.push(
    ...state.ledger.post('withdrawal', event.at, { withdrawal: record.id }, [
      { account: 'available', member: member.id, amount: -record.amount },
      { account: 'tax_payable', member: null, amount: record.tax },
      { account: 'payout', member: null, amount: record.net },
    ]),
  );
  work.withdrawals.push(record);
  return 'applied';
}

/** Daily and monthly caps on a member's gross withdrawals (those not given back). */
function checkLimits(
  state: EngineState,
  member: string,
  event: WithdrawalRequested,
  limits: Plan['withdrawals'],
): EngineError | null {
  if (limits.dailyLimit === undefined && limits.monthlyLimit === undefined) return null;
  const day = state.calendar.dayOf(event.at);
  const month = state.calendar.monthOf(event.at);
  let dayTotal = event.amount;
  let monthTotal = event.amount;
  for (const withdrawal of state.withdrawals.values()) {
    if (withdrawal.member !== member || withdrawal.status === 'rejected' || withdrawal.status === 'failed') continue;
    if (withdrawal.day === day) dayTotal += withdrawal.amount;
    if (withdrawal.month === month) monthTotal += withdrawal.amount;
  }
  const decimals = state.settings.decimals;
  if (limits.dailyLimit !== undefined && dayTotal > limits.dailyLimit) {
    return fail(
      'limit_exceeded',
      `withdrawals of ${member} on ${day} would reach ${formatMoney(dayTotal, decimals)}, above the daily limit of ${formatMoney(limits.dailyLimit, decimals)}`,
      ['amount'],
    );
  }
  if (limits.monthlyLimit !== undefined && monthTotal > limits.monthlyLimit) {
    return fail(
      'limit_exceeded',
      `withdrawals of ${member} in ${month} would reach ${formatMoney(monthTotal, decimals)}, above the monthly limit of ${formatMoney(limits.monthlyLimit, decimals)}`,
      ['amount'],
    );
  }
  return null;
}
