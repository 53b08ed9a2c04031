/**
 * Reads of the desk page and the one way the specs give a label: by key, waiting until the desk
 * counts it as saved (the label is in the page's store before the next key).
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

export const text = async (page: Page, testId: string) =>
  (await page.getByTestId(testId).textContent()) ?? '';
/** The candidate on screen. */
export const current = (page: Page) => text(page, 'candidate-id');
/** Labels the desk has saved this session. */
export const saved = async (page: Page) =>
  Number(await page.getByTestId('status-saved').getAttribute('data-count'));

/** Presses `key` on the current candidate and returns its id once the label is saved. */
export async function labelWithKey(page: Page, key: string): Promise<string> {
  const id = await current(page);
  const before = await saved(page);
  await page.keyboard.press(key);
  await expect.poll(() => saved(page)).toBe(before + 1);
  return id;
}
