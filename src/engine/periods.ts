import { DateTime } from 'luxon';
import { firstOccurrence } from '../domain/local-time.ts';
import type { InstantMs, PeriodKind } from '../domain/types.ts';

/** A calendar period in the tenant's time zone: `2026-03`, `2026-Q1` or `2026`. */
export interface Period {
  readonly kind: PeriodKind;
  readonly label: string;
  readonly start: InstantMs;
  readonly end: InstantMs;
}

export const DAY_MS = 86_400_000;

/**
 * The period of `kind` containing instant `at` in `zone`. Calendar maths (DST, month lengths)
 * is luxon's; the last period found is remembered because orders arrive in time order.
 */
export class Calendar {
  private readonly recent = new Map<PeriodKind, Period>();

  constructor(readonly zone: string) {}

  periodOf(kind: PeriodKind, at: InstantMs): Period {
    const cached = this.recent.get(kind);
    if (cached && cached.start <= at && at < cached.end) return cached;
    const local = DateTime.fromMillis(at, { zone: this.zone });
    // Its first midnight, where a zone turns the clocks back at midnight: the same instant
    // whether asked from within the period or as the end of the one before.
    const start = firstOccurrence(local.startOf(kind));
    const end = firstOccurrence(start.plus(kind === 'month' ? { months: 1 } : kind === 'quarter' ? { months: 3 } : { years: 1 }));
    const label =
      kind === 'month' ? start.toFormat('yyyy-MM') : kind === 'quarter' ? `${start.year}-Q${start.quarter}` : String(start.year);
    const period = { kind, label, start: start.toMillis(), end: end.toMillis() };
    this.recent.set(kind, period);
    return period;
  }

  /** The calendar day (`2026-08-01`) of an instant. */
  dayOf(at: InstantMs): string {
    return DateTime.fromMillis(at, { zone: this.zone }).toISODate()!;
  }

  /** The tax month (`2026-08`) of an instant. */
  monthOf(at: InstantMs): string {
    return this.periodOf('month', at).label;
  }
}
