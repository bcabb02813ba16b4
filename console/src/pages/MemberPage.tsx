import { useEffect, useRef, useState } from 'react';
import { api, ok, type Reply } from '../api/client';
import type { PageProps } from '../app/routes';
import { Link } from '../app/router';
import { useSession } from '../auth/session';
import { DataTable } from '../components/DataTable';
import { RoleBadge } from '../components/member';
import { RuleName, usePlanRuleNames } from '../components/RuleName';
import { WithdrawalStatus } from '../components/WithdrawalStatus';
import { Async, Badge, Card, ErrorNote, Loading, PageHeader, Stat } from '../components/ui';
import { useI18n } from '../i18n/i18n';
import { DownloadButton } from '../components/DownloadButton';
import { dateTime, money, negatedAmount, sumDecimals, today } from '../lib/format';
import { ruleNamesOfAwards, withFallbackNames, type RuleNames } from '../lib/ruleNames';
import { useAsync } from '../lib/useAsync';
import { MemberPayee } from './member/MemberPayee';
import { MemberTokens } from './member/MemberTokens';

type Award = Reply<'/v1/awards'>['awards'][number];
const STATUSES = ['pending', 'settled', 'reversed'] as const;
const SHOWN = 50;
const awardKey = (award: Award) => `${award.order ?? award.period}:${award.rule}`;

/**
 * One member as a leader sees it (usable on a phone): balances, awards with "why did I get
 * this?" in plain sentences, and withdrawals. A leader sees this of themselves only; another
 * member (one of their downline, or not theirs at all) shows as DownlineMember.
 */
export default function MemberPage({ params }: PageProps) {
  const id = params.id!;
  const { me, credential } = useSession();
  if (credential?.kind === 'leader' && id !== me?.member?.id) return <DownlineMember key={id} id={id} />;
  return <MemberDetails key={id} id={id} />;
}

/**
 * Awards newest first by when each was made (the table's date column), as a person reads a list of
 * dated rows; the API answers them in the order they last changed (a settlement or a refund moves
 * an old award to the end), which is kept, latest change first, between awards made at once.
 */
function newestFirst<T extends { readonly at: string | null }>(awards: readonly T[]): T[] {
  // ISO 8601 in UTC: text order is time order; an award without a date goes last.
  return [...awards].reverse().sort((a, b) => (b.at ?? '').localeCompare(a.at ?? ''));
}

function MemberDetails({ id }: { id: string }) {
  const { t, lang } = useI18n();
  const { me, credential, can } = useSession();
  const { currency, timezone: zone } = me!.tenant;
  const [status, setStatus] = useState<string>('');
  const [shown, setShown] = useState(SHOWN);
  const [explaining, setExplaining] = useState<Award | null>(null);
  const planNames = usePlanRuleNames();
  const state = useAsync(async () => {
    const [member, balances, awards, withdrawals] = await Promise.all([
      ok(api.GET('/v1/members/{id}', { params: { path: { id } } })),
      ok(api.GET('/v1/balances', { params: { query: { member: id } } })),
      ok(api.GET('/v1/awards', { params: { query: { member: id, limit: 5000 } } })),
      ok(api.GET('/v1/withdrawals', { params: { query: { member: id, sort: 'desc' } } })),
    ]);
    return {
      member,
      balance: balances.balances[0] ?? { member: id, pending: '0.00', available: '0.00' },
      awards: newestFirst(awards.awards),
      ruleNames: ruleNamesOfAwards(awards.awards),
      withdrawals: withdrawals.withdrawals,
    };
  }, [id]);

  return (
    <div data-page="member">
      <Async state={state}>
        {({ member, balance, awards, ruleNames, withdrawals }) => {
          // Rejected and failed withdrawals gave the money back: they are listed, not counted.
          const kept = withdrawals.filter((w) => w.status !== 'rejected' && w.status !== 'failed');
          const listed = status ? awards.filter((a) => a.status === status) : awards;
          return (
            <div className="stack" data-loaded="member">
              <PageHeader
                title={t('member.title', { id: member.id })}
                subtitle={<RoleBadge role={member.role} level={member.level} />}
                actions={
                  <Link to={`/network?member=${encodeURIComponent(member.id)}`}>
                    {t(credential?.kind === 'leader' ? 'leader.myTeam' : 'member.inNetwork')}
                  </Link>
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
                  value={money(sumDecimals(kept.map((w) => w.amount)), currency)}
                  hint={t('member.withdrawalCount', { n: kept.length })}
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
                      key: 'at',
                      label: t('common.time'),
                      render: (a) => <span className="nowrap">{dateTime(a.at, lang, zone)}</span>,
                    },
                    {
                      key: 'source',
                      label: t('member.orderOrPeriod'),
                      render: (a) =>
                        a.order ? <code>{a.order}</code> : <span>{t('member.period', { period: a.period ?? '' })}</span>,
                    },
                    { key: 'rule', label: t('common.rule'), render: (a) => <RuleName rule={a.rule} name={a.ruleName} /> },
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
                    { key: 'status', label: t('common.status'), render: (w) => <WithdrawalStatus status={w.status} /> },
                  ]}
                />
              </Card>
              <Statement member={id} ruleNames={withFallbackNames(ruleNames, planNames)} />
              {can('admin') && member.role !== 'customer' ? <MemberPayee member={id} /> : null}
              {can('admin') && member.role !== 'customer' ? <MemberTokens member={id} /> : null}
              {explaining ? <Explanation member={id} award={explaining} onClose={() => setExplaining(null)} /> : null}
            </div>
          );
        }}
      </Async>
    </div>
  );
}

/**
 * A member as a leader may see one of their downline: role, sales and team, with the way into the
 * team view; their money stays theirs. A member outside the leader's downline answers 403, shown
 * as a plain "not in your team".
 */
function DownlineMember({ id }: { id: string }) {
  const { t } = useI18n();
  const { me } = useSession();
  const currency = me!.tenant.currency;
  const state = useAsync(() => ok(api.GET('/v1/members/{id}', { params: { path: { id } } })), [id]);
  return (
    <div data-page="member" className="stack">
      {state.error ? (
        <div className="stack" data-out-of-reach>
          <ErrorNote error={state.error} />
          <Link to="/">{t('leader.backHome')}</Link>
        </div>
      ) : state.data ? (
        <Card
          title={
            <span className="title-row">
              {t('member.title', { id: state.data.id })} <RoleBadge role={state.data.role} level={state.data.level} />
            </span>
          }
          actions={<Link to={`/network?member=${encodeURIComponent(id)}`}>{t('member.inNetwork')}</Link>}
        >
          <dl className="facts" data-loaded="downline-member">
            <div>
              <dt>{t('member.personalSales')}</dt>
              <dd>{money(state.data.personalSales, currency)}</dd>
            </div>
            <div>
              <dt>{t('member.teamSales')}</dt>
              <dd>{money(state.data.teamSales, currency)}</dd>
            </div>
            <div>
              <dt>{t('network.teamSizeLabel')}</dt>
              <dd>{(state.data.teamSize ?? 0).toLocaleString()}</dd>
            </div>
          </dl>
          <p className="muted small">{t('leader.downlineNote')}</p>
        </Card>
      ) : (
        <Loading />
      )}
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
            ? t('explain.onOrder', { order: award.order, rule: award.ruleName ?? award.rule })
            : t('explain.onPeriod', { period: award.period ?? '', rule: award.ruleName ?? award.rule })}
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

/**
 * The monthly statement (对账单): GET /v1/statements/:member?month=, with CSV and PDF downloads;
 * its rules named as the member's awards name them (a leader may not read the plan).
 */
function Statement({ member, ruleNames }: { member: string; ruleNames: RuleNames }) {
  const { t, lang } = useI18n();
  const { me } = useSession();
  const { currency, timezone: zone } = me!.tenant;
  const [month, setMonth] = useState(() => today(zone).slice(0, 7));
  const state = useAsync(
    month ? () => ok(api.GET('/v1/statements/{member}', { params: { path: { member }, query: { month } } })) : null,
    [member, month],
  );
  const path = (format: 'csv' | 'pdf') =>
    `/v1/statements/${encodeURIComponent(member)}?month=${encodeURIComponent(month)}&format=${format}`;
  const file = (ext: string) => `statement-${member}-${month}.${ext}`;
  return (
    <Card
      title={t('statement.title')}
      actions={
        <div className="row">
          <label className="inline-field">
            <span>{t('statement.month')}</span>
            <input
              type="month"
              value={month}
              max={today(zone).slice(0, 7)}
              onChange={(event) => setMonth(event.target.value)}
              aria-label={t('statement.month')}
            />
          </label>
          <DownloadButton path={path('csv')} name={file('csv')} label="CSV" />
          <DownloadButton path={path('pdf')} name={file('pdf')} label="PDF" />
        </div>
      }
    >
      <Async state={state}>
        {(s) => (
          <div className="stack" data-loaded="statement">
            <div className="stats compact">
              <Stat
                label={t('statement.opening')}
                value={money(s.opening.total, currency)}
                hint={balanceHint(t, s.opening, currency)}
              />
              <Stat label={t('statement.awards')} value={money(s.awards.total, currency)} />
              <Stat label={t('statement.reversals')} value={money(s.reversals.total, currency)} />
              <Stat
                label={t('statement.withdrawals')}
                value={money(s.withdrawals.gross, currency)}
                hint={t('ledger.taxNet', { tax: money(s.withdrawals.tax, currency), net: money(s.withdrawals.net, currency) })}
              />
              {/* What else moved the balance this month, each as its own figure, so the cards add up. */}
              {s.withdrawalReversals.items.length ? (
                <Stat
                  label={t('statement.withdrawalReversals')}
                  value={money(negatedAmount(s.withdrawalReversals.gross), currency)}
                />
              ) : null}
              {s.taxTrueUps.items.length ? (
                <Stat label={t('statement.taxTrueUps')} value={money(s.taxTrueUps.total, currency)} />
              ) : null}
              {s.manualAdjustments.items.length ? (
                <Stat label={t('statement.adjustments')} value={money(s.manualAdjustments.total, currency)} />
              ) : null}
              <Stat
                label={t('statement.closing')}
                value={<span data-closing>{money(s.closing.total, currency)}</span>}
                hint={balanceHint(t, s.closing, currency)}
                tone="accent"
              />
            </div>
            <p className={s.check.ok ? 'ok-line' : 'error-note'} data-check={s.check.ok ? 'ok' : 'failed'}>
              {s.check.ok
                ? `✓ ${t('statement.checkOk')}`
                : t('statement.checkFailed', {
                    expected: money(s.check.expected.total, currency),
                    ledger: money(s.check.ledger.total, currency),
                  })}
            </p>
            <DataTable
              rows={s.awards.byRule}
              rowKey={(r) => r.rule}
              empty={t('statement.noAwards')}
              columns={[
                { key: 'rule', label: t('common.rule'), render: (r) => <RuleName rule={r.rule} name={ruleNames.get(r.rule)} /> },
                { key: 'count', label: t('statement.count'), align: 'right', render: (r) => r.count },
                {
                  key: 'amount',
                  label: t('common.amount'),
                  align: 'right',
                  render: (r) => <strong>{money(r.amount, currency)}</strong>,
                },
              ]}
            />
            {s.withdrawals.items.length || s.withdrawalReversals.items.length ? (
              <DataTable
                rows={[...s.withdrawals.items, ...s.withdrawalReversals.items]}
                empty=""
                rowKey={(w) => `${w.withdrawal ?? ''}:${w.at}:${w.gross}`}
                columns={[
                  { key: 'id', label: t('member.withdrawal'), render: (w) => <code>{w.withdrawal ?? '—'}</code> },
                  {
                    key: 'at',
                    label: t('common.time'),
                    render: (w) => <span className="nowrap">{dateTime(w.at, lang, zone)}</span>,
                  },
                  { key: 'gross', label: t('common.amount'), align: 'right', render: (w) => money(w.gross, currency) },
                  { key: 'tax', label: t('member.tax'), align: 'right', render: (w) => money(w.tax, currency) },
                  { key: 'net', label: t('member.net'), align: 'right', render: (w) => money(w.net, currency) },
                  {
                    key: 'status',
                    label: t('common.status'),
                    // A withdrawal's status (approved, paid…), not an award's.
                    render: (w) => (w.status ? <WithdrawalStatus status={w.status} /> : '—'),
                  },
                ]}
              />
            ) : null}
          </div>
        )}
      </Async>
    </Card>
  );
}

function balanceHint(
  t: ReturnType<typeof useI18n>['t'],
  balance: { pending: string; available: string },
  currency: string,
): string {
  return `${t('ledger.pending')} ${money(balance.pending, currency)} · ${t('ledger.available')} ${money(balance.available, currency)}`;
}
