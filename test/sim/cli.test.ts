import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fenyong } from '../support/cli.ts';
import { addMonths } from '../../src/sim/forecast.ts';

const SMALL = ['--members', '600', '--months', '3', '--orders-per-month', '300', '--seed', '9'];

describe('fenyong simulate', () => {
  it('prints plans side by side, progress on stderr, and writes the charts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fenyong-sim-'));
    const result = await fenyong(
      'simulate',
      '--plan',
      'examples/plans/a-three-level.yaml',
      '--plan',
      'examples/plans/b-differential.yaml',
      ...SMALL,
      '--svg',
      dir,
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('A cost');
    expect(result.stdout).toContain('B ratio');
    expect(result.stdout).toContain('chain-over-3');
    expect(result.stderr).toMatch(/\[simulate\] +\d+% · plan/);
    expect(result.stderr).toContain('100%');
    expect(readdirSync(dir).sort()).toEqual(['cost-by-rule-a.svg', 'cost-by-rule-b.svg', 'cost-ratio.svg']);
    expect(readFileSync(join(dir, 'cost-ratio.svg'), 'utf8')).toMatch(/^<svg /);
  });

  it('prints the same JSON report for the same seed', async () => {
    const [first, second] = await Promise.all([
      fenyong('simulate', ...SMALL, '--json', '--quiet'),
      fenyong('simulate', ...SMALL, '--json', '--quiet'),
    ]);
    expect(first.code).toBe(0);
    expect(first.stderr).toBe('');
    const strip = (text: string) => ({ ...JSON.parse(text), timing: null });
    expect(strip(second.stdout)).toEqual(strip(first.stdout));
    expect(JSON.parse(first.stdout).plans[0].months).toHaveLength(3);
  });

  it('refuses bad parameters with exit code 2', async () => {
    const result = await fenyong('simulate', '--members', '0', '--quiet');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('invalid');
  });
});

describe('fenyong forecast and backtest', () => {
  it('forecasts from a simulate report or a CSV history', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fenyong-fc-'));
    const csv = join(dir, 'history.csv');
    writeFileSync(
      csv,
      `month,cost\n${Array.from({ length: 14 }, (_, i) => `${addMonths('2025-01', i)},${1000 + 10 * i}`).join('\n')}\n`,
    );
    const result = await fenyong('forecast', '--history', csv, '--periods', '2', '--json');
    expect(result.code).toBe(0);
    const forecast = JSON.parse(result.stdout);
    expect(forecast.points.map((p: { month: string }) => p.month)).toEqual(['2026-03', '2026-04']);
    expect(forecast.points[0].low).toBeLessThan(forecast.points[0].value);
    const report = join(dir, 'report.json');
    writeFileSync(report, (await fenyong('simulate', ...SMALL, '--json', '--quiet')).stdout);
    const text = await fenyong('forecast', '--history', report);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('forecast (trend)');
  });

  it('backtests on generated data and exits 1 above --max-mape', async () => {
    const args = ['backtest', '--months', '14', '--members', '500', '--orders-per-month', '300', '--quiet', '--json'];
    const result = await fenyong(...args);
    expect(result.code).toBe(0);
    const backtest = JSON.parse(result.stdout);
    expect(backtest.test.rows).toHaveLength(13);
    expect(backtest.test.counted).toBe(2);
    const strict = await fenyong(...args, '--max-mape', '0');
    expect(strict.code).toBe(1);
  });
});
