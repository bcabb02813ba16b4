import { AUDIT_ACTIONS, type AuditAction } from '../domain/audit-actions.ts';
import type { SentEventType } from '../domain/event-types.ts';
import { isoOrNull } from '../domain/instants.ts';
import type { Sql } from '../store/sql.ts';
import { toJson } from './json.ts';

/**
 * One manual action for the audit log: who (an API key id, or `cli:<user>`), what, on what, why.
 * `details` never holds secrets (no key text, no full payee account).
 */
export interface AuditEntry {
  readonly actor: string;
  readonly action: AuditAction;
  readonly target?: string | null;
  readonly reason?: string | null;
  readonly details?: Record<string, unknown>;
}

export { AUDIT_ACTIONS, type AuditAction };

/**
 * Event types that are manual acts when applied (their accepted items are audited, each under its
 * type as the action: the type checks that both lists have them).
 */
export const MANUAL_EVENT_TYPES: ReadonlySet<string> = new Set([
  'withdrawal.approved',
  'withdrawal.rejected',
  'withdrawal.paid',
  'withdrawal.failed',
  'adjustment.posted',
  'member.level_set',
] satisfies (AuditAction & SentEventType)[]);

/** Appends entries to the audit log, in the caller's transaction when `sql` is one. */
export async function writeAudit(sql: Sql, tenant: string, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await sql.query(
    `insert into audit_log (tenant_id, actor, action, target, reason, details)
     select $1, * from unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[])`,
    [
      tenant,
      entries.map((e) => e.actor),
      entries.map((e) => e.action),
      entries.map((e) => e.target ?? null),
      entries.map((e) => e.reason ?? null),
      entries.map((e) => toJson(e.details ?? {})),
    ],
  );
}

/** The audit entry of one accepted manual event (sent by `actor`), or null for other events. */
export function auditOfEvent(item: unknown, actor: string, seq: number): AuditEntry | null {
  const event = item as Record<string, unknown> | null;
  const type = typeof event?.type === 'string' ? event.type : '';
  if (!event || !MANUAL_EVENT_TYPES.has(type)) return null;
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  switch (type) {
    case 'adjustment.posted':
      return {
        actor,
        action: 'adjustment.posted',
        target: text(event.adjustment) ?? null,
        reason: text(event.reason) ?? null,
        details: { member: event.member, amount: event.amount, seq, ...(event.id ? { eventId: event.id } : {}) },
      };
    case 'member.level_set':
      return {
        actor,
        action: 'member.level_set',
        target: text(event.member) ?? null,
        details: { level: event.level, seq, ...(event.id ? { eventId: event.id } : {}) },
      };
    default:
      return {
        actor,
        action: type as AuditAction,
        target: text(event.withdrawal) ?? null,
        reason: text(event.note) ?? null,
        details: { seq, ...(event.id ? { eventId: event.id } : {}), ...(event.by ? { by: event.by } : {}) },
      };
  }
}

export interface AuditRow {
  readonly id: number;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly target: string | null;
  readonly reason: string | null;
  readonly details: Record<string, unknown>;
}

export interface AuditQuery {
  readonly action?: string | undefined;
  readonly target?: string | undefined;
  readonly actor?: string | undefined;
  /** Only entries with a smaller id (paging back in time). */
  readonly before?: number | undefined;
  /** Only entries at or after this instant (ms). */
  readonly from?: number | null | undefined;
  /** Only entries before this instant (ms). */
  readonly to?: number | null | undefined;
  readonly limit: number;
}

/** Audit entries of a tenant, newest first. `action` may end with `.*` (e.g. `withdrawal.*`). */
export async function queryAudit(sql: Sql, tenant: string, query: AuditQuery): Promise<AuditRow[]> {
  const prefix = query.action?.endsWith('.*') ? query.action.slice(0, -1) : null;
  const rows = (
    await sql.query<{
      id: string;
      at: Date | string;
      actor: string;
      action: string;
      target: string | null;
      reason: string | null;
      details: Record<string, unknown>;
    }>(
      `select id::text as id, at, actor, action, target, reason, details from audit_log
      where tenant_id = $1
        and ($2::text is null or action = $2) and ($3::text is null or left(action, length($3)) = $3)
        and ($4::text is null or target = $4) and ($5::text is null or actor = $5) and ($6::bigint is null or id < $6)
        and ($8::timestamptz is null or at >= $8) and ($9::timestamptz is null or at < $9)
      order by audit_log.id desc limit $7`,
      [
        tenant,
        prefix === null ? (query.action ?? null) : null,
        prefix,
        query.target ?? null,
        query.actor ?? null,
        query.before ?? null,
        query.limit,
        isoOrNull(query.from),
        isoOrNull(query.to),
      ],
    )
  ).rows;
  return rows.map((r) => ({
    id: Number(r.id),
    at: new Date(r.at).toISOString(),
    actor: r.actor,
    action: r.action,
    target: r.target,
    reason: r.reason,
    details: r.details,
  }));
}
