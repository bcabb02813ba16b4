import { useState } from 'react';
import { api, ok } from '../api/client';
import { useSession } from '../auth/session';
import { DataTable } from '../components/DataTable';
import { DownloadButton } from '../components/DownloadButton';
import { RuleName, usePlanRuleNames } from '../components/RuleName';
import { Async, Badge, Card, PageHeader, Stat } from '../components/ui';
import { useI18n } from '../i18n/i18n';
import { money, today } from '../lib/format';
import { useAsync } from '../lib/useAsync';
import { Adjustments } from './finance/Adjustments';

const GROUPINGS = ['rule', 'branch', 'agency'] as const;
type Grouping = (typeof GROUPINGS)[number];

/** A ratio as the API gives it ("17.5776%", up to 4 decimals) with 2 decimals in the reader's language. */
function ratio(value: string | null, lang: string): string {
  if (value === null) return '—';
  const match = /^(-?\d+(?:\.\d+)?)%$/.exec(value);
  if (match === null) return value;
  // Display only: the API keeps the exact figure.
  return new Intl.NumberFormat(lang, { style: 'percent', minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(
    Number(match[1]) / 100,
  );
}

/**
 * 财务: the monthly tax report (GET /v1/reports/tax), the commission report (GET
 * /v1/reports/commission) and manual adjustments (GET/POST /v1/adjustments, admin).
 */
export default function FinancePage() {
  const { t, lang } = useI18n();
  const { me } = useSession();
  const { currency, timezone: zone } = me!.tenant;
  const [month, setMonth] = useState(() => today(zone).slice(0, 7));
  const [by, setBy] = useState<Grouping>('rule');
  const ruleNames = usePlanRuleNames();
  const tax = useAsync(month ? () => ok(api.GET('/v1/reports/tax', { params: { query: { month } } })) : null, [month]);
  const commission = useAsync(
    month ? () => ok(api.GET('/v1/reports/commission', { params: { query: { from: month, to: month, by } } })) : null,
    [month, by],
  );

  return (
    <div data-page="finance">
      <PageHeader
        title={t('finance.title')}
        subtitle={t('finance.subtitle', { zone })}
        actions={
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
        }
      />
      <div className="stack">
        <Card
          title={t('finance.tax')}
          actions={<DownloadButton path={`/v1/reports/tax?month=${month}&format=csv`} name={`tax-${month}.csv`} label="CSV" />}
        >
          <Async state={tax}>
            {(report) => (
              <div className="stack" data-loaded="tax">
                <div className="stats compact">
                  <Stat
                    label={t('finance.gross')}
                    value={money(report.totals.gross, currency)}
                    hint={t('member.withdrawalCount', { n: report.totals.withdrawals })}
                  />
                  <Stat label={t('finance.taxable')} value={money(report.totals.taxable, currency)} />
                  <Stat label={t('finance.withheld')} value={money(report.totals.withheld, currency)} tone="accent" />
                  <Stat label={t('member.net')} value={money(report.totals.net, currency)} />
                </div>
                <p className={report.check.ok ? 'ok-line' : 'error-note'}>
                  {report.check.ok ? `✓ ${t('finance.taxCheckOk')}` : t('finance.checkFailed')}
                </p>
                <DataTable
                  rows={report.rows}
                  rowKey={(r) => `${r.member}:${r.taxMonth}:${r.correction ? 'c' : ''}`}
                  empty={t('finance.noTax')}
                  columns={[
                    { key: 'member', label: t('finance.member'), render: (r) => <code>{r.member}</code> },
                    {
                      key: 'month',
                      label: t('finance.taxMonth'),
                      render: (r) => (
                        <span>
                          {r.taxMonth} {r.correction ? <Badge tone="warn">{t('finance.correction')}</Badge> : null}
                        </span>
                      ),
                    },
                    { key: 'regime', label: t('finance.regime'), render: (r) => <code>{r.regime}</code> },
                    { key: 'gross', label: t('finance.gross'), align: 'right', render: (r) => money(r.gross, currency) },
                    { key: 'taxable', label: t('finance.taxable'), align: 'right', render: (r) => money(r.taxable, currency) },
                    {
                      key: 'withheld',
                      label: t('finance.withheld'),
                      align: 'right',
                      render: (r) => <strong>{money(r.withheld, currency)}</strong>,
                    },
                    { key: 'net', label: t('member.net'), align: 'right', render: (r) => money(r.net, currency) },
                  ]}
                />
              </div>
            )}
          </Async>
        </Card>
        <Card
          title={t('finance.commission')}
          actions={
            <div className="row">
              <div className="segmented small" role="group" aria-label={t('finance.groupBy')}>
                {GROUPINGS.map((option) => (
                  <button
                    key={option}
                    type="button"
                    className={by === option ? 'on' : ''}
                    aria-pressed={by === option}
                    onClick={() => setBy(option)}
                  >
                    {t(`finance.by.${option}`)}
                  </button>
                ))}
              </div>
              <DownloadButton
                path={`/v1/reports/commission?from=${month}&to=${month}&by=${by}&format=csv`}
                name={`commission-${by}-${month}.csv`}
                label="CSV"
              />
            </div>
          }
        >
          <Async state={commission}>
            {(report) => (
              <div className="stack" data-loaded="commission">
                <div className="stats compact">
                  <Stat
                    label={t('dashboard.gmv')}
                    value={money(report.totals.gmv, currency)}
                    hint={t('dashboard.orders', { n: report.totals.orders })}
                  />
                  <Stat
                    label={t('dashboard.cost')}
                    value={money(report.totals.commission, currency)}
                    hint={t('member.awardCount', { n: report.totals.awards })}
                  />
                  <Stat label={t('finance.ratio')} value={ratio(report.totals.ratio, lang)} tone="accent" />
                </div>
                <p className={report.check.ok ? 'ok-line' : 'error-note'}>
                  {report.check.ok ? `✓ ${t('finance.commissionCheckOk')}` : t('finance.checkFailed')}
                </p>
                <DataTable
                  rows={report.groups}
                  rowKey={(g) => g.key ?? '—'}
                  empty={t('dashboard.noCost')}
                  columns={[
                    {
                      key: 'key',
                      label: t(`finance.by.${by}`),
                      render: (g) =>
                        g.key === null ? (
                          <code>{t('finance.none')}</code>
                        ) : by === 'rule' ? (
                          <RuleName rule={g.key} name={ruleNames.get(g.key)} />
                        ) : (
                          <code>{g.key}</code>
                        ),
                    },
                    { key: 'orders', label: t('finance.orders'), align: 'right', render: (g) => g.orders ?? '—' },
                    {
                      key: 'gmv',
                      label: t('dashboard.gmv'),
                      align: 'right',
                      render: (g) => (g.gmv === null ? '—' : money(g.gmv, currency)),
                    },
                    {
                      key: 'commission',
                      label: t('dashboard.cost'),
                      align: 'right',
                      render: (g) => <strong>{money(g.commission, currency)}</strong>,
                    },
                    { key: 'ratio', label: t('finance.ratio'), align: 'right', render: (g) => ratio(g.ratio, lang) },
                    { key: 'share', label: t('dashboard.share'), align: 'right', render: (g) => ratio(g.share, lang) },
                  ]}
                />
              </div>
            )}
          </Async>
        </Card>
        <Adjustments />
      </div>
    </div>
  );
}
