import type { Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConsoleIfStale, chromiumPresent, launchChromium, type Browser } from '../support/browser.ts';
import { shot } from './support.ts';
import { operatorSession, startBareServer, tenantWithNetwork, type BareServer } from '../support/network-tenant.ts';

/**
 * The network explorer reads the network lazily, in Chromium against the real server (PGlite): a
 * member's children are fetched only when it is expanded, a page of 100 at a time in id order,
 * the next page when the end of the list comes into view, and only the rows in view are in the
 * page; search answers how many ids match and pages too. The network is small (one wide branch)
 * so that three pages of children suffice.
 */

const pad = (n: number) => String(n).padStart(3, '0');

/** Branch B1 with 240 direct customers c000…c239 and 10 leaders L00…L09 of 3 customers each. */
function wideBranch(): unknown[] {
  const members: unknown[] = [{ id: 'B1', role: 'branch', level: 1, parent: null }];
  for (let i = 0; i < 10; i++) members.push({ id: `L0${i}`, role: 'leader', level: 1, parent: 'B1' });
  for (let i = 0; i < 240; i++) members.push({ id: `c${pad(i)}`, role: 'customer', parent: 'B1' });
  for (let i = 0; i < 10; i++) for (let j = 0; j < 3; j++) members.push({ id: `d${i}${j}`, role: 'customer', parent: `L0${i}` });
  return members;
}

/** Downline requests the page made, as `member?after` (after omitted on a first page). */
function downlineRequests(page: Page): string[] {
  const seen: string[] = [];
  page.on('request', (request: Request) => {
    const url = new URL(request.url());
    const match = /^\/v1\/members\/([^/]+)\/downline$/.exec(url.pathname);
    if (!match) return;
    expect(url.searchParams.get('limit')).toBe('100');
    const after = url.searchParams.get('after');
    seen.push(after === null ? match[1]! : `${match[1]}?${after}`);
  });
  return seen;
}

describe.skipIf(!chromiumPresent())('network explorer in Chromium (lazy loading)', () => {
  let server: BareServer;
  let browser: Browser;
  let page: Page;
  let requests: string[];
  const errors: string[] = [];
  const tree = () => page.locator('.tree-scroll');
  /** Children of the member shown that were read so far. */
  const shown = async () => Number(await tree().getAttribute('data-shown'));
  /** The members whose rows are in the page now, in order, with their depth. */
  const rowsInPage = () =>
    page
      .locator('.tree li[role="treeitem"]')
      .evaluateAll((rows) => rows.map((row) => `${row.getAttribute('aria-level')}:${row.getAttribute('data-member')}`));
  const scrollTo = (where: 'top' | 'end') =>
    tree().evaluate((box, end) => box.scrollTo(0, end ? box.scrollHeight : 0), where === 'end');

  beforeAll(async () => {
    buildConsoleIfStale();
    server = await startBareServer();
    const key = await tenantWithNetwork(server, 'wide', wideBranch());
    browser = await launchChromium({ width: 1200, height: 800 });
    page = await browser.context.newPage();
    page.on('pageerror', (error) => errors.push(error.message));
    await page.addInitScript(`sessionStorage.setItem('fenyong.session', ${JSON.stringify(operatorSession(key))})`);
    requests = downlineRequests(page);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('finds members by id prefix, says how many match, and pages through the matches', async () => {
    await page.goto(`${server.url}/network`);
    await page.getByPlaceholder('输入成员编号前缀').fill('c1');
    const results = page.locator('.search-results[data-query="c1"]');
    await results.waitFor();
    expect(await results.locator('.match-count').innerText()).toBe('共 100 位成员匹配');
    // A page of 20 (and the next one when its end is near), not all 100.
    const picks = results.locator('.pick-list > li:not(.load-more) strong');
    expect(await picks.count()).toBeLessThanOrEqual(40);
    expect(await picks.first().textContent()).toBe('c100');
    // Scrolling the list to its end brings the following pages, in id order, until all are there.
    const list = results.locator('.pick-list');
    await expect
      .poll(async () => (await list.evaluate((element) => element.scrollTo(0, element.scrollHeight)), picks.count()), {
        timeout: 15_000,
      })
      .toBe(100);
    expect(await picks.allTextContents()).toEqual(Array.from({ length: 100 }, (_, i) => `c${100 + i}`));
    expect(await list.locator('.load-more').count()).toBe(0);
    await page.getByPlaceholder('输入成员编号前缀').fill('zz');
    await page.locator('.search-results[data-query="zz"]').getByText('没有以“zz”开头的成员。').waitFor();
  });

  it('shows a member with its counts and only the first page of its children', async () => {
    await page.getByPlaceholder('输入成员编号前缀').fill('B');
    await page.locator('.search-results[data-query="B"] .pick-list').getByRole('button', { name: /^B1/ }).click();
    await page.locator('[data-loaded="tree"]').waitFor();
    const facts = await page.locator('.facts').innerText();
    expect(facts).toContain('直属下级\n250');
    expect(facts).toContain('团队人数\n280');
    await expect.poll(shown, { timeout: 15_000 }).toBe(100);
    expect(await tree().getAttribute('data-total')).toBe('250');
    expect(requests).toEqual(['B1']);
    // In id order (code units: upper case first), each with its own counts.
    const rows = await rowsInPage();
    expect(rows.slice(0, 13)).toEqual([
      '1:B1',
      ...['L00', 'L01', 'L02', 'L03', 'L04', 'L05', 'L06', 'L07', 'L08', 'L09', 'c000', 'c001'].map((id) => `2:${id}`),
    ]);
    expect(await page.locator('li[data-member="L03"]').innerText()).toContain('3 位直属 · 团队 3 人');
    // Only the rows in view (and a few around them) are in the page, not the 100 read.
    expect(rows.length).toBeLessThan(60);
    // Nothing below a child is read until it is opened.
    expect(requests).toEqual(['B1']);
  });

  it('reads the next page as the end of the list comes into view, until all are there', async () => {
    await scrollTo('end');
    await expect.poll(shown, { timeout: 15_000 }).toBe(200);
    await scrollTo('end');
    await expect.poll(shown, { timeout: 15_000 }).toBe(250);
    expect(requests).toEqual(['B1', 'B1?c089', 'B1?c189']);
    await scrollTo('end');
    await expect.poll(async () => (await rowsInPage()).at(-1), { timeout: 15_000 }).toBe('2:c239');
    const rows = await rowsInPage();
    expect(rows.length).toBeLessThan(60);
    expect(rows).toEqual([...rows].sort());
    expect(await page.locator('.load-more').count()).toBe(0);
  });

  it('opens a child on demand: one request for its own downline, its rows right under it', async () => {
    await scrollTo('top');
    await page.locator('li[data-member="L03"]').getByRole('button', { name: '展开' }).click();
    await expect
      .poll(async () => (await rowsInPage()).slice(4, 9), { timeout: 15_000 })
      .toEqual(['2:L03', '3:d30', '3:d31', '3:d32', '2:L04']);
    expect(requests.slice(3)).toEqual(['L03']);
    expect(await page.locator('li[data-member="L03"]').getAttribute('aria-expanded')).toBe('true');
    await shot(page, '10-explorer-lazy');
    expect(errors).toEqual([]);
  });
});
