import { useState } from 'react';
import { api, ok, type Reply } from '../../api/client';
import { Link } from '../../app/router';
import { useSession } from '../../auth/session';
import { AdminOnly } from '../../components/AdminOnly';
import { AUDIT_ACTIONS } from '../../../../src/domain/audit-actions.ts';
import { ApiKeyName, useKeyLabels } from '../../components/ApiKeyName';
import { DataTable } from '../../components/DataTable';
import { MoreButton } from '../../components/MoreButton';
import { NamedCode } from '../../components/NamedCode';
import { Card, ErrorNote, JsonView, Loading } from '../../components/ui';
import { DayWindowFields, useDayWindow } from '../../components/DayWindow';
import { useI18n } from '../../i18n/i18n';
import type { MessageKey } from '../../i18n/zh-CN';
import { dateTime, money } from '../../lib/format';
import { useDebounced } from '../../lib/useAsync';
import { usePages } from '../../lib/usePages';

type Entry = Reply<'/v1/audit'>['entries'][number];

/** Families of actions, asked for by prefix (`withdrawal.*`). */
const GROUPS = ['withdrawal', 'payout_batch', 'key', 'member_token', 'webhook'] as const;
const PAGE = 50;

/**
 * 审计日志: the append-only log of manual actions (GET /v1/audit, admin), newest first, filtered
 * by action (or a family of them), target, actor and days of the tenant's zone (`from`, `to`
 * inclusive), a page at a time (`before` the last id shown).
 */
export function AuditLog() {
  const { t } = useI18n();
  return (
    <AdminOnly title={t('audit.title')} note={t('audit.adminOnly')}>
      {() => <AuditLogForAdmin />}
    </AdminOnly>
  );
}

function AuditLogForAdmin() {
  const { t, lang, nameOf } = useI18n();
  const { me } = useSession();
  const zone = me!.tenant.timezone;
  const labels = useKeyLabels();
  const [action, setAction] = useState('');
  const [targetText, setTargetText] = useState('');
  const [actorText, setActorText] = useState('');
  const cleared = (_settled: string, next: string) => next === '';
  const target = useDebounced(targetText.trim(), 300, cleared);
  const actor = useDebounced(actorText.trim(), 300, cleared);
  const days = useDayWindow();
  const log = usePages<Entry>(
    async (before) => {
      if (days.reversed) return { items: [], next: null };
      const { entries, next } = await ok(
        api.GET('/v1/audit', {
          params: {
            query: {
              limit: PAGE,
              ...(action ? { action } : {}),
              ...(target ? { target } : {}),
              ...(actor ? { actor } : {}),
              ...days.query,
              ...(before ? { before: Number(before) } : {}),
            },
          },
        }),
      );
      return { items: entries, next: next === null ? null : String(next) };
    },
    [action, target, actor, days.from, days.to],
  );
  const actionLabel = (code: string): string | null => nameOf('audit.action', code);
  const filtered = action !== '' || target !== '' || actor !== '' || days.from !== '' || days.to !== '';

  return (
    <Card
      title={t('audit.title')}
      actions={
        <button type="button" className="ghost" onClick={log.reload} disabled={log.loading}>
          {t('audit.refresh')}
        </button>
      }
    >
      <p className="muted small">{t('audit.hint')}</p>
      <div className="filters full-on-phone" role="search" aria-label={t('audit.filters')}>
        <label className="inline-field">
          <span>{t('audit.action')}</span>
          <select value={action} onChange={(event) => setAction(event.target.value)}>
            <option value="">{t('common.all')}</option>
            <optgroup label={t('audit.byFamily')}>
              {GROUPS.map((group) => (
                <option key={group} value={`${group}.*`}>
                  {t(`audit.group.${group}`)} ({group}.*)
                </option>
              ))}
            </optgroup>
            <optgroup label={t('audit.byAction')}>
              {AUDIT_ACTIONS.map((code) => (
                <option key={code} value={code}>
                  {actionLabel(code) ?? code} ({code})
                </option>
              ))}
            </optgroup>
          </select>
        </label>
        <label className="inline-field">
          <span>{t('audit.target')}</span>
          <input
            value={targetText}
            onChange={(event) => setTargetText(event.target.value)}
            placeholder={t('audit.targetPlaceholder')}
            autoComplete="off"
            spellCheck={false}
          />
        </label>
        <label className="inline-field">
          <span>{t('audit.actor')}</span>
          <input
            value={actorText}
            onChange={(event) => setActorText(event.target.value)}
            placeholder={t('audit.actorPlaceholder')}
            list="audit-actors"
            autoComplete="off"
            spellCheck={false}
          />
          <datalist id="audit-actors">
            {[...labels].map(([id, key]) => (
              <option key={id} value={id}>
                {key.label ?? key.scope}
              </option>
            ))}
          </datalist>
        </label>
        <DayWindowFields days={days} />
      </div>
      {log.error ? <ErrorNote error={log.error} /> : null}
      {log.items === undefined ? (
        log.error ? null : (
          <Loading />
        )
      ) : (
        <div data-loaded="audit">
          <DataTable
            rows={log.items}
            rowKey={(e) => String(e.id)}
            empty={filtered ? t('audit.noneMatch') : t('audit.none')}
            columns={[
              { key: 'id', label: '#', render: (e) => <span className="muted">{e.id}</span>, wide: true },
              { key: 'at', label: t('common.time'), render: (e) => <span className="nowrap">{dateTime(e.at, lang, zone)}</span> },
              {
                key: 'action',
                label: t('audit.action'),
                render: (e) => (
                  <NamedCode className="audit-action" data-action={e.action} name={actionLabel(e.action)} code={e.action} />
                ),
              },
              { key: 'target', label: t('audit.target'), render: (e) => (e.target ? <code>{e.target}</code> : '—') },
              { key: 'actor', label: t('audit.actor'), render: (e) => <ApiKeyName id={e.actor} labels={labels} /> },
              {
                key: 'reason',
                label: t('adjustments.reason'),
                render: (e) => (e.reason ? <span className="reason">{e.reason}</span> : '—'),
              },
              { key: 'details', label: t('audit.details'), render: (e) => <Details entry={e} /> },
            ]}
          />
          <MoreButton hasMore={log.hasMore} loading={log.loading} onMore={log.more} />
        </div>
      )}
    </Card>
  );
}

/** An entry's details: the member (a link) and the amount when it names them, the rest as JSON. */
function Details({ entry }: { entry: Entry }) {
  const { t } = useI18n();
  const { me } = useSession();
  const { member, amount } = entry.details;
  const keys = Object.keys(entry.details);
  if (keys.length === 0) return <span className="muted">—</span>;
  return (
    <span className="audit-details">
      {typeof member === 'string' ? <Link to={`/members/${encodeURIComponent(member)}`}>{member}</Link> : null}
      {typeof amount === 'string' ? <strong> {money(amount, me!.tenant.currency)}</strong> : null}
      <JsonView value={entry.details} summary={t('events.show')} />
    </span>
  );
}

// Every action has its label in both languages (a new action without one fails the type check here).
type ActionKey = `audit.action.${(typeof AUDIT_ACTIONS)[number]}`;
const labelled: ActionKey extends MessageKey ? true : never = true;
void labelled;
