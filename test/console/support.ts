import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';

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
