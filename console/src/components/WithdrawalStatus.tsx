import type { Reply } from '../api/client';
import { useI18n } from '../i18n/i18n';
import { Badge } from './ui';

type Withdrawal = Reply<'/v1/withdrawals'>['withdrawals'][number];
type Batch = Reply<'/v1/payouts/batches'>['batches'][number];

/** A withdrawal's or a payout batch's status as a badge, in the console's language. */
export function WithdrawalStatus({ status }: { status: Withdrawal['status'] | Batch['status'] | 'open' | 'paid' | 'failed' }) {
  const { t } = useI18n();
  const tone =
    status === 'paid' || status === 'closed'
      ? 'good'
      : status === 'requested' || status === 'open'
        ? 'warn'
        : status === 'approved'
          ? 'info'
          : 'bad';
  return <Badge tone={tone}>{t(`payouts.status.${status}`)}</Badge>;
}
