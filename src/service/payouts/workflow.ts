import { fail, type EngineError } from '../../domain/errors.ts';
import { auditOfEvent, writeAudit } from '../audit.ts';
import type { ItemResult, Service } from '../service.ts';

export type Transition = 'approve' | 'reject' | 'paid' | 'failed';

export const TRANSITION_EVENT: Record<
  Transition,
  'withdrawal.approved' | 'withdrawal.rejected' | 'withdrawal.paid' | 'withdrawal.failed'
> = {
  approve: 'withdrawal.approved',
  reject: 'withdrawal.rejected',
  paid: 'withdrawal.paid',
  failed: 'withdrawal.failed',
};

export type TransitionOutcome =
  | { readonly status: 'accepted'; readonly seq: number }
  | { readonly status: 'duplicate' }
  | { readonly status: 'rejected'; readonly error: EngineError }
  /** Refused before the engine: the withdrawal is on an open payout batch line. */
  | { readonly status: 'on_batch'; readonly batch: string; readonly reference: string };

/**
 * An operator's transition of a withdrawal (approve, reject, paid, failed) as an engine event,
 * `by` the actor, with its audit entry in the same transaction. A withdrawal on an open payout
 * batch line is not rejected, paid or failed by hand: the payer holds it, and its result file
 * (imported) settles it.
 */
export async function transitionWithdrawal(
  service: Service,
  tenant: string,
  withdrawal: string,
  transition: Transition,
  input: { note?: string | undefined; at: string; serverTime?: boolean; id?: string | undefined },
  actor: string,
): Promise<TransitionOutcome> {
  const event = {
    type: TRANSITION_EVENT[transition],
    at: input.at,
    withdrawal,
    by: actor,
    ...(input.note ? { note: input.note } : {}),
    ...(input.id ? { id: input.id } : {}),
  };
  return service.transact(tenant, async (tx, apply): Promise<TransitionOutcome> => {
    const found = (
      await tx.query<{ status: string; batch_id: string | null; reference: string | null }>(
        `select w.status, l.batch_id, l.reference from withdrawals w
         left join payout_lines l on l.tenant_id = w.tenant_id and l.withdrawal = w.id
         where w.tenant_id = $1 and w.id = $2`,
        [tenant, withdrawal],
      )
    ).rows[0];
    // An id never accepted is refused here, before the engine: an operator's typo lets no time pass.
    if (!found)
      return {
        status: 'rejected',
        error: fail('unknown_withdrawal', `withdrawal ${withdrawal} was never accepted`, ['withdrawal']),
      };
    // On an open batch line only the payer's result file settles it (import), never a hand:
    // paid by hand then failed in the file (or the reverse) would pay the member and give it back.
    if (transition !== 'approve' && found.status === 'approved' && found.batch_id !== null)
      return { status: 'on_batch', batch: found.batch_id, reference: found.reference! };
    const [result] = await apply([event], 'http', { serverTime: input.serverTime === true });
    if (result!.status === 'accepted') {
      await writeAudit(tx, tenant, [auditOfEvent(event, actor, result!.seq)!]);
    }
    return result as ItemResult;
  });
}
