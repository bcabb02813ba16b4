import { forecast, type Basis, type SeriesPoint } from './forecast.ts';

export interface BacktestRow {
  /** The month predicted, from every month before it. */
  readonly month: string;
  readonly actual: number;
  readonly predicted: number;
  readonly low: number;
  readonly high: number;
  readonly basis: Basis;
  /** (predicted − actual) / actual */
  readonly error: number;
}

export interface Backtest {
  readonly rows: readonly BacktestRow[];
  /** Mean absolute percentage error of the last `window` predictions made with a year of history behind them (0…1). */
  readonly mape: number;
  readonly window: number;
  /** Predictions the MAPE is over. */
  readonly counted: number;
  /** Share of those whose actual value fell inside the interval. */
  readonly coverage: number;
}

/**
 * Fits on months 1…M and predicts M + 1, for every M; the headline error is the MAPE of the last
 * `window` one-month predictions that had at least a year of history (the method needs one season).
 */
export function backtest(history: readonly SeriesPoint[], window = 12): Backtest {
  const rows: BacktestRow[] = [];
  for (let m = 1; m < history.length; m++) {
    const [point] = forecast(history.slice(0, m), 1).points;
    const actual = history[m]!.value;
    rows.push({
      month: history[m]!.month,
      actual,
      predicted: point!.value,
      low: point!.low,
      high: point!.high,
      basis: point!.basis,
      error: actual === 0 ? 0 : (point!.value - actual) / actual,
    });
  }
  const counted = rows.filter((row) => row.basis === 'seasonal').slice(-window);
  const mape = counted.length ? counted.reduce((sum, row) => sum + Math.abs(row.error), 0) / counted.length : Number.NaN;
  const coverage = counted.length
    ? counted.filter((row) => row.low <= row.actual && row.actual <= row.high).length / counted.length
    : Number.NaN;
  return { rows, mape, window, counted: counted.length, coverage };
}
