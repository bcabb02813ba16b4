import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, chromiumPresent, type DemoServer, startDemoInChromium, stopDemoInChromium } from '../support/browser.ts';
import { apiCaller, openSignedIn, see, shot } from './support.ts';

/**
 * The console's money pages in Chromium against the demo tenant: a member's monthly statement,
 * withdrawal review and a payout batch, the finance reports, a plan simulation, and English.
 * Screenshots go to test/console/screenshots/ (git-ignored).
 */

describe.skipIf(!chromiumPresent())('console money pages in Chromium', () => {
  let demo: DemoServer;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const call = apiCaller(() => demo);

  beforeAll(async () => {
    ({ demo, browser } = await startDemoInChromium());
    page = await openSignedIn(browser.context, `${demo.url}/`, demo.key, errors);
    await page.locator('[data-loaded="dashboard"]').waitFor();
  }, 180_000);

  afterAll(async () => {
    await stopDemoInChromium({ demo, browser });
  });

  it("opens a member's monthly statement with its closing balance and downloads the CSV", async () => {
    const { balances } = await call('GET', '/v1/balances?member=L111');
    await page.goto(`${demo.url}/members/L111`);
    await see(page, '月度对账单');
    const statement = page.locator('[data-loaded="statement"]');
    await statement.waitFor();
    await see(page, '期末余额');
    expect(await statement.locator('[data-check]').getAttribute('data-check')).toBe('ok');
    // This month's closing balance is the balance now.
    const closing = (await statement.locator('[data-closing]').innerText()).replace(/[¥,\s]/g, '');
    const total = (Number(balances[0].pending) + Number(balances[0].available)).toFixed(2);
    expect(closing).toBe(total);
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '⤓ CSV' }).click()]);
    expect(csv.suggestedFilename()).toMatch(/^statement-L111-\d{4}-\d\d\.csv$/);
    expect(readFileSync((await csv.path())!, 'utf8')).toContain('L111');
    const [pdf] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '⤓ PDF' }).click()]);
    expect(
      readFileSync((await pdf.path())!)
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
    await statement.evaluate((element) => element.scrollIntoView({ block: 'end' }));
    await shot(page, '21-member-statement');
  });

  it("adds up a month's statement on its cards: every movement of the balance has one, manual adjustments too", async () => {
    // The demo posts manual adjustments last month: find a month of L111's with one.
    const { adjustments } = await call('GET', '/v1/adjustments?member=L111&sort=asc');
    const zone = (await call('GET', '/v1/me')).tenant.timezone as string;
    const month = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit' })
      .format(new Date(adjustments[0].at))
      .slice(0, 7);
    await page.goto(`${demo.url}/members/L111`);
    const statement = page.locator('[data-loaded="statement"]');
    await statement.waitFor();
    await page.getByLabel('月份').fill(month);
    await statement.locator('.stat-label', { hasText: '人工调整' }).waitFor();
    const cards = new Map<string, bigint>();
    for (const card of await statement.locator('.stat').all()) {
      const label = await card.locator('.stat-label').innerText();
      const text = (await card.locator('.stat-value').innerText()).replace(/[¥,\s]/g, '').replace('−', '-');
      cards.set(label, BigInt(text.replace('.', '')));
    }
    const card = (label: string) => cards.get(label) ?? 0n;
    expect(card('人工调整')).not.toBe(0n);
    const moved =
      card('期初余额') +
      card('本月佣金') +
      card('退款冲回') -
      card('本月提现') +
      card('提现退回') +
      card('税款退回') +
      card('人工调整');
    expect(moved).toBe(card('期末余额'));
    expect(await statement.locator('[data-check]').getAttribute('data-check')).toBe('ok');
  });

  it('approves a withdrawal awaiting review, builds a payout batch, exports it and imports the result', async () => {
    // The demo plan approves every withdrawal at once: publish a version that reviews above 10.00.
    const { versions } = await call('GET', '/v1/plans');
    const plan = structuredClone(versions.at(-1).plan);
    plan.withdrawals = { ...(plan.withdrawals ?? {}), reviewAbove: '10.00' };
    await call('POST', '/v1/plans', { plan, effectiveFrom: new Date(Date.now() + 500).toISOString() });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const { balances } = await call('GET', '/v1/balances?limit=500');
    const rich = (balances as { member: string; available: string }[])
      .filter((b) => Number(b.available) >= 200)
      .slice(0, 2)
      .map((b) => b.member);
    expect(rich.length).toBe(2);
    // The first member's payee details through the member page, the second's through the API.
    await page.goto(`${demo.url}/members/${rich[0]}`);
    await page.getByRole('button', { name: /登记收款信息|更换收款信息/ }).click();
    await page.getByLabel('真实姓名').fill('测试0');
    await page.getByLabel('收款账号').fill('6222020000000000123');
    await page.getByRole('button', { name: '保存' }).click();
    await page.locator('[data-payee="set"]').getByText('测试0').waitFor();
    expect(await page.locator('[data-payee="set"] code').innerText()).not.toContain('6222020000000000123');
    await call('PUT', `/v1/members/${rich[1]}/payee`, { realName: '测试1', account: '6222020000000001123' });
    for (const [i, member] of rich.entries())
      await call('POST', '/v1/withdrawals', { withdrawal: `WT-${i}`, member, amount: '60.00' });
    await page.getByRole('link', { name: '提现审核' }).click();
    const review = page.locator('[data-loaded="requested"]');
    await review.getByText('WT-0').waitFor();
    await review.getByText('WT-1').waitFor();
    await shot(page, '22-payouts-review', true);
    // Reject needs a reason.
    const row1 = review.locator('tr', { hasText: 'WT-1' });
    expect(await row1.getByRole('button', { name: '驳回' }).isDisabled()).toBe(true);
    await page.getByPlaceholder('驳回前请填写原因').fill('测试驳回 test rejection');
    await row1.getByRole('button', { name: '驳回' }).click();
    await review.getByText('WT-1').waitFor({ state: 'detached' });
    await review.locator('tr', { hasText: 'WT-0' }).getByRole('button', { name: '批准' }).click();
    await review.getByText('WT-0').waitFor({ state: 'detached' });
    await page.locator('[data-loaded="approved"]').getByText('WT-0').waitFor();
    await page.getByRole('button', { name: '生成打款批次' }).click();
    await see(page, /已生成批次 \S+：1 笔/);
    const batch = page.locator('[data-loaded="batch"]');
    await batch.getByText('WT-0').waitFor();
    await page.locator('[data-loaded="reconcile"]').waitFor();
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '⤓ CSV' }).click()]);
    const exported = readFileSync((await file.path())!, 'utf8').replace(/^\uFEFF/, '');
    expect(exported).toContain('WT-0');
    const [xlsx] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '⤓ XLSX' }).click()]);
    expect(
      readFileSync((await xlsx.path())!)
        .subarray(0, 2)
        .toString(),
    ).toBe('PK');
    // The payer's answer: the line paid.
    const lines = exported.trim().split(/\r?\n/);
    const header = lines[0]!.split(',');
    const reference = lines[1]!.split(',')[header.indexOf('reference')]!;
    await page.getByLabel('导入打款结果（CSV / XLSX）').setInputFiles({
      name: 'result.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`reference,status,reason,payer_reference\n${reference},paid,,BANK-1\n`),
    });
    await see(page, /共 1 行：已入账 1/);
    await page.locator('[data-reconcile="ok"]').waitFor();
    await see(page, '批次、明细与账本一致');
    await shot(page, '23-payouts-batch', true);
  });

  it('shows the tax report and the commission report with its ratio', async () => {
    await page.getByRole('link', { name: '财务' }).click();
    await page.locator('[data-loaded="tax"]').waitFor();
    await page.locator('[data-loaded="commission"]').waitFor();
    await see(page, '个税代扣代缴月报');
    await see(page, '佣金 / GMV');
    const commissionText = await page.locator('[data-loaded="commission"]').innerText();
    expect(commissionText).not.toContain('NaN');
    expect(commissionText).toMatch(/\d+\.\d\d%/);
    await page.getByRole('button', { name: '分公司' }).click();
    await page.locator('[data-loaded="commission"]').getByText(/^B\d/).first().waitFor();
    await shot(page, '24-finance', true);
  });

  it('lints and simulates a draft plan against the current one', async () => {
    await page.getByRole('link', { name: '分佣方案' }).click();
    await see(page, '方案有效。');
    const editor = page.getByLabel('草稿（YAML）');
    const current = await editor.inputValue();
    // The draft: every percentage of the current plan doubled.
    const draft = current.replace(/(\d+(?:\.\d+)?)%/g, (_m, n: string) => `${Number(n) * 2}%`);
    expect(draft).not.toBe(current);
    await editor.fill(draft);
    await see(page, '方案有效。');
    await page.getByRole('button', { name: '运行模拟' }).click();
    const result = page.locator('[data-loaded="simulation"]');
    await result.waitFor({ timeout: 60_000 });
    const names = await result.locator('[data-sim-plan]').allInnerTexts();
    expect(names).toEqual(['当前方案', '草稿']);
    const text = await result.innerText();
    expect(text.match(/\d+\.\d\d%/g)?.length).toBeGreaterThanOrEqual(2);
    expect(await result.locator('.chart svg rect[fill]').count()).toBeGreaterThan(12);
    await result.scrollIntoViewIfNeeded();
    await shot(page, '25-plan-simulation');
  });

  it('switches the new pages to English', async () => {
    await page.getByRole('button', { name: 'EN', exact: true }).click();
    await page.getByRole('link', { name: 'Payouts' }).click();
    await see(page, 'Withdrawals awaiting review');
    await page.getByRole('link', { name: 'Finance' }).click();
    await see(page, 'Monthly tax withholding report');
    await page.goto(`${demo.url}/members/L111`);
    await see(page, 'Monthly statement');
    await see(page, 'Closing balance');
    await page.getByRole('button', { name: '中文', exact: true }).click();
    await see(page, '月度对账单');
  });

  it('threw no error in the page', () => {
    expect(errors).toEqual([]);
  });
});
