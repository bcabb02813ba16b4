import { useEffect, useState } from 'react';
import { api, ok, type Reply } from '../api/client';
import { useQueryParam } from '../app/router';
import { useSession } from '../auth/session';
import { DataTable } from '../components/DataTable';
import { ErrorCode } from '../components/ErrorCode';
import { NamedCode } from '../components/NamedCode';
import { Async, Badge, Card, ErrorNote, JsonView, PageHeader } from '../components/ui';
import { useI18n } from '../i18n/i18n';
import type { MessageKey } from '../i18n/zh-CN';
import { dateTime } from '../lib/format';
import { useAsync, useDebounced } from '../lib/useAsync';
import { summary } from './events/summary';
import { ERROR_CODES } from '../../../src/domain/errors.ts';
import { LOGGED_EVENT_TYPES } from '../../../src/domain/event-types.ts';

type LoggedEvent = Reply<'/v1/events'>['events'][number];
type Rejected = Reply<'/v1/events/rejected'>['rejected'][number];

const PAGE = 50;

/** The event log (newest first, filtered) and the rejected events with how to fix each. */
export default function EventsPage() {
  const { t } = useI18n();
  const [tab, setTab] = useQueryParam('tab');
  const rejected = tab === 'rejected';
  return (
    <div data-page="events">
      <PageHeader
        title={t('events.title')}
        subtitle={t('events.subtitle')}
        actions={
          <div className="segmented" role="tablist">
            <button
              type="button"
              role="tab"
              aria-selected={!rejected}
              className={!rejected ? 'on' : ''}
              onClick={() => setTab(null)}
            >
              {t('events.log')}
            </button>
            <button
              type="button"
              role="tab"
              aria-selected={rejected}
              className={rejected ? 'on' : ''}
              onClick={() => setTab('rejected')}
            >
              {t('events.rejected')}
            </button>
          </div>
        }
      />
      {rejected ? <RejectedList /> : <EventLog />}
    </div>
  );
}

function EventLog() {
  const { t, lang, nameOf } = useI18n();
  const { me } = useSession();
  const { currency, timezone: zone } = me!.tenant;
  const [type, setType] = useQueryParam('type');
  const typeName = (name: string): string => nameOf('eventType', name) ?? name;
  const [order, setOrder] = useState('');
  const [member, setMember] = useState('');
  const filters = useDebounced({ order: order.trim(), member: member.trim() }, 300);
  const [pages, setPages] = useState<LoggedEvent[][]>([]);
  const [before, setBefore] = useState<number | undefined>(undefined);
  const key = `${type}|${filters.order}|${filters.member}`;
  useEffect(() => {
    setPages([]);
    setBefore(undefined);
  }, [key]);
  const state = useAsync(
    () =>
      ok(
        api.GET('/v1/events', {
          params: {
            query: {
              sort: 'desc',
              limit: PAGE,
              ...(before ? { before } : {}),
              ...(type ? { type } : {}),
              ...(filters.order ? { order: filters.order } : {}),
              ...(filters.member ? { member: filters.member } : {}),
            },
          },
        }),
      ),
    [key, before],
  );
  useEffect(() => {
    if (state.data) setPages((previous) => (before === undefined ? [state.data!.events] : [...previous, state.data!.events]));
  }, [state.data]);
  const events = pages.flat();
  const last = events.at(-1);
  return (
    <Card>
      <div className="filters">
        <label className="inline-field">
          <span>{t('common.type')}</span>
          <select value={type} onChange={(event) => setType(event.target.value)}>
            <option value="">{t('common.all')}</option>
            {LOGGED_EVENT_TYPES.map((option) => (
              <option key={option} value={option}>
                {typeName(option)} ({option})
              </option>
            ))}
          </select>
        </label>
        <label className="inline-field">
          <span>{t('events.order')}</span>
          <input type="search" value={order} onChange={(event) => setOrder(event.target.value)} placeholder="D00001" />
        </label>
        <label className="inline-field">
          <span>{t('events.member')}</span>
          <input type="search" value={member} onChange={(event) => setMember(event.target.value)} placeholder="L111" />
        </label>
      </div>
      {state.error ? <ErrorNote error={state.error} /> : null}
      <div data-loaded={pages.length ? 'events' : undefined}>
        <DataTable
          rows={events}
          rowKey={(e) => String(e.seq)}
          empty={state.loading ? t('common.loading') : t('events.none')}
          columns={[
            { key: 'seq', label: '#', render: (e) => <span className="muted">{e.seq}</span>, wide: true },
            { key: 'at', label: t('common.time'), render: (e) => <span className="nowrap">{dateTime(e.at, lang, zone)}</span> },
            {
              key: 'type',
              label: t('common.type'),
              render: (e) => (
                <span title={e.type}>
                  <Badge tone={e.type.startsWith('order') ? 'info' : 'plain'}>{typeName(e.type)}</Badge>
                </span>
              ),
            },
            { key: 'summary', label: t('events.summary'), render: (e) => summary(e, { t, currency, lang, zone, nameOf }) },
            { key: 'source', label: t('events.source'), render: (e) => <span className="muted">{e.source}</span>, wide: true },
            {
              key: 'payload',
              label: t('events.payload'),
              render: (e) => <JsonView value={e.payload} summary={t('events.show')} />,
            },
          ]}
        />
      </div>
      {state.data && state.data.events.length === PAGE && last ? (
        <button type="button" className="ghost" disabled={state.loading} onClick={() => setBefore(last.seq)}>
          {t('events.older')}
        </button>
      ) : null}
    </Card>
  );
}

function RejectedList() {
  const { t, lang, nameOf } = useI18n();
  const { me } = useSession();
  const state = useAsync(() => ok(api.GET('/v1/events/rejected', { params: { query: { limit: 200 } } })), []);
  const hint = (code: string): string =>
    (ERROR_CODES as readonly string[]).includes(code) ? t(`fix.${code}` as MessageKey) : t('fix.other');
  return (
    <Async state={state}>
      {({ rejected }) => (
        <Card>
          <p className="muted small">{t('events.rejectedHint')}</p>
          <div data-loaded="rejected">
            <DataTable
              rows={rejected}
              rowKey={(r: Rejected) => String(r.id)}
              empty={t('events.noRejected')}
              columns={[
                {
                  key: 'at',
                  label: t('common.received'),
                  render: (r) => <span className="nowrap">{dateTime(r.receivedAt, lang, me!.tenant.timezone)}</span>,
                },
                {
                  key: 'type',
                  label: t('common.type'),
                  // Named as the log names it; the code as sent follows (a type the API does not know has no name).
                  render: (r) =>
                    r.type ? (
                      <NamedCode className="rejected-type" data-type={r.type} name={nameOf('eventType', r.type)} code={r.type} />
                    ) : (
                      '—'
                    ),
                },
                {
                  key: 'error',
                  label: t('common.error'),
                  render: (r) => (
                    <div className="rejection">
                      <ErrorCode code={r.code} /> {r.message}
                      {Array.isArray(r.path) && r.path.length ? <code className="muted"> @ {r.path.join('.')}</code> : null}
                    </div>
                  ),
                },
                { key: 'fix', label: t('events.fix'), render: (r) => <span className="fix">{hint(r.code)}</span> },
                {
                  key: 'payload',
                  label: t('events.payload'),
                  render: (r) => <JsonView value={r.payload} summary={t('events.show')} />,
                },
              ]}
            />
          </div>
          <p className="muted small">
            {t('events.resend')} <a href="/docs">/docs</a>
          </p>
        </Card>
      )}
    </Async>
  );
}
