/**
 * The Export panel end to end: the confirmed supernovae to a file, the label set out (JSON and
 * CSV) and back in. A fresh profile gets the same labels from main; a label changed
 * after the export comes back as a conflict for the astronomer to decide, never overwritten.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { current, saved, text } from './deskPage';
import { launchChromium, OUTPUT, startHostProcess, type HostProcess } from './harness';
import { freePort, makeScoredDemoNight, readLabelDb, type DemoNight, type StoredLabel } from './deskFixtures';

const N = 60;
const summary = async (page: Page) => {
  const s = page.getByTestId('import-summary');
  const n = async (k: string) => Number(await s.getAttribute(`data-${k}`));
  return {
    new: await n('new'),
    identical: await n('identical'),
    conflicts: await n('conflicts'),
    unknown: await n('unknown'),
  };
};
/** What a label must keep through a round trip (the database key aside). */
const essence = (r: StoredLabel) => ({
  candidateId: r.candidateId,
  label: r.label,
  subclass: r.subclass,
  model: r.model,
  score: r.score,
  secondsSpent: r.secondsSpent,
  at: r.at,
});
const byId = (rows: StoredLabel[]) =>
  [...rows].sort((a, b) => a.candidateId.localeCompare(b.candidateId)).map(essence);

async function openDesk(page: Page, host: HostProcess) {
  await page.goto(host.url);
  await expect.poll(() => text(page, 'count-flagged'), { timeout: 30_000 }).not.toBe('-');
  await page.locator('body').click({ position: { x: 5, y: 5 } });
}

async function readAndReview(page: Page, file: string) {
  await page.getByTestId('labels-file').fill(file);
  await page.getByTestId('labels-read').click();
  await expect.poll(() => page.getByTestId('import-review').count()).toBe(1);
}

describe('export and import from the Export panel', () => {
  let night: DemoNight;
  let host: HostProcess;
  let browser: Browser;
  const out = mkdtempSync(path.join(os.tmpdir(), 'skysift-export-'));

  beforeAll(async () => {
    night = await makeScoredDemoNight(N, 5);
    host = await startHostProcess(['--workspace', night.dir, '--port', String(freePort())]);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  it('exports confirmed SNe and the label set; a round trip loses nothing; a changed label is a conflict', async () => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await openDesk(page, host);
    const keys = ['r', 'b', '1', 's', 'r', 'b', '6', 'r', 'b', 'r'];
    for (const key of keys) {
      const before = await saved(page);
      await page.keyboard.press(key);
      await expect.poll(() => saved(page)).toBe(before + 1);
    }
    const mine = await readLabelDb(page);
    expect(mine).toHaveLength(keys.length);
    const reals = mine.filter((r) => r.label === 'real');

    await page.keyboard.press('e');
    await expect.poll(() => page.getByTestId('export-panel').count()).toBe(1);

    // Confirmed supernovae as a VOTable: one row per real label.
    await page.getByTestId('confirmed-format').selectOption('votable');
    await page.getByTestId('confirmed-folder').fill(out);
    await page.getByTestId('confirmed-export').click();
    await expect.poll(() => page.getByTestId('confirmed-result').count()).toBe(1);
    expect(Number(await page.getByTestId('confirmed-result').getAttribute('data-rows'))).toBe(reals.length);
    const votable = /\S+\.(xml|vot)/.exec(await text(page, 'confirmed-result'))![0];
    expect(readFileSync(votable, 'utf8')).toContain('VOTABLE');

    // The label set, as CSV and as JSON.
    const exportSet = async (format: 'csv' | 'json') => {
      await page.getByTestId('labels-format').selectOption(format);
      await page.getByTestId('labels-folder').fill(out);
      await page.getByTestId('labels-export').click();
      await expect.poll(() => text(page, 'labels-message')).toMatch(new RegExp(`\\.${format}$`));
      expect(await text(page, 'labels-message')).toContain(`Wrote ${keys.length} labels`);
      return page.getByTestId('labels-file').inputValue();
    };
    const csv = await exportSet('csv');
    const json = await exportSet('json');

    // Read back unchanged: everything identical, nothing to write.
    await readAndReview(page, csv);
    expect(await summary(page)).toEqual({ new: 0, identical: keys.length, conflicts: 0, unknown: 0 });
    await page.getByRole('button', { name: 'Cancel' }).click();

    // Change one label (a real one to bogus), then import: one conflict, mine kept unless I say.
    const changed = reals[0].candidateId;
    await page.getByLabel('go to candidate id').fill(changed);
    await page.getByLabel('go to candidate id').press('Enter');
    await expect.poll(() => current(page)).toBe(changed);
    await page.getByLabel('go to candidate id').press('Escape');
    const before = await saved(page);
    await page.keyboard.press('b');
    await expect.poll(() => saved(page)).toBe(before + 1);
    await readAndReview(page, json);
    expect(await summary(page)).toEqual({ new: 0, identical: keys.length - 1, conflicts: 1, unknown: 0 });
    const row = page.locator(`[data-testid="conflicts"] tr[data-candidate="${changed}"]`);
    expect(await row.textContent()).toMatch(/bogus.*real/);
    await page.screenshot({ path: path.join(OUTPUT, 'export-panel-conflict.png') });
    await row.getByTestId('choose-theirs').check();
    await page.getByTestId('import-apply').click();
    await expect.poll(() => text(page, 'labels-message')).toContain('Imported 1 labels');
    // Theirs (the exported label) is back exactly; every other label untouched.
    await expect.poll(async () => byId(await readLabelDb(page))).toEqual(byId(mine));

    // A fresh profile (an empty label database) gets every label from main's journal on open,
    // unchanged; the file then brings nothing new.
    const synced = page.getByTestId('status-synced');
    await expect
      .poll(
        async () => `${await synced.getAttribute('data-busy')}/${await synced.getAttribute('data-unsent')}`,
      )
      .toBe('false/0');
    const colleague = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    const other = await colleague.newPage();
    await openDesk(other, host);
    await expect.poll(() => text(other, 'count-labelled')).toBe(String(keys.length));
    expect(byId(await readLabelDb(other))).toEqual(byId(mine));
    await other.keyboard.press('e');
    await readAndReview(other, json);
    expect(await summary(other)).toEqual({ new: 0, identical: keys.length, conflicts: 0, unknown: 0 });
    await colleague.close();
    expect(errors).toEqual([]);
  });

  it('opens another night from the Night panel (N) and shows the ingest report with the rejected file', async () => {
    // The demo night's stamps, one of them damaged.
    const stamps = path.join(out, 'stamps');
    cpSync(path.join(path.dirname(night.dir), 'night'), stamps, { recursive: true });
    writeFileSync(path.join(stamps, '0000', 'diff3.fits'), 'not a FITS file at all');
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await openDesk(page, host);
    expect(await text(page, 'simulated-note')).toContain('Night panel');
    await page.keyboard.press('n');
    const panel = page.getByTestId('night-panel');
    await expect.poll(() => panel.count()).toBe(1);
    await panel.getByLabel('Workspace folder').fill(path.join(out, 'ws2'));
    await panel.getByRole('button', { name: 'Open or create' }).click();
    await expect.poll(() => text(page, 'status-workspace')).toBe('0 candidates');
    await panel.getByLabel(/Stamps to ingest/).fill(stamps);
    await panel.getByRole('button', { name: 'Ingest' }).click();
    const report = page.getByTestId('ingest-report');
    await expect.poll(() => report.count(), { timeout: 60_000 }).toBe(1);
    expect(Number(await report.getAttribute('data-added'))).toBe(N - 1);
    expect(Number(await report.getAttribute('data-rejected'))).toBe(1);
    expect(await report.textContent()).toMatch(/diff3\.fits.*not a FITS file/);
    await expect.poll(() => text(page, 'status-workspace')).toBe(`${N - 1} candidates`);
    await page.screenshot({ path: path.join(OUTPUT, 'night-panel-report.png') });
  });
});
