import type { Page } from 'playwright-core';
import { launchChromium } from '../../test/support/browser.ts';
import { percentile } from './report.ts';

/**
 * Records, inside the page, when each `data-loaded` marker first appears (ms since the navigation
 * started), with the session (if any) put in sessionStorage first. A string, not a function:
 * tsx's transform would add helpers the page does not have.
 */
export function recorder(session: string | null): string {
  return `(() => {
    ${session ? `sessionStorage.setItem('fenyong.session', ${JSON.stringify(session)});` : ''}
    const marks = (window.__marks = {});
    const look = () => {
      for (const element of document.querySelectorAll('[data-loaded]')) {
        const name = element.getAttribute('data-loaded');
        if (marks[name] === undefined) marks[name] = performance.now();
      }
      if (marks.lint === undefined && document.querySelector('[data-lint="valid"]')) marks.lint = performance.now();
      if (marks['sign-in'] === undefined && document.querySelector('form.signin-card')) marks['sign-in'] = performance.now();
      // The explorer's downline: how many children of the member shown are on screen.
      const tree = document.querySelector('.tree-scroll[data-shown]');
      if (tree && tree.querySelector('.tree li[aria-level="2"]')) {
        const name = 'children:' + tree.getAttribute('data-shown');
        if (marks[name] === undefined) marks[name] = performance.now();
      }
    };
    new MutationObserver(look).observe(document, { subtree: true, childList: true, attributes: true });
  })();`;
}

/**
 * Navigates to `url` and answers when every marker of `marker` ("a+b": all of them) is on screen:
 * the time to content (ms from the start of the navigation) and the requests made meanwhile.
 */
export async function timeTo(page: Page, url: string, marker: string): Promise<{ ms: number; requests: number }> {
  const names = marker.split('+');
  let requests = 0;
  const count = () => (requests += 1);
  page.on('request', count);
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForFunction(
    (wanted) => wanted.every((name) => (window as unknown as { __marks?: Record<string, number> }).__marks?.[name] !== undefined),
    names,
    { timeout: 30_000, polling: 50 },
  );
  const ms = await page.evaluate(
    (wanted) => Math.max(...wanted.map((name) => (window as unknown as { __marks: Record<string, number> }).__marks[name]!)),
    names,
  );
  page.off('request', count);
  return { ms, requests };
}

/**
 * Lets a freshly launched browser finish starting (its helper processes busy a loaded machine for
 * a second or more): a cold load measures the page with nothing cached, not the browser's start.
 */
export async function settle(page: Page): Promise<void> {
  await page.goto('about:blank');
  await page.waitForTimeout(1500);
}

/**
 * Cold loads of `url`: each in a browser with a fresh profile (nothing cached), `runs` times; the
 * median and every run (a single cold load on a shared machine says little), with the requests
 * the first one made.
 */
export async function coldLoads(
  url: string,
  session: string | null,
  marker: string,
  runs: number,
): Promise<{ median: number; all: number[]; requests: number }> {
  const all: number[] = [];
  let requests = 0;
  for (let run = 0; run < runs; run++) {
    const browser = await launchChromium();
    const page = await browser.context.newPage();
    await settle(page);
    await page.addInitScript(recorder(session));
    const load = await timeTo(page, url, marker);
    await browser.close();
    all.push(load.ms);
    if (run === 0) requests = load.requests;
  }
  return { median: percentile(all, 50), all, requests };
}
