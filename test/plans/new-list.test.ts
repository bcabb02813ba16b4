import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fenyong, root } from '../support/cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'fenyong-plan-new-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const library = (path: string) => readFileSync(join(root, 'plans', 'library', path), 'utf8');

describe('fenyong plan new', () => {
  it('prints the library plan verbatim, comments included, and its lint summary on stderr', async () => {
    const result = await fenyong('plan', 'new', '--model', 'group-buy', '--stage', 'launch');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(library('group-buy/launch.yaml'));
    expect(result.stdout).toContain('# 社区团购 · 启动期');
    expect(result.stderr).toContain('plans/library/group-buy/launch.yaml');
    expect(result.stderr).toContain('pickup point 10% + its recommender 2%');
    expect(result.stderr).toContain('lint (cn): no findings');
  });

  it("names each warning on stderr and points at the plan's explanation", async () => {
    const result = await fenyong('plan', 'new', '--model', 'social', '--stage', 'growth');
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('lint (cn): 1 warn: team-pay-unbounded');
    expect(result.stderr).toContain('WARN   team-pay-unbounded [team]');
    expect(result.stderr).toContain("explained in the plan's LINT comment");
  });

  it('writes the plan with --out, which `plan lint` then accepts', async () => {
    const out = join(dir, 'nested', 'micro.yaml');
    const result = await fenyong('plan', 'new', '--model', 'micro', '--stage', 'maturity', '--out', out);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`wrote ${out} from plans/library/micro/maturity.yaml`);
    expect(readFileSync(out, 'utf8')).toBe(library('micro/maturity.yaml'));
    const lint = await fenyong('plan', 'lint', out);
    expect(lint.code).toBe(0);
    expect(lint.stdout).toContain('no findings');
  });

  it('does not overwrite a file unless told to with --force', async () => {
    const out = join(dir, 'mine.yaml');
    writeFileSync(out, 'my own plan\n');
    const refused = await fenyong('plan', 'new', '--model', 'social', '--stage', 'launch', '--out', out);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('exists; add --force');
    expect(readFileSync(out, 'utf8')).toBe('my own plan\n');
    const forced = await fenyong('plan', 'new', '--model', 'social', '--stage', 'launch', '--out', out, '--force');
    expect(forced.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(library('social/launch.yaml'));
  });

  it('refuses an unknown model or a missing stage, listing the choices', async () => {
    const unknown = await fenyong('plan', 'new', '--model', 'shop', '--stage', 'launch');
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('Allowed choices are social, group-buy, community, micro');
    const missing = await fenyong('plan', 'new', '--model', 'micro', '--out', join(dir, 'never.yaml'));
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain("required option '--stage <stage>'");
    expect(existsSync(join(dir, 'never.yaml'))).toBe(false);
  });
});

describe('fenyong plan list', () => {
  it('prints the 12 plans with their lint summary and headline', async () => {
    const result = await fenyong('plan', 'list');
    expect(result.code).toBe(0);
    const rows = result.stdout.split('\n').filter((line) => /^(social|group-buy|community|micro) /.test(line));
    expect(rows).toHaveLength(12);
    expect(result.stdout).toMatch(/group-buy\s+launch\s+no findings\s+pickup point 10% \+ its recommender 2%/);
    expect(result.stdout).toMatch(/social\s+growth\s+1 warn: team-pay-unbounded\s+spend 399/);
    expect(result.stdout).toContain('fenyong plan new --model <model> --stage <stage>');
  });

  it('prints the Chinese headlines with --lang zh-CN, and refuses a language it has not', async () => {
    const result = await fenyong('plan', 'list', '--lang', 'zh-CN');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^MODEL\s+STAGE\s+合规检查 \(cn\)\s+摘要$/m);
    expect(result.stdout).toMatch(/group-buy\s+launch\s+无发现\s+自提点 10% \+ 推荐团长 2%/);
    expect(result.stdout).toMatch(/social\s+growth\s+1 项警告：team-pay-unbounded\s+消费满 399/);
    // The headlines start in one column of a terminal, where a Chinese character takes two.
    const columns = (text: string) =>
      [...text].reduce((sum, char) => sum + (/[\u3000-\u9fff\uff00-\uff60]/u.test(char) ? 2 : 1), 0);
    const rows = result.stdout.split('\n').filter((line) => /^(MODEL|social|group-buy|community|micro) /.test(line));
    const headlineAt = (line: string) => columns(line.slice(0, 21 + line.slice(21).search(/ {2}\S/) + 2));
    expect(new Set(rows.map(headlineAt)).size).toBe(1);
    const refused = await fenyong('plan', 'list', '--lang', 'fr');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--lang fr: use en (the default) or zh-CN');
  });

  it('prints JSON with --json and the README table with --markdown', async () => {
    const json = JSON.parse((await fenyong('plan', 'list', '--json')).stdout) as {
      model: string;
      stage: string;
      file: string;
      headlineZh: string;
      templates: string[];
      lint: { summary: string; findings: { severity: string }[] };
    }[];
    expect(json).toHaveLength(12);
    expect(json[9]).toMatchObject({
      model: 'micro',
      stage: 'launch',
      file: 'plans/library/micro/launch.yaml',
      templates: ['level-price', 'pool'],
    });
    expect(json[9]!.headlineZh).toMatch(/^拿货价/);
    expect(json.flatMap((row) => row.lint.findings).filter((f) => f.severity === 'refuse')).toEqual([]);
    const markdown = await fenyong('plan', 'list', '--markdown');
    expect(readFileSync(join(root, 'plans', 'library', 'README.md'), 'utf8')).toContain(markdown.stdout.trimEnd());
  });
});
