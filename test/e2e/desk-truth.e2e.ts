/**
 * The desk tells the truth (issue 14), in Chromium through the browser host on a scored demo night:
 * the difference stays neutral under every stretch, switching the queue order goes to its top and is
 * remembered, a setting changed just before a crash survives it, the Stats panel has the frame of
 * the others and a tally that counts skips apart and explains its pace, the demo night hides the
 * answer until the astronomer labelled the candidate, the Model panel shows no internal field
 * names, and exporting into a missing folder offers to create it.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { current, saved, text } from './deskPage';
import { startHostProcess, type HostProcess } from './harness';
import {
  freePort,
  launchOwnChromium,
  makeScoredDemoNight,
  type DemoNight,
  type OwnChromium,
} from './deskFixtures';

const N = 40;
const drawn = (page: Page) => page.getByTestId('stamp-panels').getAttribute('data-candidate');

async function openDesk(page: Page, host: HostProcess) {
  await page.setViewportSize({ width: 1600, height: 1000 });
  await page.goto(host.url);
  await expect.poll(() => text(page, 'count-flagged'), { timeout: 30_000 }).not.toBe('-');
  await expect.poll(() => drawn(page)).not.toBe('');
  await page.locator('body').click({ position: { x: 5, y: 5 } });
}

/** Share of the difference canvas drawn in the positive colour (dark theme: amber, red > blue). */
async function positiveShare(page: Page): Promise<number> {
  return page
    .getByTestId('panel-difference')
    .locator('canvas')
    .evaluate((c) => {
      const cv = c as HTMLCanvasElement;
      const d = cv.getContext('2d')!.getImageData(0, 0, cv.width, cv.height).data;
      let pos = 0;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) {
        // Masked pixels are green; leave them out.
        if (d[i + 1] > d[i] && d[i + 1] > d[i + 2]) continue;
        n++;
        if (d[i] > d[i + 2]) pos++;
      }
      return pos / n;
    });
}

describe('the desk tells the truth', () => {
  let night: DemoNight;
  let host: HostProcess;
  let chrome: OwnChromium;
  let profile: string;
  let port: number;

  beforeAll(async () => {
    night = await makeScoredDemoNight(N, 11);
    port = freePort();
    host = await startHostProcess(['--workspace', night.dir, '--port', String(port)]);
    profile = mkdtempSync(path.join(os.tmpdir(), 'skysift-profile-'));
    chrome = await launchOwnChromium(profile);
  });
  afterAll(async () => {
    await chrome?.close();
    await host?.stop();
  });

  it('keeps the difference background neutral under log, sqrt and asinh', async () => {
    const page = await chrome.context.newPage();
    await openDesk(page, host);
    for (const stretch of ['linear', 'log', 'sqrt', 'asinh']) {
      await page.getByTestId('stretch-fn').selectOption(stretch);
      await expect.poll(() => page.getByTestId('stretch-fn').inputValue()).toBe(stretch);
      // Noise about zero: both colours. Stretching after mapping [-m, m] to [0, 1] drew ~all amber.
      const share = await positiveShare(page);
      expect(share, stretch).toBeGreaterThan(0.15);
      expect(share, stretch).toBeLessThan(0.85);
    }
    await page.getByTestId('stretch-fn').selectOption('linear');
    await page.close();
  });

  it('switching the order goes to the top of the new order, and the order is remembered', async () => {
    let page = await chrome.context.newPage();
    await openDesk(page, host);
    const order = page.locator('#queue-order');
    await order.selectOption('uncertainty');
    // The row at the top of the list (rows are placed by their index) is the one selected.
    const top = page.locator('li[role="option"][style*="top: 0px"]');
    const first = await top.getAttribute('data-id');
    await expect.poll(() => current(page)).toBe(first);
    expect(await top.getAttribute('aria-selected')).toBe('true');
    // The top of "uncertainty" is the score nearest the threshold.
    const nearest = [...night.scores].sort(
      (a, b) => Math.abs(a[1] - night.threshold) - Math.abs(b[1] - night.threshold) || (a[0] < b[0] ? -1 : 1),
    )[0][0];
    expect(first).toBe(nearest);
    await page.close();
    page = await chrome.context.newPage();
    await openDesk(page, host);
    expect(await page.locator('#queue-order').inputValue()).toBe('uncertainty');
    await page.locator('#queue-order').selectOption('flagged');
    await page.close();
  });

  it('a setting changed just before the browser dies is there after the restart', async () => {
    let page = await chrome.context.newPage();
    await openDesk(page, host);
    await page.getByTestId('stretch-fn').selectOption('asinh');
    await page.locator('#queue-order').selectOption('score');
    await page.waitForTimeout(150); // well under the second Chromium takes to commit localStorage
    await chrome.crash();
    chrome = await launchOwnChromium(profile);
    page = await chrome.context.newPage();
    await openDesk(page, host);
    await expect.poll(() => page.getByTestId('stretch-fn').inputValue()).toBe('asinh');
    await expect.poll(() => page.locator('#queue-order').inputValue()).toBe('score');
    await page.getByTestId('stretch-fn').selectOption('linear');
    await page.locator('#queue-order').selectOption('flagged');
    await page.close();
  });

  it('hides the simulated answer until labelled; the Stats panel has a Close and counts skips apart', async () => {
    const page = await chrome.context.newPage();
    await openDesk(page, host);
    // All candidates in view, so that a labelled one can be gone back to.
    await page.getByTestId('filter-label').selectOption('all');
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    const id = await current(page);
    const truth = night.given.get(id);
    expect(truth).toBeDefined();
    expect(await text(page, 'fact-given-label')).toBe('hidden until you label it (simulated night)');
    let before = await saved(page);
    await page.keyboard.press('r');
    await expect.poll(() => saved(page)).toBe(before + 1);
    // The desk moved on; go back to it.
    await page.keyboard.press('k');
    await expect.poll(() => current(page)).toBe(id);
    expect(await text(page, 'fact-given-label')).toBe(
      truth === 'real' ? 'real: you agree' : `${truth}: you said real`,
    );

    before = await saved(page);
    await page.keyboard.press('j');
    await page.keyboard.press('s');
    await expect.poll(() => saved(page)).toBe(before + 1);
    await page.keyboard.press('g');
    const stats = page.getByTestId('stats');
    await expect.poll(() => stats.count()).toBe(1);
    expect(await stats.locator('header h2').textContent()).toBe('Stats');
    expect(await text(page, 'stat-skipped')).toBe('1');
    expect(await text(page, 'stat-vetted')).toBe('1');
    expect(await text(page, 'pace-explained')).toMatch(/assumed glance per candidate, not a measurement/);
    // Setting the by-hand pace: the saving is counted at it, and says so.
    await page.getByTestId('set-pace').fill('2');
    await expect.poll(() => page.getByTestId('stat-byhand').getAttribute('data-value')).toBe('2');
    expect(await text(page, 'pace-explained')).toMatch(/the pace you set/);
    await page.getByTestId('set-pace').fill('');
    await stats.getByRole('button', { name: /Close/ }).click();
    await expect.poll(() => stats.count()).toBe(0);
    await page.close();
  });

  it('the Model panel shows no internal field names; a missing export folder can be created', async () => {
    const page = await chrome.context.newPage();
    await openDesk(page, host);
    await page.keyboard.press('m');
    await expect.poll(() => page.getByTestId('model-panel').count()).toBe(1);
    expect(await page.getByTestId('model-panel').textContent()).not.toMatch(/overriddenByHuman|humanIds/);
    await page.keyboard.press('m');

    await page.keyboard.press('e');
    await expect.poll(() => page.getByTestId('export-panel').count()).toBe(1);
    const folder = path.join(mkdtempSync(path.join(os.tmpdir(), 'skysift-out-')), 'not', 'yet');
    await page.getByTestId('confirmed-folder').fill(folder);
    await page.getByTestId('confirmed-export').click();
    await expect.poll(() => page.getByTestId('confirmed-create-folder').count()).toBe(1);
    expect(existsSync(folder)).toBe(false);
    await page.getByTestId('confirmed-create-folder').click();
    await expect.poll(() => page.getByTestId('confirmed-result').count()).toBe(1);
    expect(existsSync(folder)).toBe(true);
    expect(await text(page, 'confirmed-result')).toContain(folder);
    await page.close();
  });
});
