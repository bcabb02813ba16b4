import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Finding } from '../lint/profile.ts';
import { compileSource, planSourceFromText, type PlanSource } from './source.ts';
import { lintPlan } from '../lint/lint.ts';

/**
 * The library of ready plans (plans/library/<model>/<stage>.yaml): four business models, three
 * network stages each. The files are the source of truth; this module only finds and reads them.
 */
export const MODELS = {
  social: { zh: '社交电商', en: 'social e-commerce' },
  'group-buy': { zh: '社区团购', en: 'community group buying' },
  community: { zh: '社群电商', en: 'community e-commerce' },
  micro: { zh: '微商', en: 'micro-business resale' },
} as const;

export const STAGES = {
  launch: { zh: '启动期', en: 'launch' },
  growth: { zh: '成长期', en: 'growth' },
  maturity: { zh: '成熟期', en: 'maturity' },
} as const;

export type Model = keyof typeof MODELS;
export type Stage = keyof typeof STAGES;

export const MODEL_IDS = Object.keys(MODELS) as Model[];
export const STAGE_IDS = Object.keys(STAGES) as Stage[];

/** The folder of the library, plans/library at the root of the package. */
export const LIBRARY_DIR = fileURLToPath(new URL('../../plans/library/', import.meta.url));

export interface LibraryPlan {
  readonly model: Model;
  readonly stage: Stage;
  /** Path inside the library, e.g. "social/launch.yaml". */
  readonly path: string;
  /** Absolute path of the file. */
  readonly file: string;
  /** The file as written, comments included. */
  readonly text: string;
  readonly source: PlanSource;
  readonly name: string;
  /** The plan's `description`: one line saying what it pays. */
  readonly headline: string;
  /** Its findings under the `cn` profile. */
  readonly findings: readonly Finding[];
  /** The file's header comment by section (who it pays, why these rates, what it costs…): libraryNotes. */
  readonly notes: readonly LibraryNote[];
}

/** One section of a library file's header comment, e.g. "WHY THESE RATES" and its text. */
export interface LibraryNote {
  /** As written: "WHO IT PAYS", "WHAT IT COSTS (share of net sales)", "LINT (profile cn)". */
  readonly heading: string;
  /** The section's lines without their `#` and common indent, line breaks kept. */
  readonly text: string;
}

export function isModel(value: string): value is Model {
  return Object.hasOwn(MODELS, value);
}

export function isStage(value: string): value is Stage {
  return Object.hasOwn(STAGES, value);
}

export function libraryPlan(model: Model, stage: Stage): LibraryPlan {
  const path = `${model}/${stage}.yaml`;
  const file = `${LIBRARY_DIR}${path}`;
  const text = readFileSync(file, 'utf8');
  const source = planSourceFromText(text, `plans/library/${path}`);
  const raw = source.raw as { name?: unknown; description?: unknown };
  return {
    model,
    stage,
    path,
    file,
    text,
    source,
    name: typeof raw.name === 'string' ? raw.name : path,
    headline: typeof raw.description === 'string' ? raw.description : '',
    findings: lintPlan(compileSource(source), 'cn'),
    notes: libraryNotes(text),
  };
}

/** A heading line of the header comment: capitals, an optional (aside), and text after a colon. */
const NOTE_HEADING = /^([A-Z][A-Z ]*[A-Z](?: \([^)]*\))?)(?::\s*(.*))?$/;

/**
 * The sections of a library file's header comment (the `#` lines before the plan): each starts
 * at a line in capitals ("WHY THESE RATES", "LINT (profile cn): no findings. …"); the title line
 * above the first section is left out (the plan's `name` says it).
 */
export function libraryNotes(text: string): LibraryNote[] {
  const header: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line.startsWith('#')) break;
    header.push(line.replace(/^# ?/, ''));
  }
  const sections: { heading: string; lines: string[] }[] = [];
  for (const line of header) {
    const heading = NOTE_HEADING.exec(line);
    if (heading) sections.push({ heading: heading[1]!, lines: heading[2] ? [`  ${heading[2]}`] : [] });
    else sections.at(-1)?.lines.push(line);
  }
  return sections.map(({ heading, lines }) => {
    while (lines.length > 0 && lines.at(-1)!.trim() === '') lines.pop();
    const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)![0].length));
    return { heading, text: lines.map((l) => l.slice(Math.min(indent, /^ */.exec(l)![0].length)).trimEnd()).join('\n') };
  });
}

/** Every library plan, model by model, stages in order. */
export function libraryPlans(): LibraryPlan[] {
  return MODEL_IDS.flatMap((model) => STAGE_IDS.map((stage) => libraryPlan(model, stage)));
}

/** "no findings", or the findings counted by severity with their codes. */
export function lintSummary(findings: readonly Finding[]): string {
  if (findings.length === 0) return 'no findings';
  const parts: string[] = [];
  for (const severity of ['refuse', 'warn'] as const) {
    const codes = findings.filter((f) => f.severity === severity).map((f) => f.code);
    if (codes.length > 0) parts.push(`${codes.length} ${severity}: ${[...new Set(codes)].join(', ')}`);
  }
  return parts.join('; ');
}

/** The table of plans/library/README.md (links relative to plans/library). */
export function libraryMarkdownTable(plans: readonly LibraryPlan[]): string {
  const rows = plans.map((plan) => {
    const model = `${MODELS[plan.model].zh} ${plan.model}`;
    const stage = `${STAGES[plan.stage].zh} ${plan.stage}`;
    const templates = templatesOf(plan).join(', ');
    return `| ${model} | ${stage} | [${plan.path}](${plan.path}) | ${templates} | ${lintSummary(plan.findings)} | ${plan.headline} |`;
  });
  return ['| model | stage | plan | templates | lint (cn) | headline |', '|---|---|---|---|---|---|', ...rows].join('\n');
}

/** The table `fenyong plan list` prints: one plan a line, the headline last. */
export function libraryTextTable(plans: readonly LibraryPlan[]): string {
  const lint = plans.map((plan) => lintSummary(plan.findings));
  const lintWidth = Math.max('LINT (cn)'.length, ...lint.map((text) => text.length));
  const line = (model: string, stage: string, lintText: string, headline: string) =>
    `${model.padEnd(10)} ${stage.padEnd(9)} ${lintText.padEnd(lintWidth)}  ${headline}`;
  return [
    line('MODEL', 'STAGE', 'LINT (cn)', 'HEADLINE'),
    ...plans.map((plan, index) => line(plan.model, plan.stage, lint[index]!, plan.headline)),
  ].join('\n');
}

/** The template kinds a plan stacks, e.g. ["differential", "pool"]. */
export function templatesOf(plan: LibraryPlan): string[] {
  const templates = (plan.source.raw as { templates?: { template?: unknown }[] }).templates ?? [];
  return templates.map((entry) => String(entry.template));
}
