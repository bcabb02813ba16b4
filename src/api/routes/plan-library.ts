import { z } from 'zod';
import {
  libraryPlans,
  lintSummary,
  MODEL_IDS,
  MODELS,
  STAGE_IDS,
  STAGES,
  templatesOf,
  type LibraryPlan,
} from '../../plans/library.ts';
import { requireScope } from '../auth.ts';
import { errorResponses } from '../errors.ts';
import type { Register } from '../typed.ts';
import { finding } from '../finding-schema.ts';

const label = (zh: string, en: string) =>
  z.object({
    zh: z.string().describe(`name in Simplified Chinese, e.g. ${zh}`),
    en: z.string().describe(`name in English, e.g. ${en}`),
  });

const note = z.object({
  heading: z.string().describe('as written, e.g. "WHY THESE RATES", "LINT (profile cn)"; in Chinese "为何这样定比例"'),
  text: z.string().describe('the section, line breaks kept'),
});

const libraryEntry = z.object({
  model: z.enum(MODEL_IDS).describe('business model: social 社交电商, group-buy 社区团购, community 社群电商, micro 微商'),
  stage: z.enum(STAGE_IDS).describe('network stage: launch 启动期, growth 成长期, maturity 成熟期'),
  file: z.string().describe('the file in the package, e.g. plans/library/social/launch.yaml'),
  title: z.string().describe("the plan's `name`"),
  description: z.string().describe("the plan's `description`: one line saying what it pays (in English)"),
  descriptionZh: z
    .string()
    .describe(
      "the same line in Simplified Chinese, the 【摘要】 line of the file's header comment (the English `description` when the file has none)",
    ),
  notes: z
    .array(note)
    .describe(
      "the reasoning of the file's header comment by section, in English: who it pays, why these rates, what it costs, what to watch, why each lint warning is acceptable",
    ),
  notesZh: z
    .array(note)
    .describe(
      'the same sections in Simplified Chinese, in the same order (the 【…】 section after each English one, e.g. "佣金付给谁", "合规检查（cn 规则）"); a section the file has no Chinese for is given in English',
    ),
  templates: z.array(z.string()).describe('the template kinds it stacks, e.g. ["differential", "pool"]'),
  yaml: z.string().describe('the file as written, comments included (what `fenyong plan new` prints)'),
  plan: z.unknown().describe('the plan document (decimals as text), as `POST /v1/plans` and `POST /v1/plans/lint` take it'),
  findings: z.array(finding).describe('its lint findings under the cn profile, computed with Asia/Shanghai and CNY'),
  lintSummary: z
    .string()
    .describe('"no findings", or the findings counted by severity with their codes, as `fenyong plan list` prints it'),
});

const libraryReply = z.object({
  models: z
    .array(z.object({ id: z.enum(MODEL_IDS) }).extend(label('社交电商', 'social e-commerce').shape))
    .describe('the business models, in the order of the library'),
  stages: z
    .array(z.object({ id: z.enum(STAGE_IDS) }).extend(label('启动期', 'launch').shape))
    .describe('the network stages, in order'),
  plans: z.array(libraryEntry).describe('one plan per model and stage, model by model, stages in order'),
});

type LibraryReply = z.infer<typeof libraryReply>;

const entryOf = (plan: LibraryPlan): LibraryReply['plans'][number] => ({
  model: plan.model,
  stage: plan.stage,
  file: `plans/library/${plan.path}`,
  title: plan.name,
  description: plan.headline,
  descriptionZh: plan.headlineZh,
  notes: plan.notes.map(({ heading, text }) => ({ heading, text })),
  notesZh: plan.notesZh.map(({ heading, text }) => ({ heading, text })),
  templates: templatesOf(plan),
  yaml: plan.text,
  plan: plan.source.raw,
  findings: plan.findings.map((f) => ({
    code: f.code,
    severity: f.severity,
    ...(f.template !== undefined ? { template: f.template } : {}),
    message: f.message,
    ...(f.messageZh !== undefined ? { messageZh: f.messageZh } : {}),
  })),
  lintSummary: lintSummary(plan.findings),
});

/** Read, compiled and linted once (the files ship with the package and do not change while it runs). */
let library: LibraryReply | null = null;
function libraryReplyOnce(): LibraryReply {
  library ??= {
    models: MODEL_IDS.map((id) => ({ id, ...MODELS[id] })),
    stages: STAGE_IDS.map((id) => ({ id, ...STAGES[id] })),
    plans: libraryPlans().map(entryOf),
  };
  return library;
}

/** GET /v1/plan-library: the ready plans of plans/library (as `fenyong plan list` / `plan new`), read only. */
export const registerPlanLibrary: Register = (app, context) => {
  const { service } = context;
  app.get(
    '/v1/plan-library',
    {
      schema: {
        tags: ['plans'],
        summary:
          'The library of ready plans (four business models × three network stages) with their reasoning and cn lint summary, to start a draft from; publishing is still `POST /v1/plans`',
        response: { 200: libraryReply, ...errorResponses },
      },
    },
    async (request) => {
      // Any tenant key reads it (the library is the same for every tenant).
      await requireScope(service.sql, request, 'read');
      return libraryReplyOnce();
    },
  );
};
