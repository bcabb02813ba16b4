import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasRefusal } from '../../src/lint/lint.ts';
import { libraryMarkdownTable, libraryPlans, LIBRARY_DIR, MODEL_IDS, STAGE_IDS } from '../../src/plans/library.ts';
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
});
