import type { Reply } from '../api/client';
import { useI18n } from '../i18n/i18n';
import { Badge } from './ui';

export type MemberView = Reply<'/v1/members/{id}'>;
const ROLES = ['branch', 'agency', 'leader', 'customer'] as const;

/** A member's role (and level for distributors) as a badge. */
export function RoleBadge({ role, level }: { role: string; level?: number | null }) {
  const { t } = useI18n();
  const known = (ROLES as readonly string[]).includes(role) ? t(`role.${role as (typeof ROLES)[number]}`) : role;
  return (
    <Badge tone={role === 'customer' ? 'plain' : 'info'}>
      {known}
      {level !== null && level !== undefined && role !== 'customer' ? ` · ${t('member.level', { n: level })}` : ''}
    </Badge>
  );
}
