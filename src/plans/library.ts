import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Finding } from '../lint/profile.ts';
import { compileSource, planSourceFromText, type PlanSource } from './source.ts';
import { lintPlan } from '../lint/lint.ts';
import { width } from '../sim/table.ts';

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
  /** The plan's `description`: one line saying what it pays (English). */
  readonly headline: string;
  /** The headline in Simplified Chinese, the header's 【摘要】 line; the English one when the file has none. */
  readonly headlineZh: string;
  /** Its findings under the `cn` profile. */
  readonly findings: readonly Finding[];
  /** The file's header comment by section (who it pays, why these rates, what it costs…), in English: libraryNotes. */
  readonly notes: readonly LibraryNote[];
  /**
   * The same sections in Simplified Chinese, in the same order (the 【…】 section after each
   * English one); a section the file has no Chinese for is given in English.
   */
  readonly notesZh: readonly LibraryNote[];
}

/** One section of a library file's header comment, e.g. "WHY THESE RATES" and its text. */
export interface LibraryNote {
  /** As written: "WHO IT PAYS", "WHAT IT COSTS (share of net sales)", "LINT (profile cn)"; "成本（占净销售额）". */
  readonly heading: string;
  /** The section's lines without their `#` and common indent, line breaks kept. */
  readonly text: string;
}

/** A library file's header comment read in both languages (libraryHeader). */
export interface LibraryHeader {
  /** The 【摘要】 line: the plan's `description` in Simplified Chinese; null when the file has none. */
  readonly headlineZh: string | null;
  /** The English sections, each with the Chinese section that follows it (null when none does). */
  readonly notes: readonly (LibraryNote & { readonly zh: LibraryNote | null })[];
  /** What does not fit the format: a Chinese section with no English one before it, an empty section… */
  readonly problems: readonly string[];
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
  const headline = typeof raw.description === 'string' ? raw.description : '';
  const header = libraryHeader(text);
  return {
    model,
    stage,
    path,
    file,
    text,
    source,
    name: typeof raw.name === 'string' ? raw.name : path,
    headline,
    headlineZh: header.headlineZh ?? headline,
    findings: lintPlan(compileSource(source), 'cn'),
    notes: header.notes.map(({ heading, text }) => ({ heading, text })),
    notesZh: header.notes.map((note) => note.zh ?? { heading: note.heading, text: note.text }),
  };
}

/** A heading line of the header comment: capitals, an optional (aside), and text after a colon. */
const NOTE_HEADING = /^([A-Z][A-Z ]*[A-Z](?: \([^)]*\))?)(?::\s*(.*))?$/;

/** A Chinese heading line: 【heading】 at the start of the line, and text after it. */
const NOTE_HEADING_ZH = /^【([^】]+)】\s*(.*)$/;

/** The Chinese heading of the headline (the plan's `description` in Chinese): 【摘要】. */
export const HEADLINE_ZH = '摘要';

/**
 * The sections of a library file's header comment (the `#` lines before the plan), in English:
 * each starts at a line in capitals ("WHY THESE RATES", "LINT (profile cn): no findings. …");
 * the title line above the first section is left out (the plan's `name` says it). The Chinese
 * sections are libraryHeader's.
 */
export function libraryNotes(text: string): LibraryNote[] {
  return libraryHeader(text).notes.map(({ heading, text: body }) => ({ heading, text: body }));
}

/**
 * A library file's header comment in both languages. After the title line, the Chinese headline:
 *
 *     # 【摘要】级差 VIP 12% / 店主 20% / 服务商 26%；…
 *
 * then the sections, each English one ("WHO IT PAYS", "LINT (profile cn): …") followed by the same
 * section in Simplified Chinese, headed 【…】 ("【佣金付给谁】", "【合规检查（cn 规则）】未发现问题。…").
 * A Chinese section belongs to the English section just above it: one file, both languages side by
 * side, so a figure changed in one is seen next to the other.
 */
export function libraryHeader(text: string): LibraryHeader {
  const header: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line.startsWith('#')) break;
    header.push(line.replace(/^# ?/, ''));
  }
  const notes: { en: Section; zh: Section | null }[] = [];
  const problems: string[] = [];
  let headline: Section | null = null;
  let current: Section | null = null;
  for (const line of header) {
    const english = NOTE_HEADING.exec(line);
    const chinese = english ? null : NOTE_HEADING_ZH.exec(line);
    if (english) {
      current = openSection(english[1]!, english[2]);
      notes.push({ en: current, zh: null });
    } else if (chinese?.[1] === HEADLINE_ZH) {
      if (headline) problems.push(`【${HEADLINE_ZH}】 is given twice`);
      current = headline = openSection(chinese[1], chinese[2]);
    } else if (chinese) {
      const last = notes.at(-1);
      current = openSection(chinese[1]!, chinese[2]);
      if (!last) problems.push(`【${chinese[1]}】 comes before any English section`);
      else if (last.zh) problems.push(`【${chinese[1]}】 follows 【${last.zh.heading}】, not an English section`);
      else last.zh = current;
    } else {
      current?.lines.push(line);
    }
  }
  const result = {
    headlineZh: headline ? oneLine(sectionNote(headline).text) : null,
    notes: notes.map(({ en, zh }) => ({ ...sectionNote(en), zh: zh ? sectionNote(zh) : null })),
  };
  if (result.headlineZh === '') problems.push(`【${HEADLINE_ZH}】 is empty`);
  for (const note of result.notes) {
    if (note.text.trim() === '') problems.push(`${note.heading} is empty`);
    if (note.zh?.text.trim() === '') problems.push(`【${note.zh.heading}】 is empty`);
  }
  return { ...result, problems };
}

/** A section of the header as it is read: its heading and its lines so far. */
type Section = { heading: string; lines: string[] };

/** A section opened by its heading line, with the text after the heading as its first line. */
const openSection = (heading: string, rest: string | undefined): Section => ({ heading, lines: rest ? [`  ${rest}`] : [] });

/** A section as a note: trailing blank lines dropped, the common indent taken off. */
function sectionNote({ heading, lines }: Section): LibraryNote {
  while (lines.length > 0 && lines.at(-1)!.trim() === '') lines.pop();
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)![0].length));
  return { heading, text: lines.map((l) => l.slice(Math.min(indent, /^ */.exec(l)![0].length)).trimEnd()).join('\n') };
}

/**
 * The headline is one line: a 【摘要】 wrapped over several is joined, with a space only where two
 * Latin letters or digits would otherwise touch (Chinese runs on without one).
 */
function oneLine(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .reduce(
      (joined, line) =>
        joined === '' ? line : /[\w%.,;:)]$/.test(joined) && /^[\w(]/.test(line) ? `${joined} ${line}` : joined + line,
      '',
    );
}

/** Every library plan, model by model, stages in order. */
export function libraryPlans(): LibraryPlan[] {
  return MODEL_IDS.flatMap((model) => STAGE_IDS.map((stage) => libraryPlan(model, stage)));
}

/** "no findings", or the findings counted by severity with their codes. */
export function lintSummary(findings: readonly Finding[], lang: 'en' | 'zh-CN' = 'en'): string {
  const zh = lang === 'zh-CN';
  if (findings.length === 0) return zh ? '无发现' : 'no findings';
  const parts: string[] = [];
  for (const severity of ['refuse', 'warn'] as const) {
    const codes = findings.filter((f) => f.severity === severity).map((f) => f.code);
    const label = zh ? SEVERITY_ZH[severity] : severity;
    if (codes.length > 0) parts.push(`${codes.length} ${label}${zh ? '：' : ': '}${[...new Set(codes)].join(', ')}`);
  }
  return parts.join(zh ? '；' : '; ');
}

const SEVERITY_ZH = { refuse: '项拒绝', warn: '项警告' } as const;

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
export function libraryTextTable(plans: readonly LibraryPlan[], lang: 'en' | 'zh-CN' = 'en'): string {
  const lint = plans.map((plan) => lintSummary(plan.findings, lang));
  const lintHeader = lang === 'en' ? 'LINT (cn)' : '合规检查 (cn)';
  const lintWidth = Math.max(width(lintHeader), ...lint.map(width));
  const line = (model: string, stage: string, lintText: string, headline: string) =>
    `${model.padEnd(10)} ${stage.padEnd(9)} ${lintText}${' '.repeat(lintWidth - width(lintText))}  ${headline}`;
  return [
    line('MODEL', 'STAGE', lintHeader, lang === 'en' ? 'HEADLINE' : '摘要'),
    ...plans.map((plan, index) => line(plan.model, plan.stage, lint[index]!, lang === 'en' ? plan.headline : plan.headlineZh)),
  ].join('\n');
}

/** The template kinds a plan stacks, e.g. ["differential", "pool"]. */
export function templatesOf(plan: LibraryPlan): string[] {
  const templates = (plan.source.raw as { templates?: { template?: unknown }[] }).templates ?? [];
  return templates.map((entry) => String(entry.template));
}
