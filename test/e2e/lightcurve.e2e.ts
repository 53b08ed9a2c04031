/**
 * The light curve beside the stamps, end to end: SN 2021rhu's 34 ZTF packets ingested through the
 * browser host, the last one's panel drawn in both themes (screenshots under test-output/), the
 * epoch keys, the context filters; Rubin and ATLAS packets, which carry no history, get no chart.
 */
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { text } from './deskPage';
import { launchChromium, OUTPUT, startHostProcess, type HostProcess } from './harness';

const ALERTS = path.resolve(__dirname, '../../../shared/data/alerts');
const RHU = path.join(ALERTS, 'ztf-sn2021rhu');
/** The last and the one-before-last alert of SN 2021rhu (jd 2459461.910 g, 2459461.872 r). */
const LAST = '1707409520815015012';
const BEFORE_LAST = '1707371660815015015';
const RUBIN = '169298432598474793';
const ATLAS = '02a59543o0040o_006230';

async function ingest(page: Page, folder: string, expected: string) {
  await page.getByLabel(/Stamps to ingest/).fill(folder);
  await page.getByRole('button', { name: 'Ingest' }).click();
  await expect.poll(() => text(page, 'status-workspace'), { timeout: 90_000 }).toContain(expected);
}

async function goTo(page: Page, id: string) {
  await page.getByLabel('go to candidate id').fill(id);
  await page.getByLabel('go to candidate id').press('Enter');
  await expect.poll(() => text(page, 'candidate-id')).toBe(id);
}

describe.skipIf(!existsSync(RHU))('light curve and context on the desk', () => {
  let host: HostProcess;
  let browser: Browser;

  beforeAll(async () => {
    const ws = mkdtempSync(path.join(os.tmpdir(), 'skysift-e2e-lc-'));
    host = await startHostProcess(['--workspace', ws]);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  it("SN 2021rhu: the last packet's light curve in both themes, epoch keys, filters", async () => {
    const page = await browser.newPage({ viewport: { width: 1500, height: 950 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(host.url);
    await ingest(page, RHU, '34 candidates');
    await goTo(page, LAST);
    const panel = page.getByTestId('lc-panel');
    await expect.poll(() => panel.count(), { timeout: 20_000 }).toBe(1);
    const chart = page.getByTestId('light-curve');
    // 34 detections and the earlier non-detection limits of the packets, g and r.
    await expect.poll(async () => Number(await chart.getAttribute('data-points'))).toBeGreaterThan(40);
    expect(await chart.getAttribute('data-mode')).toBe('mag');
    expect(await chart.locator('polygon.lc-limit').count()).toBeGreaterThan(5);
    expect(await chart.locator('.lc-current-ring').count()).toBe(1);
    expect(await panel.locator('.lc-band').allTextContents()).toEqual(
      [' g', ' r'].map((s) => expect.stringContaining(s.trim())),
    );
    expect(await text(page, 'ctx-object')).toContain('ZTF21abiuvdk');
    expect(await text(page, 'ctx-first')).toMatch(/MJD 59396\.405.*65\.0 days before this epoch/);
    expect(await text(page, 'ctx-detections')).toMatch(
      /in the light curve \(168 by the survey\), peak 12\.4/,
    );
    expect(await text(page, 'ctx-star')).toMatch(/3\.88", star\/galaxy 0\.50/);
    expect(await text(page, 'ctx-asteroid')).toContain('none reported');
    expect(await text(page, 'ctx-rates')).toMatch(/g \+0\.\d{3} mag\/d \(fading/);
    mkdirSync(OUTPUT, { recursive: true });
    if ((await page.evaluate(() => document.documentElement.dataset.theme)) !== 'dark')
      await page.keyboard.press('t');
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await panel.screenshot({ path: path.join(OUTPUT, 'lightcurve-sn2021rhu-dark.png') });
    await page.keyboard.press('t');
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
    await panel.screenshot({ path: path.join(OUTPUT, 'lightcurve-sn2021rhu-light.png') });
    await page.screenshot({ path: path.join(OUTPUT, 'desk-lightcurve-light.png') });
    await page.keyboard.press('t');

    // [ and ]: the same object's epochs by time.
    await page.keyboard.press('[');
    await expect.poll(() => text(page, 'candidate-id')).toBe(BEFORE_LAST);
    await page.keyboard.press(']');
    await expect.poll(() => text(page, 'candidate-id')).toBe(LAST);
    await page.keyboard.press(']');
    await expect.poll(() => text(page, 'notice')).toContain('No later epoch of ZTF21abiuvdk');

    // Context filters: the rising part of the curve, the first alert as "new this night", one row per object.
    const queued = () => page.locator('.queue-item').count();
    await page.getByTestId('filter-label').selectOption('all');
    await page.getByTestId('filter-context').selectOption('rising');
    await expect.poll(queued).toBeGreaterThan(0);
    const rising = await queued();
    expect(rising).toBeLessThan(34);
    await page.getByTestId('filter-context').selectOption('new');
    await expect.poll(queued).toBe(2);
    await page.getByTestId('filter-context').selectOption('');
    await page.getByTestId('filter-objects').check();
    await expect.poll(queued).toBe(1);
    await page.getByTestId('filter-objects').uncheck();
    expect(errors).toEqual([]);
  });

  it('Rubin (empty history lists) and ATLAS candidates: no chart', async () => {
    const page = await browser.newPage({ viewport: { width: 1500, height: 950 } });
    await page.goto(host.url);
    await expect.poll(() => text(page, 'status-workspace'), { timeout: 30_000 }).toContain('34 candidates');
    await page.keyboard.press('n');
    await ingest(page, path.join(ALERTS, 'other'), '50 candidates');
    await page.keyboard.press('Escape');
    await goTo(page, RUBIN);
    // The diaObject's facts, and no chart: the packet holds no earlier epoch.
    await expect.poll(() => page.getByTestId('lc-panel').count(), { timeout: 20_000 }).toBe(1);
    expect(await text(page, 'ctx-detections')).toMatch(/by the survey/);
    expect(await page.getByTestId('light-curve').count()).toBe(0);
    await page
      .getByTestId('lc-panel')
      .screenshot({ path: path.join(OUTPUT, 'lightcurve-rubin-no-history.png') });
    await goTo(page, ATLAS);
    await page.waitForTimeout(500);
    expect(await page.getByTestId('lc-panel').count()).toBe(0);
    expect(await page.getByTestId('light-curve').count()).toBe(0);
  });
});
