/**
 * The triage desk from the keyboard only, in Chromium through the browser host, on a scored demo
 * night: label, sub-class, skip, undo, move, filter, change the stretch; the tally's arithmetic;
 * labels that survive a reload, a browser restart and a SIGKILL of the browser mid-vetting.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { current, labelWithKey, saved, text } from './deskPage';
import { scanTime } from '../../src/shared/metrics';
import { OUTPUT, startHostProcess, type HostProcess } from './harness';
import {
  freePort,
  launchOwnChromium,
  makeScoredDemoNight,
  readLabelDb,
  type DemoNight,
  type OwnChromium,
} from './deskFixtures';

const N = 60;

const count = async (page: Page, which: string) => Number(await text(page, `count-${which}`));
/** The id whose stamps are drawn right now ('' while loading). */
const drawn = (page: Page) => page.getByTestId('stamp-panels').getAttribute('data-candidate');

async function openDesk(page: Page, host: HostProcess) {
  await page.setViewportSize({ width: 1600, height: 1000 });
  await page.goto(host.url);
  await expect.poll(() => text(page, 'count-flagged'), { timeout: 30_000 }).not.toBe('-');
  await expect.poll(() => drawn(page)).not.toBe('');
  // Keys go to the desk: make sure no form field holds the focus.
  await page.locator('body').click({ position: { x: 5, y: 5 } });
}

/** Press a label key and wait for the write's acknowledgement (the desk moves on only after it). */

async function canvasPixels(page: Page, panel: string): Promise<string> {
  return page
    .getByTestId(`panel-${panel}`)
    .locator('canvas')
    .evaluate((c) => (c as HTMLCanvasElement).toDataURL());
}

describe('the triage desk, keys only, on a demo night', () => {
  let night: DemoNight;
  let host: HostProcess;
  let chrome: OwnChromium;
  let profile: string;
  let port: number;
  const expected = new Map<string, { label: string; subclass: string | null }>();

  beforeAll(async () => {
    night = await makeScoredDemoNight(N);
    port = freePort();
    host = await startHostProcess(['--workspace', night.dir, '--port', String(port)]);
    profile = mkdtempSync(path.join(os.tmpdir(), 'skysift-profile-'));
    chrome = await launchOwnChromium(profile);
    mkdirSync(OUTPUT, { recursive: true });
  });
  afterAll(async () => {
    await chrome?.close();
    await host?.stop();
  });

  it('orders flagged first, labels, sub-classes, skips, undoes, moves, filters and restretches from keys', async () => {
    const page = await chrome.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await openDesk(page, host);

    const flagged = [...night.scores.values()].filter((s) => s >= night.threshold).length;
    expect(await count(page, 'flagged')).toBe(flagged);
    expect(await count(page, 'remaining')).toBe(N);
    // Flagged first, by score: the first candidate is the top score.
    const top = [...night.scores].sort((a, b) => b[1] - a[1])[0];
    expect(await current(page)).toBe(top[0]);
    expect(await text(page, 'fact-score')).toContain(night.model);

    // R, B, S, a sub-class (6: cosmic ray, bogus), R.
    for (const [key, label, subclass] of [
      ['r', 'real', null],
      ['b', 'bogus', null],
      ['s', 'skip', null],
      ['6', 'bogus', 'cosmic-ray'],
      ['r', 'real', null],
      ['b', 'bogus', null],
    ] as const) {
      const id = await labelWithKey(page, key);
      expected.set(id, { label, subclass });
      await expect.poll(() => drawn(page)).not.toBe(id);
    }
    expect(await count(page, 'labelled')).toBe(6);
    expect(await count(page, 'remaining')).toBe(N - 6);

    // Undo twice (U, then Backspace): the last two labels go, the desk is back on the second-last.
    const order = [...expected.keys()];
    await page.keyboard.press('u');
    await expect.poll(() => current(page)).toBe(order[5]);
    await page.keyboard.press('Backspace');
    await expect.poll(() => current(page)).toBe(order[4]);
    expected.delete(order[5]);
    expected.delete(order[4]);
    await expect.poll(() => count(page, 'labelled')).toBe(4);
    await expect.poll(async () => (await readLabelDb(page)).length).toBe(4);

    // Move: J/K and arrows, without labelling.
    const here = await current(page);
    await page.keyboard.press('j');
    await expect.poll(() => current(page)).not.toBe(here);
    await page.keyboard.press('k');
    await expect.poll(() => current(page)).toBe(here);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowUp');
    await expect.poll(() => current(page)).toBe(here);
    await expect.poll(() => drawn(page)).toBe(here);

    // Label two more so the tally has a pace over several labels.
    for (const key of ['r', 'b']) {
      const id = await labelWithKey(page, key);
      expected.set(id, { label: key === 'r' ? 'real' : 'bogus', subclass: null });
    }

    // Filter with F: "labelled real" shows exactly the real ones, "all" shows the night.
    const reals = [...expected.values()].filter((v) => v.label === 'real').length;
    await page.keyboard.press('f');
    await expect.poll(() => page.getByTestId('filter-label').inputValue()).toBe('real');
    await expect.poll(() => count(page, 'view')).toBe(reals);
    for (const next of ['bogus', 'skip', 'all', 'unlabelled']) {
      await page.keyboard.press('f');
      await expect.poll(() => page.getByTestId('filter-label').inputValue()).toBe(next);
    }
    await expect.poll(() => count(page, 'view')).toBe(N - expected.size);

    // Stretch: X cycles linear -> log and the search stamp is redrawn differently; Z and I too.
    const id = await current(page);
    const linear = await canvasPixels(page, 'search');
    await page.keyboard.press('x');
    await expect.poll(() => page.getByTestId('stretch-fn').inputValue()).toBe('log');
    await expect.poll(() => canvasPixels(page, 'search')).not.toBe(linear);
    await page.keyboard.press('z');
    await expect.poll(() => page.getByTestId('stretch-limits').inputValue()).toBe('percentile');
    await page.keyboard.press('x');
    await page.keyboard.press('x');
    await page.keyboard.press('x');
    await page.keyboard.press('z');
    await page.keyboard.press('z');
    await expect.poll(() => page.getByTestId('stretch-fn').inputValue()).toBe('linear');
    await expect.poll(() => page.getByTestId('stretch-limits').inputValue()).toBe('zscale');
    expect(await current(page)).toBe(id);

    // Zoom: + makes every stamp pixel bigger by a whole screen pixel step, 0 goes back to fit.
    const width = () =>
      page
        .getByTestId('panel-search')
        .locator('canvas')
        .evaluate((c) => (c as HTMLCanvasElement).style.width);
    const fit = await width();
    await page.keyboard.press('+');
    await expect.poll(width).not.toBe(fit);
    expect(parseInt(await width()) % 51).toBe(0);
    await page.keyboard.press('0');
    await expect.poll(width).toBe(fit);

    // Help lists every key; ? again closes it.
    await page.keyboard.press('?');
    const help = await page.getByTestId('help').textContent();
    for (const k of ['R', 'B', 'S', 'U', 'Backspace', 'J', 'K', '1', '9', '?']) expect(help).toContain(k);
    await page.screenshot({ path: path.join(OUTPUT, 'desk-help-dark.png') });
    await page.keyboard.press('?');
    await expect.poll(() => page.getByTestId('help').count()).toBe(0);

    // The database holds exactly what was acknowledged, with model, score and time spent.
    const db = await readLabelDb(page);
    expect(new Map(db.map((r) => [r.candidateId, { label: r.label, subclass: r.subclass }]))).toEqual(
      expected,
    );
    for (const r of db) {
      expect(r.workspace).toBe(night.dir);
      expect(r.model).toBe(night.model);
      expect(r.score).toBe(night.scores.get(r.candidateId));
      expect(r.secondsSpent).toBeGreaterThanOrEqual(0);
    }
    expect(errors).toEqual([]);
  });

  it("checks the tally's arithmetic and takes screenshots in both themes", async () => {
    const page = chrome.context.pages().at(-1)!;
    await page.keyboard.press('g');
    await expect.poll(() => page.getByTestId('stats').count()).toBe(1);
    const db = await readLabelDb(page);
    const flagged = [...night.scores.values()].filter((s) => s >= night.threshold).length;
    const paces = db.map((r) => r.secondsSpent).sort((a, b) => a - b);
    const h = paces.length >> 1;
    const pace = paces.length % 2 ? paces[h] : (paces[h - 1] + paces[h]) / 2;
    const raw = async (testId: string) => Number(await page.getByTestId(testId).getAttribute('data-value'));

    expect(await text(page, 'stat-candidates')).toBe(String(N));
    expect(await text(page, 'stat-flagged')).toBe(String(flagged));
    const skipped = db.filter((r) => r.label === 'skip').length;
    expect(await text(page, 'stat-vetted')).toBe(String(db.length - skipped));
    expect(await text(page, 'stat-skipped')).toBe(String(skipped));
    expect(await raw('stat-pace')).toBeCloseTo(pace, 9);
    // The by-hand pace: measured once there are 20 candidates looked at, else the assumed 0.5 s.
    const byHand = db.length >= 20 ? pace : 0.5;
    expect(await raw('stat-byhand')).toBeCloseTo(byHand, 9);
    // Time saved by vetting only the flagged ones: (N - flagged) candidates not looked at.
    expect(await raw('stat-saved')).toBeCloseTo(((N - flagged) * byHand) / 3600, 12);
    // Per million at this night's flag rate.
    expect(await raw('stat-million-flagged')).toBeCloseTo((1e6 * (flagged / N) * byHand) / 3600, 6);
    expect(await raw('stat-million-saved')).toBeCloseTo(
      scanTime(N, flagged, byHand).perMillion.hoursSaved,
      6,
    );
    expect(await text(page, 'tally-vetted')).toContain(`vetted ${db.length - skipped}/${N}`);
    await expect.poll(() => page.getByRole('img', { name: /ROC/ }).count()).toBe(1);

    await page.mouse.move(500, 200);
    await page.screenshot({ path: path.join(OUTPUT, 'desk-dark.png') });
    await page.keyboard.press('t');
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
    await page.screenshot({ path: path.join(OUTPUT, 'desk-light.png') });
    await page.keyboard.press('t');
    await page.keyboard.press('g');
  });

  it('keeps every label across a reload', async () => {
    const page = chrome.context.pages().at(-1)!;
    const before = await readLabelDb(page);
    await page.reload();
    await openDesk(page, host);
    expect(await count(page, 'labelled')).toBe(before.length);
    expect((await readLabelDb(page)).length).toBe(before.length);
    // "unlabelled only" resumes where vetting stopped: the current one is not labelled.
    expect(expected.has(await current(page))).toBe(false);
  });

  it('keeps every acknowledged label when the browser is killed mid-vetting, and after a restart', async () => {
    let page = chrome.context.pages().at(-1)!;
    const acked = new Map(expected);
    for (const key of ['r', 'b', 'b', 'r', 's', 'b']) {
      const id = await labelWithKey(page, key);
      acked.set(id, { label: key === 'r' ? 'real' : key === 'b' ? 'bogus' : 'skip', subclass: null });
    }
    // A burst without waiting, then the crash: whatever the status bar had acknowledged must survive.
    for (const key of ['b', 'r', 'b', 'b']) await page.keyboard.press(key);
    const ackedCount = await saved(page);
    const ackedBefore = (await readLabelDb(page)).length;
    await chrome.crash();

    // Restart the host too (same port: IndexedDB is per origin) and the browser on the same profile.
    await host.stop();
    host = await startHostProcess(['--workspace', night.dir, '--port', String(port)]);
    chrome = await launchOwnChromium(profile);
    page = await chrome.context.newPage();
    await openDesk(page, host);
    const db = await readLabelDb(page);
    const byId = new Map(db.map((r) => [r.candidateId, { label: r.label, subclass: r.subclass }]));
    for (const [id, v] of acked) expect(byId.get(id), id).toEqual(v);
    expect(db.length).toBeGreaterThanOrEqual(ackedBefore);
    // Every label of the burst that the status bar counted (each on its own candidate) is there too.
    expect(db.length).toBeGreaterThanOrEqual(expected.size + ackedCount);
    expect(await count(page, 'labelled')).toBe(db.length);

    // A clean restart as well.
    await chrome.close();
    chrome = await launchOwnChromium(profile);
    page = await chrome.context.newPage();
    await openDesk(page, host);
    expect((await readLabelDb(page)).length).toBe(db.length);
  });
});
