import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PlanDiff } from '../../src/plans/diff.ts';
import { fenyong } from '../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'fenyong-plan-diff-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

// Two hand-made plans touching every part a diff reports.
const before = file(
  'before.yaml',
  `
freezeDays: 7
binding: first
tax: none
levels:
  - { level: 2, name: 店主, upgradeWhen: { personalSales: "3000.00" } }
  - { level: 3, name: 服务商 }
templates:
  - id: direct
    template: multi-level
    params: { rates: ["10%", "5%"], base: paid }
  - id: pickup
    template: group-buy
    params: { pickupRate: "8%", recommenderRate: "2%" }
  - id: promo
    template: targeted
    params: { from: "2026-03-01", to: "2026-04-01", skus: [tea], perUnit: "2.00" }
  - id: bonus
    template: pool
    params: { period: month, share: "1%" }
`,
);
const after = file(
  'after.yaml',
  `
freezeDays: 10
binding: last
protectDays: 30
minWithdrawal: "50.00"
withdrawals: { reviewAbove: "1000.00" }
tax: cn-labor
compression: { inactiveDays: 30 }
recruit: { role: leader, level: 1, when: { any: [ { bought: { sku: starter-kit } }, { spend: "399.00" } ] } }
levels:
  - { level: 2, name: 店主, upgradeWhen: { any: [ { personalSales: "5000.00" }, { directRecruits: 3 } ] } }
  - { level: 4, name: 合伙人 }
templates:
  - id: direct
    template: multi-level
    params: { rates: ["10%", "6%", "2%", "1%"], base: profit }
  - id: pickup
    template: group-buy
    params: { pickupRate: "8.5%" }
  - id: promo
    template: targeted
    params: { from: "2026-03-01", to: "2026-04-15T12:00:00+08:00", skus: [tea, starter-kit], perUnit: "2.50" }
`,
);

describe('fenyong plan diff', () => {
  it("says so when two plans do not differ (a scenario's plan against its library file), exit 0", async () => {
    const result = await fenyong(
      'plan',
      'diff',
      'conformance/library/group-buy-launch.yaml',
      'plans/library/group-buy/launch.yaml',
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--- conformance/library/group-buy-launch.yaml');
    expect(result.stdout).toContain('+++ plans/library/group-buy/launch.yaml');
    expect(result.stdout).toContain('no differences');
    const strict = await fenyong(
      'plan',
      'diff',
      '--exit-code',
      'conformance/library/group-buy-launch.yaml',
      'plans/library/group-buy/launch.yaml',
    );
    expect(strict.code).toBe(0);
  });

  it('exits 0 on differences, 1 with --exit-code', async () => {
    const a = 'plans/library/social/launch.yaml';
    const b = 'plans/library/social/growth.yaml';
    expect((await fenyong('plan', 'diff', a, b)).code).toBe(0);
    expect((await fenyong('plan', 'diff', a, b, '--exit-code')).code).toBe(1);
  });

  it('shows template, recruiting, level and lint changes between two library plans', async () => {
    const result = await fenyong('plan', 'diff', 'plans/library/social/launch.yaml', 'plans/library/social/growth.yaml');
    expect(result.stdout).toContain(
      ['  ~ tier (differential)', '      ~ rates.1: 12% → 10%', '      ~ rates.2: 20% → 16%', '      ~ rates.3: 26% → 22%'].join(
        '\n',
      ),
    );
    expect(result.stdout).toContain('  - founders (pool)\n      period: month\n      share: 3%');
    expect(result.stdout).toContain('  + team (team-tier)');
    expect(result.stdout).toContain('      tiers[2].min: 100000.00\n      tiers[2].rate: 3%');
    expect(result.stdout).toContain(
      'recruit (招募规则)\n  + role: leader\n  + level: 1\n  + when: any(spend ≥ 399.00, orders ≥ 3)',
    );
    expect(result.stdout).toContain('  ~ level 3\n      + upgradeWhen: all(teamSales ≥ 100000.00, directAtLevel(level ≥ 2) ≥ 3)');
    expect(result.stdout).toContain('lint (cn)\n  + WARN   team-pay-unbounded [team]');
  });

  it('prints level prices as money and says when lint is unchanged', async () => {
    const result = await fenyong('plan', 'diff', 'plans/library/micro/launch.yaml', 'plans/library/micro/maturity.yaml');
    expect(result.stdout).toContain('      ~ prices.1: 69.00 → 64.00');
    expect(result.stdout).toContain('  + compression.inactiveDays: 30 days');
    expect(result.stdout).toContain('lint (cn)\n  no change (0 findings on both sides)');
  });

  it('reports every setting, level, template parameter and lint finding in --json', async () => {
    const result = await fenyong('plan', 'diff', before, after, '--json');
    expect(result.code).toBe(0);
    const diff = JSON.parse(result.stdout) as PlanDiff;
    expect(diff.same).toBe(false);
    expect(diff.settings).toEqual([
      { path: 'freezeDays', old: '7 days', new: '10 days' },
      { path: 'binding', old: 'first', new: 'last' },
      { path: 'protectDays', old: '0 days', new: '30 days' },
      { path: 'minWithdrawal', old: '0.01', new: '50.00' }, // the default of DOMAIN.md
      { path: 'withdrawals.reviewAbove', old: null, new: '1000.00' },
      { path: 'tax', old: 'none', new: 'cn-labor' },
      { path: 'compression.inactiveDays', old: null, new: '30 days' },
    ]);
    expect(diff.recruit).toEqual([
      { path: 'role', old: null, new: 'leader' },
      { path: 'level', old: null, new: '1' },
      { path: 'when', old: null, new: 'any(bought starter-kit × 1, spend ≥ 399.00)' },
    ]);
    expect(diff.levels).toEqual({
      added: [{ level: 4, name: '合伙人', upgradeWhen: null }],
      removed: [{ level: 3, name: '服务商', upgradeWhen: null }],
      changed: [
        {
          level: 2,
          changes: [
            { path: 'upgradeWhen', old: 'personalSales ≥ 3000.00', new: 'any(personalSales ≥ 5000.00, directRecruits ≥ 3)' },
          ],
        },
      ],
    });
    expect(diff.templates.added).toEqual([]);
    expect(diff.templates.removed).toEqual([
      {
        id: 'bonus',
        template: 'pool',
        params: { period: 'month', share: '1%', minLevel: '1', weight: 'equal', closeDelayDays: '0' },
      },
    ]);
    const changed = Object.fromEntries(diff.templates.changed.map((t) => [t.id, t.changes]));
    expect(changed.direct).toEqual([
      { path: 'rates[1]', old: '5%', new: '6%' },
      { path: 'rates[2]', old: null, new: '2%' },
      { path: 'rates[3]', old: null, new: '1%' },
      { path: 'base', old: 'paid', new: 'profit' },
    ]);
    // a default nobody wrote (recommenderRate 0%) still shows as a rate
    expect(changed.pickup).toEqual([
      { path: 'pickupRate', old: '8%', new: '8.5%' },
      { path: 'recommenderRate', old: '2%', new: '0%' },
    ]);
    expect(changed.promo).toEqual([
      { path: 'to', old: '2026-04-01T00:00:00+08:00', new: '2026-04-15T12:00:00+08:00' },
      { path: 'skus[1]', old: null, new: 'starter-kit' },
      { path: 'perUnit', old: '2.00', new: '2.50' },
    ]);
    const appeared = diff.lint.appeared.map((f) => `${f.severity} ${f.code}${f.template ? ` [${f.template}]` : ''}`);
    expect(appeared).toEqual(
      expect.arrayContaining([
        'refuse multi-level-over-3 [direct]',
        'refuse chain-over-3 [direct]',
        'refuse entry-fee [recruit]',
        'refuse recruit-reward [promo]',
      ]),
    );
    expect(diff.lint.disappeared).toEqual([]);
    expect(diff.lint.profile).toBe('cn');
  });

  it('renders the same in words, - removed, + added, ~ changed', async () => {
    const result = await fenyong('plan', 'diff', before, after);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('settings\n  ~ freezeDays: 7 days → 10 days');
    expect(result.stdout).toContain('  + withdrawals.reviewAbove: 1000.00');
    expect(result.stdout).toContain('levels\n  - level 3 服务商: by hand only\n  + level 4 合伙人: by hand only\n  ~ level 2');
    expect(result.stdout).toContain('      ~ perUnit: 2.00 → 2.50');
    expect(result.stdout).toContain('  + REFUSE entry-fee [recruit]: recruiting requires buying starter-kit');
  });

  it('shows lint findings that disappear when a plan is brought within the cn limits', async () => {
    const result = await fenyong('plan', 'diff', after, before);
    expect(result.stdout).toContain('  - REFUSE multi-level-over-3 [direct]');
    expect(result.stdout).toContain('      - rates[3]: 1%');
  });

  it('refuses a file that is not a valid plan with the path of the bad field (exit 2)', async () => {
    const result = await fenyong('plan', 'diff', 'test/fixtures/bad-plan.yaml', before);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('invalid');
    expect(result.stderr).toContain('plan.templates.0.params.rates.1');
    const missing = await fenyong('plan', 'diff', join(dir, 'nope.yaml'), before);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot read');
  });
});
