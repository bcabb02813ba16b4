import { useState, type FormEvent } from 'react';
import { LanguageSwitch } from '../app/Shell';
import { ApiFailure } from '../api/client';
import { memberTokenFrom, useSession, type Audience } from '../auth/session';
import { useI18n } from '../i18n/i18n';

/**
 * Operators sign in with a tenant API key, leaders (团长) with the member token an operator gave
 * them (or by opening their sign-in link, which lands here only when it did not work). Either is
 * kept in sessionStorage: gone when the tab closes.
 */
export default function SignInPage() {
  const { t } = useI18n();
  const { signIn, linkError } = useSession();
  const [tab, setTab] = useState<Audience>(linkError ? 'leader' : 'operator');
  const [secret, setSecret] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(linkError);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(
        tab === 'operator'
          ? { kind: 'operator', apiKey: secret.trim() }
          : { kind: 'leader', memberToken: memberTokenFrom(secret) },
      );
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }

  const choose = (next: Audience) => {
    setTab(next);
    setSecret('');
    setError(null);
  };
  const leader = tab === 'leader';
  const message =
    error === null || error === undefined
      ? null
      : error instanceof ApiFailure && error.status === 401
        ? t(leader ? 'signIn.badToken' : 'signIn.badKey')
        : error instanceof Error
          ? error.message
          : String(error);

  return (
    <div className="signin">
      <div className="signin-lang">
        <LanguageSwitch />
      </div>
      <form className="signin-card card" onSubmit={submit}>
        <div className="brand big">
          <span className="logo" aria-hidden="true">
            佣
          </span>
          <span>
            <strong>{t('app.name')}</strong>
            <small>{t(leader ? 'signIn.leaderTagline' : 'signIn.tagline')}</small>
          </span>
        </div>
        <div className="tabs" role="tablist">
          {(['operator', 'leader'] as const).map((option) => (
            <button
              key={option}
              type="button"
              role="tab"
              aria-selected={tab === option}
              className={tab === option ? 'on' : ''}
              onClick={() => choose(option)}
            >
              {t(option === 'operator' ? 'signIn.operator' : 'signIn.leader')}
            </button>
          ))}
        </div>
        <label className="field">
          <span>{t(leader ? 'signIn.memberToken' : 'signIn.apiKey')}</span>
          <input
            key={tab}
            name={leader ? 'memberToken' : 'apiKey'}
            type="password"
            autoComplete="off"
            spellCheck={false}
            placeholder={leader ? 'fym_…' : 'fyk_…'}
            value={secret}
            onChange={(event) => setSecret(event.target.value)}
            required
            autoFocus
          />
        </label>
        <p className="muted small">{t(leader ? 'signIn.tokenHint' : 'signIn.keyHint')}</p>
        {message ? (
          <div className="error-note" role="alert">
            {message}
          </div>
        ) : null}
        <button type="submit" className="primary wide" disabled={busy || !secret.trim()}>
          {busy ? t('signIn.checking') : t('signIn.submit')}
        </button>
      </form>
    </div>
  );
}
