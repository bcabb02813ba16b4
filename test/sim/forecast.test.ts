import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../src/cli/forecast.ts';
import { InputError } from '../../src/domain/errors.ts';
import { backtest } from '../../src/sim/backtest.ts';
import { addMonths, forecast, type SeriesPoint } from '../../src/sim/forecast.ts';
import { CN_SEASONALITY } from '../../src/sim/orders.ts';
import { EXAMPLE_PLANS } from '../../src/sim/plans.ts';

/** A series with an exact growth and month-of-year pattern, from 2025-01. */
const exact = (months: number, growth: number): SeriesPoint[] =>
  Array.from({ length: months }, (_, t) => ({
    month: addMonths('2025-01', t),
    value: 10_000 * (1 + growth) ** t * CN_SEASONALITY[t % 12]!,
  }));

describe('forecast', () => {
  it('recovers an exact log-linear trend with month-of-year seasonality once there are year-over-year pairs', () => {
    const history = exact(26, 0.02);
    const result = forecast(history, 3);
    const truth = exact(29, 0.02).slice(26);
    expect(result.points.map((p) => p.month)).toEqual(['2027-03', '2027-04', '2027-05']);
    result.points.forEach((point, index) => {
      expect(point.basis).toBe('seasonal');
      expect(point.value / truth[index]!.value).toBeCloseTo(1, 9);
      expect(point.low).toBeLessThanOrEqual(point.value);
      expect(point.high).toBeGreaterThanOrEqual(point.value);
    });
    expect(result.growthPerMonth).toBeCloseTo(0.02, 9);
    expect(result.sigma).toBeCloseTo(0, 9);
    expect(result.explanation).toContain('+2.00% a month');
  });

  it('uses a trend without seasonality before a year of history, and a flat line from one month', () => {
    const growing = Array.from({ length: 6 }, (_, t) => ({ month: addMonths('2026-01', t), value: 100 * 1.05 ** t }));
    const [next] = forecast(growing, 1).points;
    expect(next!.basis).toBe('trend');
    expect(next!.value).toBeCloseTo(100 * 1.05 ** 6, 6);
    expect(forecast([{ month: '2026-01', value: 42 }], 2).points.map((p) => [p.basis, p.value])).toEqual([
      ['flat', 42],
      ['flat', 42],
    ]);
  });

  it('widens the interval with the horizon', () => {
    const noisy = exact(30, 0.01).map((point, t) => ({ ...point, value: point.value * (1 + 0.02 * Math.sin(t * 2.1)) }));
    const points = forecast(noisy, 3).points;
    const widths = points.map((p) => Math.log(p.high / p.low));
    expect(widths[0]).toBeGreaterThan(0);
    expect(widths[1]).toBeGreaterThan(widths[0]!);
    expect(widths[2]).toBeGreaterThan(widths[1]!);
  });

  it('refuses months that are not consecutive', () => {
    expect(() =>
      forecast([
        { month: '2026-01', value: 1 },
        { month: '2026-03', value: 1 },
      ]),
    ).toThrow(InputError);
    expect(() => forecast([])).toThrow(InputError);
  });
});

describe('backtest', () => {
  it('predicts every month from the months before it; the MAPE counts the last 12 with a year behind them', () => {
    const result = backtest(exact(24, 0.01));
    expect(result.rows).toHaveLength(23);
    expect(result.rows[0]!.basis).toBe('flat');
    expect(result.rows.filter((row) => row.basis === 'seasonal')).toHaveLength(12);
    expect(result.counted).toBe(12);
    // Exact data: only the first seasonal month (no year-over-year pair yet, so no growth) misses.
    expect(result.rows.at(-1)!.error).toBeCloseTo(0, 9);
    expect(result.mape).toBeCloseTo((1 - 1 / 1.01 ** 12) / 12, 9);
  });

  it('on generated data whose process is known, the one-month cost forecast error is ≤ 2% MAPE over 12 months', async () => {
    const result = await runBacktest({
      seed: 20260301,
      months: 24,
      members: 5_000,
      ordersPerMonth: 8_000,
      planFile: EXAMPLE_PLANS.a,
      // A known process: as many members join as go inactive (a network of stable shape, so no
      // drift the first year-over-year forecast cannot see), one unit per order at log-normal prices.
      network: { joinRate: 0.02, churnRate: 0.02 },
      orders: { price: { median: 60, sigma: 0.4 }, lines: { mean: 1, max: 1 }, qty: { mean: 1, max: 1 } },
    });
    console.log(
      `backtest: MAPE of the one-month cost forecast over ${result.test.counted} months = ${(result.test.mape * 100).toFixed(2)}% (${result.orders} orders, ${result.simulationMs} ms)`,
    );
    expect(result.test.counted).toBe(12);
    expect(result.test.mape).toBeLessThanOrEqual(0.02);
  }, 300_000);
});
