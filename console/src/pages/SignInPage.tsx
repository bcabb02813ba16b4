import { useState, type FormEvent } from 'react';
import { LanguageSwitch } from '../app/Shell';
import { ApiFailure } from '../api/client';
import { useSession } from '../auth/session';
import { useI18n } from '../i18n/i18n';

/**
 * Operators sign in with a tenant API key (kept in sessionStorage: gone when the tab closes).
 * Leaders will sign in with a member token: the tab is there, disabled until the API issues them.
 */
export default function SignInPage() {
  const { t } = useI18n();
  const { signIn } = useSession();
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn({ kind: 'operator', apiKey: key.trim() });
    } catch (failure) {
      setError(
        failure instanceof ApiFailure && failure.status === 401
          ? t('signIn.badKey')
          : failure instanceof Error
            ? failure.message
            : String(failure),
      );
    } finally {
      setBusy(false);
    }
  }

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
            <small>{t('signIn.tagline')}</small>
          </span>
        </div>
        <div className="tabs" role="tablist">
          <button type="button" role="tab" aria-selected="true" className="on">
            {t('signIn.operator')}
          </button>
          <button type="button" role="tab" aria-selected="false" disabled title={t('signIn.leaderSoon')}>
            {t('signIn.leader')}
          </button>
        </div>
        <label className="field">
          <span>{t('signIn.apiKey')}</span>
          <input
            name="apiKey"
            type="password"
            autoComplete="off"
            spellCheck={false}
            placeholder="fyk_…"
            value={key}
            onChange={(event) => setKey(event.target.value)}
            required
            autoFocus
          />
        </label>
        <p className="muted small">{t('signIn.keyHint')}</p>
        {error ? (
          <div className="error-note" role="alert">
            {error}
          </div>
        ) : null}
        <button type="submit" className="primary wide" disabled={busy || !key.trim()}>
          {busy ? t('signIn.checking') : t('signIn.submit')}
        </button>
        <p className="muted small">{t('signIn.leaderSoon')}</p>
      </form>
    </div>
  );
}
