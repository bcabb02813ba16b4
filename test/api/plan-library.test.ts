import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIBRARY_DIR, libraryHeader, libraryPlan, lintSummary, MODEL_IDS, STAGE_IDS } from '../../src/plans/library.ts';
import { readYaml } from '../../src/scenario/load.ts';
import { createKey, createTenant, startApp, type ApiClient, type Json, type TestApp } from '../support/app.ts';

/**
 * GET /v1/plan-library: the ready plans of plans/library (what `fenyong plan list` and `plan new`
 * read) for the console's "start from the library" picker: read by any tenant key, the plan as
 * written and as a document, its reasoning and its cn lint summary; nothing is published.
 */
describe('GET /v1/plan-library', () => {
  let test: TestApp;
  let admin: ApiClient;
  let library: Json;

  beforeAll(async () => {
    test = await startApp('pglite');
    ({ admin } = await createTenant(test, { id: 'lib-a' }));
    library = await admin.ok(admin.get('/v1/plan-library'));
  });

  afterAll(async () => {
    await test?.close();
  });

  it('lists one plan per business model and stage, with the labels of both', () => {
    expect(library.models.map((m: Json) => m.id)).toEqual(MODEL_IDS);
    expect(library.stages.map((s: Json) => s.id)).toEqual(STAGE_IDS);
    expect(library.models[0]).toEqual({ id: 'social', zh: '社交电商', en: 'social e-commerce' });
    expect(library.stages[0]).toEqual({ id: 'launch', zh: '启动期', en: 'launch' });
    expect(library.plans.map((p: Json) => `${p.model}/${p.stage}`)).toEqual(
      MODEL_IDS.flatMap((model) => STAGE_IDS.map((stage) => `${model}/${stage}`)),
    );
  });

  it('gives each plan as its file says: title, description, reasoning, templates, the YAML and the document', () => {
    for (const entry of library.plans) {
      const label = `${entry.model}/${entry.stage}`;
      const text = readFileSync(join(LIBRARY_DIR, entry.model, `${entry.stage}.yaml`), 'utf8');
      const doc = readYaml(text) as { name: string; description: string; templates: { template: string }[] };
      expect(entry.file, label).toBe(`plans/library/${label}.yaml`);
      expect(entry.yaml, label).toBe(text);
      expect(entry.plan, label).toEqual(doc);
      // What the console's editor parses (yaml's defaults) is the same document the API reads.
      expect(parse(entry.yaml), label).toEqual(entry.plan);
      expect(entry.title, label).toBe(doc.name);
      expect(entry.description, label).toBe(doc.description);
      expect(entry.description.length, label).toBeGreaterThan(20);
      expect(entry.templates, label).toEqual(doc.templates.map((t) => t.template));
      const headings = entry.notes.map((n: Json) => n.heading);
      expect(headings[0], label).toBe('WHO IT PAYS');
      expect(
        headings.some((h: string) => /^WHY THESE (RATES|PRICES)$/.test(h)),
        label,
      ).toBe(true);
      expect(
        headings.some((h: string) => h.startsWith('WHAT IT COSTS')),
        label,
      ).toBe(true);
      expect(headings.at(-1), label).toBe('LINT (profile cn)');
      for (const note of entry.notes) {
        expect(note.text.trim().length, `${label} ${note.heading}`).toBeGreaterThan(10);
        expect(note.text, `${label} ${note.heading}`).not.toMatch(/^#/m);
      }
    }
    const launch = library.plans[0];
    expect(launch.notes.find((n: Json) => n.heading === 'WHY THESE RATES').text).toMatch(
      /^Social e-commerce competes on commission/,
    );
    expect(launch.notes.at(-1).text).toMatch(/^no findings\. `tier` has three tiers/);
  });

  it('gives the headline and the reasoning in Simplified Chinese too, as the 【…】 sections of the file say', () => {
    for (const entry of library.plans) {
      const label = `${entry.model}/${entry.stage}`;
      const header = libraryHeader(entry.yaml);
      expect(entry.descriptionZh, label).toBe(header.headlineZh);
      expect(entry.descriptionZh, label).toMatch(/\p{Script=Han}/u);
      expect(entry.descriptionZh, label).not.toBe(entry.description);
      // One Chinese section for each English one, in the same order.
      expect(entry.notesZh, label).toEqual(header.notes.map((note) => note.zh));
      expect(entry.notesZh.length, label).toBe(entry.notes.length);
      for (const note of entry.notesZh) expect(note.text, `${label} ${note.heading}`).not.toMatch(/^#/m);
    }
    const launch = library.plans[0];
    expect(launch.descriptionZh).toBe(
      '级差 VIP 12% / 店主 20% / 服务商 26%；头部团队（服务商，人工指定）按月分享 3% 分红池；首次绑定锁客',
    );
    expect(launch.notesZh.map((n: Json) => n.heading)).toEqual([
      '佣金付给谁',
      '为何这样定比例',
      '成本（占净销售额，代扣个税前）',
      '注意事项',
      '合规检查（cn 规则）',
    ]);
    expect(launch.notesZh[1].text).toMatch(/^社交电商拼的是佣金：VIP 第一单就有 12%/);
    expect(launch.notesZh.at(-1).text).toMatch(/^未发现问题。`tier` 有三个等级/);
  });

  it('gives the cn lint of each plan, the same as `fenyong plan list`: no refusal, warnings named', () => {
    for (const entry of library.plans) {
      const plan = libraryPlan(entry.model, entry.stage);
      expect(entry.findings.map((f: Json) => `${f.severity} ${f.code}`)).toEqual(
        plan.findings.map((f) => `${f.severity} ${f.code}`),
      );
      expect(entry.lintSummary).toBe(lintSummary(plan.findings));
      expect(entry.findings.filter((f: Json) => f.severity === 'refuse')).toEqual([]);
    }
    const growth = library.plans.find((p: Json) => p.model === 'social' && p.stage === 'growth');
    expect(growth.lintSummary).toBe('1 warn: team-pay-unbounded');
    expect(growth.findings[0]).toMatchObject({ code: 'team-pay-unbounded', severity: 'warn', message: expect.any(String) });
  });

  it('is read by any tenant key (admin, ingest, read), and by nothing else', async () => {
    for (const scope of ['ingest', 'read'] as const) {
      const client = test.as((await createKey(admin, scope)).key);
      const reply = await client.ok(client.get('/v1/plan-library'));
      expect(reply).toEqual(library);
    }
    const other = await createTenant(test, { id: 'lib-b' });
    expect(await other.admin.ok(other.admin.get('/v1/plan-library'))).toEqual(library);
    for (const client of [test.anonymous, test.platform, test.as('fyk_nope.nope')]) {
      const reply = await client.get('/v1/plan-library');
      expect(reply.status).toBe(401);
      expect(reply.body.error.code).toBe('unauthorized');
    }
    // A leader's member token reads only its own data: the library is an operator's.
    await admin.ok(admin.post('/v1/network/import', { members: [{ id: 'lib-leader', role: 'leader' }] }));
    const token = await admin.ok(admin.post('/v1/members/lib-leader/tokens', { expiresInDays: 1 }), 201);
    const leader = await test.as(token.token).get('/v1/plan-library');
    expect(leader.status).toBe(403);
    expect(leader.body.error.code).toBe('forbidden');
  });

  it('publishes nothing: a library plan lints and publishes as is, only through POST /v1/plans', async () => {
    const { admin: c } = await createTenant(test, { id: 'lib-c' });
    const before = await c.ok(c.get('/v1/plans'));
    await c.ok(c.get('/v1/plan-library'));
    expect(await c.ok(c.get('/v1/plans'))).toEqual(before);
    const entry = library.plans.find((p: Json) => p.model === 'group-buy' && p.stage === 'launch');
    const lint = await c.ok(c.post('/v1/plans/lint', { plan: entry.plan }));
    expect(lint.valid).toBe(true);
    expect(lint.findings.map((f: Json) => f.code)).toEqual(entry.findings.map((f: Json) => f.code));
    const published = await c.ok(
      c.post('/v1/plans', { plan: parse(entry.yaml), effectiveFrom: new Date(Date.now() + 60_000).toISOString() }),
      201,
    );
    const after = await c.ok(c.get('/v1/plans'));
    expect(after.versions.at(-1)).toMatchObject({ version: published.version, plan: entry.plan });
  });

  it('is documented in /openapi.json, every field described', async () => {
    const doc = await test.anonymous.ok(test.anonymous.get('/openapi.json'));
    const operation = doc.paths['/v1/plan-library'].get;
    expect(operation.tags).toEqual(['plans']);
    expect(operation.summary).toMatch(/library of ready plans/);
    const schema = operation.responses['200'].content['application/json'].schema;
    expect(Object.keys(schema.properties)).toEqual(['models', 'stages', 'plans']);
    const entry = schema.properties.plans.items;
    expect(Object.keys(entry.properties)).toEqual([
      'model',
      'stage',
      'file',
      'title',
      'description',
      'descriptionZh',
      'notes',
      'notesZh',
      'templates',
      'yaml',
      'plan',
      'findings',
      'lintSummary',
    ]);
    for (const [name, field] of Object.entries(entry.properties as Record<string, { description?: string }>))
      expect(field.description, name).toBeTruthy();
    expect(entry.properties.model.enum).toEqual(MODEL_IDS);
  });
});
