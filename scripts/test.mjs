// `npm test`: typecheck, lint, build, unit tests, then e2e in Debian Chromium against the browser
// host (and Electron where a binary exists). Ends with "N passed, N failed" over unit + e2e.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ROOT, run } from './lib.mjs';

const results = path.join(ROOT, 'test-output');
mkdirSync(results, { recursive: true });
for (const f of ['unit-results.json', 'e2e-results.json']) rmSync(path.join(results, f), { force: true });

const steps = [
  ['typecheck', 'npx', ['tsc', '-b', 'tsconfig.json']],
  ['lint', 'npx', ['eslint', '.']],
  ['format', 'npx', ['prettier', '--check', '--log-level', 'warn', '.']],
  ['build', 'npx', ['electron-vite', 'build', '--logLevel', 'warn']],
  ['setup: chromium', 'bash', ['scripts/setup-chromium.sh']],
  ['setup: lavapipe (webgpu on the CPU)', 'bash', ['scripts/setup-lavapipe.sh']],
  ['unit tests', 'npx', ['vitest', 'run']],
  ['e2e tests', 'npx', ['vitest', 'run', '--config', 'vitest.e2e.config.mts']],
];

const failedSteps = [];
for (const [name, cmd, args] of steps) {
  if (cmd === 'bash' && !existsSync(path.join(ROOT, args[0]))) continue;
  const t0 = Date.now();
  console.log(`\n=== ${name} ===`);
  const code = await run(cmd, args);
  console.log(
    `=== ${name}: ${code === 0 ? 'ok' : `FAILED (exit ${code})`} in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
  if (code !== 0) {
    failedSteps.push(name);
    // Without a build or a browser the later steps cannot mean anything.
    if (name === 'build' || name.startsWith('setup: chromium')) break;
  }
}

let passed = 0;
let failed = 0;
let skipped = 0;
for (const f of ['unit-results.json', 'e2e-results.json']) {
  const file = path.join(results, f);
  if (!existsSync(file)) continue;
  const r = JSON.parse(readFileSync(file, 'utf8'));
  passed += r.numPassedTests ?? 0;
  failed += r.numFailedTests ?? 0;
  skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
}
// A failed non-test step (typecheck, lint, build) counts as a failure so the line cannot look green.
failed += failedSteps.filter((s) => !s.endsWith('tests')).length;
if (failedSteps.length) console.log(`\nFailed steps: ${failedSteps.join(', ')}`);
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failedSteps.length || failed ? 1 : 0);
