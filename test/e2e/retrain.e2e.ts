/**
 * Issue 7, end to end in Chromium through the browser host: vet part of a demo night from the
 * keys, retrain from the Model panel (fine-tune, a few epochs, on the worker's CPU backend) while
 * going on vetting, read the comparison, adopt, and see the queue re-sorted around the same
 * candidate with the scores of the candidates labelled real risen; then roll back.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { current, labelWithKey, text } from './deskPage';
import { auc } from '../../src/shared/metrics';
import { launchChromium, OUTPUT, startHostProcess, type HostProcess } from './harness';
import {
  activeModelOf,
  freePort,
  makeModelScoredNight,
  readLabelDb,
  scoresOf,
  type ModelNight,
} from './deskFixtures';

const N = 300;
const VETTED = 40;
const EPOCHS = 8;

/** The queue as drawn (the list is virtual: the rows in view, top first). */
const queueIds = (page: Page) =>
  page.locator('.queue-list li[data-id]').evaluateAll((els) =>
    els
      .map((e) => ({
        id: e.getAttribute('data-id') ?? '',
        top: parseFloat((e as HTMLElement).style.top) || 0,
      }))
      .sort((a, b) => a.top - b.top)
      .map((e) => e.id),
  );
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('retrain from the desk, compare, adopt, roll back', () => {
  let night: ModelNight;
  let host: HostProcess;
  let browser: Browser;

  beforeAll(async () => {
    // A night that comes unlabelled, as real ones do: the astronomer's labels are all there is to learn.
    night = await makeModelScoredNight(N, 11, { unlabelled: true });
    host = await startHostProcess(['--workspace', night.dir, '--port', String(freePort())]);
    browser = await launchChromium();
    mkdirSync(OUTPUT, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  it('vets, retrains while vetting goes on, adopts: queue re-sorted, place kept, labels separated better', async () => {
    console.log(`night scored with the ${night.scoredWith} model`);
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(host.url);
    await expect.poll(() => text(page, 'count-flagged'), { timeout: 30_000 }).not.toBe('-');
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    const before = await activeModelOf(night.dir);
    expect(before).not.toBeNull();
    expect(await text(page, 'fact-score')).toContain(before!);

    // Vet from the keys with the simulation's truth: real (some as sub-class 1), bogus, a few skips.
    const real = new Set<string>();
    const bogus = new Set<string>();
    const vet = async (count: number) => {
      for (let i = 0; i < count; i++) {
        const truth = night.given.get(await current(page));
        const key = i % 11 === 7 ? 's' : truth === 'real' ? (i % 5 === 0 ? '1' : 'r') : 'b';
        const id = await labelWithKey(page, key);
        if (key === 'r' || key === '1') real.add(id);
        if (key === 'b') bogus.add(id);
      }
    };
    const order = (o: string) => expect.poll(() => page.locator('#queue-order').inputValue()).toBe(o);
    // First a sample in time order (O three times: a fair mix of reals and artifacts, the doubtful
    // reals among them), then the flagged ones at the top of the queue (O three more times:
    // time -> id -> most informative -> flagged).
    for (const _ of [0, 1, 2]) await page.keyboard.press('o');
    await order('time');
    await vet(VETTED / 2);
    for (const _ of [0, 1, 2]) await page.keyboard.press('o');
    await order('flagged');
    // Changing the order goes to the top of the new order; Home goes there too.
    await page.keyboard.press('Home');
    await vet(VETTED / 2);
    expect(real.size).toBeGreaterThan(3);

    // The Model panel from its key; a few epochs, fine-tune (the default), Retrain.
    await page.keyboard.press('m');
    await expect.poll(() => page.getByTestId('model-panel').count()).toBe(1);
    expect(await text(page, 'active-model')).toContain(before!);
    await page.getByTestId('train-epochs').fill(String(EPOCHS));
    await page.getByTestId('retrain').click();
    await expect
      .poll(async () => Number(await page.getByTestId('training-epoch').getAttribute('data-epoch')), {
        timeout: 60_000,
      })
      .toBeGreaterThanOrEqual(1);
    // Time per epoch and a range, never the worst case as an ETA.
    expect(await text(page, 'training-eta')).toMatch(/per epoch|measuring/);
    expect(await text(page, 'training-eta')).not.toMatch(/ETA/);

    // The desk is not blocked by training: two more labels from the keys while it runs.
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    for (const _ of [0, 1]) {
      const truth = night.given.get(await current(page));
      const id = await labelWithKey(page, truth === 'real' ? 'r' : 'b');
      if (truth === 'real') real.add(id);
    }
    await page.screenshot({ path: path.join(OUTPUT, 'model-panel-training.png') });

    await expect.poll(() => page.getByTestId('compare-table').count(), { timeout: 100_000 }).toBe(1);
    const table = await text(page, 'compare-table');
    expect(table).toContain('AUC');
    expect(table).toContain('Pippin');
    expect(table).toContain(`of ${real.size}`);
    // One point per epoch run (early stopping may end it before EPOCHS).
    const points = Number(await page.getByTestId('loss-chart').first().getAttribute('data-points'));
    expect(points).toBeGreaterThanOrEqual(1);
    expect(points).toBeLessThanOrEqual(EPOCHS);
    await page.screenshot({ path: path.join(OUTPUT, 'model-panel-compared.png') });

    // Adopt: the queue re-sorts by the new scores around the same candidate.
    const here = await current(page);
    const orderBefore = await queueIds(page);
    const adoptLabel = (await page.getByTestId('adopt-new').textContent()) ?? '';
    const after = adoptLabel.replace(/^Adopt\s+/, '').trim();
    await page.getByTestId('adopt-new').click();
    await expect.poll(() => text(page, 'fact-score'), { timeout: 30_000 }).toContain(after);
    expect(await activeModelOf(night.dir)).toBe(after);
    expect(await current(page)).toBe(here);
    await expect.poll(() => queueIds(page)).not.toEqual(orderBefore);
    expect(await text(page, 'decision')).toContain('Adopted');
    // The Active section: words for the label sources, one threshold per model, Pippin explained.
    const active = await text(page, 'active-model');
    expect(active).not.toMatch(/overriddenByHuman/);
    expect(await text(page, 'active-heldout')).toMatch(
      /at the threshold above; Pippin .*FPR \+ MDR at thresholds 0\.4, 0\.5 and 0\.6/,
    );

    // The new version agrees better with the astronomer: the gap between the mean scores of the
    // candidates labelled real and of those labelled bogus grows. Not "the reals score higher" (a
    // default trained on real stamps is not calibrated to the simulation, and balanced fine-tuning may
    // lower every score), and not the whole night's AUC: a fine-tune on ~40 labels too few for the
    // guard to judge (fineTune.ts) need not rank 2,000 simulated candidates better; the unit tests
    // hold fine-tuning to held-out labels.
    const [oldScores, newScores] = await Promise.all([
      scoresOf(night.dir, before!),
      scoresOf(night.dir, after),
    ]);
    const meanOf = (ids: Iterable<string>, scores: Map<string, number>) =>
      mean([...ids].map((id) => scores.get(id)!));
    const [oldReal, newReal] = [meanOf(real, oldScores), meanOf(real, newScores)];
    const [oldBogus, newBogus] = [meanOf(bogus, oldScores), meanOf(bogus, newScores)];
    const known = [...night.given].filter(([, g]) => g !== undefined).map(([id]) => id);
    const truth = known.map((id) => (night.given.get(id) === 'real' ? 1 : 0));
    const nightAuc = (scores: Map<string, number>) =>
      auc(
        known.map((id) => scores.get(id)!),
        truth,
      );
    console.log(
      `labelled-real ${real.size}: ${oldReal.toFixed(4)} -> ${newReal.toFixed(4)}; labelled-bogus ${bogus.size}: ` +
        `${oldBogus.toFixed(4)} -> ${newBogus.toFixed(4)}; night AUC ${nightAuc(oldScores).toFixed(4)} -> ${nightAuc(newScores).toFixed(4)}`,
    );
    expect(bogus.size).toBeGreaterThan(0);
    expect(newReal - newBogus).toBeGreaterThan(oldReal - oldBogus);
    // The queue shows the new scores.
    const shown = await page.locator(`.queue-list li[data-id="${here}"] .qscore`).textContent();
    expect(shown).toBe(newScores.get(here)!.toFixed(3));

    // Provenance: the new version's parent is the old one; roll back is one click and keeps the place.
    const row = page.locator(`[data-testid="versions"] tr[data-version="${before}"]`);
    expect(
      await page.locator(`[data-testid="versions"] tr[data-version="${after}"]`).textContent(),
    ).toContain(before!);
    await row.getByRole('button', { name: 'Roll back' }).click();
    await expect.poll(() => text(page, 'fact-score'), { timeout: 30_000 }).toContain(before!);
    expect(await current(page)).toBe(here);

    // No label lost by retraining, adopting or rolling back.
    expect((await readLabelDb(page)).length).toBe(VETTED + 2);
    expect(errors).toEqual([]);
  });
});

describe('a training job cut off by an app restart', () => {
  let night: ModelNight;
  let host: HostProcess;
  let browser: Browser;
  const port = freePort();

  beforeAll(async () => {
    night = await makeModelScoredNight(N, 12);
    host = await startHostProcess(['--workspace', night.dir, '--port', String(port)]);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  it('is reported as interrupted after the restart and can be restarted from the Model panel', async () => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.goto(host.url);
    await expect.poll(() => text(page, 'count-flagged'), { timeout: 30_000 }).not.toBe('-');
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    for (let i = 0; i < 12; i++) {
      await labelWithKey(page, night.given.get(await current(page)) === 'real' ? 'r' : 'b');
    }
    await page.keyboard.press('m');
    await page.getByTestId('train-epochs').fill('50');
    await page.getByTestId('retrain').click();
    await expect
      .poll(async () => Number(await page.getByTestId('training-epoch').getAttribute('data-epoch')), {
        timeout: 60_000,
      })
      .toBeGreaterThanOrEqual(1);

    // The app quits mid-training and starts again on the same night (same port: same label database).
    await host.stop();
    host = await startHostProcess(['--workspace', night.dir, '--port', String(port)]);
    // Only the #token differs: leave the page first, or the browser just changes the hash.
    await page.goto('about:blank');
    await page.goto(host.url);
    await expect.poll(() => text(page, 'count-flagged'), { timeout: 30_000 }).not.toBe('-');
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('m');
    const interrupted = page.getByRole('complementary', { name: 'model' }).getByLabel('interrupted training');
    await expect.poll(() => interrupted.count(), { timeout: 30_000 }).toBe(1);
    expect(await interrupted.textContent()).toContain('The app stopped');
    await interrupted.getByRole('button', { name: 'Restart' }).click();
    await expect
      .poll(async () => Number(await page.getByTestId('training-epoch').getAttribute('data-epoch')), {
        timeout: 60_000,
      })
      .toBeGreaterThanOrEqual(1);
    // The restarted job runs with the parameters it was started with (50 epochs): cancel it.
    expect(await page.getByTestId('training-epoch').getAttribute('data-max')).toBe('50');
    await page.getByTestId('train-cancel').click();
    await expect.poll(() => text(page, 'comparison'), { timeout: 30_000 }).toContain('cancelled');
    expect((await readLabelDb(page)).length).toBe(12);
  });
});
