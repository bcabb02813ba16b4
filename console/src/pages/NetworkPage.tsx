import { useState } from 'react';
import { api, ok } from '../api/client';
import { Link, useQueryParam } from '../app/router';
import { useSession } from '../auth/session';
import { RoleBadge, type MemberView } from '../components/member';
import { Async, Card, Empty, ErrorNote, PageHeader } from '../components/ui';
import { useI18n } from '../i18n/i18n';
import { money, today, zonedInstant } from '../lib/format';
import { useAsync, useDebounced } from '../lib/useAsync';

const PAGE = 50;

/** Search members, walk the upline, expand the downline lazily, all as of a chosen day. */
export default function NetworkPage() {
  const { t } = useI18n();
  const { me } = useSession();
  const zone = me!.tenant.timezone;
  const [member, setMember] = useQueryParam('member');
  const [asOfDay, setAsOfDay] = useQueryParam('asOf');
  const [query, setQuery] = useState('');
  const q = useDebounced(query.trim(), 200);
  const asOf = asOfDay ? zonedInstant(asOfDay, '23:59:59.999', zone) : undefined;
  const found = useAsync(() => ok(api.GET('/v1/members', { params: { query: { q, limit: 20 } } })), [q]);

  return (
    <div data-page="network">
      <PageHeader
        title={t('network.title')}
        subtitle={t('network.subtitle')}
        actions={
          <label className="inline-field">
            <span>{t('network.asOf')}</span>
            <input type="date" value={asOfDay} max={today(zone)} onChange={(event) => setAsOfDay(event.target.value)} />
            {asOfDay ? (
              <button type="button" className="ghost small" onClick={() => setAsOfDay(null)}>
                {t('network.now')}
              </button>
            ) : null}
          </label>
        }
      />
      <div className="split">
        <Card title={t('network.search')} className="side">
          <input
            type="search"
            className="search"
            placeholder={t('network.searchPlaceholder')}
            value={query}
            onChange={(event) => setQuery(event.target.value)}
            aria-label={t('network.search')}
          />
          <Async state={found}>
            {({ members }) =>
              members.length === 0 ? (
                <Empty>{t('network.noMatch', { q })}</Empty>
              ) : (
                <ul className="pick-list" data-loaded="network">
                  {members.map((m) => (
                    <li key={m.id}>
                      <button type="button" className={m.id === member ? 'on' : ''} onClick={() => setMember(m.id)}>
                        <strong>{m.id}</strong>
                        <RoleBadge role={m.role} level={m.level} />
                      </button>
                    </li>
                  ))}
                </ul>
              )
            }
          </Async>
        </Card>
        <div className="stack grow">
          {member ? (
            <MemberTree key={`${member}@${asOf ?? 'now'}`} id={member} asOf={asOf} onPick={setMember} />
          ) : (
            <Card>
              <Empty>{t('network.pick')}</Empty>
            </Card>
          )}
        </div>
      </div>
    </div>
  );
}

function MemberTree({ id, asOf, onPick }: { id: string; asOf: string | undefined; onPick: (id: string) => void }) {
  const { t } = useI18n();
  const { me } = useSession();
  const currency = me!.tenant.currency;
  const query = asOf ? { asOf } : {};
  const state = useAsync(async () => {
    const [member, upline] = await Promise.all([
      ok(api.GET('/v1/members/{id}', { params: { path: { id }, query } })),
      ok(api.GET('/v1/members/{id}/upline', { params: { path: { id }, query } })),
    ]);
    return { member, upline: upline.upline };
  }, [id, asOf]);
  return (
    <Async state={state}>
      {({ member, upline }) => (
        <>
          <Card
            title={
              <span className="title-row">
                {member.id} <RoleBadge role={member.role} level={member.level} />
              </span>
            }
            actions={<Link to={`/members/${encodeURIComponent(member.id)}`}>{t('network.openMember')}</Link>}
          >
            <nav className="upline" aria-label={t('network.upline')}>
              <span className="muted">{t('network.upline')}:</span>
              {[...upline].reverse().map((m, i, all) => (
                <span key={m.id}>
                  {i === all.length - 1 ? (
                    <strong>{m.id}</strong>
                  ) : (
                    <button type="button" className="link" onClick={() => onPick(m.id)}>
                      {m.id}
                    </button>
                  )}
                  {i < all.length - 1 ? <span className="sep">›</span> : null}
                </span>
              ))}
            </nav>
            <dl className="facts">
              <div>
                <dt>{t('member.personalSales')}</dt>
                <dd>{money(member.personalSales, currency)}</dd>
              </div>
              <div>
                <dt>{t('member.teamSales')}</dt>
                <dd>{money(member.teamSales, currency)}</dd>
              </div>
              <div>
                <dt>{t('member.children')}</dt>
                <dd>{member.children ?? 0}</dd>
              </div>
              <div>
                <dt>{t('member.regions')}</dt>
                <dd>{member.regions.length ? member.regions.join(', ') : '—'}</dd>
              </div>
            </dl>
            <p className="muted small">{t('network.salesNote')}</p>
          </Card>
          <Card title={t('network.downline')}>
            <ul className="tree" role="tree" data-loaded="tree">
              <TreeNode member={member} asOf={asOf} onPick={onPick} open />
            </ul>
          </Card>
        </>
      )}
    </Async>
  );
}

function TreeNode({
  member,
  asOf,
  onPick,
  open: initiallyOpen = false,
}: {
  member: MemberView;
  asOf: string | undefined;
  onPick: (id: string) => void;
  open?: boolean;
}) {
  const { t } = useI18n();
  const { me } = useSession();
  const [open, setOpen] = useState(initiallyOpen);
  const [pages, setPages] = useState(1);
  const hasChildren = (member.children ?? 0) > 0 || asOf !== undefined;
  const children = useAsync(
    open && hasChildren
      ? async () => {
          const all: MemberView[] = [];
          let total = 0;
          for (let page = 0; page < pages; page++) {
            const answer = await ok(
              api.GET('/v1/members/{id}/downline', {
                params: { path: { id: member.id }, query: { limit: PAGE, offset: page * PAGE, ...(asOf ? { asOf } : {}) } },
              }),
            );
            all.push(...answer.children);
            total = answer.total;
          }
          return { children: all, total };
        }
      : null,
    [open, pages, member.id, asOf],
  );
  return (
    <li role="treeitem" aria-expanded={hasChildren ? open : undefined}>
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
        </span>
      </div>
      {open && hasChildren ? (
        <ul role="group">
          {children.error ? <ErrorNote error={children.error} /> : null}
          {children.data?.children.map((child) => (
            <TreeNode key={child.id} member={child} asOf={asOf} onPick={onPick} />
          ))}
          {children.loading ? <li className="muted small">{t('common.loading')}</li> : null}
          {children.data && children.data.children.length === 0 ? (
            <li className="muted small">{t('network.noChildren')}</li>
          ) : null}
          {children.data && children.data.children.length < children.data.total ? (
            <li>
              <button type="button" className="ghost small" onClick={() => setPages(pages + 1)}>
                {t('network.more', { n: children.data.total - children.data.children.length })}
              </button>
            </li>
          ) : null}
        </ul>
      ) : null}
    </li>
  );
}
