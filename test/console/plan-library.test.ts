import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildConsoleIfStale,
  chromiumPresent,
  launchChromium,
  startDemoServer,
  type Browser,
  type DemoServer,
} from '../support/browser.ts';
import { openSignedIn, PHONE, see, shot, shotOf } from './support.ts';

/**
 * "Start from the library" (从方案库开始) on the plans page, in Chromium against the demo tenant:
 * an operator picks a business model and a stage, reads the ready plan's name, what it pays, its
 * reasoning and its cn lint, and loads it into the editor, by mouse and by keyboard, in both
 * languages (the headline and the reasoning in the language of the console) and on a phone. Nothing is published until the operator publishes.
 * Screenshots go to test/console/screenshots/ (git-ignored).
 */

interface LibraryEntry {
  model: string;
  stage: string;
  title: string;
  description: string;
  descriptionZh: string;
  notes: { heading: string; text: string }[];
  notesZh: { heading: string; text: string }[];
  yaml: string;
  findings: { code: string; severity: string }[];
}

describe.skipIf(!chromiumPresent())('plan library picker in Chromium', () => {
  let demo: DemoServer;
  let browser: Browser;
  let page: Page;
  let library: LibraryEntry[] = [];
  let versionsBefore = 0;
  const errors: string[] = [];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- loose JSON of the API in a test
  const call = async (path: string): Promise<any> => {
    const response = await fetch(`${demo.url}${path}`, { headers: { authorization: `Bearer ${demo.key}` } });
    expect(response.status, path).toBe(200);
    return response.json();
  };
  const entry = (model: string, stage: string): LibraryEntry =>
    library.find((plan) => plan.model === model && plan.stage === stage)!;
  const editor = (on: Page) => on.locator('#plan-draft');

  /** Waits until the draft's live lint has answered for what the editor holds. */
  async function lintSettled(on: Page, expected: 'valid' | 'invalid' = 'valid'): Promise<void> {
    await on.locator(`.lint[data-lint="${expected}"]`).waitFor();
    await on.getByText('检查中…').waitFor({ state: 'hidden' });
  }

  beforeAll(async () => {
    buildConsoleIfStale();
    demo = await startDemoServer();
    library = (await call('/v1/plan-library')).plans;
    versionsBefore = (await call('/v1/plans')).versions.length;
    browser = await launchChromium();
    page = await openSignedIn(browser.context, `${demo.url}/plans`, demo.key, errors);
    await page.locator('[data-loaded="plans"]').waitFor();
    await lintSettled(page);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
  });

  it('opens the picker: a model and a stage, the plan’s name, what it pays, its lint and its reasoning', async () => {
    const toggle = page.getByRole('button', { name: '从方案库开始' });
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    await toggle.click();
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    const picker = page.locator('#plan-library');
    await picker.locator('[data-loaded="library"]').waitFor();
    // The first model and stage are shown at once.
    const first = entry('social', 'launch');
    await picker.locator('[data-library-plan="social/launch"]').waitFor();
    await see(page, first.title);
    // What it pays, in Chinese: the console is in Chinese.
    const firstView = picker.locator('[data-library-plan="social/launch"]');
    expect(await firstView.locator('.library-headline').innerText()).toBe(first.descriptionZh);
    expect(first.descriptionZh).toMatch(/^级差 VIP 12% \/ 店主 20% \/ 服务商 26%；/);
    expect(await firstView.innerText()).not.toContain(first.description);
    expect(await picker.getByLabel('业务模式').locator('option').allInnerTexts()).toEqual([
      '社交电商',
      '社区团购',
      '社群电商',
      '微商',
    ]);
    expect(await picker.getByLabel('网络阶段').locator('option').allInnerTexts()).toEqual(['启动期', '成长期', '成熟期']);

    // A plan with a cn warning: its count, code and message, and its reasoning by section.
    await picker.getByLabel('网络阶段').selectOption('growth');
    const growth = picker.locator('[data-library-plan="social/growth"]');
    await growth.waitFor();
    expect(await growth.locator('h3').innerText()).toBe(entry('social', 'growth').title);
    await growth.getByText('1 项提醒').waitFor();
    await growth.locator('.findings').getByText('team-pay-unbounded').waitFor();
    // The finding's reason in Chinese (the profile's own words), not the English message.
    expect(await growth.locator('.findings li').innerText()).toContain('按团队业绩向整条上级链路计酬');
    expect(await growth.locator('.findings li').innerText()).not.toContain("pays every upline on the team's sales");
    const notes = growth.getByRole('region', { name: '方案说明' });
    // Its reasoning by section, in Chinese, as the file's 【…】 sections write it.
    expect(await notes.locator('h5').allInnerTexts()).toEqual([
      '佣金付给谁',
      '为何这样定比例',
      '成本（占净销售额）',
      '注意事项',
      '合规检查（cn 规则）',
    ]);
    expect(await notes.locator('p').allInnerTexts()).toEqual(entry('social', 'growth').notesZh.map((n) => n.text));
    expect(await notes.innerText()).toContain('团队业绩阶梯');
    expect(await notes.innerText()).not.toContain('WHY THESE RATES');
    expect(await notes.innerText()).toContain('team-pay-unbounded');
    expect(await growth.innerText()).toContain('differential');
    expect(await growth.innerText()).toContain('team-tier');

    // A clean plan of another model.
    await picker.getByLabel('业务模式').selectOption('group-buy');
    await picker.getByLabel('网络阶段').selectOption('launch');
    const groupBuy = picker.locator('[data-library-plan="group-buy/launch"]');
    await groupBuy.waitFor();
    await groupBuy.getByText('未发现合规问题。').waitFor();
    await groupBuy.getByText('无问题').waitFor();
    await see(page, entry('group-buy', 'launch').descriptionZh);
    await shot(page, 'plan-library-picker');
  });

  it('loads the chosen plan into the editor, as written, without publishing it', async () => {
    const chosen = entry('group-buy', 'launch');
    await page.getByRole('button', { name: '载入编辑器' }).click();
    // The picker closes, the editor has the plan and the focus.
    await page.locator('#plan-library').waitFor({ state: 'detached' });
    expect(await editor(page).inputValue()).toBe(chosen.yaml);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('plan-draft');
    // The caret and the view at the top: the plan's reasoning, in its header comment, comes first.
    expect(await editor(page).evaluate((el: HTMLTextAreaElement) => [el.selectionStart, el.scrollTop])).toEqual([0, 0]);
    await page.locator('[data-draft-origin="group-buy/launch"]').getByText(chosen.title, { exact: false }).waitFor();
    await see(page, '尚未发布');
    await lintSettled(page);
    await page.locator('.lint').getByText('方案有效。').waitFor();
    expect(await page.locator('.lint .findings li').count()).toBe(chosen.findings.length);
    expect(await page.getByRole('button', { name: '发布新版本' }).isEnabled()).toBe(true);
    await shot(page, 'plan-library-loaded');
    // Not published: the versions are those of before.
    expect((await call('/v1/plans')).versions.length).toBe(versionsBefore);
  });

  it('asks before replacing a draft the operator edited; cancel keeps it', async () => {
    const edited = `${entry('group-buy', 'launch').yaml}# my own note\n`;
    await editor(page).fill(edited);
    await page.getByRole('button', { name: '从方案库开始' }).click();
    const picker = page.locator('#plan-library');
    await picker.locator('[data-loaded="library"]').waitFor();
    await picker.getByLabel('业务模式').selectOption('micro');
    await picker.getByLabel('网络阶段').selectOption('maturity');
    await picker.locator('[data-library-plan="micro/maturity"]').waitFor();
    await picker.getByRole('button', { name: '载入编辑器' }).click();
    await picker.getByText('草稿中有尚未发布的修改').waitFor();
    await picker.getByRole('button', { name: '取消' }).click();
    expect(await editor(page).inputValue()).toBe(edited);
    await picker.getByRole('button', { name: '载入编辑器' }).click();
    await picker.getByRole('button', { name: '替换草稿' }).click();
    await page.locator('[data-draft-origin="micro/maturity"]').waitFor();
    expect(await editor(page).inputValue()).toBe(entry('micro', 'maturity').yaml);
    await lintSettled(page);
  });

  it('is reachable by keyboard alone, and in English', async () => {
    await page.getByRole('button', { name: 'EN', exact: true }).click();
    const toggle = page.getByRole('button', { name: 'Start from the library' });
    await toggle.focus();
    await page.keyboard.press('Enter');
    const picker = page.locator('#plan-library');
    await picker.locator('[data-loaded="library"]').waitFor();
    expect(await picker.getByLabel('Business model').locator('option').allInnerTexts()).toEqual([
      'social e-commerce (社交电商)',
      'community group buying (社区团购)',
      'community e-commerce (社群电商)',
      'micro-business resale (微商)',
    ]);
    // Tab from the toggle: the picker's close button, the model, then the stage.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Close');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.closest('label')?.innerText.split('\n')[0])).toBe('Business model');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown'); // community
    await page.keyboard.press('Tab');
    await page.keyboard.press('ArrowDown'); // growth
    const chosen = entry('community', 'growth');
    await picker.locator('[data-library-plan="community/growth"]').waitFor();
    await picker.getByText('1 warning', { exact: true }).waitFor();
    await picker.getByText('Reasoning', { exact: true }).waitFor();
    // The reasoning scrolls by keyboard, then the load button.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Reasoning');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Load into the editor');
    await page.keyboard.press('Enter');
    await page.locator('#plan-library').waitFor({ state: 'detached' });
    expect(await editor(page).inputValue()).toBe(chosen.yaml);
    await see(page, `Draft from the library: ${chosen.title} (plans/library/community/growth.yaml). Not published.`);
    await lintSettled(page);
    await page.locator('.lint').getByText('payout-over-30').waitFor();
    // Close by keyboard gives the focus back to the toggle.
    await toggle.focus();
    await page.keyboard.press('Enter');
    await picker.locator('[data-loaded="library"]').waitFor();
    await picker.getByRole('button', { name: 'Close' }).focus();
    await page.keyboard.press('Enter');
    await page.locator('#plan-library').waitFor({ state: 'detached' });
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-controls'))).toBe('plan-library');
    await page.getByRole('button', { name: '中文', exact: true }).click();
    await see(page, '从方案库开始');
  });

  it('shows the headline and the reasoning in the language of the console, switching with it', async () => {
    const toggle = page.getByRole('button', { name: '从方案库开始' });
    await toggle.click();
    const picker = page.locator('#plan-library');
    await picker.locator('[data-loaded="library"]').waitFor();
    await picker.getByLabel('业务模式').selectOption('micro');
    await picker.getByLabel('网络阶段').selectOption('launch');
    const chosen = entry('micro', 'launch');
    const view = picker.locator('[data-library-plan="micro/launch"]');
    await view.waitFor();
    const headline = view.locator('.library-headline');
    const notes = view.locator('.library-notes');
    // 中文: the 【摘要】 line and the Chinese sections, headings paired with the English ones.
    expect(await headline.innerText()).toBe(chosen.descriptionZh);
    expect(chosen.descriptionZh).toContain('拿货价 代理 69 / 总代 59 / 联创 49 每盒（零售价 99）');
    expect(await notes.locator('h5').allInnerTexts()).toEqual(chosen.notesZh.map((n) => n.heading));
    expect(await notes.locator('h5').first().innerText()).toBe('佣金付给谁');
    expect(await notes.locator('h5').nth(1).innerText()).toBe('为何这样定价');
    expect(await notes.locator('p').allInnerTexts()).toEqual(chosen.notesZh.map((n) => n.text));
    await notes.getByText('微商经典的折扣阶梯', { exact: false }).waitFor();
    await see(page, '方案库文件头部注释中的中文说明');
    await shotOf(view, 'plan-library-zh');

    // English: the plan's `description` and the English sections, the same plan still chosen.
    await page.getByRole('button', { name: 'EN', exact: true }).click();
    await picker.getByText('Reasoning', { exact: true }).waitFor();
    expect(await headline.innerText()).toBe(chosen.description);
    expect(await notes.locator('h5').allInnerTexts()).toEqual([
      'WHO IT PAYS',
      'WHY THESE PRICES',
      'WHAT IT COSTS (share of net sales)',
      'WHAT TO WATCH',
      'LINT (profile cn)',
    ]);
    expect(await notes.locator('p').allInnerTexts()).toEqual(chosen.notes.map((n) => n.text));
    expect(await notes.innerText()).not.toContain('佣金付给谁');
    expect(await notes.innerText()).not.toContain('微商经典的折扣阶梯');
    await shotOf(view, 'plan-library-en');

    // Back to Chinese.
    await page.getByRole('button', { name: '中文', exact: true }).click();
    expect(await headline.innerText()).toBe(chosen.descriptionZh);
    expect(await notes.locator('h5').last().innerText()).toBe('合规检查（cn 规则）');
    await picker.getByRole('button', { name: '关闭' }).click();
    await page.locator('#plan-library').waitFor({ state: 'detached' });
  });

  it('works on a phone: the picker fits the screen and loads a plan', async () => {
    const phone = await openSignedIn(browser.context, `${demo.url}/plans`, demo.key, errors, PHONE);
    await phone.locator('[data-loaded="plans"]').waitFor();
    await phone.getByRole('button', { name: '从方案库开始' }).click();
    const picker = phone.locator('#plan-library');
    await picker.locator('[data-loaded="library"]').waitFor();
    await picker.getByLabel('业务模式').selectOption('community');
    await picker.getByLabel('网络阶段').selectOption('maturity');
    await picker.locator('[data-library-plan="community/maturity"]').waitFor();
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(1);
    const box = await picker.getByRole('button', { name: '载入编辑器' }).boundingBox();
    expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    await shot(phone, 'plan-library-phone', true);
    await picker.getByRole('button', { name: '载入编辑器' }).click();
    expect(await editor(phone).inputValue()).toBe(entry('community', 'maturity').yaml);
    await lintSettled(phone);
    expect(await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(1);
    await phone.close();
    expect((await call('/v1/plans')).versions.length).toBe(versionsBefore);
  });

  it('threw no error in the page', () => {
    expect(errors).toEqual([]);
  });
});
