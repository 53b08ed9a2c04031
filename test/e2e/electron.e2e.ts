/**
 * The real Electron app, where an Electron binary exists (ELECTRON_EXEC_PATH, or the electron
 * package's own download). Here there is none (the binary cannot be downloaded), so this spec
 * reports itself skipped; it never claims Electron ran when it did not.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { _electron as electron } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ROOT } from './harness';

function electronBinary(): string | null {
  const env = process.env.ELECTRON_EXEC_PATH;
  if (env && existsSync(env)) return env;
  const pathTxt = path.join(ROOT, 'node_modules/electron/path.txt');
  if (!existsSync(pathTxt)) return null;
  const bin = path.join(ROOT, 'node_modules/electron/dist', readFileSync(pathTxt, 'utf8').trim());
  return existsSync(bin) ? bin : null;
}

const binary = electronBinary();
if (!binary)
  console.warn('[skysift e2e] Electron spec skipped: no Electron binary (set ELECTRON_EXEC_PATH to run it).');

describe.skipIf(!binary)('Electron app', () => {
  it('opens the desk over IPC with context isolation and no Node in the renderer', async () => {
    const ws = mkdtempSync(path.join(os.tmpdir(), 'skysift-electron-ws-'));
    const app = await electron.launch({
      executablePath: binary!,
      args: [ROOT, '--no-sandbox', '--disable-gpu'],
      env: {
        ...process.env,
        SKYSIFT_WORKSPACE: ws,
        SKYSIFT_HOME: mkdtempSync(path.join(os.tmpdir(), 'skysift-home-')),
      } as Record<string, string>,
    });
    try {
      const page = await app.firstWindow();
      await expect
        .poll(() => page.getByTestId('status-host').textContent())
        .toContain('Electron (electron-ipc)');
      expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe(
        'undefined',
      );
      expect(await page.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe(
        'undefined',
      );
      // Context isolation: the page sees only the two bridge functions, never ipcRenderer or Node.
      expect(
        await page.evaluate(() => Object.keys((window as unknown as { skysift: object }).skysift).sort()),
      ).toEqual(['invoke', 'on']);
      const sandboxed = await app.evaluate(({ app: electronApp }) =>
        electronApp.commandLine.hasSwitch('enable-sandbox'),
      );
      expect(sandboxed).toBe(true);
    } finally {
      await app.close();
    }
  });
});
