import { api, ok } from '../api/client';
import { Link, useQueryParam } from '../app/router';
import { useSession } from '../auth/session';
import { RoleBadge } from '../components/member';
import { Async, Card, Empty, PageHeader } from '../components/ui';
import { useI18n } from '../i18n/i18n';
import { money, today, zonedInstant } from '../lib/format';
import { useAsync } from '../lib/useAsync';
import { MemberSearch } from './network/MemberSearch';
import { DownlineTree } from './network/DownlineTree';
import { CHILDREN_PAGE } from './network/downlineStore';

/**
 * Search members, walk the upline, expand the downline lazily, all as of a chosen day. Nothing
 * here reads more than a page of members at a time: the explorer stays as quick on a tenant of a
 * million members as on the demo (BENCHMARKS.md, "Network explorer"). A leader's team: the same
 * explorer rooted at themselves, without the tenant-wide search (the API shows them no one else).
 */
export default function NetworkPage() {
  const { t } = useI18n();
  const { me } = useSession();
  const zone = me!.tenant.timezone;
  const self = me!.member?.id;
  const [picked, setMember] = useQueryParam('member');
  const member = picked || (self ?? '');
  const [asOfDay, setAsOfDay] = useQueryParam('asOf');
  const asOf = asOfDay ? zonedInstant(asOfDay, '23:59:59.999', zone) : undefined;

  return (
    <div data-page="network">
      <PageHeader
        title={t(self ? 'leader.teamTitle' : 'network.title')}
        subtitle={t(self ? 'leader.teamSubtitle' : 'network.subtitle')}
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
      <div className={self ? 'stack' : 'split'}>
        {self ? null : <MemberSearch selected={member} onPick={setMember} />}
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
  const self = me!.member?.id;
  const query = asOf ? { asOf } : {};
  // The first page of the downline is asked for with the member, not after it: one round trip less.
  const state = useAsync(async () => {
    const [member, upline, children] = await Promise.all([
      ok(api.GET('/v1/members/{id}', { params: { path: { id }, query } })),
      ok(api.GET('/v1/members/{id}/upline', { params: { path: { id }, query } })),
      ok(api.GET('/v1/members/{id}/downline', { params: { path: { id }, query: { limit: CHILDREN_PAGE, ...query } } })),
    ]);
    return { member, upline: upline.upline, children };
  }, [id, asOf]);
  return (
    <Async state={state}>
      {({ member, upline, children }) => (
        <>
          <Card
            title={
              <span className="title-row">
                {member.id} <RoleBadge role={member.role} level={member.level} />
              </span>
            }
            actions={
              <Link to={member.id === self ? '/' : `/members/${encodeURIComponent(member.id)}`}>
                {t(member.id === self ? 'leader.myMoney' : 'network.openMember')}
              </Link>
            }
          >
            <nav className="upline" aria-label={t('network.upline')}>
              <span className="muted">{t('network.uplineLabel')}</span>
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
                <dt>{t('network.teamSizeLabel')}</dt>
                <dd>{(member.teamSize ?? 0).toLocaleString()}</dd>
              </div>
              <div>
                <dt>{t('member.regions')}</dt>
                <dd>{member.regions.length ? member.regions.join(', ') : '—'}</dd>
              </div>
            </dl>
            <p className="muted small">{t('network.salesNote')}</p>
          </Card>
          <Card title={t('network.downline')}>
            <DownlineTree root={member} firstPage={children} asOf={asOf} onPick={onPick} />
          </Card>
        </>
      )}
    </Async>
  );
}
