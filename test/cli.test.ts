import { describe, expect, it } from 'vitest';
import { fenyong } from './support/cli.ts';

describe('fenyong scenario check', () => {
  it('exits 0 when every scenario matches its expect', async () => {
    const result = await fenyong(
      'scenario',
      'check',
      'conformance/public/01-two-level-settle.yaml',
      'conformance/public/08-bad-input.yaml',
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('2 passed, 0 failed');
  });

  it('exits 1 on a mismatch and shows what is missing, extra and different, with the amounts', async () => {
    const result = await fenyong('scenario', 'check', 'test/fixtures/mismatch.yaml');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('different award L2 order O1 rule direct: expected 10.01 pending, got 10.00 pending');
    expect(result.stdout).toContain('missing   award L9 order O1 rule direct');
    expect(result.stdout).toContain('extra     award L1 order O1 rule direct: not expected: 5.00 pending');
    expect(result.stdout).toContain('balance L1.pending: expected 4.00, got 5.00');
    expect(result.stdout).toContain('error of event 1: not expected: unknown_order');
  });
});

describe('a file that is not valid', () => {
  it('is refused as invalid with the path of the bad field', async () => {
    const result = await fenyong('scenario', 'run', 'test/fixtures/bad-plan.yaml', '--json');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('invalid');
    expect(result.stderr).toContain('plan.templates.0.params.rates.1');
  });
});

describe('fenyong scenario check on files it cannot take', () => {
  it('reports a file that is not YAML or is missing, goes on with the next, and exits 2 (bad input)', async () => {
    const result = await fenyong(
      'scenario',
      'check',
      'test/fixtures/not-yaml.yaml',
      'no-such-scenario.yaml',
      'conformance/public/01-two-level-settle.yaml',
    );
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/FAIL {2}test\/fixtures\/not-yaml.yaml\n.*not YAML: .* at line \d+, column \d+/);
    expect(result.stdout).toContain('cannot read it (ENOENT)');
    expect(result.stdout).toContain('1 passed, 2 failed');
  });

  it('shows where in the event a refused field is', async () => {
    const result = await fenyong('scenario', 'check', 'test/fixtures/bad-event-field.yaml');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('is not an amount with at most 2 decimals, at lines.0.paid)');
  });
});

describe('fenyong scenario run --json', () => {
  it('prints the outcome in the shape of expect', async () => {
    const result = await fenyong('scenario', 'run', 'conformance/public/07-withdrawal-tax.yaml', '--json');
    const outcome = JSON.parse(result.stdout);
    expect(outcome.withdrawals[0]).toEqual({ withdrawal: 'W1', amount: '3000.00', tax: '440.00', net: '2560.00' });
    expect(outcome.errors).toEqual([
      { event: 4, code: 'below_minimum' },
      { event: 6, code: 'insufficient_funds' },
    ]);
    expect(outcome.balances.L).toEqual({ pending: '0.00', available: '5000.00' });
    expect(outcome.levels).toEqual({ L: 1 });
  });

  it('prints the error of a scenario refused whole in the shape of expect.error, with exit 2', async () => {
    const result = await fenyong('scenario', 'run', 'conformance/rejected/01-plan-rate-not-a-rate.yaml', '--json');
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({
      error: { code: 'invalid', path: ['plan', 'templates', 0, 'params', 'rates', 0] },
    });
    expect(result.stderr).toContain('invalid');
  });
});

describe('fenyong scenario check on scenarios refused whole', () => {
  it('passes when expect.error names the code, and fails when the scenario runs instead', async () => {
    const refused = await fenyong('scenario', 'check', 'conformance/rejected/02-network-parent-unknown.yaml');
    expect(refused.code).toBe(0);
    const ran = await fenyong('scenario', 'check', 'test/fixtures/expects-refusal-but-runs.yaml');
    expect(ran.code).toBe(1);
    expect(ran.stdout).toContain('expected rejected with invalid, got a valid plan and network');
  });
});

describe('fenyong explain', () => {
  it('explains a peer bonus in Chinese by default', async () => {
    const result = await fenyong('explain', 'conformance/public/03-differential-peer.yaml', '--award', 'Lb:O1:diff');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Lb 在订单 O1 上按规则「diff」');
    expect(result.stdout).toContain('平级奖');
    expect(result.stdout).toContain('10%');
  });

  it('explains the rounding of an award in English', async () => {
    const result = await fenyong(
      'explain',
      'conformance/public/01-two-level-settle.yaml',
      '--award',
      'L2:O2:direct',
      '--lang',
      'en',
    );
    expect(result.stdout).toContain('L2 earned 4.56 CNY on order O2 under rule "direct"');
    expect(result.stdout).toContain('exactly 4.555 CNY, rounded half-up to 4.56 CNY');
  });

  it('explains a period award', async () => {
    const result = await fenyong(
      'explain',
      'conformance/public/04-team-tier-month.yaml',
      '--award',
      'A:2026-03:team',
      '--lang',
      'en',
    );
    expect(result.stdout).toContain('minus 4650.00 CNY already earned by the direct teams below');
  });

  it('explains a pool part as a share by largest remainder, not as a half-up rounding', async () => {
    const args = ['explain', 'conformance/own/35-pool-equal-minlevel-tie.yaml', '--award', 'E:2026-03:bonus'];
    const zh = await fenyong(...args);
    expect(zh.stdout).toContain('精确份额 8.598 CNY，按最大余数法分到 8.59 CNY');
    expect(zh.stdout).not.toContain('四舍五入');
    const en = await fenyong(...args, '--lang', 'en');
    expect(en.stdout).toContain('the exact share is 8.598 CNY; by largest remainder it comes to 8.59 CNY');
  });

  it('shows the pool share exactly as the rounded pool splits it', async () => {
    const args = ['explain', 'conformance/own/121-pool-rounded-then-split.yaml', '--award', 'A:2026-03:pl', '--lang', 'en'];
    const result = await fenyong(...args);
    expect(result.stdout).toContain('0.05 CNY × 10% = 0.01 CNY');
    expect(result.stdout).toContain('the exact share is 0.005 CNY;');
  });

  it('says where compression moved a member up the chain and whom it skipped', async () => {
    const args = ['explain', 'conformance/own/119-compression-explained.yaml', '--award', 'Top:O2:ml'];
    const zh = await fenyong(...args);
    expect(zh.stdout).toContain(
      'Top 是卖家往上第 1 位（按缩减规则计：在网络中为卖家往上第 2 位，其间 M 在付款前 30 天内无活动，被跳过）',
    );
    const en = await fenyong(...args, '--lang', 'en');
    expect(en.stdout).toContain(
      'Top is 1 above the seller in the chain as compression counts it (in the network Top is 2 above the seller; skipped in between for no activity in the 30 days before payment: M)',
    );
  });

  it('tells an award a rule no longer pays on what is left of the order from one refunded to nothing', async () => {
    const args = ['explain', 'conformance/own/120-profit-refunded-to-zero.yaml', '--award', 'L:O1:p', '--lang', 'en'];
    const result = await fenyong(...args);
    expect(result.stdout).toContain('this rule pays L nothing: the lines it was earned on were refunded, or their base');
    expect(result.stdout).not.toContain('Every line it was earned on has been refunded');
  });

  it('names the template of an award refunded to nothing and says why nothing is left', async () => {
    const result = await fenyong(
      'explain',
      'conformance/public/09-recruit-compression.yaml',
      '--award',
      'L1:O1:ml',
      '--lang',
      'en',
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('under rule "ml" (multi-level)');
    expect(result.stdout).toContain('Every line it was earned on has been refunded');
  });

  it('refuses a language it does not speak', async () => {
    const result = await fenyong('explain', 'conformance/public/03-differential-peer.yaml', '--award', 'x:y:z', '--lang', 'fr');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--lang fr');
  });

  it('lists the awards when the one asked for does not exist, and shows the form of a malformed one (exit 2)', async () => {
    const result = await fenyong('explain', 'conformance/public/01-two-level-settle.yaml', '--award', 'X:O1:direct');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('L2:O1:direct');
    const malformed = await fenyong('explain', 'conformance/public/01-two-level-settle.yaml', '--award', 'L2-O1');
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('<to>:<order|period>:<rule>');
  });

  it('exits 2 on a usage error (an unknown option), as on any bad input; 1 stays a failed check', async () => {
    const result = await fenyong('scenario', 'run', 'conformance/public/01-two-level-settle.yaml', '--bogus');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown option '--bogus'");
  });
});

describe('fenyong plan lint', () => {
  it('exits 0 with no findings for a plan within the cn limits', async () => {
    const result = await fenyong('plan', 'lint', 'conformance/public/01-two-level-settle.yaml');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('no findings');
  });

  it('exits 1 and names each template and reason on refuse findings', async () => {
    const result = await fenyong('plan', 'lint', 'test/fixtures/refused-plan.yaml');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('REFUSE multi-level-over-3 [ml4]');
    expect(result.stdout).toContain('REFUSE chain-over-3');
    expect(result.stdout).toContain('REFUSE entry-fee');
    expect(result.stdout).toContain('REFUSE recruit-reward [vip-bonus]');
  });

  it('lets an operator lower a rule to a warning', async () => {
    const result = await fenyong(
      'plan',
      'lint',
      'conformance/public/03-differential-peer.yaml',
      '--severity',
      'chain-over-3=warn',
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('WARN   chain-over-3 [diff]');
  });

  it('refuses a severity that names no rule of the profile or no level, with exit 2', async () => {
    for (const pair of ['chain-over-3=bogus', 'no-such-rule=warn']) {
      const result = await fenyong('plan', 'lint', 'conformance/public/03-differential-peer.yaml', '--severity', pair);
      expect(result.code, pair).toBe(2);
      expect(result.stderr, pair).toContain(`--severity ${pair}`);
    }
  });

  it('warns about a team-tier that pays the whole upline', async () => {
    const result = await fenyong('plan', 'lint', 'conformance/public/04-team-tier-month.yaml');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('WARN   team-pay-unbounded [team]');
  });
});

describe('fenyong options', () => {
  it('prints its version', async () => {
    const result = await fenyong('--version');
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('refuses a value an option does not take instead of falling back to its default (exit 2)', async () => {
    const figure = await fenyong('forecast', '--history', 'no-such-history.csv', '--figure', 'foo');
    expect(figure.code).toBe(2);
    expect(figure.stderr).toContain('--figure must be cost or gmv, not "foo"');
    const periods = await fenyong('forecast', '--history', 'no-such-history.csv', '--periods', '3x');
    expect(periods.code).toBe(2);
    expect(periods.stderr).toContain('--periods must be a whole number from 1 to 120, not "3x"');
  });
});
