/**
 * Forecast of a monthly series (commission cost, GMV) from its history: deterministic, simple
 * and explainable. On logs, y = ln(value):
 *
 * - growth g per month: the mean year-over-year change (y_t − y_{t−12}) / 12 over every month
 *   that has one a year before (needs 13 months); with exactly 12 months no year-over-year pair
 *   exists and g = 0 (the growth of a single year cannot be told apart from its seasonality);
 * - with a year of history (≥ 12 months), next month T is the mean, over the earlier months of
 *   the same month of year t', of y_t' + g·(T − t'): "last year's March, grown by a year of growth"
 *   (a log-linear trend with month-of-year seasonality, each season estimated by its own months);
 * - with less than a year, a log-linear trend fitted to all months (least squares), no seasonality;
 * - the interval: the root mean square σ of the method's own one-step errors over the history
 *   (each month from the months before it, once those hold a year-over-year pair; ≥ 2 such
 *   errors, so ≥ 15 months), else of the month-to-month changes (wider: they hold the seasonality);
 *   point ± z·σ·√h on logs for h months ahead (z = 1.645: 90%).
 */
import { fail, InputError } from '../domain/errors.ts';

export interface SeriesPoint {
  /** `YYYY-MM`; the points are consecutive months. */
  readonly month: string;
  readonly value: number;
}

export type Basis = 'seasonal' | 'trend' | 'flat';

export interface ForecastPoint {
  readonly month: string;
  readonly value: number;
  readonly low: number;
  readonly high: number;
  readonly basis: Basis;
}

export interface Forecast {
  readonly points: readonly ForecastPoint[];
  /** Growth per month (e^g − 1), as estimated. */
  readonly growthPerMonth: number;
  /** σ of the log one-step error the interval comes from. */
  readonly sigma: number;
  readonly level: number;
  readonly explanation: string;
}

const Z = { 0.8: 1.2816, 0.9: 1.6449, 0.95: 1.96 } as const;
export type IntervalLevel = keyof typeof Z;

const logOf = (value: number) => Math.log(Math.max(value, 1e-9));

/** `2026-12` + 1 → `2027-01` */
export function addMonths(month: string, count: number): string {
  const [year, m] = month.split('-').map(Number) as [number, number];
  const index = year * 12 + (m - 1) + count;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** Checks that the months are consecutive. */
export function checkSeries(history: readonly SeriesPoint[]): void {
  history.forEach((point, index) => {
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(point.month))
      throw new InputError(fail('invalid', `"${point.month}" is not a month (YYYY-MM)`));
    if (!Number.isFinite(point.value) || point.value < 0)
      throw new InputError(fail('invalid', `${point.month}: ${point.value} is not a non-negative amount`));
    if (index > 0 && addMonths(history[index - 1]!.month, 1) !== point.month) {
      throw new InputError(
        fail('invalid', `the months must be consecutive: ${history[index - 1]!.month} is followed by ${point.month}`),
      );
    }
  });
}

/** Growth per month on logs from year-over-year pairs (0 without any). */
export function yearOverYearGrowth(y: readonly number[]): { growth: number; pairs: number } {
  let sum = 0;
  let pairs = 0;
  for (let t = 12; t < y.length; t++) {
    sum += (y[t]! - y[t - 12]!) / 12;
    pairs++;
  }
  return { growth: pairs ? sum / pairs : 0, pairs };
}

/** The log point forecast of month index `target` (0-based, ≥ y.length) from logs `y`. */
export function predictLog(y: readonly number[], target: number): { value: number; basis: Basis } {
  const n = y.length;
  if (n === 0) throw new InputError(fail('invalid', 'no history to forecast from'));
  if (n >= 12) {
    const { growth } = yearOverYearGrowth(y);
    let sum = 0;
    let count = 0;
    for (let t = target - 12; t >= 0; t -= 12) {
      if (t < n) {
        sum += y[t]! + growth * (target - t);
        count++;
      }
    }
    if (count > 0) return { value: sum / count, basis: 'seasonal' };
  }
  if (n === 1) return { value: y[0]!, basis: 'flat' };
  const { slope, meanT, meanY } = trendLine(y);
  return { value: meanY + slope * (target - meanT), basis: 'trend' };
}

/** The least-squares line through (t, y_t). */
function trendLine(y: readonly number[]): { slope: number; meanT: number; meanY: number } {
  const n = y.length;
  const meanT = (n - 1) / 2;
  const meanY = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let t = 0; t < n; t++) {
    sxy += (t - meanT) * (y[t]! - meanY);
    sxx += (t - meanT) ** 2;
  }
  return { slope: sxx > 0 ? sxy / sxx : 0, meanT, meanY };
}

/** Forecasts the next `periods` months after the history. */
export function forecast(history: readonly SeriesPoint[], periods = 3, level: IntervalLevel = 0.9): Forecast {
  checkSeries(history);
  if (history.length === 0) throw new InputError(fail('invalid', 'no history to forecast from'));
  const y = history.map((point) => logOf(point.value));
  const n = y.length;
  // The method's own one-step errors where it had a year behind it (else month-to-month changes).
  const errors: number[] = [];
  for (let t = 13; t < n; t++) errors.push(y[t]! - predictLog(y.slice(0, t), t).value);
  let sigma: number;
  let sigmaFrom: string;
  if (errors.length >= 2) {
    sigma = Math.sqrt(errors.reduce((s, e) => s + e * e, 0) / errors.length);
    sigmaFrom = `${errors.length} one-step errors of the method over the history`;
  } else if (n >= 3) {
    const changes = y.slice(1).map((v, i) => v - y[i]!);
    sigma = Math.sqrt(changes.reduce((s, e) => s + e * e, 0) / changes.length);
    sigmaFrom = `${changes.length} month-to-month changes (too little history for the method's own errors)`;
  } else {
    sigma = 0.25;
    sigmaFrom = 'a default of 25% (too little history)';
  }
  const z = Z[level];
  const last = history[n - 1]!.month;
  const points: ForecastPoint[] = [];
  for (let h = 1; h <= periods; h++) {
    const { value, basis } = predictLog(y, n - 1 + h);
    const spread = z * sigma * Math.sqrt(h);
    points.push({
      month: addMonths(last, h),
      value: Math.exp(value),
      low: Math.exp(value - spread),
      high: Math.exp(value + spread),
      basis,
    });
  }
  const { growth, pairs } = yearOverYearGrowth(y);
  const pct = (v: number) => `${v >= 0 ? '+' : ''}${(v * 100).toFixed(2)}%`;
  const explanation =
    n >= 12
      ? `each month is the mean of the same month in earlier years, grown by ${pct(Math.expm1(growth))} a month ` +
        (pairs ? `(the mean year-over-year growth of ${pairs} months)` : '(no year-over-year pair yet: no growth assumed)') +
        `; ${Math.round(level * 100)}% interval from σ = ${(sigma * 100).toFixed(2)}% (${sigmaFrom}), widening with √h`
      : `a log-linear trend through ${n} months (less than a year: no seasonality); ${Math.round(level * 100)}% interval from σ = ${(sigma * 100).toFixed(2)}% (${sigmaFrom})`;
  return { points, growthPerMonth: Math.expm1(n >= 12 ? growth : trendLine(y).slope), sigma, level, explanation };
}
