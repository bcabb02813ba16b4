import { useEffect, useRef, type ReactNode } from 'react';
import { useSession } from '../auth/session';
import { LANGS, useI18n, type Lang } from '../i18n/i18n';
import { Link } from './router';
import { PAGES } from './routes';

const LANG_NAMES: Record<Lang, string> = { 'zh-CN': '中文', en: 'EN' };

export function LanguageSwitch() {
  const { lang, setLang, t } = useI18n();
  return (
    <div className="lang-switch" role="group" aria-label={t('shell.language')}>
      {LANGS.map((option) => (
        <button
          key={option}
          type="button"
          aria-pressed={lang === option}
          className={lang === option ? 'on' : ''}
          onClick={() => setLang(option)}
          lang={option}
        >
          {LANG_NAMES[option]}
        </button>
      ))}
    </div>
  );
}

export function Shell({ current, children }: { current: string | null; children: ReactNode }) {
  const { t } = useI18n();
  const { me, credential, signOut } = useSession();
  const audience = credential?.kind ?? 'operator';
  const nav = PAGES.filter((page) => page.nav && page.audience.includes(audience));
  const bar = useRef<HTMLElement>(null);
  // On a phone the tabs scroll sideways: the current one is brought into view (only the bar moves).
  useEffect(() => {
    const tab = bar.current?.querySelector<HTMLElement>('[aria-current="page"]');
    if (!bar.current || !tab) return;
    const box = bar.current.getBoundingClientRect();
    const place = tab.getBoundingClientRect();
    if (place.left < box.left || place.right > box.right)
      bar.current.scrollLeft += place.left - box.left - (box.width - place.width) / 2;
  }, [current]);
  return (
    <div className="shell">
      <header className="topbar">
        <Link to="/" className="brand">
          <span className="logo" aria-hidden="true">
            佣
          </span>
          <span>
            <strong>{t('app.name')}</strong>
            <small>{me?.tenant.name}</small>
          </span>
        </Link>
        <div className="topbar-end">
          <span className="scope" title={t('shell.keyScope')}>
            {t(`scope.${me?.key.scope ?? 'read'}`)}
            {me?.member ? <span data-signed-in-member> · {me.member.id}</span> : null}
          </span>
          <LanguageSwitch />
          <button type="button" className="ghost" onClick={signOut}>
            {t('shell.signOut')}
          </button>
        </div>
      </header>
      <nav className="nav" ref={bar} aria-label={t('shell.navigation')}>
        {nav.map((page) => (
          <Link
            key={page.id}
            to={page.path}
            className={current === page.id ? 'active' : ''}
            aria-current={current === page.id ? 'page' : undefined}
          >
            <span aria-hidden="true">{page.nav!.icon}</span>
            {t(page.nav!.label)}
          </Link>
        ))}
      </nav>
      <main className="main">{children}</main>
    </div>
  );
}
