/**
 * The network explorer measured in Chromium (bench/explorer.bench.ts): first render, search as one
 * types, expanding a member with 10,000+ children and scrolling through them. In-page loops are
 * strings (tsx's transform would add helpers the page does not have) and time with
 * performance.now() inside the page, so Playwright's round trips are not counted.
 */
import type { Page } from 'playwright-core';
import { launchChromium } from '../../test/support/browser.ts';
import { coldLoads, recorder, timeTo } from './page-timing.ts';
import { percentile } from './report.ts';

/** Long tasks (≥ 50 ms of main-thread work) the page had, collected from its start. */
const LONG_TASKS = `(() => {
  window.__long = [];
  try {
    new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__long.push(e.duration); })
      .observe({ type: 'longtask', buffered: true });
  } catch {}
})();`;

export interface Load {
  /** Median of COLD_RUNS cold loads, and each of them. */
  readonly cold: number;
  readonly coldRuns: readonly number[];
  readonly warmMedian: number;
  readonly warmP95: number;
  readonly requests: number;
}

/** Cold loads (each in a fresh profile) of `path`. */
export const COLD_RUNS = 3;

/** Time to content of `path`: the median of COLD_RUNS cold loads, and `warmRuns` times in the same tab. */
export async function loadTimes(base: string, session: string, path: string, marker: string, warmRuns: number): Promise<Load> {
  const cold = await coldLoads(`${base}${path}`, session, marker, COLD_RUNS);
  const warm = await launchChromium();
  const page = await warm.context.newPage();
  await page.addInitScript(recorder(session));
  await timeTo(page, `${base}${path}`, marker);
  const times: number[] = [];
  for (let run = 0; run < warmRuns; run++) times.push((await timeTo(page, `${base}${path}`, marker)).ms);
  await warm.close();
  return {
    cold: cold.median,
    coldRuns: cold.all,
    warmMedian: percentile(times, 50),
    warmP95: percentile(times, 95),
    requests: cold.requests,
  };
}

/** Durations (ms) of the page's fetches whose path contains `part`, from resource timing; then clears them. */
async function apiDurations(page: Page, part: string): Promise<number[]> {
  return page.evaluate(`(() => {
    const found = performance.getEntriesByType('resource').filter((e) => e.name.includes(${JSON.stringify(part)})).map((e) => e.duration);
    performance.clearResourceTimings();
    return found;
  })()`);
}

export interface Typing {
  /** From the last keystroke to the results of the whole text on screen, per query. */
  readonly latencies: number[];
  /** GET /v1/members as the page saw them (request to last byte). */
  readonly api: number[];
  readonly longTasks: number[];
}

/** Types each of `queries` into the search box (`delayMs` between keys) and times the answer. */
export async function searchAsYouType(page: Page, queries: readonly string[], delayMs: number): Promise<Typing> {
  const box = page.getByRole('searchbox');
  await page.evaluate(`(() => {
    window.__search = { q: null, at: null, key: 0 };
    document.addEventListener('keydown', () => { window.__search.key = performance.now(); }, true);
    new MutationObserver(() => {
      const shown = document.querySelector('.search-results');
      const s = window.__search;
      if (s.at === null && shown && shown.getAttribute('data-query') === s.q && shown.getAttribute('aria-busy') !== 'true') s.at = performance.now();
    }).observe(document, { subtree: true, childList: true, attributes: true });
    window.__long.length = 0;
  })()`);
  await apiDurations(page, '/v1/members?');
  const latencies: number[] = [];
  for (const query of queries) {
    await box.fill('');
    await page.waitForSelector('.search-results[data-query=""]:not([aria-busy="true"])');
    await page.evaluate(`window.__search.q = ${JSON.stringify(query)}; window.__search.at = null;`);
    await box.pressSequentially(query, { delay: delayMs });
    await page.waitForFunction('window.__search.at !== null', undefined, { timeout: 20_000, polling: 'raf' });
    latencies.push(await page.evaluate<number>('window.__search.at - window.__search.key'));
  }
  return {
    latencies,
    api: await apiDurations(page, '/v1/members?'),
    longTasks: await page.evaluate<number[]>('window.__long.slice()'),
  };
}

export interface Scrolling {
  /** From scrolling the list to its end to the next page's rows in the DOM, per page. */
  readonly pages: number[];
  readonly shown: number;
  readonly totalMs: number;
  readonly api: number[];
  readonly longTasks: number[];
}

/** Scrolls the downline box to its end again and again until `target` children of the root are shown. */
export async function scrollThrough(page: Page, target: number): Promise<Scrolling> {
  await apiDurations(page, '/downline');
  const result = await page.evaluate<{ pages: number[]; shown: number; totalMs: number; longTasks: number[] }>(`(async () => {
    const box = document.querySelector('.tree-scroll');
    const shown = () => Number(box.getAttribute('data-shown'));
    const total = () => Number(box.getAttribute('data-total'));
    const lastRow = () => { const rows = box.querySelectorAll('.tree li[aria-level="2"]'); return rows.length ? rows[rows.length - 1].getAttribute('data-member') : null; };
    window.__long.length = 0;
    const pages = [];
    const started = performance.now();
    while (shown() < ${target} && shown() < total()) {
      const before = shown();
      const t0 = performance.now();
      box.scrollTop = box.scrollHeight;
      await new Promise((resolve, reject) => {
        // Done when the page is in and its rows are drawn in the window (the last row shown changed).
        const seen = lastRow();
        const tick = () => shown() > before && lastRow() !== seen ? resolve() : performance.now() - t0 > 20000 ? reject(new Error('no next page')) : requestAnimationFrame(tick);
        tick();
      });
      pages.push(performance.now() - t0);
    }
    return { pages, shown: shown(), totalMs: performance.now() - started, longTasks: window.__long.slice() };
  })()`);
  return { ...result, api: await apiDurations(page, '/downline') };
}

/** Closes and opens the root of the tree `times` times: click to its first page of children drawn. */
export async function expandTimes(page: Page, times: number, pageSize: number): Promise<number[]> {
  const durations: number[] = [];
  await page.locator('.tree-scroll').evaluate((box) => box.scrollTo(0, 0));
  for (let i = 0; i < times; i++) {
    await page.locator('.tree li[aria-level="1"] .twisty').click(); // close
    await page.waitForSelector('.tree-scroll[data-rows="1"]');
    const ms = await page.evaluate<number>(`new Promise((resolve) => {
      const box = document.querySelector('.tree-scroll');
      const twisty = box.querySelector('.tree li[aria-level="1"] .twisty');
      const t0 = performance.now();
      const tick = () => {
        if (Number(box.getAttribute('data-shown')) >= ${pageSize} && box.querySelector('.tree li[aria-level="2"]')) resolve(performance.now() - t0);
        else requestAnimationFrame(tick);
      };
      twisty.click();
      tick();
    })`);
    durations.push(ms);
  }
  return durations;
}

/** A signed-in tab on the explorer, with long tasks recorded; the browser closes with `close`. */
export async function explorerTab(base: string, session: string, path: string) {
  const browser = await launchChromium();
  const page = await browser.context.newPage();
  await page.addInitScript(recorder(session));
  await page.addInitScript(LONG_TASKS);
  await timeTo(page, `${base}${path}`, 'network');
  return { page, close: () => browser.close() };
}
