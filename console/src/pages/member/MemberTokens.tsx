import { useRef, useState } from 'react';
import { api, ok, type Reply } from '../../api/client';
import { useSession } from '../../auth/session';
import { DataTable } from '../../components/DataTable';
import { Badge, Card, ErrorNote } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { dateTime } from '../../lib/format';
import { useAsync } from '../../lib/useAsync';

type Issued = Reply<'/v1/members/{id}/tokens', 'post'>;
type Listed = Reply<'/v1/members/{id}/tokens'>['tokens'][number];
const DAYS = [7, 30, 90, 365] as const;

/**
 * An operator (admin key) gives a leader their sign-in: a member token, shown once as a link to
 * send them (the token is in the link's fragment), and revokes it when it should stop working.
 */
export function MemberTokens({ member }: { member: string }) {
  const { t, lang } = useI18n();
  const { me } = useSession();
  const zone = me!.tenant.timezone;
  const [version, setVersion] = useState(0);
  const [days, setDays] = useState<number>(30);
  const [issued, setIssued] = useState<Issued | null>(null);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  const tokens = useAsync(() => ok(api.GET('/v1/members/{id}/tokens', { params: { path: { id: member } } })), [member, version]);

  async function act(work: () => Promise<void>) {
    setBusy(true);
    setFailure(null);
    try {
      await work();
      setVersion((n) => n + 1);
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  }
  const issue = () =>
    act(async () => {
      setIssued(
        await ok(api.POST('/v1/members/{id}/tokens', { params: { path: { id: member } }, body: { expiresInDays: days } })),
      );
    });
  const revoke = (token: Listed) =>
    act(async () => {
      await ok(api.DELETE('/v1/members/{id}/tokens/{tokenId}', { params: { path: { id: member, tokenId: token.id } } }));
      if (issued?.id === token.id) setIssued(null);
    });
  const status = (token: Listed) =>
    token.revokedAt ? (
      <Badge tone="bad">{t('tokens.revoked')}</Badge>
    ) : Date.parse(token.expiresAt) <= Date.now() ? (
      <Badge tone="plain">{t('tokens.expired')}</Badge>
    ) : (
      <Badge tone="good">{t('tokens.active')}</Badge>
    );

  return (
    <Card
      title={t('tokens.title')}
      actions={
        <div className="row">
          <label className="inline-field">
            <span>{t('tokens.validFor')}</span>
            <select value={days} onChange={(event) => setDays(Number(event.target.value))} aria-label={t('tokens.validFor')}>
              {DAYS.map((n) => (
                <option key={n} value={n}>
                  {t('tokens.days', { n })}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="primary" disabled={busy} onClick={issue}>
            {t('tokens.issue')}
          </button>
        </div>
      }
    >
      <p className="muted small">{t('tokens.hint')}</p>
      {issued ? <IssuedLink issued={issued} /> : null}
      <ErrorNote error={failure ?? tokens.error} />
      <DataTable
        rows={tokens.data?.tokens ?? []}
        rowKey={(token) => token.id}
        empty={t('tokens.none')}
        columns={[
          { key: 'id', label: t('tokens.id'), render: (token) => <code>{token.id}</code> },
          { key: 'created', label: t('tokens.created'), render: (token) => dateTime(token.createdAt, lang, zone) },
          { key: 'expires', label: t('tokens.expires'), render: (token) => dateTime(token.expiresAt, lang, zone) },
          { key: 'status', label: t('common.status'), render: status },
          {
            key: 'revoke',
            label: '',
            render: (token) =>
              token.revokedAt ? null : (
                <button type="button" className="ghost small" disabled={busy} onClick={() => revoke(token)}>
                  {t('tokens.revoke')}
                </button>
              ),
          },
        ]}
      />
    </Card>
  );
}

/** The link just issued, shown this once, with a copy button. */
function IssuedLink({ issued }: { issued: Issued }) {
  const { t } = useI18n();
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState(false);
  const link = `${location.origin}${issued.link}`;
  async function copy() {
    try {
      await navigator.clipboard.writeText(link);
    } catch {
      // Without clipboard access (plain http, no permission): select it for Ctrl+C.
      input.current?.select();
      document.execCommand('copy');
    }
    setCopied(true);
  }
  return (
    <div className="issued-link" role="status">
      <strong>{t('tokens.issuedOnce')}</strong>
      <div className="row">
        <input
          ref={input}
          readOnly
          value={link}
          aria-label={t('tokens.link')}
          data-leader-link
          onFocus={(e) => e.target.select()}
        />
        <button type="button" onClick={copy}>
          {copied ? t('tokens.copied') : t('tokens.copy')}
        </button>
      </div>
    </div>
  );
}
