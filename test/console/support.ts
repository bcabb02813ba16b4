import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';

/** Where the browser tests put their screenshots (git-ignored). */
const SHOTS = join(import.meta.dirname, 'screenshots');

/** Waits until `text` is visible on the page: what a person sees, not a selector. */
export async function see(page: Page, text: string | RegExp, timeout = 20_000): Promise<void> {
  await page.getByText(text).first().waitFor({ state: 'visible', timeout });
}

/** Signs in on the sign-in page with an operator's API key (what a person types and clicks). */
export async function signInAsOperator(page: Page, key: string): Promise<void> {
  await page.getByLabel('API 密钥').fill(key);
  await page.getByRole('button', { name: '登录' }).click();
}

/** A phone's screen, for the pages that must fit one. */
export const PHONE = { width: 390, height: 844 } as const;

/**
 * A new tab at `url`, signed in as an operator with `key` (a tab has a session of its own:
 * sessionStorage), each page error it meets pushed to `errors`; on a screen of `viewport` if given.
 */
export async function openSignedIn(
  context: BrowserContext,
  url: string,
  key: string,
  errors: string[],
  viewport?: { readonly width: number; readonly height: number },
): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (error) => errors.push(error.message));
  if (viewport) await page.setViewportSize(viewport);
  await page.goto(url);
  await signInAsOperator(page, key);
  return page;
}

/** Saves a screenshot as SHOTS/<name>.png. */
export async function shot(page: Page, name: string, fullPage = false): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage });
}

/** Saves a screenshot of one element (a card) as SHOTS/<name>.png. */
export async function shotOf(element: Locator, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await element.screenshot({ path: join(SHOTS, `${name}.png`) });
}

/** The loose JSON of an API answer, as the browser specs read it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- loose JSON of the API in a test
export type Json = any;

/**
 * Calls the API at `base` with `key` (or the `key` given per call) and answers the JSON; an answer
 * other than 2xx throws with its status and body, so a spec's set-up fails where it went wrong.
 */
export function apiCaller(base: () => { url: string; key: string }) {
  return async (method: string, path: string, body?: unknown, key?: string): Promise<Json> => {
    const server = base();
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key ?? server.key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json: Json = await response.json();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
}
