import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, ApiFailure, configureApi, ok, type Reply } from '../api/client';

/**
 * Who is signed in. An operator signs in with a tenant API key; a leader (团长) will sign in with a
 * member token once the API has one (the `leader` variant is the seam: its pages are the routes
 * whose audience includes 'leader', see app/routes.ts).
 */
export type Credential =
  | { readonly kind: 'operator'; readonly apiKey: string }
  | { readonly kind: 'leader'; readonly memberToken: string; readonly member: string };
export type Audience = Credential['kind'];
export type Me = Reply<'/v1/me'>;

const STORAGE_KEY = 'fenyong.session';

function load(): Credential | null {
  try {
    const parsed = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? 'null') as Credential | null;
    return parsed && (parsed.kind === 'operator' || parsed.kind === 'leader') ? parsed : null;
  } catch {
    return null;
  }
}

const tokenOf = (credential: Credential | null) =>
  credential === null ? null : credential.kind === 'operator' ? credential.apiKey : credential.memberToken;

interface SessionState {
  readonly credential: Credential | null;
  /** The tenant and key scope, once GET /v1/me answered. */
  readonly me: Me | null;
  readonly checking: boolean;
  /** Checks the key with GET /v1/me, then keeps it in sessionStorage (gone when the tab closes). */
  signIn(credential: Credential): Promise<void>;
  signOut(): void;
  /** True when the key's scope allows `need` (admin ⊃ ingest ⊃ read). */
  can(need: 'admin' | 'ingest' | 'read'): boolean;
}

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [credential, setCredential] = useState<Credential | null>(load);
  const [me, setMe] = useState<Me | null>(null);
  const [checking, setChecking] = useState(() => load() !== null);

  const signOut = useCallback(() => {
    sessionStorage.removeItem(STORAGE_KEY);
    setCredential(null);
    setMe(null);
  }, []);

  // The API client reads the token of the current session and signs out on a 401.
  useEffect(() => configureApi({ credential: () => tokenOf(load()), onUnauthorized: signOut }), [signOut]);

  useEffect(() => {
    if (!credential || me) return;
    let live = true;
    setChecking(true);
    ok(api.GET('/v1/me'))
      .then((answer) => live && setMe(answer))
      .catch((error: unknown) => {
        if (live && error instanceof ApiFailure && (error.status === 401 || error.status === 403)) signOut();
      })
      .finally(() => live && setChecking(false));
    return () => {
      live = false;
    };
  }, [credential, me, signOut]);

  const signIn = useCallback(async (next: Credential) => {
    if (next.kind === 'leader') throw new ApiFailure(400, 'invalid', 'leader sign-in is not available yet');
    const answer = await ok(api.GET('/v1/me', { headers: { authorization: `Bearer ${next.apiKey}` } }));
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(next));
    setMe(answer);
    setCredential(next);
  }, []);

  const value = useMemo<SessionState>(() => {
    const rank = { read: 0, ingest: 1, admin: 2 } as const;
    return {
      credential,
      me,
      checking,
      signIn,
      signOut,
      can: (need) => (me ? rank[me.key.scope] >= rank[need] : false),
    };
  }, [credential, me, checking, signIn, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}
