import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, chromiumPresent, type DemoServer, startDemoInChromium, stopDemoInChromium } from '../support/browser.ts';
import { see, shot, signInAsOperator } from './support.ts';

/**
 * A leader (团长) in Chromium against the demo tenant: an operator issues L111 a sign-in link from
 * the member page; the leader opens it on a phone and sees their own money, why they got an award,
 * their statement and their downline, and a plain refusal for anyone else, in both languages.
 * Screenshots go to test/console/screenshots/ (git-ignored).
 */

const LEADER = 'L111';

describe.skipIf(!chromiumPresent())('leader sign-in in Chromium', () => {
  let demo: DemoServer;
  let browser: Browser;
  let operator: Page;
  let phone: Page;
  let link = '';
  const errors: string[] = [];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- loose JSON of the API in a test
  const call = async (path: string): Promise<any> => {
    const response = await fetch(`${demo.url}${path}`, { headers: { authorization: `Bearer ${demo.key}` } });
    return response.json();
  };

  beforeAll(async () => {
    ({ demo, browser } = await startDemoInChromium());
    operator = await browser.context.newPage();
    operator.on('pageerror', (error) => errors.push(error.message));
    await operator.goto(`${demo.url}/members/${LEADER}`);
    await signInAsOperator(operator, demo.key);
    await operator.locator('[data-loaded="member"]').waitFor();
  }, 180_000);

  afterAll(async () => {
    await stopDemoInChromium({ demo, browser });
  });

  it("lets an operator issue a leader's sign-in link from the member page, and revoke one", async () => {
    await see(operator, '团长登录');
    await see(operator, '还没有发放过令牌');
    await operator.getByRole('button', { name: '发放登录链接' }).click();
    const field = operator.locator('input[data-leader-link]');
    await field.waitFor();
    link = await field.inputValue();
    expect(link).toMatch(new RegExp(`^${demo.url}/leader#token=fym_[A-Za-z0-9_-]{12}\\.[A-Za-z0-9_-]{32}$`));
    await operator.getByRole('button', { name: '复制链接' }).click();
    await see(operator, '已复制');
    await operator.locator('.badge', { hasText: '有效' }).first().waitFor();
    // A second link, revoked at once: it shows as revoked, the first stays active.
    await operator.getByRole('button', { name: '发放登录链接' }).click();
    await operator.waitForFunction(
      (first) => (document.querySelector('input[data-leader-link]') as HTMLInputElement | null)?.value !== first,
      link,
    );
    await operator.getByRole('button', { name: '吊销' }).first().click();
    await operator.locator('.badge', { hasText: '已吊销' }).waitFor();
    expect(await operator.locator('.badge', { hasText: '有效' }).count()).toBe(1);
    await shot(operator, '31-leader-token-issued', true);
  });

  it('signs the leader in from the link on a phone, clears the token from the address, shows no operator pages', async () => {
    phone = await browser.context.newPage();
    phone.on('pageerror', (error) => errors.push(error.message));
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(link);
    await see(phone, `成员 ${LEADER}`);
    await phone.locator('[data-loaded="member"]').waitFor();
    expect(phone.url()).toBe(`${demo.url}/`);
    expect(await phone.evaluate(() => location.hash + JSON.stringify(history.state))).not.toContain('token');
    const nav = await phone.locator('nav.nav').innerText();
    expect(nav).toContain('我的佣金');
    expect(nav).toContain('我的团队');
    for (const operatorPage of ['概览', '分佣方案', '提现审核', '事件', '设置']) expect(nav).not.toContain(operatorPage);
    expect(await phone.locator('.topbar .scope').textContent()).toBe(`团长 · ${LEADER}`);
    expect(await phone.getByText('团长登录').count()).toBe(0); // an operator's card
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(1);
    await shot(phone, '32-leader-home-phone', true);
  });

  it('shows the leader why they got an award and lets them download their statement', async () => {
    const { awards } = await call(`/v1/awards?member=${LEADER}&limit=5000`);
    expect(awards.length).toBeGreaterThan(0);
    await phone.locator('.table tr.clickable').first().click();
    const dialog = phone.getByRole('dialog');
    await dialog.getByText('这笔佣金是怎么来的').waitFor();
    await dialog.locator('[data-loaded="explanation"]').waitFor();
    expect(await dialog.locator('[data-loaded="explanation"]').innerText()).toMatch(/按规则「[^」]+」（[\w-]+，[^）]+）/);
    await shot(phone, '33-leader-explanation-phone');
    await dialog.getByRole('button', { name: '关闭' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await phone.locator('[data-loaded="statement"]').waitFor();
    const [csv] = await Promise.all([phone.waitForEvent('download'), phone.getByRole('button', { name: '⤓ CSV' }).click()]);
    expect(csv.suggestedFilename()).toMatch(new RegExp(`^statement-${LEADER}-\\d{4}-\\d\\d\\.csv$`));
    expect(readFileSync((await csv.path())!, 'utf8')).toContain(LEADER);
  });

  it('shows their own downline, rooted at themselves, with nothing above them', async () => {
    const { children } = await call(`/v1/members/${LEADER}/downline?limit=5`);
    expect(children.length).toBeGreaterThan(0);
    await phone.getByRole('link', { name: '我的团队', exact: true }).click();
    await see(phone, '从您自己开始');
    const tree = phone.locator('[data-loaded="tree"]');
    await tree.getByText(children[0].id, { exact: true }).waitFor();
    expect(await phone.locator('nav.upline').innerText()).not.toMatch(/A\d/);
    expect(await phone.locator('input[type="search"]').count()).toBe(0); // no tenant-wide search
    await shot(phone, '34-leader-team-phone', true);
  });

  it('refuses another member with a clear message, in both languages', async () => {
    const { parent } = await call(`/v1/members/${LEADER}`);
    expect(parent).toBeTruthy();
    await phone.goto(`${demo.url}/members/${parent}`);
    await phone.locator('[data-out-of-reach]').waitFor();
    await see(phone, '团长只能查看自己的数据和自己的下级团队');
    await shot(phone, '35-leader-out-of-reach');
    await phone.getByRole('button', { name: 'EN', exact: true }).click();
    await see(phone, 'a leader sees only their own data and their own downline');
    await phone.getByRole('link', { name: '← Back to my earnings' }).click();
    await see(phone, `Member ${LEADER}`);
    for (const label of ['My earnings', 'My team']) await phone.getByRole('link', { name: label, exact: true }).waitFor();
    await phone.locator('.table tr.clickable').first().click();
    await phone.getByRole('dialog').locator('[data-loaded="explanation"]').waitFor();
    expect(await phone.getByRole('dialog').innerText()).toMatch(/earned [\d.]+ CNY on order/);
    await shot(phone, '36-leader-explanation-en');
    await phone.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
    await phone.getByRole('button', { name: '中文', exact: true }).click();
    await see(phone, '佣金明细');
  });

  it('refuses a revoked or garbage token on the leader tab with a clear message', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${demo.url}/`);
    await page.getByRole('tab', { name: '团长' }).click();
    await page.getByLabel('成员令牌').fill(`fym_${'x'.repeat(12)}.${'y'.repeat(32)}`);
    await page.getByRole('button', { name: '登录' }).click();
    await see(page, '令牌无效、已过期或已被吊销');
    await shot(page, '30-leader-sign-in');
    await page.close();
  });

  it('threw no error in the pages', () => {
    expect(errors).toEqual([]);
  });
});
