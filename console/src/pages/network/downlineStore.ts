import { useCallback, useMemo, useReducer, useRef } from 'react';
import { api, ok } from '../../api/client';
import type { MemberView } from '../../components/member';

/** Children fetched per request: a member with 10,000 direct customers is read 100 at a time. */
export const CHILDREN_PAGE = 100;

/** What is known of one member's direct downline in the tree. */
export interface Downline {
  readonly open: boolean;
  readonly items: readonly MemberView[];
  /** Undefined until the first page is in. */
  readonly total: number | undefined;
  readonly next: string | null;
  readonly loading: boolean;
  readonly error: unknown;
}

/** One line of the tree as shown: a member, or the state of the list under an open member. */
export type Row =
  | {
      readonly kind: 'member';
      readonly member: MemberView;
      readonly level: number;
      readonly position: number;
      readonly siblings: number;
    }
  | { readonly kind: 'more' | 'loading' | 'empty'; readonly parent: string; readonly level: number; readonly left: number }
  | { readonly kind: 'error'; readonly parent: string; readonly level: number; readonly error: unknown };

/** A page of the downline as GET /v1/members/{id}/downline answers it. */
export interface FirstPage {
  readonly children: readonly MemberView[];
  readonly total: number;
  readonly next: string | null;
}

const CLOSED: Downline = { open: false, items: [], total: undefined, next: null, loading: false, error: undefined };

/**
 * The downline tree under `root` as flat rows (for a windowed list): which members are open, the
 * pages of children read so far for each, and the requests that read them. A member's children
 * are read only when it is opened, a page at a time with the API's cursor, and never again while
 * it stays open; an answer for a member closed meanwhile is dropped.
 */
export function useDownlineTree(root: MemberView, asOf: string | undefined, firstPage: FirstPage | undefined) {
  const nodes = useRef(new Map<string, Downline & { generation: number }>());
  const [version, changed] = useReducer((n: number) => n + 1, 0);

  const fetchPage = useCallback(
    (id: string) => {
      const node = nodes.current.get(id);
      if (!node || !node.open || node.loading || (node.total !== undefined && node.next === null)) return;
      const { generation, next: after } = node;
      nodes.current.set(id, { ...node, loading: true, error: undefined });
      changed();
      const query = { limit: CHILDREN_PAGE, ...(after === null ? {} : { after }), ...(asOf ? { asOf } : {}) };
      ok(api.GET('/v1/members/{id}/downline', { params: { path: { id }, query } })).then(
        (page) =>
          settle(id, generation, (n) => ({ ...n, items: [...n.items, ...page.children], total: page.total, next: page.next })),
        (error: unknown) => settle(id, generation, (n) => ({ ...n, error })),
      );
    },
    [asOf],
  );

  function settle(
    id: string,
    generation: number,
    update: (node: Downline & { generation: number }) => Downline & { generation: number },
  ) {
    const node = nodes.current.get(id);
    if (!node || node.generation !== generation) return;
    nodes.current.set(id, { ...update(node), loading: false });
    changed();
  }

  const toggle = useCallback(
    (id: string) => {
      const node = nodes.current.get(id);
      // Closing forgets the pages (a later open reads afresh); the generation drops late answers.
      nodes.current.set(id, { ...CLOSED, open: !node?.open, generation: (node?.generation ?? 0) + 1 });
      changed();
      if (!node?.open) fetchPage(id);
    },
    [fetchPage],
  );

  // The root starts open, with its first page when the caller read it already.
  const opened = useRef(false);
  if (!opened.current) {
    opened.current = true;
    const page = firstPage ? { items: firstPage.children, total: firstPage.total, next: firstPage.next } : {};
    nodes.current.set(root.id, { ...CLOSED, ...page, open: true, generation: 1 });
  }

  const rows = useMemo(() => flatten(root, nodes.current), [root, version]);
  const downline = useCallback((id: string): Downline => nodes.current.get(id) ?? CLOSED, []);
  return { rows, toggle, more: fetchPage, downline, version };
}

/** The rows of the tree in order: depth first, each open member followed by its children. */
function flatten(root: MemberView, nodes: ReadonlyMap<string, Downline>): Row[] {
  const rows: Row[] = [];
  const visit = (member: MemberView, level: number, position: number, siblings: number) => {
    rows.push({ kind: 'member', member, level, position, siblings });
    const node = nodes.get(member.id);
    if (!node?.open) return;
    const total = node.total ?? 0;
    node.items.forEach((child, i) => visit(child, level + 1, i + 1, total));
    const tail = { parent: member.id, level: level + 1 };
    if (node.error) rows.push({ kind: 'error', ...tail, error: node.error });
    else if (node.loading) rows.push({ kind: 'loading', ...tail, left: total - node.items.length });
    else if (node.total === 0) rows.push({ kind: 'empty', ...tail, left: 0 });
    else if (node.next !== null) rows.push({ kind: 'more', ...tail, left: total - node.items.length });
  };
  visit(root, 1, 1, 1);
  return rows;
}
