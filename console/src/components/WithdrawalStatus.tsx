import { useI18n } from '../i18n/i18n';
import { Badge } from './ui';

/** A withdrawal's or a payout batch's status (requested, approved, paid, rejected, failed; open, closed) as a badge. */
export function WithdrawalStatus({ status }: { status: string }) {
  const { nameOf } = useI18n();
  const tone =
    status === 'paid' || status === 'closed'
      ? 'good'
      : status === 'requested' || status === 'open'
        ? 'warn'
        : status === 'approved'
          ? 'info'
          : 'bad';
  return <Badge tone={tone}>{nameOf('payouts.status', status) ?? status}</Badge>;
}
