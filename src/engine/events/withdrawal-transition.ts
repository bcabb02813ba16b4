import { fail } from '../../domain/errors.ts';
import type { WithdrawalTransition } from '../../domain/types.ts';
import { planAt, type EngineState, type WithdrawalRecord, type WithdrawalStatus } from '../state.ts';
import { TAX_REGIMES } from '../tax/tax.ts';
import type { Verdict, Work } from '../work.ts';

type Transition = WithdrawalTransition['type'];

/** Which status each transition leads to, and from which statuses it may start. */
const RULES: Readonly<Record<Transition, { to: WithdrawalStatus; from: readonly WithdrawalStatus[] }>> = {
  'withdrawal.approved': { to: 'approved', from: ['requested'] },
  'withdrawal.rejected': { to: 'rejected', from: ['requested', 'approved'] },
  'withdrawal.paid': { to: 'paid', from: ['approved'] },
  'withdrawal.failed': { to: 'failed', from: ['approved'] },
};

/**
 * The payout workflow: approve, reject, paid, failed. A rejected or failed withdrawal gives its
 * gross back to `available` and reverses its tax, as new postings; nothing is edited in place.
 * Repeating the transition a withdrawal already made changes nothing.
 */
export function withdrawalTransition(state: EngineState, event: WithdrawalTransition, work: Work): Verdict {
  const record = state.withdrawals.get(event.withdrawal);
  if (!record) return fail('unknown_withdrawal', `withdrawal ${event.withdrawal} was never accepted`, ['withdrawal']);
  const rule = RULES[event.type];
  if (record.status === rule.to) return 'duplicate';
  if (!rule.from.includes(record.status)) {
    return fail(
      'invalid',
      `withdrawal ${record.id} is ${record.status}; it can become ${rule.to} only when ${rule.from.join(' or ')}`,
      ['withdrawal'],
    );
  }
  record.status = rule.to;
  record.history.push({ status: rule.to, at: event.at, ...(event.note ? { note: event.note } : {}) });
  if (rule.to === 'paid') {
    work.postingLog.push(
      ...state.ledger.post('payout', event.at, { withdrawal: record.id }, [
        { account: 'payout', member: null, amount: -record.net },
        { account: 'paid_out', member: null, amount: record.net },
      ]),
    );
  }
  if (rule.to === 'rejected' || rule.to === 'failed') giveBack(state, record, event.at, work);
  work.withdrawals.push(record);
  return 'applied';
}

/** Reverses a withdrawal and, under a cumulative regime, trues its tax month up to what remains. */
function giveBack(state: EngineState, record: WithdrawalRecord, at: number, work: Work): void {
  const ref = { withdrawal: record.id };
  work.postingLog.push(
    ...state.ledger.post('withdrawal_reversal', at, ref, [
      { account: 'available', member: record.member, amount: record.amount },
      { account: 'tax_payable', member: null, amount: -record.tax },
      { account: 'payout', member: null, amount: -record.net },
    ]),
  );
  const key = `${record.member}\u0000${record.month}`;
  const month = state.taxMonths.get(key)!;
  const after = { gross: month.gross - record.amount, withheld: month.withheld - record.tax };
  const regime = TAX_REGIMES[planAt(state, record.at).plan.tax]!;
  if (regime.cumulative) {
    // Later withdrawals of the month withheld on a cumulative gross that included this one.
    const target = regime.withhold({ gross: 0n, withheld: 0n }, after.gross, state.settings.decimals);
    const excess = after.withheld - target;
    if (excess !== 0n) {
      work.postingLog.push(
        ...state.ledger.post('tax_true_up', at, { withdrawal: record.id }, [
          { account: 'tax_payable', member: null, amount: -excess },
          { account: 'available', member: record.member, amount: excess },
        ]),
      );
      after.withheld = target;
    }
  }
  state.taxMonths.set(key, after);
}
