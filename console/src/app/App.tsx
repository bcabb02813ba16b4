import { useEffect, useState } from 'react';
import { LEADER_LINK_PATH, useSession } from '../auth/session';
import { ErrorNote, Loading } from '../components/ui';
import { useI18n } from '../i18n/i18n';
import SignInPage from '../pages/SignInPage';
import { navigate, useLocation } from './router';
import { findPage, loadPage, pageModule } from './routes';
import { Shell } from './Shell';

export function App() {
  const { credential, me, checking } = useSession();
  const { pathname } = useLocation();
  const { t } = useI18n();
  const found = findPage(pathname, credential?.kind ?? 'operator');
  const [failed, setFailed] = useState<unknown>(null);
  const [, setReady] = useState(0);
  // Fetch the page's chunk right away, in parallel with the session check.
  useEffect(() => {
    if (found && !pageModule(found.page)) loadPage(found.page).then(() => setReady((n) => n + 1), setFailed);
  }, [found?.page]);
  // After a sign-in link, the leader lands on their home (the link's path means nothing more).
  useEffect(() => {
    if (credential && pathname === LEADER_LINK_PATH) navigate('/', { replace: true });
  }, [credential, pathname]);

  if (!credential) return checking ? <Loading /> : <SignInPage />;
  if (!me) return checking ? <Loading /> : <SignInPage />;
  if (pathname === LEADER_LINK_PATH) return <Loading />;
  const Page = found ? pageModule(found.page) : undefined;
  return (
    <Shell current={found?.page.id ?? null}>
      {!found ? (
        <div className="card">
          <h1>{t('notFound.title')}</h1>
          <p className="muted">{t('notFound.body', { path: pathname })}</p>
        </div>
      ) : Page ? (
        <Page key={found.page.id} params={found.params} />
      ) : failed ? (
        <ErrorNote error={failed} />
      ) : (
        <Loading />
      )}
    </Shell>
  );
}
