import { useEffect, useState } from 'react';
import { api, ok, type Reply } from '../../api/client';
import { useSession } from '../../auth/session';
import { Card, ErrorNote } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { dateTime } from '../../lib/format';
import { useAsync } from '../../lib/useAsync';

type Payee = Reply<'/v1/members/{id}/payee'>;

/**
 * A member's payee details (real name and account) for payout batches: shown masked, set or
 * replaced by an operator (admin key). Without them a batch skips the member's withdrawals.
 */
export function MemberPayee({ member }: { member: string }) {
  const { t, lang } = useI18n();
  const { me } = useSession();
  const zone = me!.tenant.timezone;
  const [editing, setEditing] = useState(false);
  const [realName, setRealName] = useState('');
  const [account, setAccount] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  // A refusal is of what was sent: it goes once the fields change or the form closes.
  useEffect(() => setFailure(null), [realName, account, editing]);
  // No details yet is a normal answer (null), not a failed request: none is logged in the browser.
  const payee = useAsync(
    (): Promise<Payee> => ok(api.GET('/v1/members/{id}/payee', { params: { path: { id: member }, query: { ifNone: 'null' } } })),
    [member],
  );

  async function save() {
    setBusy(true);
    setFailure(null);
    try {
      await ok(
        api.PUT('/v1/members/{id}/payee', {
          params: { path: { id: member } },
          body: { realName: realName.trim(), account: account.trim() },
        }),
      );
      setEditing(false);
      setRealName('');
      setAccount('');
      payee.reload();
    } catch (error) {
      setFailure(error);
    } finally {
      setBusy(false);
    }
  }

  const loaded = payee.data !== undefined;
  const current = payee.data ?? null;
  return (
    <Card
      title={t('payee.title')}
      actions={
        editing ? null : (
          <button type="button" onClick={() => setEditing(true)}>
            {current ? t('payee.change') : t('payee.add')}
          </button>
        )
      }
    >
      {payee.error ? <ErrorNote error={payee.error} /> : null}
      {loaded ? (
        current ? (
          <dl className="facts" data-payee="set">
            <div>
              <dt>{t('payee.realName')}</dt>
              <dd>{current.realName}</dd>
            </div>
            <div>
              <dt>{t('payee.account')}</dt>
              <dd>
                <code>{current.account}</code>
              </dd>
            </div>
            <div>
              <dt>{t('payee.updatedAt')}</dt>
              <dd>{dateTime(current.updatedAt, lang, zone)}</dd>
            </div>
          </dl>
        ) : (
          <p className="muted small" data-payee="none">
            {t('payee.none')}
          </p>
        )
      ) : null}
      {editing ? (
        <form
          className="stack"
          onSubmit={(event) => {
            event.preventDefault();
            void save();
          }}
        >
          <label className="field">
            <span>{t('payee.realName')}</span>
            <input value={realName} onChange={(event) => setRealName(event.target.value)} maxLength={100} required />
          </label>
          <label className="field">
            <span>{t('payee.account')}</span>
            <input
              value={account}
              onChange={(event) => setAccount(event.target.value)}
              maxLength={100}
              autoComplete="off"
              required
            />
          </label>
          <p className="muted small">{t('payee.hint')}</p>
          {failure ? <ErrorNote error={failure} /> : null}
          <div className="row">
            <button type="submit" className="primary" disabled={busy || !realName.trim() || !account.trim()}>
              {t('payee.save')}
            </button>
            <button type="button" onClick={() => setEditing(false)}>
              {t('payee.cancel')}
            </button>
          </div>
        </form>
      ) : null}
    </Card>
  );
}
