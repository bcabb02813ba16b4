import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { api, ApiFailure, configureApi, ok, type Reply } from '../api/client';

/**
 * Who is signed in. An operator signs in with a tenant API key; a leader (团长) with a member token
 * an operator issued them, pasted or carried by their sign-in link (/leader#token=…). A leader's
 * pages are the routes whose audience includes 'leader' (app/routes.ts); the API lets the token
 * read only the leader's own data and downline.
 */
export type Credential =
  | { readonly kind: 'operator'; readonly apiKey: string }
  | { readonly kind: 'leader'; readonly memberToken: string; readonly member: string };
export type Audience = Credential['kind'];
export type Me = Reply<'/v1/me'>;

const STORAGE_KEY = 'fenyong.session';
/** The path of a leader's sign-in link; the token rides in the fragment, which reaches no server. */
export const LEADER_LINK_PATH = '/leader';

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

/**
 * The token of a sign-in link opened now, taken once when the console loads: the fragment is
 * cleared at once so that the token stays in no address bar, history entry or bookmark.
 */
function takeLinkToken(): string | null {
  if (location.pathname !== LEADER_LINK_PATH) return null;
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  history.replaceState(null, '', location.pathname + location.search);
  return token && token.trim() ? token.trim() : null;
}
const linkToken = takeLinkToken();

/** A member token from what a leader pasted: the token itself, or their whole sign-in link. */
export function memberTokenFrom(text: string): string {
  const trimmed = text.trim();
  const hash = trimmed.indexOf('#');
  const fromLink = hash >= 0 ? new URLSearchParams(trimmed.slice(hash + 1)).get('token') : null;
  return (fromLink ?? trimmed).trim();
}

interface SessionState {
  readonly credential: Credential | null;
  /** The tenant and key scope (and a leader's member), once GET /v1/me answered. */
  readonly me: Me | null;
  readonly checking: boolean;
  /** Why a sign-in link did not sign in (shown on the leader tab of the sign-in page). */
  readonly linkError: unknown;
  /** Checks the key or token with GET /v1/me, then keeps it in sessionStorage (gone when the tab closes). */
  signIn(credential: { kind: 'operator'; apiKey: string } | { kind: 'leader'; memberToken: string }): Promise<void>;
  signOut(): void;
  /** True when an operator's key scope allows `need` (admin ⊃ ingest ⊃ read); never for a leader. */
  can(need: 'admin' | 'ingest' | 'read'): boolean;
}

const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [credential, setCredential] = useState<Credential | null>(() => (linkToken ? null : load()));
  const [me, setMe] = useState<Me | null>(null);
  const [checking, setChecking] = useState(() => linkToken !== null || load() !== null);
  const [linkError, setLinkError] = useState<unknown>(null);

  const signOut = useCallback(() => {
    sessionStorage.removeItem(STORAGE_KEY);
    setCredential(null);
    setMe(null);
  }, []);

  // The API client reads the token of the current session and signs out on a 401.
  useEffect(() => configureApi({ credential: () => tokenOf(load()), onUnauthorized: signOut }), [signOut]);

  const signIn = useCallback<SessionState['signIn']>(async (next) => {
    const token = next.kind === 'operator' ? next.apiKey : next.memberToken;
    const answer = await ok(api.GET('/v1/me', { headers: { authorization: `Bearer ${token}` } }));
    const signedIn: Credential =
      next.kind === 'operator' ? next : { kind: 'leader', memberToken: next.memberToken, member: answer.member?.id ?? '' };
    // A key pasted on the leader tab (or a token on the operator tab) signs in as what it is.
    const kind = answer.key.scope === 'member' ? 'leader' : 'operator';
    const stored: Credential =
      kind === signedIn.kind
        ? signedIn
        : kind === 'leader'
          ? { kind, memberToken: token, member: answer.member?.id ?? '' }
          : { kind, apiKey: token };
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(stored));
    setMe(answer);
    setCredential(stored);
  }, []);

  // A sign-in link opened: sign in with its token (replacing any session of this tab).
  const linkTried = useRef(false);
  useEffect(() => {
    if (!linkToken || linkTried.current) return;
    linkTried.current = true;
    sessionStorage.removeItem(STORAGE_KEY);
    signIn({ kind: 'leader', memberToken: linkToken })
      .catch((error: unknown) => setLinkError(error))
      .finally(() => setChecking(false));
  }, [signIn]);

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

  const value = useMemo<SessionState>(() => {
    const rank = { member: -1, read: 0, ingest: 1, admin: 2 } as const;
    return {
      credential,
      me,
      checking,
      linkError,
      signIn,
      signOut,
      can: (need) => (me ? rank[me.key.scope] >= rank[need] : false),
    };
  }, [credential, me, checking, linkError, signIn, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

/** Who is signed in, or null outside a session (for components used on both sides). */
export function useAudience(): Audience | null {
  return useContext(SessionContext)?.credential?.kind ?? null;
}
