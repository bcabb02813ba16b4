/**
 * The manual actions the audit log records, by code: the server writes them (src/service/audit.ts)
 * and the console offers them as filters. No imports, so the console's bundle takes it as it is.
 */
export const AUDIT_ACTIONS = [
  'withdrawal.approved',
  'withdrawal.rejected',
  'withdrawal.paid',
  'withdrawal.failed',
  'adjustment.posted',
  'member.level_set',
  'plan.published',
  'key.created',
  'key.revoked',
  'member_token.issued',
  'member_token.revoked',
  'webhook.created',
  'webhook.removed',
  'payee.set',
  'payout_batch.created',
  'payout_batch.exported',
  'payout_batch.imported',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];
