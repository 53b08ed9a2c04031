// `npm test`: typecheck, lint, build, unit tests, then e2e in Debian Chromium against the browser
// host (and Electron where a binary exists). Ends with "N passed, N failed" over unit + e2e.
//
// It changes the workstation: the setup steps install Debian packages as root (chromium, Mesa
// lavapipe from bookworm-backports, libxml2-utils and python3-astropy). SKYSIFT_TEST_NO_APT=1 skips
// every setup step; the tests that need what it would install then report themselves skipped.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ROOT, run } from './lib.mjs';
import { planSteps } from './testPlan.mjs';

const results = path.join(ROOT, 'test-output');
mkdirSync(results, { recursive: true });
for (const f of ['unit-results.json', 'e2e-results.json']) rmSync(path.join(results, f), { force: true });

const noApt = process.env.SKYSIFT_TEST_NO_APT === '1';
console.log(
  noApt
    ? 'SKYSIFT_TEST_NO_APT=1: no Debian package is installed; tests needing one report themselves skipped.'
    : 'The setup steps below may install Debian packages (chromium; Mesa from bookworm-backports; ' +
        'libxml2-utils, python3-astropy). Set SKYSIFT_TEST_NO_APT=1 to skip them.',
);

const failedSteps = [];
const skippedSteps = [];
// The e2e check for Chromium is made when its turn comes: the setup step before it may install it.
for (const { name, cmd, args } of planSteps(process.env, () => true)) {
  const [step] = planSteps(process.env, (p) =>
    existsSync(path.isAbsolute(p) ? p : path.join(ROOT, p)),
  ).filter((s) => s.name === name);
  if (step.skip) {
    console.log(`\n=== ${name}: skipped (${step.skip}) ===`);
    if (!name.startsWith('setup:')) skippedSteps.push(name);
    continue;
  }
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
if (skippedSteps.length) console.log(`\nSkipped steps (not run at all): ${skippedSteps.join(', ')}`);
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failedSteps.length || failed ? 1 : 0);
