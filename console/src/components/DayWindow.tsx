import { useState } from 'react';
import { useI18n } from '../i18n/i18n';
import { useDebounced } from '../lib/useAsync';

/** A list's window of days of the tenant zone, as GET /v1/adjustments and /v1/audit read `from` and `to` (inclusive). */
export interface DayWindow {
  /** The days as typed (for the inputs). */
  readonly typed: { readonly from: string; readonly to: string };
  setFrom(day: string): void;
  setTo(day: string): void;
  /** The days once settled (a day typed digit by digit is asked for once), '' when open. */
  readonly from: string;
  readonly to: string;
  /** The query parameters of the window: only the ends given. */
  readonly query: { from?: string; to?: string };
  /** The end is before the start: nothing to ask the server for (the fields say why). */
  readonly reversed: boolean;
}

const cleared = (_settled: string, next: string) => next === '';

export function useDayWindow(): DayWindow {
  const [typedFrom, setFrom] = useState('');
  const [typedTo, setTo] = useState('');
  const from = useDebounced(typedFrom, 300, cleared);
  const to = useDebounced(typedTo, 300, cleared);
  return {
    typed: { from: typedFrom, to: typedTo },
    setFrom,
    setTo,
    from,
    to,
    query: { ...(from ? { from } : {}), ...(to ? { to } : {}) },
    // (Days as YYYY-MM-DD compare as text.)
    reversed: from !== '' && to !== '' && to < from,
  };
}

/** The two date fields of a DayWindow, for a filter row. */
export function DayWindowFields({ days }: { days: DayWindow }) {
  const { t } = useI18n();
  return (
    <>
      <label className="inline-field">
        <span>{t('common.fromDay')}</span>
        <input type="date" value={days.typed.from} onChange={(event) => days.setFrom(event.target.value)} />
      </label>
      <label className="inline-field">
        <span>{t('common.toDay')}</span>
        <input
          type="date"
          value={days.typed.to}
          aria-invalid={days.reversed}
          onChange={(event) => days.setTo(event.target.value)}
        />
      </label>
      {days.reversed ? (
        <span className="bad-text small" role="alert">
          {t('common.dayWindowReversed')}
        </span>
      ) : null}
    </>
  );
}
