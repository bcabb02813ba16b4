import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, ApiFailure, ok, type Reply } from '../../api/client';
import { Link } from '../../app/router';
import { useSession } from '../../auth/session';
import { AdminOnly } from '../../components/AdminOnly';
import { ApiKeyName, useKeyLabels } from '../../components/ApiKeyName';
import { DataTable } from '../../components/DataTable';
import { MoreButton } from '../../components/MoreButton';
import { Card, ErrorNote, Loading } from '../../components/ui';
import { DayWindowFields, useDayWindow } from '../../components/DayWindow';
import { useI18n } from '../../i18n/i18n';
import { amountText, dateTime, isAmountTooLarge, isZeroAmount, maxAmountText, money, today } from '../../lib/format';
import { useDebounced } from '../../lib/useAsync';
import { usePages } from '../../lib/usePages';

type Adjustment = Reply<'/v1/adjustments'>['adjustments'][number];
type Direction = 'bonus' | 'deduction';
const PAGE = 20;

/**
 * 人工调整: manual bonuses and deductions (GET /v1/adjustments, newest first, a page at a time,
 * filtered by member and days of the tenant's zone) and the form that posts one (POST
 * /v1/adjustments). Both need an admin key: other keys see a note.
 */
export function Adjustments() {
  const { t } = useI18n();
  return (
    <AdminOnly title={t('adjustments.title')} note={t('adjustments.adminOnly')}>
      {() => <AdjustmentsForAdmin />}
    </AdminOnly>
  );
}

function AdjustmentsForAdmin() {
  const { t, lang } = useI18n();
  const { me } = useSession();
  const { currency, timezone: zone } = me!.tenant;
  const labels = useKeyLabels();
  const [filter, setFilter] = useState('');
  const cleared = (_settled: string, next: string) => next === '';
  const member = useDebounced(filter.trim(), 300, cleared);
  const days = useDayWindow();
  const list = usePages<Adjustment>(
    async (after) => {
      if (days.reversed) return { items: [], next: null };
      const answer = await ok(
        api.GET('/v1/adjustments', {
          params: {
            query: {
              limit: PAGE,
              ...(member ? { member } : {}),
              ...days.query,
              ...(after ? { after } : {}),
            },
          },
        }),
      );
      return { items: answer.adjustments, next: answer.next };
    },
    [member, days.from, days.to],
  );

  return (
    <Card title={t('adjustments.title')}>
      <p className="muted small">{t('adjustments.hint')}</p>
      <AdjustmentForm onPosted={list.reload} />
      <h3 id="adjustments-list">{t('adjustments.list')}</h3>
      <div className="filters full-on-phone">
        <label className="inline-field">
          <span>{t('adjustments.filterMember')}</span>
          <input
            value={filter}
            onChange={(event) => setFilter(event.target.value)}
            placeholder={t('adjustments.memberPlaceholder')}
            autoComplete="off"
            spellCheck={false}
          />
        </label>
        <DayWindowFields days={days} />
      </div>
      {list.error ? <ErrorNote error={list.error} /> : null}
      {list.items === undefined ? (
        list.error ? null : (
          <Loading />
        )
      ) : (
        <div data-loaded="adjustments" aria-labelledby="adjustments-list" role="region">
          <DataTable
            rows={list.items}
            rowKey={(a) => a.adjustment}
            empty={
              days.from || days.to
                ? t('adjustments.noneMatch')
                : member
                  ? t('adjustments.noneFor', { member })
                  : t('adjustments.none')
            }
            columns={[
              {
                key: 'at',
                label: t('common.time'),
                render: (a) => <span className="nowrap">{dateTime(a.at, lang, zone)}</span>,
              },
              {
                key: 'member',
                label: t('finance.member'),
                render: (a) => <Link to={`/members/${encodeURIComponent(a.member)}`}>{a.member}</Link>,
              },
              {
                key: 'amount',
                label: t('common.amount'),
                align: 'right',
                render: (a) => (
                  <strong className={a.amount.startsWith('-') ? 'bad-text' : 'good-text'} data-amount={a.amount}>
                    {signedMoney(a.amount, currency)}
                  </strong>
                ),
              },
              { key: 'reason', label: t('adjustments.reason'), render: (a) => <span className="reason">{a.reason}</span> },
              { key: 'by', label: t('adjustments.by'), render: (a) => <ApiKeyName id={a.by} labels={labels} /> },
              { key: 'id', label: t('adjustments.id'), render: (a) => <code>{a.adjustment}</code>, wide: true },
            ]}
          />
          <MoreButton hasMore={list.hasMore} loading={list.loading} onMore={list.more} />
        </div>
      )}
    </Card>
  );
}

/** An amount with its sign always shown: +¥50.00, -¥20.00. */
const signedMoney = (amount: string, currency: string): string =>
  amount.startsWith('-') ? money(amount, currency) : `+${money(amount, currency)}`;

/** An id for one adjustment as the console posts it: the day in the tenant's zone and 48 random bits. */
function newAdjustmentId(zone: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0'))
    .join('')
    .toUpperCase();
  return `ADJ-${today(zone).replace(/-/g, '')}-${hex}`;
}

interface Posted {
  readonly id: string;
  readonly member: string;
  readonly amount: string;
  readonly duplicate: boolean;
  /** The member's available balance after it, when it could be read. */
  readonly available: string | null;
}

/**
 * Posts one adjustment. The id is made when a content is first sent and kept while that content
 * is sent again (a double click, a retry after a lost answer): the server then answers
 * `duplicate` and posts nothing twice. Changing the content, or a posting that went through,
 * makes the next submission a new adjustment.
 */
function AdjustmentForm({ onPosted }: { onPosted: () => void }) {
  const { t } = useI18n();
  const { me } = useSession();
  // (The server's digits for the tenant's currency: what it will accept.)
  const { currency, timezone: zone, decimals } = me!.tenant;
  const example = decimals > 0 ? `50.${'0'.repeat(decimals)}` : '50';
  const [member, setMember] = useState('');
  const [direction, setDirection] = useState<Direction>('bonus');
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  const [posted, setPosted] = useState<Posted | null>(null);
  const sending = useRef(false);
  const attempt = useRef<{ content: string; id: string } | null>(null);
  const memberInput = useRef<HTMLInputElement>(null);
  const amountInput = useRef<HTMLInputElement>(null);
  const reasonInput = useRef<HTMLTextAreaElement>(null);

  const amountOk = amountText(amount, decimals);
  const amountError =
    amount.trim() === ''
      ? null
      : amountOk === null
        ? 'format'
        : isZeroAmount(amountOk)
          ? 'zero'
          : isAmountTooLarge(amountOk)
            ? 'large'
            : null;
  const signed = amountOk === null ? null : `${direction === 'deduction' ? '-' : ''}${amountOk}`;
  const ready = member.trim() !== '' && signed !== null && amountError === null && reason.trim() !== '';
  // A refusal is of what was sent: it goes once the content changes.
  useEffect(() => setFailure(null), [member, direction, amount, reason]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!ready || signed === null || sending.current) return;
    sending.current = true;
    setBusy(true);
    setFailure(null);
    setPosted(null);
    const body = { member: member.trim(), amount: signed, reason: reason.trim() };
    const content = JSON.stringify(body);
    if (attempt.current?.content !== content) attempt.current = { content, id: newAdjustmentId(zone) };
    const id = attempt.current.id;
    try {
      const answer = await ok(api.POST('/v1/adjustments', { body: { adjustment: id, ...body } }));
      attempt.current = null;
      let available: string | null = null;
      try {
        const { balances } = await ok(api.GET('/v1/balances', { params: { query: { member: body.member } } }));
        available = balances[0]?.available ?? null;
      } catch {
        // The posting stands; the balance is on the member's page.
      }
      setPosted({ id, member: body.member, amount: body.amount, duplicate: answer.status === 'duplicate', available });
      setMember('');
      setAmount('');
      setReason('');
      onPosted();
      memberInput.current?.focus();
    } catch (error) {
      setFailure(error);
      // Where the server points: the field it refused.
      const field = error instanceof ApiFailure ? error.path?.[0] : undefined;
      if (field === 'member') memberInput.current?.focus();
      else if (field === 'amount') amountInput.current?.focus();
      else if (field === 'reason') reasonInput.current?.focus();
    } finally {
      sending.current = false;
      setBusy(false);
    }
  }

  return (
    <form className="form adjust-form" onSubmit={submit} aria-labelledby="adjust-form-title" data-form="adjustment">
      <h3 id="adjust-form-title">{t('adjustments.post')}</h3>
      <div className="form-grid">
        <label className="field">
          <span>{t('adjustments.member')}</span>
          <input
            ref={memberInput}
            value={member}
            onChange={(event) => setMember(event.target.value)}
            maxLength={200}
            autoComplete="off"
            spellCheck={false}
            required
            placeholder={t('adjustments.memberPlaceholder')}
          />
        </label>
        <fieldset className="field direction">
          <legend>{t('adjustments.direction')}</legend>
          <div className="segmented">
            {(['bonus', 'deduction'] as const).map((option) => (
              <label key={option} className={direction === option ? 'on' : ''}>
                <input
                  type="radio"
                  name="adjust-direction"
                  value={option}
                  checked={direction === option}
                  onChange={() => setDirection(option)}
                />
                {t(`adjustments.${option}`)}
              </label>
            ))}
          </div>
        </fieldset>
        <label className="field">
          <span>{t('adjustments.amount', { currency })}</span>
          <input
            ref={amountInput}
            value={amount}
            onChange={(event) => setAmount(event.target.value)}
            inputMode="decimal"
            autoComplete="off"
            maxLength={24}
            required
            placeholder={example}
            aria-invalid={amountError !== null}
            aria-describedby="adjust-amount-note"
          />
        </label>
      </div>
      <p id="adjust-amount-note" className={`small ${amountError ? 'bad-text' : 'muted'}`}>
        {amountError === 'zero'
          ? t('adjustments.amountZero')
          : amountError === 'large'
            ? t('adjustments.amountTooLarge', { max: money(maxAmountText(decimals), currency) })
            : amountError === 'format'
              ? t('adjustments.amountFormat', { n: decimals, example })
              : t('adjustments.amountHint', { n: decimals, example })}
      </p>
      <label className="field">
        <span>{t('adjustments.reasonRequired')}</span>
        <textarea
          ref={reasonInput}
          value={reason}
          onChange={(event) => setReason(event.target.value)}
          rows={2}
          maxLength={500}
          required
          placeholder={t('adjustments.reasonPlaceholder')}
        />
      </label>
      {ready ? (
        <p className="small" data-preview>
          {t(direction === 'bonus' ? 'adjustments.previewBonus' : 'adjustments.previewDeduction', {
            member: member.trim(),
            amount: money(amountOk, currency),
          })}
        </p>
      ) : null}
      {failure ? <ErrorNote error={failure} /> : null}
      {posted ? (
        <div className="ok-note" role="status" data-posted={posted.id}>
          {t(posted.duplicate ? 'adjustments.duplicate' : 'adjustments.posted', {
            id: posted.id,
            member: posted.member,
            amount: signedMoney(posted.amount, currency),
          })}{' '}
          {posted.available !== null ? t('adjustments.availableNow', { available: money(posted.available, currency) }) : null}{' '}
          <Link to={`/members/${encodeURIComponent(posted.member)}`}>{t('adjustments.openMember')}</Link>
        </div>
      ) : null}
      <button type="submit" className="primary" disabled={!ready} aria-disabled={busy || undefined}>
        {busy ? t('adjustments.posting') : t('adjustments.submit')}
      </button>
    </form>
  );
}
