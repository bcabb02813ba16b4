// (Imports with their extension and no React: the root type check and vitest read this file too.)
import type { MessageKey } from '../../i18n/zh-CN.ts';
import { dateTime, money, sumDecimals } from '../../lib/format.ts';

/** An entry of the event log as GET /v1/events answers it, as far as its summary goes. */
export interface LoggedEvent {
  readonly type: string;
  /** The instant the engine logged it at (ISO 8601, UTC). */
  readonly at: string;
  /** The event as it was sent. */
  readonly payload?: unknown;
}

/** What the summary column needs besides the event: the tenant's currency and zone, the language. */
export interface SummaryContext {
  readonly t: (key: MessageKey, values?: Record<string, string | number>) => string;
  readonly currency: string;
  readonly lang: string;
  readonly zone: string;
  readonly nameOf: (prefix: string, code: string) => string | null;
}

/** One line per event, from its payload: every logged type says something (a tick, when it settled up to). */
export function summary(event: LoggedEvent, { t, currency, lang, zone, nameOf }: SummaryContext): string {
  const p = (event.payload ?? {}) as Record<string, unknown>;
  const lines = Array.isArray(p.lines) ? (p.lines as Record<string, unknown>[]) : [];
  const str = (value: unknown) => (value === undefined || value === null ? '' : String(value));
  // When the engine ran what fell due: the logged instant, not the payload's `at` as sent (which
  // may lack an offset, read in the tenant's zone by the server, not the browser's).
  const at = () => dateTime(event.at, lang, zone);
  switch (event.type) {
    case 'order.paid':
      return t('events.sum.paid', {
        order: str(p.order),
        buyer: str(p.buyer),
        amount: money(sumDecimals(lines.map((l) => str(l.paid))), currency),
        lines: lines.length,
      });
    case 'order.refunded':
      return t('events.sum.refunded', {
        order: str(p.order),
        refund: str(p.refund),
        amount: money(sumDecimals(lines.map((l) => str(l.amount))), currency),
      });
    case 'order.completed':
      return t('events.sum.completed', { order: str(p.order) });
    case 'withdrawal.requested':
      return t('events.sum.withdrawal', { member: str(p.member), amount: money(str(p.amount), currency) });
    case 'withdrawal.approved':
    case 'withdrawal.rejected':
    case 'withdrawal.paid':
    case 'withdrawal.failed':
      return t('events.sum.decision', { withdrawal: str(p.withdrawal) }) + (p.note ? ` · ${str(p.note)}` : '');
    case 'adjustment.posted':
      return t('events.sum.adjustment', { member: str(p.member), amount: money(str(p.amount), currency), reason: str(p.reason) });
    case 'member.joined':
      return t('events.sum.member', { member: str((p.member as Record<string, unknown> | undefined)?.id) });
    case 'member.moved':
      return p.parent
        ? t('events.sum.moved', { member: str(p.member), parent: str(p.parent) })
        : t('events.sum.movedTop', { member: str(p.member) });
    case 'member.promoted':
      return t('events.sum.promoted', {
        member: str(p.member),
        role: nameOf('role', str(p.role || 'leader')) ?? str(p.role),
        level: str(p.level ?? 1),
      });
    case 'member.level_set':
      return t('events.sum.levelSet', { member: str(p.member), level: str(p.level) });
    case 'member.regions_set':
      return t('events.sum.regionsSet', {
        member: str(p.member),
        regions: Array.isArray(p.regions) && p.regions.length ? p.regions.join(', ') : '—',
      });
    case 'tick':
      return t('events.sum.tick', { at: at() });
    case 'time.passed':
      return t('events.sum.timePassed', { at: at() });
    case 'network.imported':
      return t('events.sum.imported', { n: Array.isArray(p.members) ? p.members.length : '?' });
    default:
      // A type this console does not know yet: its member if it names one, else its type as sent.
      return p.member ? t('events.sum.member', { member: str(p.member) }) : event.type;
  }
}
