/**
 * scripts/esm-banner.txt: the GPU check ships as one ES module (scripts/gpu-bundle.mjs), and
 * tfjs-backend-wasm's loader reads __dirname, which an ES module lacks. Without the banner the wasm
 * backend fails to start in the bundle and tfjs falls back to plain JavaScript (seen in the GPU
 * check's output); with it the bundle starts wasm as the app does.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../../..');
// Inside the checkout, so that the bundle resolves node_modules (the wasm binaries) as the shipped
// bundle does from its own folder.
const WORK = path.join(ROOT, 'test-output', 'esm-banner');

const ENTRY = `import * as tf from '@tensorflow/tfjs-core';
import { prepareWasmBackend } from '../../src/main/worker/model/backends/wasmNode';
await prepareWasmBackend();
const ok = await tf.setBackend('wasm').catch(() => false);
console.log('wasm backend ' + (ok ? 'ready' : 'failed'));
`;

/** Bundles ENTRY with the GPU bundle's flags (and the banner, if given), runs it, returns stdout. */
function bundleAndRun(name: string, banner: string | null): string {
  const dir = path.join(WORK, name);
  mkdirSync(dir, { recursive: true });
  const entry = path.join(WORK, `${name}.ts`);
  writeFileSync(entry, ENTRY);
  const args = ['rolldown', entry, '--dir', dir, '--format', 'esm', '--platform', 'node'];
  args.push('--no-code-splitting', '--no-treeshake', '--entry-file-names', 'check.mjs');
  args.push('--log-level', 'warn');
  if (banner !== null) args.push('--banner', banner);
  execFileSync('npx', args, { cwd: ROOT, stdio: 'pipe' });
  return execFileSync(process.execPath, [path.join(dir, 'check.mjs')], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

describe('the ES module bundle banner', () => {
  mkdirSync(WORK, { recursive: true });
  afterAll(() => rmSync(WORK, { recursive: true, force: true }));

  it('lets the bundled wasm backend start, which it cannot without it', () => {
    const banner = readFileSync(path.join(ROOT, 'scripts', 'esm-banner.txt'), 'utf8');
    expect(bundleAndRun('with', banner)).toContain('wasm backend ready');
    expect(bundleAndRun('without', null)).toContain('wasm backend failed');
  }, 120_000);
});
