import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, OUTPUT, startHostProcess, type HostProcess } from './harness';

describe('the desk in Chromium through the browser host', () => {
  let host: HostProcess;
  let browser: Browser;

  beforeAll(async () => {
    const ws = mkdtempSync(path.join(os.tmpdir(), 'skysift-e2e-ws-'));
    host = await startHostProcess(['--workspace', ws]);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  it('shows the empty desk: queue, three labelled stamp panels, status bar with host and backend', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(host.url);
    await expect
      .poll(() => page.getByTestId('status-host').textContent())
      .toContain('browser host (websocket)');
    await expect.poll(() => page.getByTestId('status-backend').textContent()).toContain('compute:');
    for (const panel of ['search', 'template', 'difference']) {
      await expect.poll(() => page.getByTestId(`panel-${panel}`).textContent()).toContain(panel);
    }
    await expect
      .poll(() => page.getByRole('complementary', { name: 'candidate queue' }).textContent())
      .toContain('no candidates yet');
    mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: path.join(OUTPUT, 'desk-empty.png') });
    expect(errors).toEqual([]);
  });

  it('a page opened without the token cannot talk to the host', async () => {
    const page = await browser.newPage();
    await page.goto(host.origin + '/');
    await expect.poll(() => page.locator('.fatal').textContent()).toContain('token');
  });
});

const SHARED_INDEX = path.resolve(__dirname, '../../../shared/data/real-stamps/index.csv');

describe.skipIf(!existsSync(SHARED_INDEX))('ingest from the UI, real ZTF stamps on screen', () => {
  let host: HostProcess;
  let browser: Browser;

  beforeAll(async () => {
    const ws = mkdtempSync(path.join(os.tmpdir(), 'skysift-e2e-ingest-'));
    host = await startHostProcess(['--workspace', ws]);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  it('ingests a manifest in a worker, fills the queue and draws the three stamps', async () => {
    const page = await browser.newPage();
    await page.goto(host.url);
    await page.getByLabel(/Stamps to ingest/).fill(SHARED_INDEX);
    await page.getByRole('button', { name: 'Ingest' }).click();
    await expect
      .poll(() => page.getByTestId('status-workspace').textContent(), { timeout: 60_000 })
      .toContain('358 candidates');
    await page.locator('.queue-item').first().click();
    await expect.poll(() => page.getByTestId('stamp-panels').getAttribute('data-candidate')).not.toBe('');
    // A ZTF candidate (the unscored queue is in id order, where ATLAS, without templates, comes first).
    await page.getByLabel('go to candidate id').fill('1704264951715015018');
    await page.getByLabel('go to candidate id').press('Enter');
    await expect.poll(() => page.getByTestId('candidate-id').textContent()).toBe('1704264951715015018');
    expect(await page.getByTestId('fact-given-scores').textContent()).toMatch(/rb 0\.957.*drb 1\.000/);
    for (const panel of ['search', 'template', 'difference']) {
      await expect.poll(() => page.getByTestId(`panel-${panel}`).locator('canvas').count()).toBe(1);
    }
    await page.screenshot({ path: path.join(OUTPUT, 'desk-ztf.png') });

    // A ZTF stamp cut at the CCD edge, with NaN and -3.4e38 fill: masked pixels have their own colour.
    await page.getByLabel('go to candidate id').fill('2475433850215010007');
    await page.getByLabel('go to candidate id').press('Enter');
    await expect.poll(() => page.getByTestId('candidate-id').textContent()).toBe('2475433850215010007');
    await expect
      .poll(() => page.getByTestId('fact-radec').textContent())
      .toMatch(/\d\d:\d\d:\d\d\.\d\d [+-]\d\d:/);
    const maskedPixels = await page
      .getByTestId('panel-difference')
      .locator('canvas')
      .evaluate((c: HTMLCanvasElement) => {
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i] === 0 && d[i + 1] === 200 && d[i + 2] === 90) n++;
        return n;
      });
    expect(maskedPixels).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(OUTPUT, 'desk-ztf-edge.png') });

    // ATLAS sends no template: the panel says so, the other two are drawn.
    await page.getByLabel('source').selectOption('atlas');
    await expect.poll(() => page.getByTestId('panel-template').textContent()).toContain('No template');
    await expect.poll(() => page.getByTestId('panel-difference').locator('canvas').count()).toBe(1);
    await page.screenshot({ path: path.join(OUTPUT, 'desk-atlas.png') });
  });
});
