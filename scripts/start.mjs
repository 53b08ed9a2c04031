// `npm start`: Electron when a binary and a display exist; otherwise the browser host (printing
// its URL) and, with a display, Chromium in app mode. Says which it did.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, buildIsStale, chromiumBinary, electronBinary, hasDisplay, run } from './lib.mjs';

if (buildIsStale()) {
  console.log('[skysift] building (out/ is missing or older than src/)...');
  const code = await run('npx', ['electron-vite', 'build']);
  if (code !== 0) process.exit(code);
}

const electron = electronBinary();
if (electron && hasDisplay()) {
  console.log(`[skysift] starting Electron (${electron})`);
  const child = spawn(electron, ['.'], { cwd: ROOT, stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  // npm ci never downloads it: package.json's allowScripts keeps electron's install script off.
  const why = !electron
    ? 'no Electron binary here (npm ci does not download it: allowScripts keeps the electron ' +
      'install script off; set ELECTRON_EXEC_PATH to an Electron binary, or run ' +
      '`node node_modules/electron/install.js` once to download it)'
    : 'no display (DISPLAY/WAYLAND_DISPLAY unset)';
  console.log(`[skysift] ${why}: starting the browser host instead.`);
  const host = spawn(process.execPath, [path.join(ROOT, 'out/main/host.js'), ...process.argv.slice(2)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let opened = false;
  host.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    const m = /Skysift browser host: (\S+)/.exec(String(chunk));
    if (!m || opened) return;
    opened = true;
    const chromium = chromiumBinary();
    if (hasDisplay() && chromium) {
      console.log(`[skysift] opening ${chromium} --app=<url>`);
      const profile = mkdtempSync(path.join(os.tmpdir(), 'skysift-chromium-'));
      spawn(
        chromium,
        [
          `--app=${m[1]}`,
          `--user-data-dir=${profile}`,
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
        {
          stdio: 'ignore',
          detached: true,
        },
      ).unref();
    } else {
      console.log(
        '[skysift] no display or no Chromium: open the URL above in a browser on this machine. Ctrl-C stops the host.',
      );
    }
  });
  host.on('exit', (code) => process.exit(code ?? 0));
  process.on('SIGINT', () => host.kill('SIGINT'));
  process.on('SIGTERM', () => host.kill('SIGTERM'));
}
