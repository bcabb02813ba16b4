import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Browser,
  CHROMIUM,
  chromiumPresent,
  type DemoServer,
  startDemoInChromium,
  stopDemoInChromium,
} from '../support/browser.ts';
import { see, shot, signInAsOperator } from './support.ts';

/**
 * The web console in a real browser (Debian's Chromium driven by playwright-core) against the
 * real server on PGlite with the demo tenant: what a person sees, in zh-CN and in English.
 * Screenshots go to test/console/screenshots/ (git-ignored).
 */

const present = chromiumPresent();
if (!present) {
  const message = `\n${'!'.repeat(78)}\n!! ${CHROMIUM} is missing: the browser tests of the console are SKIPPED.\n!! Install it with: apt-get install chromium fonts-noto-cjk\n${'!'.repeat(78)}\n`;
  if (process.env.CI === 'true') throw new Error(`${CHROMIUM} is missing on CI: the console's browser tests cannot run`);
  process.stderr.write(message);
}

describe.skipIf(!present)('web console in Chromium', () => {
  let demo: DemoServer;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    ({ demo, browser } = await startDemoInChromium());
    page = await browser.context.newPage();
    page.on('pageerror', (error) => errors.push(error.message));
  }, 180_000);

  afterAll(async () => {
    await stopDemoInChromium({ demo, browser });
  });

  it('signs in with the demo key and shows the dashboard with its charts', async () => {
    await page.goto(`${demo.url}/`);
    await see(page, 'API 密钥');
    expect(await page.getByRole('tab', { name: '团长' }).isEnabled()).toBe(true); // leaders: test/console/leader.test.ts
    await shot(page, '01-sign-in');
    await signInAsOperator(page, 'fyk_not.a-real-key');
    await see(page, '密钥无效或已被吊销');
    await signInAsOperator(page, demo.key);
    await see(page, '经营概览');
    await see(page, '成交额（GMV）');
    await see(page, '各规则佣金成本');
    await page.locator('[data-loaded="dashboard"]').waitFor();
    const text = await page.locator('main').innerText();
    expect(await page.locator('.topbar').innerText()).toContain('演示商城 Demo shop');
    expect(text).toMatch(/¥[\d,]+\.\d\d/);
    for (const rule of ['direct', 'pickup', 'area']) expect(text).toContain(rule);
    expect(text).toContain('unknown_member'); // the demo's refused events
    expect(await page.locator('.chart svg rect[fill]').count()).toBeGreaterThan(20);
    await shot(page, '02-dashboard', true);
  });

  it('finds a member in the network, expands its downline and opens its page', async () => {
    await page.getByRole('link', { name: '团队网络' }).click();
    await see(page, '搜索成员，查看上级链路');
    await page.getByPlaceholder('输入成员编号前缀').fill('A1');
    await page.locator('.pick-list').getByRole('button', { name: /^A11/ }).click();
    await see(page, '上级链路');
    const tree = page.locator('[data-loaded="tree"]');
    await tree.getByText('L111', { exact: true }).waitFor();
    // Expand L111 lazily: its customers appear.
    await tree.locator('li', { hasText: 'L111' }).last().getByRole('button', { name: '展开' }).click();
    await tree
      .getByText(/^C\d+$/)
      .first()
      .waitFor();
    expect(await tree.innerText()).toMatch(/团队业绩 ¥[\d,]+\.\d\d/);
    // L111 rose to level 2 during the demo's three months: as of a day before, it was level 1.
    const l111 = tree.locator('.node', { hasText: 'L111' }).first();
    expect(await l111.innerText()).toContain('团长 · 2 级');
    await page.locator('input[type="date"]').fill('2020-01-01');
    await page.waitForURL(/asOf=2020-01-01/);
    await tree.locator('.node', { hasText: 'L111' }).first().getByText('团长 · 1 级').waitFor();
    await page.getByRole('button', { name: '回到今天' }).click();
    await tree.locator('.node', { hasText: 'L111' }).first().getByText('团长 · 2 级').waitFor();
    await shot(page, '03-network');
    await page.goto(`${demo.url}/network?member=L111`);
    await page.getByRole('link', { name: '成员详情 →' }).click();
    await see(page, '成员 L111');
    await see(page, '佣金明细');
    await see(page, '提现记录');
  });

  it("opens an award's explanation in plain sentences", async () => {
    await page.locator('[data-loaded="member"]').waitFor();
    const first = page.locator('.table tr.clickable').first();
    // (The first column is the award's date, the second its order.)
    const order = (await first.locator('td').nth(1).innerText()).trim();
    await first.click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('这笔佣金是怎么来的').waitFor();
    await dialog.locator('[data-loaded="explanation"]').waitFor();
    const sentences = await dialog.locator('[data-loaded="explanation"]').innerText();
    expect(sentences).toContain(`订单 ${order}`);
    expect(sentences).toMatch(/按规则「[^」]+」（[\w-]+，[^）]+）/);
    expect(sentences).toMatch(/CNY/);
    await shot(page, '04-explanation');
    await dialog.getByRole('button', { name: '关闭' }).click();
    await dialog.waitFor({ state: 'hidden' });
  });

  it('lints a draft plan live: valid, refused by the cn profile, then broken YAML', async () => {
    await page.getByRole('link', { name: '分佣方案' }).click();
    await see(page, '版本 v1');
    await see(page, '方案有效。');
    const editor = page.getByLabel('草稿（YAML）');
    await editor.fill(
      [
        'name: 四级分销草稿',
        'templates:',
        '  - id: deep',
        '    template: multi-level',
        '    params:',
        '      rates: ["10%", "5%", "3%", "2%"]',
      ].join('\n'),
    );
    await see(page, 'multi-level-over-3');
    await see(page, '拒绝');
    await see(page, '我已完成法务评估');
    expect(await page.getByRole('button', { name: '发布新版本' }).isDisabled()).toBe(true);
    await shot(page, '05-plan-lint', true);
    await editor.fill('templates:\n  - id: [unclosed\n');
    await see(page, 'YAML 格式错误');
    await editor.fill('templates:\n  - id: x\n    template: no-such-template\n');
    await see(page, '方案无效');
  });

  it('switches the language to English and back', async () => {
    await page.getByRole('button', { name: 'EN', exact: true }).click();
    await see(page, 'Draft (YAML)');
    for (const label of ['Overview', 'Network', 'Plans', 'Events', 'Settings'])
      await page.getByRole('link', { name: label }).waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    // Explanations follow the language too.
    await page.goto(`${demo.url}/members/L111`);
    await see(page, 'Member L111');
    await page.locator('.table tr.clickable').first().click();
    await page.getByRole('dialog').getByText('How this award came about').waitFor();
    await page.getByRole('dialog').locator('[data-loaded="explanation"]').waitFor();
    expect(await page.getByRole('dialog').innerText()).toMatch(/earned [\d.]+ CNY on order/);
    await shot(page, '06-explanation-en');
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
    await page.getByRole('button', { name: '中文', exact: true }).click();
    await see(page, '佣金明细');
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
  });

  it('opens the events page: the log, a filter, and the rejected events with how to fix them', async () => {
    await page.getByRole('link', { name: '事件' }).click();
    await see(page, '事件日志');
    await page.locator('[data-loaded="events"]').waitFor();
    await see(page, /订单 D\d+ 已完成/);
    await page.getByLabel('类型').selectOption('order.refunded');
    await see(page, /订单 D\d+ 退款 R/);
    expect(await page.locator('main .table').innerText()).not.toContain('订单完成');
    // Types by their names (the type itself on hover and in the filter).
    expect(await page.locator('main .table tbody tr .badge').first().innerText()).toBe('订单退款');
    expect(await page.getByLabel('类型').locator('option:checked').innerText()).toBe('订单退款 (order.refunded)');
    await shot(page, '07-events', true);
    await page.getByRole('tab', { name: '被拒事件' }).click();
    await page.locator('[data-loaded="rejected"]').waitFor();
    for (const text of ['unknown_member', 'refund_exceeds_paid', 'below_minimum', '先发送 member.joined', '最低提现额'])
      await see(page, text);
    // Each refusal named by its code, in Chinese.
    for (const text of ['成员不存在', '退款超过可退数量或金额', '低于最低提现额']) await see(page, text);
    await shot(page, '08-rejected');
  });

  it('shows settings: API keys and a new webhook with its secret', async () => {
    await page.getByRole('link', { name: '设置' }).click();
    await see(page, 'npm start demo key');
    await see(page, '当前使用');
    // The ledger check, each check by its name in Chinese.
    await page.getByRole('button', { name: '立即核对' }).click();
    for (const name of ['每笔分录借贷平衡', '余额与账本分录一致', '事件日志连续无缺号']) await see(page, name);
    await page.getByPlaceholder('https://shop.example/fenyong').fill('http://127.0.0.1:9/console-test');
    await page.getByRole('button', { name: '新增', exact: true }).click();
    await see(page, '签名密钥');
    await see(page, /whsec_/);
    await page.getByText('http://127.0.0.1:9/console-test').click();
    await see(page, /的投递记录/);
    await shot(page, '09-settings', true);
  });

  it('is usable on a phone: the member page fits the screen', async () => {
    // A new tab has a session of its own (sessionStorage): sign in on the phone.
    const phone = await browser.context.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(`${demo.url}/members/L111`);
    await signInAsOperator(phone, demo.key);
    await see(phone, '成员 L111');
    await phone.locator('[data-loaded="member"]').waitFor();
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(1);
    await shot(phone, '10-member-phone');
    await phone.locator('.table tr.clickable').first().click();
    await phone.getByRole('dialog').locator('[data-loaded="explanation"]').waitFor();
    await shot(phone, '11-explanation-phone');
    await phone.keyboard.press('Escape');
    // In English on a narrow phone the console's name is longer than the room beside the buttons:
    // it ends in an ellipsis, never under the buttons, and the page does not scroll sideways.
    await phone.setViewportSize({ width: 360, height: 780 });
    await phone.getByRole('button', { name: 'EN', exact: true }).click();
    await see(phone, 'Commission console');
    expect(await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(1);
    const clear = await phone.evaluate(() => {
      const name = document.querySelector('.brand strong')!.getBoundingClientRect();
      const buttons = document.querySelector('.topbar-end')!.getBoundingClientRect();
      const logo = document.querySelector('.logo')!.getBoundingClientRect();
      return { gap: buttons.left - name.right, logo: logo.width };
    });
    expect(clear.gap).toBeGreaterThanOrEqual(0);
    expect(clear.logo).toBe(32);
    await shot(phone, '12-header-phone-en');
    await phone.getByRole('button', { name: '中文', exact: true }).click();
    // The tabs scroll sideways on a phone: the current page's tab is brought into view (opened by
    // its address, as a link from elsewhere would: a click would scroll to the tab by itself).
    for (const path of ['/settings', '/payouts', '/']) {
      await phone.goto(`${demo.url}${path}`);
      await phone.locator('.nav [aria-current="page"]').waitFor();
      await expect
        .poll(() =>
          phone.evaluate(() => {
            const bar = document.querySelector('.nav')!.getBoundingClientRect();
            const tab = document.querySelector('.nav [aria-current="page"]')!.getBoundingClientRect();
            return tab.left >= bar.left - 1 && tab.right <= bar.right + 1;
          }),
        )
        .toBe(true);
    }
    await phone.close();
  });

  it('threw no error in the page', () => {
    expect(errors).toEqual([]);
  });
});
