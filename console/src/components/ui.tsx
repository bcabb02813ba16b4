import type { ReactNode } from 'react';
import { ApiFailure } from '../api/client';
import { useAudience } from '../auth/session';
import { useI18n } from '../i18n/i18n';

export function PageHeader({ title, subtitle, actions }: { title: string; subtitle?: ReactNode; actions?: ReactNode }) {
  return (
    <header className="page-header">
      <div>
        <h1>{title}</h1>
        {subtitle ? <p className="muted">{subtitle}</p> : null}
      </div>
      {actions ? <div className="page-actions">{actions}</div> : null}
    </header>
  );
}

export function Card({
  title,
  actions,
  children,
  className,
}: {
  title?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  className?: string;
}) {
  return (
    <section className={`card ${className ?? ''}`}>
      {title || actions ? (
        <div className="card-head">
          {title ? <h2>{title}</h2> : <span />}
          {actions}
        </div>
      ) : null}
      {children}
    </section>
  );
}

export function Stat({
  label,
  value,
  hint,
  tone,
}: {
  label: string;
  value: ReactNode;
  hint?: ReactNode;
  tone?: 'accent' | 'good' | 'warn';
}) {
  return (
    <div className={`stat ${tone ? `stat-${tone}` : ''}`}>
      <div className="stat-label">{label}</div>
      <div className="stat-value">{value}</div>
      {hint ? <div className="stat-hint">{hint}</div> : null}
    </div>
  );
}

export function Badge({
  children,
  tone = 'plain',
  title,
}: {
  children: ReactNode;
  tone?: 'plain' | 'good' | 'warn' | 'bad' | 'info';
  title?: string;
}) {
  return (
    <span className={`badge badge-${tone}`} title={title}>
      {children}
    </span>
  );
}

export function Loading() {
  const { t } = useI18n();
  return (
    <div className="loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {t('common.loading')}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

/** An error as a person reads it: a refused key, a missing thing, or the API's message. */
export function ErrorNote({ error }: { error: unknown }) {
  const { t, nameOf } = useI18n();
  const audience = useAudience();
  if (!error) return null;
  let text: string;
  let headline: string | null = null;
  if (error instanceof ApiFailure) {
    // A leader is refused what is not theirs (another member, an operator's page): say so plainly.
    if (error.status === 403) text = t(audience === 'leader' ? 'error.leaderForbidden' : 'error.forbidden');
    else if (error.status === 0) text = t('error.network', { message: error.message });
    else {
      // The server's message is English; the code's name says what happened in the console's language.
      const name = nameOf('errorCode', error.code);
      headline = name === null ? null : t('error.codeTitle', { name });
      text = `${error.message}${error.path && error.path.length ? ` (${error.path.join('.')})` : ''}`;
    }
  } else text = error instanceof Error ? error.message : String(error);
  return (
    <div className="error-note" role="alert" data-code={error instanceof ApiFailure ? error.code : undefined}>
      {/* (The title ends with its language's colon: '：' wants no space after it, ': ' has its own.) */}
      <strong>{headline ?? t('error.title')}</strong>
      {text}
    </div>
  );
}

/** Shows the loading state, the error, or the content of an async load. */
export function Async<T>({
  state,
  children,
}: {
  state: { data: T | undefined; error: unknown; loading: boolean };
  children: (data: T) => ReactNode;
}) {
  if (state.data === undefined) return state.error ? <ErrorNote error={state.error} /> : <Loading />;
  return (
    <>
      {state.error ? <ErrorNote error={state.error} /> : null}
      {children(state.data)}
    </>
  );
}

export function JsonView({ value, summary }: { value: unknown; summary: string }) {
  return (
    <details className="json">
      <summary>{summary}</summary>
      <pre>{JSON.stringify(value, null, 2)}</pre>
    </details>
  );
}
