/**
 * The first run on a fresh machine: no workspace yet, so the app simulates the demo night in a
 * worker job, ingests it, scores it with the shipped default model and opens the desk on it.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, OUTPUT, startHostProcess, type HostProcess } from './harness';

const HAVE_ORT = (() => {
  try {
    require.resolve('onnxruntime-node');
    return true;
  } catch {
    return false;
  }
})();

describe('first run: the embedded demo night', () => {
  let host: HostProcess;
  let browser: Browser;

  beforeAll(async () => {
    host = await startHostProcess([]);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await host?.stop();
  });

  it('creates, ingests and scores 2,000 simulated candidates and says they are simulated', async () => {
    const page = await browser.newPage();
    await page.goto(host.url);
    await expect
      .poll(() => page.getByTestId('status-workspace').textContent(), { timeout: 120_000 })
      .toContain('2000 candidates');
    await expect.poll(() => page.locator('.badge').first().textContent()).toContain('simulated');
    // The compute worker reported the backend it ran on, and (where the optional onnxruntime-node
    // is installed) that scoring went through ONNX Runtime.
    const backend = () => page.getByTestId('status-backend').textContent();
    await expect.poll(backend).not.toContain('not started');
    if (HAVE_ORT) await expect.poll(backend).toContain('onnxruntime (scoring)');

    const demo = path.join(host.home, 'demo-night');
    const ws = JSON.parse(readFileSync(path.join(demo, 'workspace.json'), 'utf8'));
    expect(ws.simulated).toBe(true);
    const shipped = JSON.parse(
      readFileSync(path.resolve(__dirname, '../../resources/models/default/meta.json'), 'utf8'),
    );
    expect(ws.activeModel).toBe(shipped.version);
    const scores = JSON.parse(readFileSync(path.join(demo, 'scores', `${shipped.version}.json`), 'utf8'));
    const values = Object.values(scores.scores) as number[];
    expect(values).toHaveLength(2000);
    // Real scores from the model, spread over the range (not a constant).
    expect(Math.min(...values)).toBeLessThan(0.1);
    expect(Math.max(...values)).toBeGreaterThan(0.9);
    const jobs = readdirSync(path.join(demo, 'jobs')).map((f) =>
      JSON.parse(readFileSync(path.join(demo, 'jobs', f), 'utf8')),
    );
    expect(jobs.map((j) => [j.kind, j.state])).toEqual([['demo', 'done']]);
    expect(existsSync(path.join(demo, 'demo-stamps', 'autoscan_features.3.csv'))).toBe(true);
    await page.screenshot({ path: path.join(OUTPUT, 'first-run-demo-night.png') });
  });
});
