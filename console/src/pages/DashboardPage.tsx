import { api, ok } from '../api/client';
import { Link, useQueryParam } from '../app/router';
import { useSession } from '../auth/session';
import { BarChart, PALETTE } from '../components/BarChart';
import { DataTable } from '../components/DataTable';
import { ErrorCode } from '../components/ErrorCode';
import { RuleName, usePlanRuleNames } from '../components/RuleName';
import { Async, Card, PageHeader, Stat } from '../components/ui';
import { useI18n } from '../i18n/i18n';
import { addDays, compact, dateTime, money, percent, toNumber, today } from '../lib/format';
import { useAsync } from '../lib/useAsync';

const RANGES = {
  '30d': { bucket: 'day', days: 30 },
  '90d': { bucket: 'day', days: 90 },
  '12m': { bucket: 'month', days: 0 },
} as const;
type Range = keyof typeof RANGES;

/** GMV and commission cost over time, the ledger, and what was refused lately (GET /v1/reports/summary). */
export default function DashboardPage() {
  const { t, lang } = useI18n();
  const { me } = useSession();
  const zone = me!.tenant.timezone;
  const currency = me!.tenant.currency;
  const ruleNames = usePlanRuleNames();
  const [rangeParam, setRange] = useQueryParam('range');
  const range: Range = rangeParam in RANGES ? (rangeParam as Range) : '30d';
  const { bucket, days } = RANGES[range];
  const state = useAsync(() => {
    const query = days ? { bucket, from: addDays(today(zone), 1 - days) } : { bucket };
    return ok(api.GET('/v1/reports/summary', { params: { query } }));
  }, [range, zone]);
  const axis = (value: number) => compact(value, lang);

  return (
    <div data-page="dashboard">
      <PageHeader
        title={t('dashboard.title')}
        subtitle={t('dashboard.subtitle', { zone })}
        actions={
          <div className="segmented" role="group" aria-label={t('dashboard.range')}>
            {(Object.keys(RANGES) as Range[]).map((option) => (
              <button
                key={option}
                type="button"
                className={option === range ? 'on' : ''}
                aria-pressed={option === range}
                onClick={() => setRange(option)}
              >
                {t(`dashboard.range.${option}`)}
              </button>
            ))}
          </div>
        }
      />
      <Async state={state}>
        {(report) => {
          const gmv = toNumber(report.totals.gmv);
          const cost = toNumber(report.totals.cost);
          const labels = report.buckets.map((b) => (bucket === 'day' ? b.bucket.slice(5) : b.bucket));
          return (
            <div className="stack" data-loaded="dashboard">
              <div className="stats">
                <Stat
                  label={t('dashboard.gmv')}
                  value={money(report.totals.gmv, currency)}
                  hint={t('dashboard.orders', { n: report.totals.orders })}
                  tone="accent"
                />
                <Stat
                  label={t('dashboard.cost')}
                  value={money(report.totals.cost, currency)}
                  hint={t('dashboard.costRatio', { ratio: percent(cost, gmv, lang) })}
                />
                <Stat
                  label={t('dashboard.refunds')}
                  value={money(report.totals.refunds, currency)}
                  hint={percent(toNumber(report.totals.refunds), gmv, lang)}
                />
                <Stat
                  label={t('dashboard.rejected')}
                  value={report.rejected.total}
                  hint={t('dashboard.rejectedHint')}
                  tone={report.rejected.total > 0 ? 'warn' : 'good'}
                />
              </div>
              <div className="grid-2">
                <Card title={t('dashboard.gmvChart')}>
                  <BarChart
                    title={t('dashboard.gmvChart')}
                    labels={labels}
                    series={[{ name: t('dashboard.gmv'), values: report.buckets.map((b) => toNumber(b.gmv)), color: '#0f766e' }]}
                    format={axis}
                  />
                </Card>
                <Card title={t('dashboard.costChart')}>
                  <BarChart
                    title={t('dashboard.costChart')}
                    labels={labels}
                    series={report.rules.map((rule, i) => ({
                      name: ruleNames.get(rule) ?? rule,
                      values: report.buckets.map((b) => toNumber(b.costByRule[rule] ?? '0')),
                      color: PALETTE[i % PALETTE.length],
                    }))}
                    format={axis}
                  />
                </Card>
              </div>
              <div className="grid-2">
                <Card title={t('dashboard.byRule')}>
                  <DataTable
                    rows={report.rules}
                    rowKey={(rule) => rule}
                    empty={t('dashboard.noCost')}
                    columns={[
                      {
                        key: 'rule',
                        label: t('common.rule'),
                        render: (rule) => <RuleName rule={rule} name={ruleNames.get(rule)} />,
                      },
                      {
                        key: 'cost',
                        label: t('dashboard.cost'),
                        align: 'right',
                        render: (rule) => money(report.totals.costByRule[rule], currency),
                      },
                      {
                        key: 'share',
                        label: t('dashboard.share'),
                        align: 'right',
                        render: (rule) => percent(toNumber(report.totals.costByRule[rule] ?? '0'), cost, lang),
                      },
                      {
                        key: 'ofGmv',
                        label: t('dashboard.ofGmv'),
                        align: 'right',
                        render: (rule) => percent(toNumber(report.totals.costByRule[rule] ?? '0'), gmv, lang),
                      },
                    ]}
                  />
                </Card>
                <Card title={t('dashboard.ledger')}>
                  <p className="muted small">{t('dashboard.ledgerHint')}</p>
                  <div className="stats compact">
                    <Stat label={t('ledger.pending')} value={money(report.ledger.pending, currency)} />
                    <Stat label={t('ledger.available')} value={money(report.ledger.available, currency)} />
                    <Stat label={t('ledger.settled')} value={money(report.ledger.settled, currency)} />
                    <Stat
                      label={t('ledger.withdrawn')}
                      value={money(report.ledger.withdrawn, currency)}
                      hint={t('ledger.taxNet', {
                        tax: money(report.ledger.tax, currency),
                        net: money(report.ledger.net, currency),
                      })}
                    />
                  </div>
                </Card>
              </div>
              <Card title={t('dashboard.recentRejected')} actions={<Link to="/events?tab=rejected">{t('common.seeAll')}</Link>}>
                <DataTable
                  rows={report.rejected.recent}
                  rowKey={(row) => String(row.id)}
                  empty={t('dashboard.noRejected')}
                  columns={[
                    {
                      key: 'at',
                      label: t('common.received'),
                      render: (row) => <span className="nowrap">{dateTime(row.receivedAt, lang, zone)}</span>,
                    },
                    { key: 'type', label: t('common.type'), render: (row) => <code>{row.type ?? '—'}</code> },
                    { key: 'code', label: t('common.error'), render: (row) => <ErrorCode code={row.code} /> },
                    { key: 'message', label: t('common.message'), render: (row) => row.message },
                  ]}
                />
              </Card>
            </div>
          );
        }}
      </Async>
    </div>
  );
}
