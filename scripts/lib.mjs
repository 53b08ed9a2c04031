// Helpers shared by the npm scripts (start, test, e2e, bench).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function run(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: 'inherit', ...opts });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

export function newestMtime(dir) {
  let newest = 0;
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop();
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) stack.push(full);
      else newest = Math.max(newest, statSync(full).mtimeMs);
    }
  }
  return newest;
}

/** True when out/ is missing or older than any source file. */
export function buildIsStale() {
  const outs = [
    'out/main/index.js',
    'out/main/host.js',
    'out/main/cli.js',
    'out/main/worker.js',
    'out/renderer/index.html',
  ];
  if (!outs.every((f) => existsSync(path.join(ROOT, f)))) return true;
  const built = Math.min(...outs.map((f) => statSync(path.join(ROOT, f)).mtimeMs));
  return newestMtime(path.join(ROOT, 'src')) > built;
}

export function hasDisplay() {
  return Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
}

/** The Electron binary: ELECTRON_EXEC_PATH, else the electron package's own (if it was downloaded). */
export function electronBinary() {
  const env = process.env.ELECTRON_EXEC_PATH;
  if (env && existsSync(env)) return env;
  const pathTxt = path.join(ROOT, 'node_modules', 'electron', 'path.txt');
  if (existsSync(pathTxt)) {
    const rel = spawnSync('cat', [pathTxt], { encoding: 'utf8' }).stdout.trim();
    const bin = path.join(ROOT, 'node_modules', 'electron', 'dist', rel);
    if (existsSync(bin)) return bin;
  }
  return null;
}

export function chromiumBinary() {
  for (const p of ['/usr/bin/chromium', '/usr/bin/chromium-browser']) if (existsSync(p)) return p;
  return null;
}
