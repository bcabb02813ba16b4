import { memo, useState } from 'react';
import { api, ok } from '../../api/client';
import { useSession } from '../../auth/session';
import { RoleBadge, type MemberView } from '../../components/member';
import { ErrorNote } from '../../components/ui';
import { useI18n } from '../../i18n/i18n';
import { money } from '../../lib/format';
import { LoadMore } from './LoadMore';
import { useKeysetPages } from './useKeysetPages';

/** Children fetched per request: a member with 10,000 direct customers is read 100 at a time. */
export const CHILDREN_PAGE = 100;

interface TreeNodeProps {
  member: MemberView;
  asOf: string | undefined;
  onPick: (id: string) => void;
  open?: boolean;
}

/**
 * A member of the downline tree. Its children are fetched only when it is expanded, in id order a
 * page at a time (the next page when the end of the list scrolls into view), so a node costs the
 * same whether the network has a thousand members or a million. Memoised: appending a page to a
 * long list does not render the rows already there again.
 */
export const TreeNode = memo(function TreeNode({ member, asOf, onPick, open: initiallyOpen = false }: TreeNodeProps) {
  const { t } = useI18n();
  const { me } = useSession();
  const [open, setOpen] = useState(initiallyOpen);
  // As of a past day the downline may differ from today's count: always let it be expanded.
  const hasChildren = (member.children ?? 0) > 0 || asOf !== undefined;
  const children = useKeysetPages(
    open && hasChildren
      ? async (after) => {
          const query = { limit: CHILDREN_PAGE, ...(after === null ? {} : { after }), ...(asOf ? { asOf } : {}) };
          const answer = await ok(api.GET('/v1/members/{id}/downline', { params: { path: { id: member.id }, query } }));
          return { items: answer.children, total: answer.total, next: answer.next };
        }
      : null,
    [open, member.id, asOf],
  );
  const shown = children.items.length;
  return (
    <li role="treeitem" aria-expanded={hasChildren ? open : undefined} data-member={member.id}>
      <div className="node">
        <button
          type="button"
          className="twisty"
          disabled={!hasChildren}
          onClick={() => setOpen(!open)}
          aria-label={open ? t('network.collapse') : t('network.expand')}
        >
          {hasChildren ? (open ? '▾' : '▸') : '·'}
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
      {open && hasChildren ? (
        <ul
          role="group"
          data-shown={shown}
          data-total={children.total ?? ''}
          data-loaded={children.total === undefined ? undefined : 'children'}
        >
          {children.error ? <ErrorNote error={children.error} /> : null}
          {children.items.map((child) => (
            <TreeNode key={child.id} member={child} asOf={asOf} onPick={onPick} />
          ))}
          {children.loading ? <li className="muted small">{t('common.loading')}</li> : null}
          {children.total === 0 ? <li className="muted small">{t('network.noChildren')}</li> : null}
          {children.hasMore && !children.error ? (
            <LoadMore
              label={t('network.more', { n: (children.total ?? 0) - shown })}
              loading={children.loading}
              onMore={children.more}
            />
          ) : null}
        </ul>
      ) : null}
    </li>
  );
});
