import { useState } from 'react';
import { api, ok, uploadFile, type Reply } from '../api/client';
import { Link } from '../app/router';
import { useSession } from '../auth/session';
import { DataTable } from '../components/DataTable';
import { DownloadButton } from '../components/DownloadButton';
import { WithdrawalStatus } from '../components/WithdrawalStatus';
import { Async, Badge, Card, ErrorNote, PageHeader, Stat } from '../components/ui';
import { useI18n } from '../i18n/i18n';
import { dateTime, money, sumDecimals } from '../lib/format';
import { useAsync } from '../lib/useAsync';

type Withdrawal = Reply<'/v1/withdrawals'>['withdrawals'][number];
type Preview = Reply<'/v1/payouts/preview'>;
/** Skipped withdrawals read before a batch is made, as many as the approved list shows (the count covers them all). */
const SKIPPED_READ = 500;
/** Members named in the notice of skipped withdrawals (the rest are counted). */
const SKIPPED_MEMBERS_NAMED = 20;
type Results = Reply<'/v1/payouts/batches/{id}/results', 'post'>;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** 提现审核: withdrawals awaiting review, approved ones, payout batches (export, result import, reconcile). */
export default function PayoutsPage() {
  const { t } = useI18n();
  const { can } = useSession();
  const [selected, setSelected] = useState<string | null>(null);
  const requested = useAsync(
    () => ok(api.GET('/v1/withdrawals', { params: { query: { status: 'requested', limit: 500 } } })),
    [],
  );
  // Approved and on no batch yet: those a new batch would take (on a batch, they await the payer).
  const approved = useAsync(
    () => ok(api.GET('/v1/withdrawals', { params: { query: { status: 'approved', batched: 'false', limit: 500 } } })),
    [],
  );
  // What a batch made now would take and skip (members without payee details), told before it is made.
  const preview = useAsync(() => ok(api.GET('/v1/payouts/preview', { params: { query: { limit: SKIPPED_READ } } })), []);
  const batches = useAsync(() => ok(api.GET('/v1/payouts/batches', { params: { query: { limit: 50 } } })), []);
  const reloadAll = () => {
    requested.reload();
    approved.reload();
    preview.reload();
    batches.reload();
  };
  const admin = can('admin');

  return (
    <div data-page="payouts">
      <PageHeader title={t('payouts.title')} subtitle={t('payouts.subtitle')} />
      <div className="stack">
        <Card title={t('payouts.requested')}>
          <Async state={requested}>{({ withdrawals }) => <Review rows={withdrawals} admin={admin} onChange={reloadAll} />}</Async>
        </Card>
        <Card
          title={t('payouts.approved')}
          actions={
            admin ? (
              <NewBatch nothingToTake={preview.data?.lines === 0} onCreated={(id) => (setSelected(id), reloadAll())} />
            ) : null
          }
        >
          <Async state={approved}>
            {({ withdrawals }) => (
              <div data-loaded="approved">
                <p className="muted small">
                  {t('payouts.approvedHint', { n: withdrawals.length, total: money(sumDecimals(withdrawals.map((w) => w.net))) })}{' '}
                  {t('payouts.onBatchHint')}
                </p>
                <Async state={preview}>{(p) => <BatchPreview preview={p} />}</Async>
                <WithdrawalTable rows={withdrawals} missingPayee={missingPayeeOf(preview.data)} />
              </div>
            )}
          </Async>
        </Card>
        <Card title={t('payouts.batches')}>
          <Async state={batches}>
            {({ batches: list }) => (
              <DataTable
                rows={list}
                rowKey={(b) => b.id}
                selected={selected}
                onRowClick={(b) => setSelected(b.id)}
                empty={t('payouts.noBatches')}
                columns={[
                  { key: 'id', label: t('payouts.batch'), render: (b) => <code>{b.id}</code> },
                  { key: 'created', label: t('common.time'), render: (b) => <BatchTime at={b.createdAt} /> },
                  { key: 'lines', label: t('payouts.lines'), align: 'right', render: (b) => b.lines },
                  { key: 'net', label: t('member.net'), align: 'right', render: (b) => money(b.net, b.currency) },
                  {
                    key: 'counts',
                    label: t('payouts.counts'),
                    render: (b) =>
                      t('payouts.countsValue', { paid: b.counts.paid, failed: b.counts.failed, open: b.counts.open }),
                  },
                  { key: 'status', label: t('common.status'), render: (b) => <WithdrawalStatus status={b.status} /> },
                ]}
              />
            )}
          </Async>
        </Card>
        {selected ? <BatchDetail id={selected} admin={admin} onChange={reloadAll} /> : null}
      </div>
    </div>
  );
}

function BatchTime({ at }: { at: string }) {
  const { lang } = useI18n();
  const { me } = useSession();
  return <span className="nowrap">{dateTime(at, lang, me!.tenant.timezone)}</span>;
}

/** The withdrawals of the preview a batch would skip (those listed), by id. */
const missingPayeeOf = (preview: Preview | undefined): ReadonlySet<string> =>
  new Set(preview?.skipped.withdrawals.map((w) => w.withdrawal) ?? []);

/**
 * Before a batch is made: what it would take, and the approved withdrawals it would skip because
 * their members have no payee details (they stay approved, on no batch, until those are set).
 */
function BatchPreview({ preview }: { preview: Preview }) {
  const { t } = useI18n();
  // (Only an admin key may set payee details: a read key is told, not sent.)
  const admin = useSession().can('admin');
  const { skipped } = preview;
  // One line per member: setting its payee details lets the next batch take all of them.
  const byMember = new Map<string, Preview['skipped']['withdrawals']>();
  for (const w of skipped.withdrawals) byMember.set(w.member, [...(byMember.get(w.member) ?? []), w]);
  const named = [...byMember].slice(0, SKIPPED_MEMBERS_NAMED);
  const more = skipped.count - named.reduce((n, [, withdrawals]) => n + withdrawals.length, 0);
  return (
    <div className="stack" data-loaded="preview" data-missing-payee={skipped.count}>
      <p className="muted small">{t('payouts.willTake', { n: preview.lines, total: money(preview.net, preview.currency) })}</p>
      {skipped.count > 0 ? (
        <div className="draft-origin" role="status">
          <p>{t('payouts.missingPayee', { n: skipped.count, total: money(skipped.net, preview.currency) })}</p>
          <ul className="findings">
            {named.map(([member, withdrawals]) => (
              <li key={member} data-member={member}>
                <strong>{member}</strong>
                {withdrawals.map((w) => (
                  <span key={w.withdrawal} data-withdrawal={w.withdrawal}>
                    {' · '}
                    <code>{w.withdrawal}</code> {money(w.net, preview.currency)}
                  </span>
                ))}{' '}
                {admin ? <Link to={`/members/${encodeURIComponent(member)}`}>{t('payouts.setPayee')}</Link> : null}
              </li>
            ))}
          </ul>
          {more > 0 ? <p className="muted small">{t('payouts.missingPayeeMore', { n: more })}</p> : null}
        </div>
      ) : null}
    </div>
  );
}

function WithdrawalTable({
  rows,
  actions,
  missingPayee,
}: {
  rows: readonly Withdrawal[];
  actions?: (w: Withdrawal) => React.ReactNode;
  /** Withdrawals a batch would skip: their members have no payee details. */
  missingPayee?: ReadonlySet<string>;
}) {
  const { t } = useI18n();
  const { me } = useSession();
  const currency = me!.tenant.currency;
  return (
    <DataTable
      rows={rows}
      rowKey={(w) => w.withdrawal}
      empty={t('payouts.none')}
      columns={[
        { key: 'id', label: t('member.withdrawal'), render: (w) => <code>{w.withdrawal}</code> },
        {
          key: 'member',
          label: t('finance.member'),
          render: (w) => (
            <>
              <Link to={`/members/${encodeURIComponent(w.member)}`}>{w.member}</Link>
              {missingPayee?.has(w.withdrawal) ? (
                <>
                  {' '}
                  <Badge tone="warn">{t('payouts.noPayee')}</Badge>
                </>
              ) : null}
            </>
          ),
        },
        { key: 'at', label: t('common.time'), render: (w) => <BatchTime at={w.at} /> },
        { key: 'amount', label: t('common.amount'), align: 'right', render: (w) => <strong>{money(w.amount, currency)}</strong> },
        { key: 'tax', label: t('member.tax'), align: 'right', render: (w) => money(w.tax, currency) },
        { key: 'net', label: t('member.net'), align: 'right', render: (w) => money(w.net, currency) },
        { key: 'status', label: t('common.status'), render: (w) => <WithdrawalStatus status={w.status} /> },
        ...(actions ? [{ key: 'actions', label: '', render: actions }] : []),
      ]}
    />
  );
}

function Review({ rows, admin, onChange }: { rows: readonly Withdrawal[]; admin: boolean; onChange: () => void }) {
  const { t } = useI18n();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  async function act(w: Withdrawal, action: 'approve' | 'reject') {
    setBusy(w.withdrawal);
    setError(null);
    try {
      if (action === 'approve')
        await ok(api.POST('/v1/withdrawals/{id}/approve', { params: { path: { id: w.withdrawal } }, body: {} }));
      else
        await ok(
          api.POST('/v1/withdrawals/{id}/reject', { params: { path: { id: w.withdrawal } }, body: { reason: reason.trim() } }),
        );
      onChange();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(null);
    }
  }
  return (
    <div className="stack" data-loaded="requested">
      {admin ? (
        <label className="inline-field">
          <span>{t('payouts.reason')}</span>
          <input
            value={reason}
            onChange={(event) => setReason(event.target.value)}
            placeholder={t('payouts.reasonPlaceholder')}
          />
        </label>
      ) : null}
      {error ? <ErrorNote error={error} /> : null}
      <WithdrawalTable
        rows={rows}
        actions={
          admin
            ? (w) => (
                <span className="row nowrap">
                  <button type="button" className="primary small" disabled={busy !== null} onClick={() => act(w, 'approve')}>
                    {t('payouts.approve')}
                  </button>
                  <button
                    type="button"
                    className="ghost small"
                    disabled={busy !== null || !reason.trim()}
                    title={reason.trim() ? undefined : t('payouts.reasonNeeded')}
                    onClick={() => act(w, 'reject')}
                  >
                    {t('payouts.reject')}
                  </button>
                </span>
              )
            : undefined
        }
      />
    </div>
  );
}

function NewBatch({
  nothingToTake,
  onCreated,
}: {
  /** The preview says a batch made now would take no withdrawal (the server would refuse it). */
  nothingToTake: boolean;
  onCreated: (id: string) => void;
}) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  async function create() {
    setBusy(true);
    setError(null);
    setNote(null);
    try {
      const answer = await ok(api.POST('/v1/payouts/batches', { body: {} }));
      // Skipped for want of payee details (the only reason): the preview below names them.
      setNote(
        t('payouts.created', { id: answer.batch.id, lines: answer.batch.lines, skipped: answer.skipped.length }) +
          (answer.skipped.length ? t('payouts.createdSkippedWhy') : ''),
      );
      onCreated(answer.batch.id);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  }
  return (
    <div className="row">
      {note ? (
        <span className="muted small" role="status">
          {note}
        </span>
      ) : null}
      {error ? <ErrorNote error={error} /> : null}
      <button
        type="button"
        className="primary"
        disabled={busy || nothingToTake}
        title={nothingToTake ? t('payouts.nothingToTake') : undefined}
        onClick={create}
      >
        {t('payouts.createBatch')}
      </button>
    </div>
  );
}

function BatchDetail({ id, admin, onChange }: { id: string; admin: boolean; onChange: () => void }) {
  const { t } = useI18n();
  const { me } = useSession();
  const currency = me!.tenant.currency;
  const [results, setResults] = useState<Results | null>(null);
  const [error, setError] = useState<unknown>(null);
  const detail = useAsync(
    () => ok(api.GET('/v1/payouts/batches/{id}', { params: { path: { id }, query: { limit: 200 } } })),
    [id],
  );
  const reconcile = useAsync(
    () => ok(api.GET('/v1/payouts/batches/{id}/reconcile', { params: { path: { id }, query: { limit: 0 } } })),
    [id],
  );
  async function upload(file: File) {
    setError(null);
    setResults(null);
    const xlsx = file.name.toLowerCase().endsWith('.xlsx');
    try {
      const answer = await uploadFile<Results>(
        `/v1/payouts/batches/${encodeURIComponent(id)}/results`,
        file,
        xlsx ? XLSX : 'text/csv; charset=utf-8',
      );
      setResults(answer);
      detail.reload();
      reconcile.reload();
      onChange();
    } catch (failure) {
      setError(failure);
    }
  }
  const base = `/v1/payouts/batches/${encodeURIComponent(id)}/export`;
  return (
    <Card
      title={t('payouts.batchTitle', { id })}
      actions={
        <div className="row">
          <DownloadButton path={`${base}?format=csv`} name={`${id}.csv`} label="CSV" />
          <DownloadButton path={`${base}?format=xlsx`} name={`${id}.xlsx`} label="XLSX" />
        </div>
      }
    >
      <div className="stack" data-loaded="batch">
        <Async state={detail}>
          {({ batch, lines }) => (
            <>
              <div className="stats compact">
                <Stat label={t('payouts.lines')} value={batch.lines} />
                <Stat label={t('common.amount')} value={money(batch.gross, currency)} />
                <Stat label={t('member.tax')} value={money(batch.tax, currency)} />
                <Stat label={t('member.net')} value={money(batch.net, currency)} tone="accent" />
              </div>
              <DataTable
                rows={lines}
                empty=""
                rowKey={(l) => String(l.line)}
                columns={[
                  { key: 'line', label: '#', align: 'right', render: (l) => l.line },
                  { key: 'reference', label: t('payouts.reference'), render: (l) => <code>{l.reference}</code> },
                  { key: 'withdrawal', label: t('member.withdrawal'), render: (l) => <code>{l.withdrawal}</code> },
                  { key: 'member', label: t('finance.member'), render: (l) => `${l.member} · ${l.realName}` },
                  { key: 'account', label: t('payouts.account'), render: (l) => <code>{l.account}</code> },
                  { key: 'net', label: t('member.net'), align: 'right', render: (l) => money(l.net, currency) },
                  { key: 'status', label: t('common.status'), render: (l) => <WithdrawalStatus status={l.status} /> },
                  { key: 'reason', label: t('payouts.failureReason'), render: (l) => l.result?.reason ?? '' },
                ]}
              />
            </>
          )}
        </Async>
        {admin ? (
          <label className="inline-field">
            <span>{t('payouts.import')}</span>
            <input
              type="file"
              accept=".csv,.xlsx,text/csv"
              aria-label={t('payouts.import')}
              onChange={(event) => {
                const file = event.target.files?.[0];
                if (file) void upload(file);
                event.target.value = '';
              }}
            />
          </label>
        ) : null}
        {error ? <ErrorNote error={error} /> : null}
        {results ? (
          <p className="ok-line" role="status" data-results>
            {t('payouts.imported', {
              rows: results.rows,
              applied: results.applied,
              duplicates: results.duplicates,
              skipped: results.skipped,
            })}
            {results.problems.length
              ? ` — ${results.problems.map((p) => `#${p.row} ${p.reference}: ${p.message}`).join('; ')}`
              : ''}
          </p>
        ) : null}
        <Async state={reconcile}>
          {(r) => (
            <div data-loaded="reconcile" data-reconcile={r.ok ? 'ok' : 'differences'}>
              <h3>{t('payouts.reconcile')}</h3>
              <p className={r.ok ? 'ok-line' : 'error-note'}>
                {r.ok ? `✓ ${t('payouts.reconcileOk')}` : t('payouts.reconcileDiff', { n: r.differenceCount })}
              </p>
              <div className="stats compact">
                <Stat
                  label={t('payouts.status.paid')}
                  value={money(r.totals.paid.paidOut, currency)}
                  hint={t('payouts.lineCount', { n: r.totals.paid.count })}
                />
                <Stat
                  label={t('payouts.status.failed')}
                  value={money(r.totals.failed.givenBack, currency)}
                  hint={t('payouts.lineCount', { n: r.totals.failed.count })}
                />
                <Stat
                  label={t('payouts.status.open')}
                  value={money(r.totals.open.outstanding, currency)}
                  hint={t('payouts.lineCount', { n: r.totals.open.count })}
                />
              </div>
              {r.differences.length ? (
                <ul className="findings">
                  {r.differences.map((d, i) => (
                    <li key={i}>
                      <code>{d.check}</code> {d.reference ?? ''}{' '}
                      {t('payouts.expectedActual', { expected: d.expected, actual: d.actual })}
                    </li>
                  ))}
                </ul>
              ) : null}
            </div>
          )}
        </Async>
      </div>
    </Card>
  );
}
