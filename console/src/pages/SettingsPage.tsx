import { useState, type FormEvent } from 'react';
import { api, ok, type Reply } from '../api/client';
import type { paths } from '../api/client';
import { useSession } from '../auth/session';
import { DataTable } from '../components/DataTable';
import { Async, Badge, Card, Empty, ErrorNote, JsonView, PageHeader } from '../components/ui';
import { useI18n } from '../i18n/i18n';
import { dateTime } from '../lib/format';
import { useAsync } from '../lib/useAsync';
import { AuditLog } from './settings/AuditLog';

type Webhook = Reply<'/v1/webhooks'>['webhooks'][number];
type Topic = NonNullable<
  NonNullable<paths['/v1/webhooks']['post']['requestBody']>['content']['application/json']['topics']
>[number];
const TOPICS = [
  'award.created',
  'award.adjusted',
  'award.settled',
  'award.reversed',
  'level.changed',
  'withdrawal.accepted',
  'withdrawal.approved',
  'withdrawal.paid',
  'withdrawal.rejected',
  'withdrawal.failed',
] as const satisfies readonly Topic[];
// Every topic the API offers is listed above (after `npm run gen:api`, a new one fails the type check here).
const everyTopic: Exclude<Topic, (typeof TOPICS)[number]> extends never ? true : never = true;
void everyTopic;
const SCOPES = ['read', 'ingest', 'admin'] as const;

/** Webhooks with their delivery log, API keys, the ledger check and the audit log. */
export default function SettingsPage() {
  const { t } = useI18n();
  const { can } = useSession();
  return (
    <div data-page="settings" className="stack">
      <PageHeader title={t('settings.title')} subtitle={t('settings.subtitle')} />
      <Webhooks />
      {can('admin') ? (
        <Keys />
      ) : (
        <Card title={t('settings.keys')}>
          <Empty>{t('error.forbidden')}</Empty>
        </Card>
      )}
      {can('admin') ? <Verify /> : null}
      <AuditLog />
    </div>
  );
}

/** A secret shown once, with a copy button. */
function Secret({ label, value, onDone }: { label: string; value: string; onDone: () => void }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  return (
    <div className="secret" role="status">
      <strong>{label}</strong>
      <code>{value}</code>
      <div className="row">
        <button
          type="button"
          className="ghost small"
          onClick={() =>
            navigator.clipboard?.writeText(value).then(
              () => setCopied(true),
              () => undefined,
            )
          }
        >
          {copied ? t('settings.copied') : t('settings.copy')}
        </button>
        <button type="button" className="ghost small" onClick={onDone}>
          {t('common.close')}
        </button>
      </div>
      <p className="muted small">{t('settings.shownOnce')}</p>
    </div>
  );
}

function Webhooks() {
  const { t } = useI18n();
  const { can } = useSession();
  const hooks = useAsync(() => ok(api.GET('/v1/webhooks')), []);
  const [open, setOpen] = useState<string | null>(null);
  const [url, setUrl] = useState('');
  const [topics, setTopics] = useState<string[]>([...TOPICS]);
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  async function add(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      const created = await ok(api.POST('/v1/webhooks', { body: { url, topics: topics as Topic[] } }));
      setSecret(created.secret);
      setUrl('');
      hooks.reload();
    } catch (failure) {
      setError(failure);
    }
  }
  async function remove(hook: Webhook) {
    if (!confirm(t('settings.removeConfirm', { url: hook.url }))) return;
    setError(null);
    try {
      await ok(api.DELETE('/v1/webhooks/{id}', { params: { path: { id: hook.id } } }));
      hooks.reload();
    } catch (failure) {
      setError(failure);
    }
  }

  return (
    <Card title={t('settings.webhooks')}>
      <p className="muted small">{t('settings.webhooksHint')}</p>
      {error ? <ErrorNote error={error} /> : null}
      {secret ? <Secret label={t('settings.webhookSecret')} value={secret} onDone={() => setSecret(null)} /> : null}
      <Async state={hooks}>
        {({ webhooks }) => (
          <div data-loaded="settings">
            <DataTable
              rows={webhooks}
              rowKey={(h) => h.id}
              selected={open}
              onRowClick={(h) => setOpen(open === h.id ? null : h.id)}
              empty={t('settings.noWebhooks')}
              columns={[
                { key: 'id', label: 'ID', render: (h) => <code>{h.id}</code> },
                { key: 'url', label: 'URL', render: (h) => <span className="break">{h.url}</span> },
                {
                  key: 'topics',
                  label: t('settings.topics'),
                  render: (h) => (
                    <span className="badges">
                      {h.topics.map((topic) => (
                        <Badge key={topic}>{topic}</Badge>
                      ))}
                    </span>
                  ),
                  wide: true,
                },
                {
                  key: 'actions',
                  label: '',
                  render: (h) => (
                    <span className="row">
                      <span className="link">{open === h.id ? t('settings.hideLog') : t('settings.showLog')}</span>
                      {can('admin') ? (
                        <button
                          type="button"
                          className="ghost small danger"
                          onClick={(event) => (event.stopPropagation(), void remove(h))}
                        >
                          {t('settings.remove')}
                        </button>
                      ) : null}
                    </span>
                  ),
                },
              ]}
            />
            {open ? <Deliveries id={open} /> : null}
          </div>
        )}
      </Async>
      {can('admin') ? (
        <form className="form" onSubmit={add}>
          <h3>{t('settings.addWebhook')}</h3>
          <label className="field">
            <span>URL</span>
            <input
              type="url"
              required
              placeholder="https://shop.example/fenyong"
              value={url}
              onChange={(event) => setUrl(event.target.value)}
            />
          </label>
          <fieldset className="checks">
            <legend>{t('settings.topics')}</legend>
            {TOPICS.map((topic) => (
              <label key={topic} className="check">
                <input
                  type="checkbox"
                  checked={topics.includes(topic)}
                  onChange={(event) => setTopics(event.target.checked ? [...topics, topic] : topics.filter((x) => x !== topic))}
                />
                {topic}
              </label>
            ))}
          </fieldset>
          <button type="submit" className="primary" disabled={!url || topics.length === 0}>
            {t('settings.add')}
          </button>
        </form>
      ) : null}
    </Card>
  );
}

function Deliveries({ id }: { id: string }) {
  const { t, lang } = useI18n();
  const { me } = useSession();
  const state = useAsync(
    () => ok(api.GET('/v1/webhooks/{id}/deliveries', { params: { path: { id }, query: { limit: 100 } } })),
    [id],
  );
  return (
    <div className="sub">
      <h3>{t('settings.deliveries', { id })}</h3>
      <Async state={state}>
        {({ deliveries }) => (
          <DataTable
            rows={deliveries}
            rowKey={(d) => String(d.outboxId)}
            empty={t('settings.noDeliveries')}
            columns={[
              { key: 'id', label: '#', render: (d) => <span className="muted">{d.outboxId}</span> },
              { key: 'topic', label: t('settings.topic'), render: (d) => <code>{d.topic}</code> },
              {
                key: 'status',
                label: t('common.status'),
                render: (d) => (
                  <Badge tone={d.status === 'delivered' ? 'good' : d.status === 'failed' ? 'bad' : 'warn'}>
                    {t(`delivery.${d.status as 'pending' | 'delivered' | 'failed'}`)}
                  </Badge>
                ),
              },
              { key: 'attempts', label: t('settings.attempts'), align: 'right', render: (d) => d.attempts },
              {
                key: 'last',
                label: t('settings.lastAnswer'),
                render: (d) => (d.lastError ? <span className="bad-text">{d.lastError}</span> : (d.lastStatus ?? '—')),
              },
              {
                key: 'at',
                label: t('settings.deliveredAt'),
                render: (d) => <span className="nowrap">{dateTime(d.deliveredAt, lang, me!.tenant.timezone)}</span>,
              },
              {
                key: 'payload',
                label: t('events.payload'),
                render: (d) => <JsonView value={d.payload} summary={t('events.show')} />,
              },
            ]}
          />
        )}
      </Async>
    </div>
  );
}

function Keys() {
  const { t, lang } = useI18n();
  const { me } = useSession();
  const keys = useAsync(() => ok(api.GET('/v1/keys')), []);
  const [scope, setScope] = useState<(typeof SCOPES)[number]>('read');
  const [label, setLabel] = useState('');
  const [created, setCreated] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  async function create(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      const answer = await ok(api.POST('/v1/keys', { body: { scope, ...(label ? { label } : {}) } }));
      setCreated(answer.key);
      setLabel('');
      keys.reload();
    } catch (failure) {
      setError(failure);
    }
  }
  async function revoke(id: string, keyLabel: string | null) {
    // The key as the operator named it (its id alone says little), with its id.
    const named = keyLabel ? t('settings.keyNamed', { label: keyLabel, id }) : id;
    if (!confirm(t('settings.revokeConfirm', { id: named }))) return;
    setError(null);
    try {
      await ok(api.DELETE('/v1/keys/{id}', { params: { path: { id } } }));
      // A secret still shown of the key just revoked is of no use any more.
      if (created?.startsWith(`fyk_${id}.`)) setCreated(null);
      keys.reload();
    } catch (failure) {
      setError(failure);
    }
  }

  return (
    <Card title={t('settings.keys')}>
      <p className="muted small">{t('settings.keysHint')}</p>
      {error ? <ErrorNote error={error} /> : null}
      {created ? <Secret label={t('settings.newKey')} value={created} onDone={() => setCreated(null)} /> : null}
      <Async state={keys}>
        {({ keys: list }) => (
          <DataTable
            rows={[...list].reverse()}
            rowKey={(k) => k.id}
            empty={t('settings.noKeys')}
            columns={[
              { key: 'id', label: 'ID', render: (k) => <code>{k.id}</code> },
              {
                key: 'scope',
                label: t('settings.scope'),
                render: (k) => (
                  <Badge tone={k.scope === 'admin' ? 'warn' : 'info'}>{t(`scope.${k.scope as (typeof SCOPES)[number]}`)}</Badge>
                ),
              },
              { key: 'label', label: t('settings.label'), render: (k) => k.label ?? '—' },
              {
                key: 'created',
                label: t('settings.created'),
                render: (k) => <span className="nowrap">{dateTime(k.createdAt, lang, me!.tenant.timezone)}</span>,
                wide: true,
              },
              {
                key: 'state',
                label: t('common.status'),
                render: (k) =>
                  k.revokedAt ? (
                    <Badge tone="bad">{t('settings.revoked')}</Badge>
                  ) : k.id === me!.key.id ? (
                    <Badge tone="good">{t('settings.thisKey')}</Badge>
                  ) : (
                    <button type="button" className="ghost small danger" onClick={() => void revoke(k.id, k.label ?? null)}>
                      {t('settings.revoke')}
                    </button>
                  ),
              },
            ]}
          />
        )}
      </Async>
      <form className="form row" onSubmit={create}>
        <label className="inline-field">
          <span>{t('settings.scope')}</span>
          <select value={scope} onChange={(event) => setScope(event.target.value as (typeof SCOPES)[number])}>
            {SCOPES.map((option) => (
              <option key={option} value={option}>
                {t(`scope.${option}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="inline-field">
          <span>{t('settings.label')}</span>
          <input
            value={label}
            maxLength={200}
            onChange={(event) => setLabel(event.target.value)}
            placeholder={t('settings.labelPlaceholder')}
          />
        </label>
        <button type="submit" className="primary">
          {t('settings.createKey')}
        </button>
      </form>
    </Card>
  );
}

function Verify() {
  const { t, nameOf } = useI18n();
  const checkName = (name: string): string => nameOf('verify.check', name) ?? name;
  const [run, setRun] = useState(0);
  const state = useAsync(run ? () => ok(api.GET('/v1/verify')) : null, [run]);
  return (
    <Card
      title={t('settings.verify')}
      actions={
        <button type="button" className="ghost" disabled={state.loading} onClick={() => setRun(run + 1)}>
          {state.loading ? t('common.loading') : t('settings.verifyRun')}
        </button>
      }
    >
      <p className="muted small">{t('settings.verifyHint')}</p>
      {state.error ? <ErrorNote error={state.error} /> : null}
      {state.data ? (
        <ul className="checks-list">
          {state.data.checks.map((check) => (
            <li key={check.name}>
              <Badge tone={check.ok ? 'good' : 'bad'}>{check.ok ? '✓' : '✗'}</Badge>{' '}
              <strong title={check.name}>{checkName(check.name)}</strong> <span className="muted">{check.detail}</span>
            </li>
          ))}
        </ul>
      ) : null}
    </Card>
  );
}
