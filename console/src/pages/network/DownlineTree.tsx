import { useEffect, useLayoutEffect, useRef, useState, type CSSProperties } from 'react';
import { useSession } from '../../auth/session';
import { RoleBadge, type MemberView } from '../../components/member';
import { ErrorNote } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { money } from '../../lib/format';
import { useDownlineTree, type FirstPage, type Row } from './downlineStore';

/** Every row is one line of this height (px): the window is computed, never measured per row. */
const ROW = 30;
/** Rows rendered above and below the visible part. */
const OVERSCAN = 12;
/** The next page is asked for when its "more" row comes this many rows near the visible part. */
const PREFETCH = 40;

/**
 * The downline of `root` as a tree whose children are read when a member is opened, a page at a
 * time, the next page as the end of the list comes near. Rows are windowed: only the few dozen in
 * view are in the DOM, so scrolling through 10,000 children of one member costs the same at the
 * end as at the start.
 */
export function DownlineTree({
  root,
  firstPage,
  asOf,
  onPick,
}: {
  root: MemberView;
  /** The root's first page of children, when it was read with the member. */
  firstPage?: FirstPage;
  asOf: string | undefined;
  onPick: (id: string) => void;
}) {
  const tree = useDownlineTree(root, asOf, firstPage);
  const box = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: 0, height: 600 });
  useLayoutEffect(() => {
    const element = box.current!;
    const measure = () => setView({ top: element.scrollTop, height: element.clientHeight || 600 });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  // Without a first page given, the root's is read now (with one, the next page waits for the scroll).
  const seeded = useRef(firstPage !== undefined);
  useEffect(() => {
    if (!seeded.current) tree.more(root.id);
  }, [root.id, tree.more]);

  const { rows } = tree;
  const first = Math.max(0, Math.floor(view.top / ROW) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((view.top + view.height) / ROW) + OVERSCAN);
  // Ask for the next page of every open member whose list ends near the visible part.
  useEffect(() => {
    const near = Math.min(rows.length, last + PREFETCH);
    for (let i = first; i < near; i++) {
      const row = rows[i]!;
      if (row.kind === 'more') tree.more(row.parent);
    }
  }, [rows, first, last, tree.more]);

  const top = tree.downline(root.id);
  return (
    <div
      ref={box}
      className="tree-scroll"
      onScroll={(event) =>
        setView({ top: event.currentTarget.scrollTop, height: event.currentTarget.clientHeight || view.height })
      }
      data-shown={top.items.length}
      data-total={top.total ?? ''}
      data-rows={rows.length}
    >
      <div style={{ height: rows.length * ROW, position: 'relative' }}>
        <ul className="tree" role="tree" data-loaded="tree" style={{ transform: `translateY(${first * ROW}px)` }}>
          {rows.slice(first, last).map((row) => (
            <TreeRow key={rowKey(row)} row={row} tree={tree} onPick={onPick} asOf={asOf} />
          ))}
        </ul>
        {top.total !== undefined ? <span data-loaded="children" hidden /> : null}
      </div>
    </div>
  );
}

const rowKey = (row: Row) => (row.kind === 'member' ? row.member.id : `${row.kind}:${row.parent}`);
const indent = (level: number): CSSProperties => ({ paddingLeft: (level - 1) * 22 });

function TreeRow({
  row,
  tree,
  onPick,
  asOf,
}: {
  row: Row;
  tree: ReturnType<typeof useDownlineTree>;
  onPick: (id: string) => void;
  asOf: string | undefined;
}) {
  const { t } = useI18n();
  if (row.kind === 'member') return <MemberRow row={row} tree={tree} onPick={onPick} asOf={asOf} />;
  if (row.kind === 'error')
    return (
      <li role="none" className="tree-note" style={indent(row.level)}>
        <ErrorNote error={row.error} />
      </li>
    );
  const text =
    row.kind === 'loading'
      ? t('common.loading')
      : row.kind === 'empty'
        ? t('network.noChildren')
        : t('network.more', { n: row.left });
  return (
    <li
      role="none"
      className={`tree-note ${row.kind === 'more' ? 'load-more' : ''}`}
      style={indent(row.level)}
      data-parent={row.parent}
    >
      {row.kind === 'more' ? (
        <button type="button" className="ghost small" onClick={() => tree.more(row.parent)}>
          {text}
        </button>
      ) : (
        <span className="muted small">{text}</span>
      )}
    </li>
  );
}

function MemberRow({
  row,
  tree,
  onPick,
  asOf,
}: {
  row: Extract<Row, { kind: 'member' }>;
  tree: ReturnType<typeof useDownlineTree>;
  onPick: (id: string) => void;
  asOf: string | undefined;
}) {
  const { t } = useI18n();
  const { me } = useSession();
  const { member } = row;
  const downline = tree.downline(member.id);
  // As of a past day the downline may differ from today's count: always let it be opened.
  const hasChildren = (member.children ?? 0) > 0 || asOf !== undefined;
  return (
    <li
      role="treeitem"
      aria-level={row.level}
      aria-posinset={row.position}
      aria-setsize={row.siblings}
      aria-expanded={hasChildren ? downline.open : undefined}
      data-member={member.id}
      style={indent(row.level)}
    >
      <div className="node">
        <button
          type="button"
          className="twisty"
          disabled={!hasChildren}
          onClick={() => tree.toggle(member.id)}
          aria-label={downline.open ? t('network.collapse') : t('network.expand')}
        >
          {hasChildren ? (downline.open ? '▾' : '▸') : '·'}
        </button>
        <button type="button" className="link node-id" onClick={() => onPick(member.id)}>
          {member.id}
        </button>
        <RoleBadge role={member.role} level={member.level} />
        <span className="muted small node-sales">
          {t('network.team')} {money(member.teamSales, me!.tenant.currency)}
          {member.children ? ` · ${t('network.childCount', { n: member.children })}` : ''}
          {member.teamSize ? ` · ${t('network.teamSize', { n: member.teamSize })}` : ''}
        </span>
      </div>
    </li>
  );
}
