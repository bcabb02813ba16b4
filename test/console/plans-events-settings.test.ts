import type { Dialog, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGGED_EVENT_TYPES } from '../../src/domain/event-types.ts';
import { chromiumPresent, type DemoInChromium, startDemoInChromium, stopDemoInChromium } from '../support/browser.ts';
import { apiCaller, openSignedIn, see, shot } from './support.ts';

/**
 * The plans, events and settings pages as an operator reads them, in Chromium against the demo
 * tenant (zh-CN): a draft's edits are not replaced without asking, the version in force is told
 * from one published for later, a simulation's columns and the ledger check's names are in
 * Chinese, a rejected event's type is named as the log names it, and a key is revoked by its name.
 */
describe.skipIf(!chromiumPresent())('plans, events and settings in Chromium', () => {
  let started: DemoInChromium;
  let page: Page;
  const errors: string[] = [];
  const call = apiCaller(() => started.demo);

  /** The next dialog's message; accepted or dismissed as `answer` says. */
  const nextDialog = (answer: 'accept' | 'dismiss') =>
    new Promise<string>((resolve) =>
      page.once('dialog', (dialog: Dialog) => {
        resolve(dialog.message());
        void (answer === 'accept' ? dialog.accept() : dialog.dismiss());
      }),
    );

  beforeAll(async () => {
    started = await startDemoInChromium();
    page = await openSignedIn(started.browser.context, `${started.demo.url}/plans`, started.demo.key, errors);
  }, 180_000);

  afterAll(async () => {
    await stopDemoInChromium(started ?? {});
  });

  it("asks before a version copied to the draft replaces the draft's unpublished edits", async () => {
    await see(page, '版本 v1');
    const editor = page.getByLabel('草稿（YAML）');
    await see(page, '方案有效。');
    const edited = `${await editor.inputValue()}\n# 我的修改\n`;
    await editor.fill(edited);
    const copy = page.getByRole('button', { name: '复制到草稿' });
    const refused = nextDialog('dismiss');
    await copy.click();
    expect(await refused).toContain('尚未发布的修改');
    expect(await editor.inputValue()).toBe(edited);
    const accepted = nextDialog('accept');
    await copy.click();
    expect(await accepted).toContain('v1');
    await expect.poll(() => editor.inputValue()).not.toContain('# 我的修改');
  });

  it("names the simulation's columns in Chinese", async () => {
    const simulation = page.locator('.card', { hasText: '模拟：草稿方案 vs 当前方案' });
    await simulation.getByLabel('成员数').fill('100');
    await simulation.getByLabel('月数').fill('1');
    await simulation.getByRole('button', { name: '运行模拟' }).click();
    await simulation.locator('[data-loaded="simulation"]').waitFor({ timeout: 60_000 });
    const header = await simulation.locator('thead').innerText();
    expect(header).toContain('基尼系数');
    expect(header).not.toMatch(/[A-Za-z]{4,}/);
  });

  it('tells a draft that is not YAML in the simulation as the editor tells it, in both languages', async () => {
    const editor = page.getByLabel('草稿（YAML）');
    const kept = await editor.inputValue();
    await editor.fill('name: 草稿\ntemplates:\n  - id: direct\n    template: [unclosed\n');
    const lintNote = page.locator('.lint .error-note');
    await lintNote.waitFor();
    // (The card found by its button in either language.)
    const simulation = page.locator('.card', { has: page.getByRole('button', { name: /^(运行模拟|Run simulation)$/ }) });
    await simulation.getByRole('button', { name: '运行模拟' }).click();
    const simNote = simulation.locator('.error-note');
    await simNote.waitFor();
    const told = await lintNote.innerText();
    expect(told).toMatch(/^YAML 格式错误：\s*第 \d+ 行/);
    expect(await simNote.innerText()).toBe(told);
    await page.getByRole('button', { name: 'EN', exact: true }).click();
    await see(page, 'Simulate the draft against the current plan');
    const toldEn = await lintNote.innerText();
    expect(toldEn).toMatch(/^YAML error:\s*line \d+/);
    expect(await simNote.innerText()).toBe(toldEn);
    await page.getByRole('button', { name: '中文', exact: true }).click();
    await see(page, '模拟：草稿方案 vs 当前方案');
    await editor.fill(kept);
    await see(page, '方案有效。');
  });

  it("names a finding's rule as the draft linted names it, the server's message kept", async () => {
    const editor = page.getByLabel('草稿（YAML）');
    const kept = await editor.inputValue();
    const deep = (id: string, name?: string) => [
      `  - id: ${id}`,
      ...(name ? [`    name: ${name}`] : []),
      '    template: multi-level',
      '    params:',
      '      rates: ["10%", "5%", "3%", "2%"]',
    ];
    await editor.fill(['name: 四级分销草稿', 'templates:', ...deep('deep', '四级分销'), ...deep('deeper')].join('\n'));
    const findings = page.locator('.lint .findings');
    await findings.locator('[data-rule="deep"]').waitFor();
    expect(await findings.locator('[data-rule="deep"]').innerText()).toMatch(/^四级分销\s+deep$/);
    // A rule without a name: its id alone.
    expect(await findings.locator('[data-rule="deeper"]').innerText()).toBe('deeper');
    const answer = await call('POST', '/v1/plans/lint', {
      plan: {
        name: '四级分销草稿',
        templates: [{ id: 'deep', name: '四级分销', template: 'multi-level', params: { rates: ['10%', '5%', '3%', '2%'] } }],
      },
    });
    const finding = answer.findings.find((f: { template?: string }) => f.template === 'deep');
    expect(
      await findings
        .locator('li', { has: page.locator('[data-rule="deep"]') })
        .first()
        .innerText(),
    ).toContain(finding.messageZh ?? finding.message);
    await editor.fill(kept);
    await see(page, '方案有效。');
  });

  it('tells the version in force from one published to take effect later', async () => {
    const { plan } = (await call('GET', '/v1/plans')).versions[0];
    await call('POST', '/v1/plans', { plan, effectiveFrom: new Date(Date.now() + 7 * 86_400_000).toISOString() });
    await page.reload();
    const versions = page.locator('[data-loaded="plans"] .card').first();
    await versions.getByText('v2', { exact: true }).waitFor();
    expect(await versions.locator('[data-version-state="in-force"]').innerText()).toMatch(/v1\s*生效中/);
    expect(await versions.locator('[data-version-state="scheduled"]').innerText()).toMatch(/v2\s*待生效/);
    await shot(page, 'qa-plans-versions');
  });

  it("names a rejected event's type as the log does", async () => {
    await page.goto(`${started.demo.url}/events?tab=rejected`);
    await page.locator('[data-loaded="rejected"]').waitFor();
    const withdrawal = page.locator('[data-type="withdrawal.requested"]').first();
    expect(await withdrawal.innerText()).toMatch(/^申请提现\s+withdrawal\.requested$/);
    expect(await page.locator('[data-type="order.paid"]').first().innerText()).toContain('订单支付');
  });

  it('summarises every type of event in the log, those the scheduler appends too, in both languages', async () => {
    const at = new Date(Date.now() - 60_000).toISOString();
    const sent = await call('POST', '/v1/events', {
      events: [
        { type: 'member.joined', at, member: { id: 'QA1', role: 'customer', parent: 'L111' } },
        { type: 'member.promoted', at, member: 'QA1', role: 'leader', level: 1 },
        { type: 'member.level_set', at, member: 'QA1', level: 2 },
        { type: 'member.regions_set', at, member: 'QA1', regions: ['330106'] },
        { type: 'member.moved', at, member: 'QA1', parent: 'A11' },
      ],
    });
    expect(sent.results.map((r: { status: string }) => r.status)).toEqual(Array(5).fill('accepted'));
    const summaries = async (type: string): Promise<string[]> => {
      await page.goto(`${started.demo.url}/events?type=${type}`);
      await page.locator('[data-loaded="events"]').waitFor();
      return page.locator('main .table tbody td[data-label="摘要"], main .table tbody td[data-label="Summary"]').allInnerTexts();
    };
    const seen: string[] = [];
    for (const type of LOGGED_EVENT_TYPES) {
      const texts = await summaries(type);
      if (texts.length) seen.push(type);
      for (const text of texts) expect(text.trim(), type).not.toBe('');
    }
    // The scheduler's and the demo's ticks, time passed for a rejected event, decisions, adjustments.
    for (const type of ['tick', 'time.passed', 'withdrawal.rejected', 'adjustment.posted', 'member.moved'])
      expect(seen).toContain(type);
    expect((await summaries('tick'))[0]).toMatch(/^执行截至 .+ 到期的结算与周期关账$/);
    expect((await summaries('time.passed'))[0]).toMatch(/^时钟推进至 .+，执行此前到期的结算与周期关账$/);
    expect((await summaries('withdrawal.rejected'))[0]).toMatch(/^提现 WX-\S+ · .+/);
    expect((await summaries('member.moved'))[0]).toBe('成员 QA1 改挂到 A11 名下');
    expect((await summaries('member.level_set'))[0]).toBe('成员 QA1 等级设为 2 级');
    await page.getByRole('button', { name: 'EN', exact: true }).click();
    await see(page, 'Event log');
    expect((await summaries('tick'))[0]).toMatch(/^ran the settlements and period closes due up to .+\d$/);
    expect((await summaries('member.promoted'))[0]).toBe('member QA1 promoted to Leader (level 1)');
    await page.getByRole('button', { name: '中文', exact: true }).click();
    await see(page, '事件日志');
  });

  it('names every check of the ledger check in Chinese', async () => {
    await page.goto(`${started.demo.url}/settings`);
    await page.getByRole('button', { name: '立即核对' }).click();
    await see(page, '提现记录与重新计算的结果一致');
    const names = await page.locator('.checks-list li strong').allInnerTexts();
    expect(names.length).toBeGreaterThanOrEqual(7);
    for (const name of names) expect(name).not.toMatch(/[a-z]{3,}/);
  });

  it('revokes a key by its label after asking, and drops its secret from the screen', async () => {
    const keys = page.locator('.card', { has: page.getByRole('heading', { name: 'API 密钥' }) });
    await keys.getByPlaceholder('例如：商城订单同步').fill('仓库对接');
    await keys.getByRole('button', { name: '创建密钥' }).click();
    await see(page, '新密钥');
    const secret = await keys.locator('.secret code').innerText();
    const id = /^fyk_([^.]+)\./.exec(secret)![1]!;
    const asked = nextDialog('accept');
    await keys.locator('tr', { hasText: '仓库对接' }).getByRole('button', { name: '吊销' }).click();
    expect(await asked).toBe(`吊销密钥 “仓库对接”（${id}）？使用它的系统将立即无法访问。`);
    await keys.locator('tr', { hasText: '仓库对接' }).getByText('已吊销').waitFor();
    expect(await keys.locator('.secret').count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
