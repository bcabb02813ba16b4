import type { ComponentType } from 'react';
import type { Audience } from '../auth/session';
import { matchPath } from './router';
import type { MessageKey } from '../i18n/zh-CN';

export interface PageProps {
  /** Parameters of the path pattern (":id" → params.id). */
  readonly params: Readonly<Record<string, string>>;
}

export interface PageDefinition {
  readonly id: string;
  /** Path pattern; ":name" matches one segment. */
  readonly path: string;
  /** Shown in the navigation when set. */
  readonly nav?: { readonly label: MessageKey; readonly icon: string };
  /** Who may open it: operators (API key), leaders (member token). */
  readonly audience: readonly Audience[];
  /** Loads the page's module on first visit (one chunk per page; see pageModule). */
  readonly load: () => Promise<{ default: ComponentType<PageProps> }>;
}

/**
 * Every page of the console, in navigation order. A new page (payouts, statements, plan
 * simulation, …) is one entry here, one file in pages/ and its strings in i18n/.
 */
export const PAGES: readonly PageDefinition[] = [
  // A leader's own pages (phone first): their money, then their team rooted at themselves.
  {
    id: 'mine',
    path: '/',
    nav: { label: 'nav.mine', icon: '¥' },
    audience: ['leader'],
    load: () => import('../pages/LeaderHomePage'),
  },
  {
    id: 'team',
    path: '/network',
    nav: { label: 'nav.team', icon: '⋔' },
    audience: ['leader'],
    load: () => import('../pages/NetworkPage'),
  },
  {
    id: 'dashboard',
    path: '/',
    nav: { label: 'nav.dashboard', icon: '◔' },
    audience: ['operator'],
    load: () => import('../pages/DashboardPage'),
  },
  {
    id: 'network',
    path: '/network',
    nav: { label: 'nav.network', icon: '⋔' },
    audience: ['operator'],
    load: () => import('../pages/NetworkPage'),
  },
  { id: 'member', path: '/members/:id', audience: ['operator', 'leader'], load: () => import('../pages/MemberPage') },
  {
    id: 'plans',
    path: '/plans',
    nav: { label: 'nav.plans', icon: '☰' },
    audience: ['operator'],
    load: () => import('../pages/PlansPage'),
  },
  {
    id: 'finance',
    path: '/finance',
    nav: { label: 'nav.finance', icon: '¥' },
    audience: ['operator'],
    load: () => import('../pages/FinancePage'),
  },
  {
    id: 'payouts',
    path: '/payouts',
    nav: { label: 'nav.payouts', icon: '⇲' },
    audience: ['operator'],
    load: () => import('../pages/PayoutsPage'),
  },
  {
    id: 'events',
    path: '/events',
    nav: { label: 'nav.events', icon: '⇄' },
    audience: ['operator'],
    load: () => import('../pages/EventsPage'),
  },
  {
    id: 'settings',
    path: '/settings',
    nav: { label: 'nav.settings', icon: '⚙' },
    audience: ['operator'],
    load: () => import('../pages/SettingsPage'),
  },
];

const loaded = new Map<string, ComponentType<PageProps>>();
const loading = new Map<string, Promise<ComponentType<PageProps>>>();

/**
 * The page's component once its chunk is loaded, else undefined. Pages are loaded with a plain
 * promise rather than React.lazy + Suspense, whose reveal is throttled (300 ms in React 19): the
 * chunk starts loading while the session is checked and the page shows as soon as its data is in.
 */
export function pageModule(page: PageDefinition): ComponentType<PageProps> | undefined {
  return loaded.get(page.id);
}

export function loadPage(page: PageDefinition): Promise<ComponentType<PageProps>> {
  let pending = loading.get(page.id);
  if (!pending) {
    pending = page.load().then((module) => {
      loaded.set(page.id, module.default);
      return module.default;
    });
    pending.catch(() => loading.delete(page.id));
    loading.set(page.id, pending);
  }
  return pending;
}

/** The page a path shows to an audience, with its path parameters. */
export function findPage(pathname: string, audience: Audience): { page: PageDefinition; params: Record<string, string> } | null {
  for (const page of PAGES) {
    const params = matchPath(page.path, pathname);
    if (params && page.audience.includes(audience)) return { page, params };
  }
  return null;
}
