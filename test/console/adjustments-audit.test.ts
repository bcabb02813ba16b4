import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, today } from '../../console/src/lib/format.ts';
import { AUDIT_ACTIONS } from '../../src/service/audit.ts';
import { type Browser, chromiumPresent, type DemoServer, startDemoInChromium, stopDemoInChromium } from '../support/browser.ts';
import { apiCaller, openSignedIn, PHONE, see, shot, shotOf } from './support.ts';

/**
 * Manual adjustments (人工调整, on the finance page) and the audit log (审计日志, on the settings
 * page) in Chromium against the demo tenant: an adjustment posted through the form (a double click
 * posts it once), listed, paged and seen in the member's balance; a refusal shown by the form; the
 * audit entry of the adjustment and the log's filters (a window of days on both lists, one that
 * ends before it starts refused by the server and said so); the keyboard, English, a phone, and a
 * key that is not admin. Screenshots go to test/console/screenshots/ (git-ignored).
 */

/** "12.34" → 1234n: money compared exactly (the demo tenant's currency has 2 decimals). */
const cents = (text: string): bigint => {
  const match = /^(-?)(\d+)\.(\d\d)$/.exec(text);
  if (!match) throw new Error(`not an amount: ${text}`);
  const value = BigInt(match[2]! + match[3]!);
  return match[1] ? -value : value;
};
const yuan = (minor: bigint): string => {
  const sign = minor < 0n ? '-' : '';
  const digits = (minor < 0n ? -minor : minor).toString().padStart(3, '0');
  return `${sign}${digits.slice(0, -2)}.${digits.slice(-2)}`;
};
/** The console's way of showing an amount: ¥1,234.50. */
const shown = (text: string): string => {
  const negative = text.startsWith('-');
  const [whole, fraction] = text.replace('-', '').split('.');
  return `${negative ? '-' : ''}¥${whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${fraction}`;
};

describe.skipIf(!chromiumPresent())('manual adjustments and the audit log in Chromium', () => {
  let demo: DemoServer;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const posts: string[] = [];
  let posted = '';
  let readKey = '';
  const call = apiCaller(() => demo);
  const available = async (member: string): Promise<string> =>
    (await call('GET', `/v1/balances?member=${member}`)).balances[0]?.available ?? '0.00';
  const form = () => page.locator('[data-form="adjustment"]');
  const list = () => page.locator('[data-loaded="adjustments"]');
  /**
   * The day of the newest entry of `list` in the demo tenant's zone ("YYYY-MM-DD"), and the day
   * before: the days the filters are given. Taken from the entries, not the clock, so that a
   * midnight (Asia/Shanghai) passing while the spec runs moves nothing.
   */
  const days = async (list: 'adjustments' | 'audit'): Promise<{ day: string; yesterday: string }> => {
    const zone = (await call('GET', '/v1/me')).tenant.timezone;
    const newest = await call('GET', `/v1/${list}?limit=1`);
    const day = today(zone, new Date((list === 'adjustments' ? newest.adjustments : newest.entries)[0].at));
    return { day, yesterday: addDays(day, -1) };
  };

  beforeAll(async () => {
    ({ demo, browser } = await startDemoInChromium());
    page = await openSignedIn(browser.context, `${demo.url}/finance`, demo.key, errors);
    page.on('request', (request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname === '/v1/adjustments')
        posts.push(request.postData() ?? '');
    });
    await page.locator('[data-loaded="tax"]').waitFor();
  }, 180_000);

  afterAll(async () => {
    await stopDemoInChromium({ demo, browser });
  });

  it("posts a bonus through the form once on a double click, lists it, and the member's balance rises", async () => {
    const before = await available('L111');
    await see(page, '人工调整');
    await form().waitFor();
    await list().waitFor();
    const submit = form().getByRole('button', { name: '提交调整' });
    expect(await submit.isDisabled()).toBe(true);
    await form().getByLabel('成员编号').fill('L111');
    // The amount is checked as text: no float, no sign, at most 2 decimals, not zero.
    const amount = form().getByLabel('金额（CNY）');
    await amount.fill('12.345');
    await see(page, '金额格式不对');
    expect(await amount.getAttribute('aria-invalid')).toBe('true');
    await amount.fill('-5');
    await see(page, '金额格式不对');
    await amount.fill('0.00');
    await see(page, '金额不能为零。');
    await amount.fill('12.34');
    expect(await amount.getAttribute('aria-invalid')).toBe('false');
    // The reason is mandatory.
    expect(await submit.isDisabled()).toBe(true);
    await form().getByLabel('原因（必填）').fill('十月活动补发 console test');
    await form().getByText('将给 L111 的可提现余额增加 ¥12.34。').waitFor();
    await submit.dblclick();
    const note = form().locator('[data-posted]');
    await note.waitFor();
    posted = (await note.getAttribute('data-posted'))!;
    expect(posted).toMatch(/^ADJ-\d{8}-[0-9A-F]{12}$/);
    expect(await note.innerText()).toContain(`已入账 ${posted}：L111 +¥12.34。`);
    const after = yuan(cents(before) + 1234n);
    expect(await note.innerText()).toContain(`当前可提现余额 ${shown(after)}`);
    // One request, the amount a string as typed.
    expect(posts).toHaveLength(1);
    expect(JSON.parse(posts[0]!)).toStrictEqual({
      adjustment: posted,
      member: 'L111',
      amount: '12.34',
      reason: '十月活动补发 console test',
    });
    // The form is empty again, the list shows it first.
    expect(await form().getByLabel('成员编号').inputValue()).toBe('');
    const first = list().locator('tbody tr').first();
    await first.getByText('十月活动补发 console test').waitFor();
    expect(await first.innerText()).toContain('+¥12.34');
    expect(await first.innerText()).toContain(posted);
    expect(await first.innerText()).toContain('当前使用');
    // Posted once: one adjustment, the balance up by exactly the amount.
    const { adjustments } = await call('GET', '/v1/adjustments?member=L111');
    expect(adjustments.filter((a: { reason: string }) => a.reason === '十月活动补发 console test')).toHaveLength(1);
    expect(await available('L111')).toBe(after);
    await shot(page, 'adjustments-posted', true);
    await shotOf(page.locator('section.card', { has: form() }), 'adjustments-card');
    // The member's page shows the new balance.
    await note.getByRole('link', { name: '查看成员' }).click();
    await page.waitForURL(/\/members\/L111$/);
    const balance = page.locator('.stat', { hasText: '可提现' }).first();
    await balance.getByText(shown(after)).waitFor();
  });

  it("shows the server's refusal next to the form (an unknown member) and posts nothing", async () => {
    await page.getByRole('link', { name: '财务' }).click();
    await form().waitFor();
    await form().getByLabel('成员编号').fill('NOBODY-404');
    await form().getByLabel('金额（CNY）').fill('5');
    await form().getByLabel('原因（必填）').fill('should be refused');
    await form().getByText('将给 NOBODY-404 的可提现余额增加 ¥5.00。').waitFor();
    await form().getByRole('button', { name: '提交调整' }).click();
    const refusal = form().getByRole('alert');
    await refusal.waitFor();
    // The code's name in the console's language, then the server's own words.
    expect(await refusal.innerText()).toMatch(/^成员不存在：\s*member NOBODY-404 is not in the network/);
    // The field the server named has the focus; the content stays for a correction.
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.value)).toBe('NOBODY-404');
    expect(await form().locator('[data-posted]').count()).toBe(0);
    const { adjustments } = await call('GET', '/v1/adjustments');
    expect(adjustments.some((a: { member: string }) => a.member === 'NOBODY-404')).toBe(false);
    await shot(page, 'adjustments-refused');
    // A change of what is sent clears the refusal.
    await form().getByLabel('成员编号').fill('L111');
    await refusal.waitFor({ state: 'detached' });
    await form().getByLabel('成员编号').fill('');
  });

  it('pages the list with “more” and filters it by member', async () => {
    // 21 more through the API (the demo has its own): more than a page of 20.
    const earlier = (await call('GET', '/v1/adjustments')).adjustments.length;
    expect(earlier).toBeLessThan(20);
    for (let i = 0; i < 21; i++)
      await call('POST', '/v1/adjustments', { adjustment: `API-${i}`, member: 'L112', amount: '-1.00', reason: `bulk ${i}` });
    await page.reload();
    await list().waitFor();
    const rows = list().locator('tbody tr');
    await rows.first().getByText('bulk 20', { exact: true }).waitFor();
    expect(await rows.count()).toBe(20);
    await list().getByRole('button', { name: '加载更多' }).click();
    await list().getByText('十月活动补发 console test').waitFor();
    expect(await rows.count()).toBe(earlier + 21);
    expect(await list().getByRole('button', { name: '加载更多' }).count()).toBe(0);
    expect(await rows.nth(1).innerText()).toContain('-¥1.00');
    await page.getByLabel('按成员筛选').fill('L111');
    await list().getByText('bulk 0', { exact: true }).waitFor({ state: 'detached' });
    const ofL111 = (await call('GET', '/v1/adjustments?member=L111')).adjustments.length;
    expect(await rows.count()).toBe(ofL111);
    for (const text of await rows.allInnerTexts()) expect(text).toContain('L111');
    await page.getByLabel('按成员筛选').fill('');
    await list().getByText('bulk 20', { exact: true }).waitFor();
  });

  it('filters the list by a window of days; a window that ends before it starts is refused and said so', async () => {
    const { day, yesterday } = await days('adjustments');
    const fromDay = page.getByLabel('起始日期');
    const toDay = page.getByLabel('截止日期（含）');
    expect(await fromDay.getAttribute('type')).toBe('date');
    const rows = list().locator('tbody tr');
    const requests: URL[] = [];
    const seen = (request: { url(): string }) => {
      const url = new URL(request.url());
      if (url.pathname === '/v1/adjustments') requests.push(url);
    };
    page.on('request', seen);
    // Up to yesterday: only the demo's own adjustments (posted last month), none of today's.
    const before = (await call('GET', `/v1/adjustments?to=${yesterday}`)).adjustments as { reason: string; at: string }[];
    expect(before.length).toBeGreaterThan(0);
    await toDay.fill(yesterday);
    await list().getByText('bulk 20', { exact: true }).waitFor({ state: 'detached' });
    await list().getByText(before[0]!.reason).waitFor();
    expect(await rows.count()).toBe(before.length);
    for (const [i, text] of (await rows.allInnerTexts()).entries()) {
      expect(text).toContain(before[i]!.reason);
      expect(text).not.toContain('console test');
    }
    expect(await list().getByRole('button', { name: '加载更多' }).count()).toBe(0);
    // Sent as a day, only the end given.
    const last = requests.at(-1)!;
    expect(last.searchParams.get('to')).toBe(yesterday);
    expect(last.searchParams.has('from')).toBe(false);
    // Today only: from the first page again, the demo's adjustments gone, every one of today's by paging.
    const ofToday = (await call('GET', `/v1/adjustments?from=${day}&to=${day}&limit=100`)).adjustments.length;
    await fromDay.fill(day);
    await toDay.fill(day);
    await rows.first().getByText('bulk 20', { exact: true }).waitFor();
    expect(await rows.count()).toBe(20);
    expect(requests.at(-1)!.searchParams.get('from')).toBe(day);
    expect(requests.at(-1)!.searchParams.get('to')).toBe(day);
    expect(requests.at(-1)!.searchParams.has('after')).toBe(false);
    await list().getByRole('button', { name: '加载更多' }).click();
    await list().getByText('十月活动补发 console test').waitFor();
    expect(await rows.count()).toBe(ofToday);
    for (const { reason } of before) expect(await list().getByText(reason).count()).toBe(0);
    // With the member filter too.
    await page.getByLabel('按成员筛选').fill('L111');
    await list().getByText('bulk 0', { exact: true }).waitFor({ state: 'detached' });
    const ofL111 = (await call('GET', `/v1/adjustments?member=L111&from=${day}&to=${day}`)).adjustments.length;
    expect(await rows.count()).toBe(ofL111);
    for (const text of await rows.allInnerTexts()) expect(text).toContain('L111');
    await page.getByLabel('按成员筛选').fill('');
    // The end before the start: said at the fields, and nothing asked of the server.
    const card = page.locator('section.card', { has: toDay });
    const asked = requests.length;
    await toDay.fill(yesterday);
    const refusal = card.getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.innerText()).toBe('截止日期早于起始日期：请调整其中一个日期。');
    expect(await toDay.getAttribute('aria-invalid')).toBe('true');
    await page.waitForTimeout(600); // (past the fields' debounce)
    expect(requests.slice(asked).filter((url) => url.searchParams.get('to') === yesterday)).toEqual([]);
    // No rows of the window asked before stay under it, contradicting the filters shown.
    await expect.poll(() => rows.count()).toBe(0);
    await shotOf(card, 'adjustments-window-refused');
    // A window that makes sense again clears it; emptied, the list is whole again.
    await toDay.fill('');
    await refusal.waitFor({ state: 'detached' });
    const whole = page.waitForResponse((response) => {
      const url = new URL(response.url());
      return url.pathname === '/v1/adjustments' && !url.searchParams.has('from') && !url.searchParams.has('to');
    });
    await fromDay.fill('');
    await whole;
    await rows.first().getByText('bulk 20', { exact: true }).waitFor();
    expect(await rows.count()).toBe(20);
    page.off('request', seen);
  });

  it("lists the adjustment's entry in the audit log, and filters by action, target and actor", async () => {
    // A key created through the API: an audited action of another family.
    readKey = (await call('POST', '/v1/keys', { scope: 'read', label: 'console read test' })).key;
    await page.getByRole('link', { name: '设置' }).click();
    await see(page, '审计日志');
    const log = page.locator('[data-loaded="audit"]');
    await log.waitFor();
    const entry = log.locator('tbody tr', { hasText: posted });
    await entry.waitFor();
    const text = await entry.innerText();
    expect(text).toContain('人工调整');
    expect(text).toContain('adjustment.posted');
    expect(text).toContain('十月活动补发 console test');
    expect(text).toContain('L111');
    expect(text).toContain('¥12.34');
    const { key } = await call('GET', '/v1/me');
    expect(text).toContain(key.id);
    // The actions offered are those the server records.
    // (The select's name is its label and its value, “操作 全部”: found in the filters.)
    const action = page.getByRole('search').locator('select');
    const values = await action
      .locator('optgroup')
      .nth(1)
      .locator('option')
      .evaluateAll((options) => options.map((option) => (option as HTMLOptionElement).value));
    expect(values).toEqual([...AUDIT_ACTIONS]);
    // By family: the key created above, none of the adjustments.
    await action.selectOption('key.*');
    await log.locator('tbody tr', { hasText: 'key.created' }).first().waitFor();
    await log.locator('[data-action="adjustment.posted"]').first().waitFor({ state: 'detached' });
    expect(await log.locator('[data-action]').evaluateAll((cells) => cells.map((c) => c.getAttribute('data-action')))).toEqual(
      expect.arrayContaining(['key.created']),
    );
    expect(
      (await log.locator('[data-action]').evaluateAll((cells) => cells.map((c) => c.getAttribute('data-action')))).every((code) =>
        code!.startsWith('key.'),
      ),
    ).toBe(true);
    // By action and target: the one entry.
    await action.selectOption('adjustment.posted');
    await page.getByLabel('对象').fill(posted);
    await log.locator('tbody tr').filter({ hasText: 'bulk' }).first().waitFor({ state: 'detached' });
    expect(await log.locator('tbody tr').count()).toBe(1);
    await shot(page, 'audit-log', true);
    await shotOf(page.locator('section.card', { has: log }), 'audit-log-card');
    // By actor: an unknown key has none.
    await page.getByLabel('操作者').fill('no-such-key');
    await see(page, '没有符合条件的记录。');
    await page.getByLabel('操作者').fill(key.id);
    await log.locator('tbody tr', { hasText: posted }).waitFor();
    await page.getByLabel('对象').fill('');
    await action.selectOption('adjustment.posted');
    await page.getByLabel('操作者').fill('');
    await log.locator('tbody tr', { hasText: 'bulk 0' }).waitFor();
    // Another page: 30 more, refreshed; the form's entry is now beyond the first 50.
    const audited = (await call('GET', '/v1/audit?action=adjustment.posted&limit=1000')).entries.length;
    for (let i = 0; i < 30; i++)
      await call('POST', '/v1/adjustments', { adjustment: `MORE-${i}`, member: 'L112', amount: '0.01', reason: `more ${i}` });
    await page.getByRole('button', { name: '刷新' }).click();
    await log.getByText('more 29').waitFor();
    expect(await log.locator('tbody tr').count()).toBe(50);
    expect(await log.locator('tbody tr', { hasText: posted }).count()).toBe(0);
    await log.getByRole('button', { name: '加载更多' }).click();
    await log.locator('tbody tr', { hasText: posted }).waitFor();
    // Every adjustment entry once; no page after.
    expect(await log.locator('tbody tr').count()).toBe(audited + 30);
    expect(await log.getByRole('button', { name: '加载更多' }).count()).toBe(0);
    await action.selectOption('');
  });

  it('filters the audit log by a window of days; a window that ends before it starts is refused and said so', async () => {
    const { day, yesterday } = await days('audit');
    const log = page.locator('[data-loaded="audit"]');
    const rows = log.locator('tbody tr');
    await rows.first().getByText('more 29').waitFor();
    const fromDay = page.getByRole('search').getByLabel('起始日期');
    const toDay = page.getByRole('search').getByLabel('截止日期（含）');
    // Every action of the demo was taken today: a window that ends yesterday has none.
    expect((await call('GET', `/v1/audit?to=${yesterday}`)).entries).toEqual([]);
    await toDay.fill(yesterday);
    await see(page, '没有符合条件的记录。');
    expect(await log.locator('[data-action]').count()).toBe(0);
    // One that includes today has them, newest first, a page at a time.
    await fromDay.fill(day);
    await toDay.fill(day);
    await rows.first().getByText('more 29').waitFor();
    expect(await rows.count()).toBe(50);
    await log.getByRole('button', { name: '加载更多' }).click();
    await log.locator('tbody tr', { hasText: posted }).waitFor();
    // Only the start: the same.
    await toDay.fill('');
    await rows.first().getByText('more 29').waitFor();
    // The end before the start: said at the fields, no list of a window that cannot be.
    await toDay.fill(yesterday);
    const refusal = page.locator('section.card', { has: page.getByRole('search') }).getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.innerText()).toBe('截止日期早于起始日期：请调整其中一个日期。');
    await expect.poll(() => rows.count()).toBe(0);
    await shot(page, 'audit-log-window-refused');
    await fromDay.fill('');
    await refusal.waitFor({ state: 'detached' });
    await see(page, '没有符合条件的记录。');
    await toDay.fill('');
    await rows.first().getByText('more 29').waitFor();
  });

  it('is reachable by keyboard alone, and in English', async () => {
    await page.getByRole('button', { name: 'EN', exact: true }).click();
    await page.getByRole('link', { name: 'Finance' }).click();
    await see(page, 'Manual adjustments');
    await form().waitFor();
    expect(await page.getByLabel('From date').getAttribute('type')).toBe('date');
    expect(await page.getByLabel('Until (inclusive)').getAttribute('type')).toBe('date');
    const before = await available('L113');
    await form().getByLabel('Member ID').focus();
    await page.keyboard.type('L113');
    await page.keyboard.press('Tab'); // the type: Bonus, then the arrow chooses Deduction
    expect(await page.evaluate(() => (document.activeElement as HTMLInputElement).value)).toBe('bonus');
    await page.keyboard.press('ArrowRight');
    expect(await form().getByRole('radio', { name: 'Deduction (take)' }).isChecked()).toBe(true);
    await page.keyboard.press('Tab');
    await page.keyboard.type('2.50');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Keyboard deduction');
    await form().getByText("Deducts ¥2.50 from L113's available balance.").waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Post adjustment');
    await page.keyboard.press('Enter');
    const note = form().locator('[data-posted]');
    await note.waitFor();
    expect(await note.innerText()).toMatch(/^Posted ADJ-\d{8}-[0-9A-F]{12}: L113 -¥2\.50\./);
    expect(await available('L113')).toBe(yuan(cents(before) - 250n));
    await list().locator('tbody tr').first().getByText('Keyboard deduction').waitFor();
    await page.getByRole('link', { name: 'Settings' }).click();
    await see(page, 'Audit log');
    await page.locator('[data-loaded="audit"]').getByText('Keyboard deduction').waitFor();
    await page.getByRole('button', { name: '中文', exact: true }).click();
    await see(page, '审计日志');
  });

  it('works on a phone: the form and the lists fit the screen', async () => {
    const phone = await openSignedIn(browser.context, `${demo.url}/finance`, demo.key, errors, PHONE);
    await phone.locator('[data-loaded="adjustments"]').waitFor();
    const fits = () => phone.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    expect(await fits()).toBe(true);
    const card = phone.locator('[data-form="adjustment"]');
    await card.getByLabel('成员编号').fill('L111');
    await card.getByText('扣减（减少）').click();
    await card.getByLabel('金额（CNY）').fill('1.00');
    await card.getByLabel('原因（必填）').fill('手机上扣减');
    await card.getByRole('button', { name: '提交调整' }).click();
    await card.locator('[data-posted]').waitFor();
    expect(await card.locator('[data-posted]').innerText()).toContain('L111 -¥1.00');
    // Rows are cards with their labels on a phone.
    const first = phone.locator('[data-loaded="adjustments"] tbody tr').first();
    await first.getByText('手机上扣减').waitFor();
    expect(await first.locator('td[data-label="原因"]').isVisible()).toBe(true);
    expect(await fits()).toBe(true);
    await card.scrollIntoViewIfNeeded();
    await shot(phone, 'adjustments-phone');
    await phone.goto(`${demo.url}/settings`);
    const log = phone.locator('[data-loaded="audit"]');
    await log.getByText('手机上扣减').waitFor();
    expect(await fits()).toBe(true);
    // The card's top below the sticky top bar.
    await phone.getByRole('heading', { name: '审计日志' }).evaluate((heading) => {
      heading.scrollIntoView({ block: 'start' });
      window.scrollBy(0, -120);
    });
    await shot(phone, 'audit-log-phone');
    await phone.close();
  });

  it('shows neither the form nor the lists to a key that is not admin', async () => {
    const key = readKey;
    const reader = await openSignedIn(browser.context, `${demo.url}/finance`, key, errors);
    await reader.locator('[data-loaded="tax"]').waitFor();
    await see(reader, '人工调整的查看与录入需要管理员密钥');
    expect(await reader.locator('[data-form="adjustment"]').count()).toBe(0);
    expect(await reader.locator('[data-loaded="adjustments"]').count()).toBe(0);
    await reader.getByRole('link', { name: '设置' }).click();
    await see(reader, '查看审计日志需要管理员密钥');
    expect(await reader.locator('[data-loaded="audit"]').count()).toBe(0);
    await reader.close();
  });

  it('threw no error in the page', () => {
    expect(errors).toEqual([]);
  });
});
