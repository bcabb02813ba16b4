import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasRefusal } from '../../src/lint/lint.ts';
import { libraryHeader, libraryMarkdownTable, libraryPlans, LIBRARY_DIR, MODEL_IDS, STAGE_IDS } from '../../src/plans/library.ts';
import { readYaml } from '../../src/scenario/load.ts';
import { root } from '../support/cli.ts';

/** The plan library: 12 documented plans, each equal to the plan of its conformance scenario. */
const plans = libraryPlans();
const cases = plans.map((plan) => [`${plan.model}/${plan.stage}`, plan] as const);

describe('the plan library', () => {
  it('holds exactly one plan per model and stage: 12 files', () => {
    const files = MODEL_IDS.flatMap((model) =>
      readdirSync(join(LIBRARY_DIR, model))
        .filter((name) => name.endsWith('.yaml'))
        .map((name) => `${model}/${name}`),
    );
    expect(files.sort()).toEqual(MODEL_IDS.flatMap((m) => STAGE_IDS.map((s) => `${m}/${s}.yaml`)).sort());
    expect(plans).toHaveLength(12);
  });

  it.each(cases)('%s equals the plan of its scenario conformance/library/<model>-<stage>.yaml', (_, plan) => {
    const scenarioFile = join(root, 'conformance', 'library', `${plan.model}-${plan.stage}.yaml`);
    const scenario = readYaml(readFileSync(scenarioFile, 'utf8')) as { plan: unknown };
    expect(scenario.plan).toEqual(plan.source.raw);
  });

  it.each(cases)('%s has no refuse finding under the cn profile', (_, plan) => {
    expect(hasRefusal(plan.findings)).toBe(false);
    expect(plan.findings.filter((f) => f.severity === 'refuse')).toEqual([]);
  });

  it.each(cases)('%s is documented: a header with its reasoning, each lint warning explained', (_, plan) => {
    const comments = plan.text
      .split('\n')
      .filter((line) => line.trimStart().startsWith('#'))
      .join('\n');
    for (const heading of ['WHO IT PAYS', 'WHY THESE', 'WHAT IT COSTS', 'WHAT TO WATCH', 'LINT (profile cn)']) {
      expect(comments).toContain(heading);
    }
    if (plan.findings.length === 0) expect(comments).toContain('LINT (profile cn): no findings');
    for (const finding of plan.findings) {
      expect(comments).toContain(`${finding.severity.toUpperCase()} ${finding.code}`);
    }
    expect(plan.name).toMatch(/·/);
    expect(plan.headline.length).toBeGreaterThan(20);
  });

  it('plans/library/README.md carries the table `fenyong plan list --markdown` prints', () => {
    const readme = readFileSync(join(LIBRARY_DIR, 'README.md'), 'utf8');
    expect(readme).toContain(libraryMarkdownTable(plans));
  });

  it('covers what the issue asks of the stages: recruiting, compression and regional agents where they fit', () => {
    const raw = (model: string, stage: string) =>
      plans.find((p) => p.model === model && p.stage === stage)!.source.raw as Record<string, unknown> & {
        templates: { template: string }[];
      };
    for (const model of MODEL_IDS) {
      // launch protects the head teams: no compression, no automatic recruiting, first binding
      expect(raw(model, 'launch').compression).toBeUndefined();
      expect(raw(model, 'launch').binding).toBe('first');
      // maturity is T-shaped: compression and recruiting
      expect(raw(model, 'maturity').compression).toBeDefined();
      expect(raw(model, 'maturity').recruit).toBeDefined();
      expect(raw(model, 'growth').recruit).toBeDefined();
    }
    const regional = plans.filter((p) =>
      (p.source.raw as { templates: { template: string }[] }).templates.some((t) => t.template === 'region'),
    );
    expect(regional.map((p) => `${p.model}/${p.stage}`)).toEqual([
      'social/maturity',
      'group-buy/growth',
      'group-buy/maturity',
      'community/maturity',
      'micro/growth',
      'micro/maturity',
    ]);
    expect(raw('micro', 'launch').templates.map((t) => t.template)).toContain('level-price');
    expect(raw('group-buy', 'launch').templates.map((t) => t.template)).toContain('group-buy');
  });

  it.each(cases)(
    '%s reads in Simplified Chinese too: a 【摘要】 headline and a 【…】 section after each English one',
    (_, plan) => {
      const header = libraryHeader(plan.text);
      expect(header.problems).toEqual([]);
      const cjk = /\p{Script=Han}/u;
      // The figures and the plan's own terms are the same in both languages: the numbers of each
      // section (thousands separators aside), and the plan's ids and fields written `like this`.
      const numbers = (text: string) =>
        [...new Set((text.match(/\d+(?:[.,]\d+)*/g) ?? []).map((n) => n.replaceAll(',', '')))].sort();
      const terms = (text: string) =>
        [...new Set([...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]!).filter((term) => /^[\x20-\x7e]+$/.test(term)))].sort();
      expect(header.headlineZh, 'the 【摘要】 line').toMatch(cjk);
      expect(plan.headlineZh).toBe(header.headlineZh);
      expect(numbers(header.headlineZh!), 'headline figures').toEqual(numbers(plan.headline));
      expect(header.notes.map((note) => note.heading)).toEqual(plan.notes.map((note) => note.heading));
      for (const note of header.notes) {
        expect(note.zh, `${note.heading} has no 【…】 section after it`).not.toBeNull();
        expect(note.zh!.heading, note.heading).toMatch(cjk);
        expect(note.zh!.text, note.heading).toMatch(cjk);
        expect(numbers(note.zh!.text), `${note.heading}: figures`).toEqual(numbers(note.text));
        expect(terms(note.zh!.text), `${note.heading}: terms`).toEqual(terms(note.text));
      }
      expect(plan.notesZh).toEqual(header.notes.map((note) => note.zh));
      // The Chinese lint section names each warning as the English one does.
      const lintZh = plan.notesZh.at(-1)!.text;
      if (plan.findings.length === 0) expect(lintZh).toMatch(/^未发现问题。/);
      for (const finding of plan.findings) expect(lintZh).toContain(`${finding.severity.toUpperCase()} ${finding.code}`);
    },
  );

  it('gives one Chinese heading to each English heading, in every file', () => {
    const headings = new Map<string, Set<string>>();
    for (const plan of plans)
      for (const note of libraryHeader(plan.text).notes)
        headings.set(note.heading, (headings.get(note.heading) ?? new Set()).add(note.zh?.heading ?? '(none)'));
    expect(Object.fromEntries([...headings].map(([en, zh]) => [en, [...zh]]))).toEqual({
      'WHO IT PAYS': ['佣金付给谁'],
      'WHY THESE RATES': ['为何这样定比例'],
      'WHY THESE PRICES': ['为何这样定价'],
      'WHAT IT COSTS (share of net sales)': ['成本（占净销售额）'],
      'WHAT IT COSTS (share of net sales, before tax withheld)': ['成本（占净销售额，代扣个税前）'],
      'WHAT TO WATCH': ['注意事项'],
      'LINT (profile cn)': ['合规检查（cn 规则）'],
    });
  });

  it('reads a header without Chinese in English, and names what does not fit the format', () => {
    const english = [
      '# 微商 · 启动期 — title',
      '#',
      '# WHO IT PAYS',
      '#   Agents.',
      '#',
      '# LINT (profile cn): no findings.',
      'name: x',
    ];
    expect(libraryHeader(english.join('\n'))).toEqual({
      headlineZh: null,
      notes: [
        { heading: 'WHO IT PAYS', text: 'Agents.', zh: null },
        { heading: 'LINT (profile cn)', text: 'no findings.', zh: null },
      ],
      problems: [],
    });
    const both = [
      '# 微商 · 启动期 — title',
      '# 【摘要】拿货价 69',
      '#',
      '# WHO IT PAYS',
      '#   Agents',
      '#     at 69.00.',
      '# 【佣金付给谁】',
      '#   代理',
      '#     拿货价 69.00。',
      '#',
      '# LINT (profile cn): no findings.',
      '# 【合规检查（cn 规则）】未发现问题。',
      '#   第二行。',
      'name: x',
    ];
    expect(libraryHeader(both.join('\n'))).toEqual({
      headlineZh: '拿货价 69',
      notes: [
        { heading: 'WHO IT PAYS', text: 'Agents\n  at 69.00.', zh: { heading: '佣金付给谁', text: '代理\n  拿货价 69.00。' } },
        {
          heading: 'LINT (profile cn)',
          text: 'no findings.',
          zh: { heading: '合规检查（cn 规则）', text: '未发现问题。\n第二行。' },
        },
      ],
      problems: [],
    });
    // Sections out of place are named, not paired with the wrong English section.
    const stray = [
      '# title',
      '# 【注意事项】',
      '#   太早。',
      '# WHO IT PAYS',
      '#   Agents.',
      '# 【一】',
      '#   一。',
      '# 【二】',
      '#   二。',
      '# 【摘要】',
      'name: x',
    ];
    expect(libraryHeader(stray.join('\n')).problems).toEqual([
      '【注意事项】 comes before any English section',
      '【二】 follows 【一】, not an English section',
      '【摘要】 is empty',
    ]);
    expect(libraryHeader(stray.join('\n')).notes).toEqual([
      { heading: 'WHO IT PAYS', text: 'Agents.', zh: { heading: '一', text: '一。' } },
    ]);
  });
});
