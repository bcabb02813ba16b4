import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, chromiumPresent, type DemoServer, startDemoInChromium, stopDemoInChromium } from '../support/browser.ts';
import { openSignedIn, PHONE, see, shot } from './support.ts';

/**
 * Awards as a person reads them, in Chromium: each rule by the name its template has in the plan
 * version that made the award (the id beside it, and alone when the template has none), the date
 * each award was made in the tenant's time zone (on a desktop and on a phone), the same names in
 * the statement, the dashboard and the finance report, and a member without payee details shown
 * calmly, with no error in the browser's console. On a tenant of its own: two plan versions that
 * name the same rule differently, an order paid under each, and a month closed.
 */

const TENANT = 'award-names';
const LEADER = 'L';
const ZONE = 'Asia/Shanghai';

const multiLevel = (id: string, rate: string, name?: string) => ({
  id,
  ...(name ? { name } : {}),
  template: 'multi-level',
  params: { rates: [rate], base: 'paid' },
});
const teamMonth = {
  id: 'team',
  name: '团队月奖',
  template: 'team-tier',
  params: { period: 'month', tiers: [{ min: '1.00', rate: '2%' }] },
};
const planOf = (directName: string) => ({
  templates: [multiLevel('direct', '10%', directName), multiLevel('bonus', '1%'), teamMonth],
});
const paid = (order: string, at: string) => ({
  type: 'order.paid',
  order,
  buyer: 'C',
  at,
  lines: [{ line: 1, sku: 'tea', qty: 1, paid: '100.00' }],
});

describe.skipIf(!chromiumPresent())('award names and dates in Chromium', () => {
  let demo: DemoServer;
  let browser: Browser;
  let adminKey = '';
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];

  async function call(method: string, path: string, body: unknown, token: string): Promise<unknown> {
    const response = await fetch(`${demo.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json: unknown = await response.json();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  }

  /** The tenant: O1 paid under version 1 (direct: 直推奖), O2 under version 2 (直推奖（新版）), March closed. */
  async function seedTenant(): Promise<void> {
    const created = (await call(
      'POST',
      '/v1/tenants',
      { id: TENANT, name: 'Award names', timezone: ZONE, plan: planOf('直推奖'), allowRefused: true },
      'fyp_console-test',
    )) as { adminKey: string };
    adminKey = created.adminKey;
    const members = [
      { id: LEADER, role: 'leader', level: 1 },
      { id: 'C', role: 'customer', parent: LEADER },
    ];
    await call('POST', '/v1/network/import', { members }, adminKey);
    // 07:30 in Shanghai is still the day before in UTC: the date shown must be the tenant's.
    await call('POST', '/v1/events', { events: [paid('O1', '2026-03-01T07:30:00+08:00')] }, adminKey);
    await call(
      'POST',
      '/v1/plans',
      { plan: planOf('直推奖（新版）'), effectiveFrom: '2026-03-10', allowRefused: true },
      adminKey,
    );
    await call('POST', '/v1/events', { events: [paid('O2', '2026-03-15T12:00:00+08:00')] }, adminKey);
    await call('POST', '/v1/tick', { at: '2026-04-02T00:00:00+08:00' }, adminKey);
  }

  /** A tab signed in with the tenant's admin key; console errors (failed requests too) are collected. */
  async function open(path: string, viewport?: typeof PHONE): Promise<Page> {
    const page = await openSignedIn(browser.context, `${demo.url}${path}`, adminKey, pageErrors, viewport);
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(`${page.url()}: ${message.text()}`);
    });
    return page;
  }

  /** The row of the award table for an order or period (its text as a person sees it). */
  const awardRow = (page: Page, subject: string): Locator =>
    page.locator('[data-loaded="member"] .card', { hasText: '佣金明细' }).locator('tr', { hasText: subject });

  beforeAll(async () => {
    ({ demo, browser } = await startDemoInChromium());
    await seedTenant();
  }, 180_000);

  afterAll(async () => {
    await stopDemoInChromium({ demo, browser });
  });

  it('names each award by its rule as the plan version that made it names it, the id beside it or alone', async () => {
    const page = await open(`/members/${LEADER}`);
    await page.locator('[data-loaded="member"]').waitFor();
    const o1 = awardRow(page, 'O1');
    const o2 = awardRow(page, 'O2');
    // O1 was paid under version 1, O2 under version 2: the same rule, named as each version named it.
    expect(await o1.locator('[data-rule="direct"]').innerText()).toMatch(/^直推奖\s+direct$/);
    expect(await o1.locator('[data-rule="direct"]').getAttribute('title')).toBe('direct');
    expect(await o2.locator('[data-rule="direct"]').innerText()).toMatch(/^直推奖（新版）\s+direct$/);
    // A template without a name: its id, as before.
    expect(await o1.locator('[data-rule="bonus"]').innerText()).toBe('bonus');
    expect(await awardRow(page, '2026-03').locator('[data-rule="team"]').innerText()).toMatch(/^团队月奖\s+team$/);
    // "Why did I get this?" names the rule too.
    await o2.filter({ has: page.locator('[data-rule="direct"]') }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('规则 直推奖（新版）').waitFor();
    await dialog.getByRole('button', { name: '关闭' }).click();
    await shot(page, '70-award-names', true);
    await page.close();
  });

  it("dates each award in the tenant's time zone: the order's payment, the period's close", async () => {
    const page = await open(`/members/${LEADER}`);
    await page.locator('[data-loaded="member"]').waitFor();
    const dateOf = (subject: string) => awardRow(page, subject).first().locator('td[data-label="时间"]').innerText();
    expect(await dateOf('O1')).toBe(formatted('2026-03-01T07:30:00+08:00'));
    expect(await dateOf('O1')).toContain('2026年3月1日');
    expect(await dateOf('O2')).toBe(formatted('2026-03-15T12:00:00+08:00'));
    expect(await dateOf('2026-03')).toBe(formatted('2026-04-01T00:00:00+08:00'));
    await page.close();
  });

  it('shows the date and the rule name on a phone too', async () => {
    const page = await open(`/members/${LEADER}`, PHONE);
    await page.locator('[data-loaded="member"]').waitFor();
    const row = awardRow(page, 'O1').filter({ has: page.locator('[data-rule="direct"]') });
    const date = row.locator('td[data-label="时间"]');
    expect(await date.isVisible()).toBe(true);
    expect(await date.innerText()).toContain(formatted('2026-03-01T07:30:00+08:00'));
    expect(await row.locator('[data-rule="direct"]').isVisible()).toBe(true);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(1);
    await shot(page, '71-award-dates-phone', true);
    await page.close();
  });

  it('names the rules in the statement, the dashboard and the finance report', async () => {
    const page = await open(`/members/${LEADER}`);
    await page.getByLabel('月份').fill('2026-03');
    const statement = page.locator('[data-loaded="statement"]');
    // (March's: its orders' awards; the month's team award is made at its close, in April.)
    await statement.locator('[data-rule="direct"]', { hasText: '直推奖（新版）' }).waitFor();
    expect(await statement.locator('[data-rule="bonus"]').innerText()).toBe('bonus');

    // Totals by rule across versions: named as the plan in force names them.
    await page.goto(`${demo.url}/?range=12m`);
    const byRule = page.locator('.card', { hasText: '按规则' });
    await byRule.locator('[data-rule="direct"]', { hasText: '直推奖（新版）' }).waitFor();
    expect(await byRule.locator('[data-rule="bonus"]').innerText()).toBe('bonus');

    await page.goto(`${demo.url}/finance`);
    await page.getByLabel('月份').fill('2026-03');
    const commission = page.locator('[data-loaded="commission"]');
    await commission.locator('[data-rule="team"]', { hasText: '团队月奖' }).waitFor();
    expect(await commission.locator('[data-rule="direct"]').innerText()).toMatch(/^直推奖（新版）\s+direct$/);
    await page.close();
  });

  it('shows a member without payee details calmly, with no error in the browser console', async () => {
    const page = await open(`/members/${LEADER}`);
    await page.locator('[data-loaded="member"]').waitFor();
    await page.locator('[data-payee="none"]').waitFor();
    await see(page, '登记收款信息');
    expect(await page.locator('.error-note').count()).toBe(0);
    expect(consoleErrors.filter((line) => line.includes('/members/'))).toEqual([]);
    await page.close();
  });

  it('lists awards newest first by their date, even when an older award changed last', async () => {
    // A partial refund of O1 (paid 1 March) after O2's and the month's awards: O1's awards change
    // last, so the API answers them last; the table still reads in date order.
    await call(
      'POST',
      '/v1/events',
      {
        events: [
          {
            type: 'order.refunded',
            order: 'O1',
            refund: 'R-O1',
            at: '2026-04-03T10:00:00+08:00',
            lines: [{ line: 1, qty: 0, amount: '10.00' }],
          },
        ],
      },
      adminKey,
    );
    for (const viewport of [undefined, PHONE]) {
      const page = await open(`/members/${LEADER}`, viewport);
      await page.locator('[data-loaded="member"]').waitFor();
      const table = page.locator('[data-loaded="member"] .card', { hasText: '佣金明细' });
      // (The order or period of each row: its second cell.)
      const subjects = await table.locator('tr.clickable td:nth-child(2)').allInnerTexts();
      // The month's award (dated at its close, 1 April), then O2's, then O1's.
      expect(subjects.map((s) => (/^O\d$/.test(s.trim()) ? s.trim() : 'period'))).toEqual(['period', 'O2', 'O2', 'O1', 'O1']);
      await page.close();
    }
  });

  it('threw no error in the pages and logged none in the console', () => {
    expect(pageErrors).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});

/** An instant as the console shows one (lib/format.ts dateTime): zh-CN, medium date, 24-hour time, tenant zone. */
function formatted(iso: string): string {
  return new Intl.DateTimeFormat('zh-CN', { dateStyle: 'medium', timeStyle: 'short', hour12: false, timeZone: ZONE }).format(
    new Date(iso),
  );
}
