import { useEffect, useRef, useState } from 'react';
import { api, ok, type Reply } from '../api/client';
import type { PageProps } from '../app/routes';
import { Link } from '../app/router';
import { useSession } from '../auth/session';
import { DataTable } from '../components/DataTable';
import { RoleBadge } from '../components/member';
import { Async, Badge, Card, ErrorNote, Loading, PageHeader, Stat } from '../components/ui';
import { useI18n } from '../i18n/i18n';
import { dateTime, money, sumDecimals } from '../lib/format';
import { useAsync } from '../lib/useAsync';

type Award = Reply<'/v1/awards'>['awards'][number];
const STATUSES = ['pending', 'settled', 'reversed'] as const;
const SHOWN = 50;
const awardKey = (award: Award) => `${award.order ?? award.period}:${award.rule}`;

/**
 * One member as a leader sees it (usable on a phone): balances, awards with "why did I get
 * this?" in plain sentences, and withdrawals.
 */
export default function MemberPage({ params }: PageProps) {
  const id = params.id!;
  const { t, lang } = useI18n();
  const { me, credential } = useSession();
  const { currency, timezone: zone } = me!.tenant;
  const [status, setStatus] = useState<string>('');
  const [shown, setShown] = useState(SHOWN);
  const [explaining, setExplaining] = useState<Award | null>(null);
  const state = useAsync(async () => {
    const [member, balances, awards, withdrawals] = await Promise.all([
      ok(api.GET('/v1/members/{id}', { params: { path: { id } } })),
      ok(api.GET('/v1/balances', { params: { query: { member: id } } })),
      ok(api.GET('/v1/awards', { params: { query: { member: id, limit: 5000 } } })),
      ok(api.GET('/v1/withdrawals', { params: { query: { member: id } } })),
    ]);
    return {
      member,
      balance: balances.balances[0] ?? { member: id, pending: '0.00', available: '0.00' },
      awards: [...awards.awards].reverse(),
      withdrawals: [...withdrawals.withdrawals].reverse(),
    };
  }, [id]);

  return (
    <div data-page="member">
      <Async state={state}>
        {({ member, balance, awards, withdrawals }) => {
          const listed = status ? awards.filter((a) => a.status === status) : awards;
          return (
            <div className="stack" data-loaded="member">
              <PageHeader
                title={t('member.title', { id: member.id })}
                subtitle={<RoleBadge role={member.role} level={member.level} />}
                actions={
                  credential?.kind === 'operator' ? (
                    <Link to={`/network?member=${encodeURIComponent(member.id)}`}>{t('member.inNetwork')}</Link>
                  ) : null
                }
              />
              <div className="stats">
                <Stat label={t('ledger.pending')} value={money(balance.pending, currency)} hint={t('member.pendingHint')} />
                <Stat label={t('ledger.available')} value={money(balance.available, currency)} tone="accent" />
                <Stat
                  label={t('member.awarded')}
                  value={money(sumDecimals(awards.map((a) => a.amount)), currency)}
                  hint={t('member.awardCount', { n: awards.length })}
                />
                <Stat
                  label={t('ledger.withdrawn')}
                  value={money(sumDecimals(withdrawals.map((w) => w.amount)), currency)}
                  hint={t('member.withdrawalCount', { n: withdrawals.length })}
                />
              </div>
              <Card>
                <dl className="facts">
                  <div>
                    <dt>{t('member.parent')}</dt>
                    <dd>
                      {member.parent ? <Link to={`/members/${encodeURIComponent(member.parent)}`}>{member.parent}</Link> : '—'}
                    </dd>
                  </div>
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
              </Card>
              <Card
                title={t('member.awards')}
                actions={
                  <div className="segmented small" role="group" aria-label={t('common.status')}>
                    {['', ...STATUSES].map((option) => (
                      <button
                        key={option || 'all'}
                        type="button"
                        className={status === option ? 'on' : ''}
                        aria-pressed={status === option}
                        onClick={() => setStatus(option)}
                      >
                        {option ? t(`status.${option as (typeof STATUSES)[number]}`) : t('common.all')}
                      </button>
                    ))}
                  </div>
                }
              >
                <p className="muted small">{t('member.explainHint')}</p>
                <DataTable
                  rows={listed.slice(0, shown)}
                  rowKey={awardKey}
                  onRowClick={setExplaining}
                  selected={explaining ? awardKey(explaining) : null}
                  empty={t('member.noAwards')}
                  columns={[
                    {
                      key: 'source',
                      label: t('member.orderOrPeriod'),
                      render: (a) =>
                        a.order ? <code>{a.order}</code> : <span>{t('member.period', { period: a.period ?? '' })}</span>,
                    },
                    { key: 'rule', label: t('common.rule'), render: (a) => <code>{a.rule}</code> },
                    {
                      key: 'amount',
                      label: t('common.amount'),
                      align: 'right',
                      render: (a) => <strong>{money(a.amount, currency)}</strong>,
                    },
                    { key: 'status', label: t('common.status'), render: (a) => <StatusBadge status={a.status} /> },
                    { key: 'why', label: '', render: () => <span className="link">{t('member.why')}</span> },
                  ]}
                />
                {listed.length > shown ? (
                  <button type="button" className="ghost" onClick={() => setShown(shown + SHOWN)}>
                    {t('common.showMore', { n: listed.length - shown })}
                  </button>
                ) : null}
              </Card>
              <Card title={t('member.withdrawals')}>
                <DataTable
                  rows={withdrawals}
                  rowKey={(w) => w.withdrawal}
                  empty={t('member.noWithdrawals')}
                  columns={[
                    { key: 'id', label: t('member.withdrawal'), render: (w) => <code>{w.withdrawal}</code> },
                    {
                      key: 'at',
                      label: t('common.time'),
                      render: (w) => <span className="nowrap">{dateTime(w.at, lang, zone)}</span>,
                    },
                    { key: 'amount', label: t('common.amount'), align: 'right', render: (w) => money(w.amount, currency) },
                    { key: 'tax', label: t('member.tax'), align: 'right', render: (w) => money(w.tax, currency) },
                    {
                      key: 'net',
                      label: t('member.net'),
                      align: 'right',
                      render: (w) => <strong>{money(w.net, currency)}</strong>,
                    },
                  ]}
                />
              </Card>
              {explaining ? <Explanation member={id} award={explaining} onClose={() => setExplaining(null)} /> : null}
            </div>
          );
        }}
      </Async>
    </div>
  );
}

export function StatusBadge({ status }: { status: string }) {
  const { t } = useI18n();
  const tone = status === 'settled' ? 'good' : status === 'pending' ? 'warn' : status === 'reversed' ? 'bad' : 'plain';
  return (
    <Badge tone={tone}>
      {(STATUSES as readonly string[]).includes(status) ? t(`status.${status as (typeof STATUSES)[number]}`) : status}
    </Badge>
  );
}

/** "Why did I get this?": GET /v1/awards/explain in the console's language, in a dialog. */
function Explanation({ member, award, onClose }: { member: string; award: Award; onClose: () => void }) {
  const { t, lang } = useI18n();
  const { me } = useSession();
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
  }, []);
  const state = useAsync(
    () =>
      ok(
        api.GET('/v1/awards/explain', {
          params: {
            query: { member, rule: award.rule, lang, ...(award.order ? { order: award.order } : { period: award.period ?? '' }) },
          },
        }),
      ),
    [member, award.rule, award.order, award.period, lang],
  );
  return (
    <dialog ref={dialog} className="dialog" onClose={onClose} aria-labelledby="explain-title">
      <div className="dialog-head">
        <h2 id="explain-title">{t('explain.title')}</h2>
        <button type="button" className="ghost" onClick={() => dialog.current?.close()} aria-label={t('common.close')}>
          ✕
        </button>
      </div>
      <p className="explain-amount">
        <strong>{money(award.amount, me!.tenant.currency)}</strong> <StatusBadge status={award.status} />
        <span className="muted">
          {' '}
          {award.order
            ? t('explain.onOrder', { order: award.order, rule: award.rule })
            : t('explain.onPeriod', { period: award.period ?? '', rule: award.rule })}
        </span>
      </p>
      {state.error ? <ErrorNote error={state.error} /> : null}
      {state.data ? (
        <div className="sentences" data-loaded="explanation">
          {state.data.sentences.map((sentence, i) => (
            <p key={i} className={/^\s/.test(sentence) ? 'detail' : 'lead'}>
              {sentence.trim()}
            </p>
          ))}
        </div>
      ) : state.loading ? (
        <Loading />
      ) : null}
    </dialog>
  );
}
