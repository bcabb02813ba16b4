import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, chromiumPresent, type DemoServer, startDemoInChromium, stopDemoInChromium } from '../support/browser.ts';
import { apiCaller, openSignedIn, see, shot } from './support.ts';

/**
 * The payouts page before a batch is made, in Chromium against the demo tenant: the approved
 * withdrawals whose members have no payee details (收款信息) are counted and named, with a way to
 * the member's page, before the operator makes the batch that would skip them; the batch then
 * skips exactly those, and they stay listed until their payee details are set.
 * Screenshots go to test/console/screenshots/ (git-ignored).
 */
describe.skipIf(!chromiumPresent())('payouts: missing payee details told before a batch is made', () => {
  let demo: DemoServer;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const call = apiCaller(() => demo);
  const hasPayee = async (member: string) =>
    (await fetch(`${demo.url}/v1/members/${member}/payee`, { headers: { authorization: `Bearer ${demo.key}` } })).ok;
  let paid = '';
  let unpaid = '';

  beforeAll(async () => {
    ({ demo, browser } = await startDemoInChromium());
    page = await openSignedIn(browser.context, `${demo.url}/`, demo.key, errors);
    await page.locator('[data-loaded="dashboard"]').waitFor();
  }, 180_000);

  afterAll(async () => {
    await stopDemoInChromium({ demo, browser });
  });

  it('offers no batch while every approved withdrawal lacks payee details: it would take none', async () => {
    // The demo's approved withdrawals all belong to members without payee details.
    const { lines, skipped } = await call('GET', '/v1/payouts/preview');
    expect(lines).toBe(0);
    expect(skipped.count).toBeGreaterThan(0);
    await page.getByRole('link', { name: '提现审核' }).click();
    await page.locator('[data-loaded="preview"]').waitFor();
    await see(page, '现在生成批次将包含 0 笔');
    const create = page.getByRole('button', { name: '生成打款批次' });
    expect(await create.isDisabled()).toBe(true);
    expect(await create.getAttribute('title')).toContain('没有可打款的提现');
    await page.getByRole('link', { name: '概览' }).click();
    await page.locator('[data-loaded="dashboard"]').waitFor();
  });

  it('counts and names, before the batch, the approved withdrawals without payee details; the batch skips them', async () => {
    // Two members with money and no payee details; one gets them, the other does not.
    const { balances } = await call('GET', '/v1/balances?limit=500');
    const rich: string[] = [];
    for (const b of balances as { member: string; available: string }[])
      if (Number(b.available) >= 100 && !(await hasPayee(b.member))) if (rich.push(b.member) === 2) break;
    expect(rich.length).toBe(2);
    [paid, unpaid] = rich as [string, string];
    await call('PUT', `/v1/members/${paid}/payee`, { realName: '测试甲', account: '6222020000000000456' });
    // The demo plan approves withdrawals at once.
    await call('POST', '/v1/withdrawals', { withdrawal: 'WP-PAID', member: paid, amount: '50.00' });
    await call('POST', '/v1/withdrawals', { withdrawal: 'WP-NOPAYEE', member: unpaid, amount: '60.00' });
    const { skipped } = await call('GET', '/v1/payouts/preview');
    expect(skipped.count).toBeGreaterThan(0);

    await page.getByRole('link', { name: '提现审核' }).click();
    const approved = page.locator('[data-loaded="approved"]');
    await approved.getByText('WP-NOPAYEE').first().waitFor();
    const preview = approved.locator('[data-loaded="preview"]');
    await preview.waitFor();
    expect(await preview.getAttribute('data-missing-payee')).toBe(String(skipped.count));
    await see(page, `${skipped.count} 笔已批准的提现`);
    await see(page, '未登记收款信息，生成批次时会被跳过');
    // One line per member, with its withdrawals and a link to set its payee details.
    const item = preview.locator(`li[data-member="${unpaid}"]`);
    expect(await item.locator('[data-withdrawal="WP-NOPAYEE"]').innerText()).toContain('¥60.00');
    expect(await preview.locator('[data-withdrawal="WP-PAID"]').count()).toBe(0);
    expect(await preview.locator(`li[data-member="${paid}"]`).count()).toBe(0);
    // In the table too: the row without payee details is marked, the other is not.
    expect(await approved.locator('tr', { hasText: 'WP-NOPAYEE' }).innerText()).toContain('无收款信息');
    expect(await approved.locator('tr', { hasText: 'WP-PAID' }).innerText()).not.toContain('无收款信息');
    await shot(page, '26-payouts-missing-payee', true);

    // The batch then made skips exactly as many as the page said.
    await page.getByRole('button', { name: '生成打款批次' }).click();
    await see(page, new RegExp(`已生成批次 \\S+：\\d+ 笔，跳过 ${skipped.count} 笔`));
    // Why they were skipped, in the console's language: not the server's English once per withdrawal.
    const note = await page.getByRole('status').filter({ hasText: '已生成批次' }).innerText();
    expect(note).toContain('未登记收款信息');
    expect(note).not.toMatch(/payee details|\/v1\//);
    expect(note).not.toContain('WP-NOPAYEE');
    await page.locator('[data-loaded="batch"]').getByText('WP-PAID').waitFor();
    // Skipped, it stays approved and on no batch: still named until its payee details are set.
    await preview.locator('[data-withdrawal="WP-NOPAYEE"]').waitFor();
    await page.locator('[data-loaded="approved"] tr', { hasText: 'WP-PAID' }).waitFor({ state: 'detached' });
  });

  it('follows the link to the member to set the payee details, after which the withdrawal is no longer named', async () => {
    await page.locator(`li[data-member="${unpaid}"]`).getByRole('link', { name: '登记收款信息 →' }).click();
    await see(page, `成员 ${unpaid}`);
    await page.getByRole('button', { name: /登记收款信息|更换收款信息/ }).click();
    await page.getByLabel('真实姓名').fill('测试乙');
    await page.getByLabel('收款账号').fill('6222020000000000789');
    await page.getByRole('button', { name: '保存' }).click();
    await page.locator('[data-payee="set"]').getByText('测试乙').waitFor();
    await page.getByRole('link', { name: '提现审核' }).click();
    const preview = page.locator('[data-loaded="preview"]');
    await preview.waitFor();
    expect(await preview.locator(`li[data-member="${unpaid}"]`).count()).toBe(0);
    expect(await page.locator('[data-loaded="approved"] tr', { hasText: 'WP-NOPAYEE' }).innerText()).not.toContain('无收款信息');
    // It can be paid now: a batch is offered again.
    expect(await page.getByRole('button', { name: '生成打款批次' }).isEnabled()).toBe(true);
  });

  it('says it in English too', async () => {
    await page.getByRole('button', { name: 'EN', exact: true }).click();
    await see(page, /A batch made now would take \d+ withdrawals?/);
    const { skipped } = await call('GET', '/v1/payouts/preview');
    if (skipped.count > 0) await see(page, 'without payee details and will be skipped when a batch is made');
    await page.getByRole('button', { name: '中文', exact: true }).click();
    await see(page, '现在生成批次将包含');
  });

  it('threw no error in the page', () => {
    expect(errors).toEqual([]);
  });
});
