/**
 * `npm test` says that it changes the workstation and can be told not to; the README and the
 * `npm start` message say what really happens about the Electron binary.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../../..');

/** scripts/testPlan.mjs's plan, run in Node (it is a plain .mjs script, not part of the TS build). */
function plan(env: Record<string, string>, present: string[]): { name: string; skip: string | null }[] {
  const code = `import('./scripts/testPlan.mjs').then((m) => {
    const present = new Set(${JSON.stringify(present)});
    process.stdout.write(JSON.stringify(m.planSteps(${JSON.stringify(env)}, (p) => present.has(p))));
  });`;
  return JSON.parse(execFileSync(process.execPath, ['-e', code], { cwd: ROOT, encoding: 'utf8' }));
}

const SCRIPTS = ['scripts/setup-chromium.sh', 'scripts/setup-lavapipe.sh', 'scripts/setup-votable-tools.sh'];

describe('npm test and apt', () => {
  it('runs every apt setup step by default, and none with SKYSIFT_TEST_NO_APT=1', () => {
    const all = plan({}, [...SCRIPTS, '/usr/bin/chromium']);
    const setups = all.filter((s) => s.name.startsWith('setup:'));
    expect(setups.map((s) => s.skip)).toEqual([null, null, null]);
    const none = plan({ SKYSIFT_TEST_NO_APT: '1' }, [...SCRIPTS, '/usr/bin/chromium']);
    expect(none.filter((s) => s.name.startsWith('setup:')).map((s) => s.skip)).toEqual([
      'SKYSIFT_TEST_NO_APT=1',
      'SKYSIFT_TEST_NO_APT=1',
      'SKYSIFT_TEST_NO_APT=1',
    ]);
    // Everything else still runs.
    expect(none.filter((s) => !s.name.startsWith('setup:')).every((s) => s.skip === null)).toBe(true);
  });

  it('reports the e2e step skipped when there is no Chromium (rather than failing it)', () => {
    const e2e = plan({ SKYSIFT_TEST_NO_APT: '1' }, SCRIPTS).find((s) => s.name === 'e2e tests')!;
    expect(e2e.skip).toMatch(/\/usr\/bin\/chromium is absent/);
  });

  it('the README says what npm test installs before the command, and how not to', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Test it'));
    const warning = section.indexOf('`npm test` changes the workstation');
    const command = section.indexOf('npm ci && npm test');
    expect(warning).toBeGreaterThan(0);
    expect(warning).toBeLessThan(command);
    for (const what of [
      'bookworm-backports',
      'Mesa',
      'libxml2-utils',
      'python3-astropy',
      'SKYSIFT_TEST_NO_APT=1',
    ])
      expect(section.slice(0, command), what).toContain(what);
  });

  it('the README and the npm start message agree on the Electron binary and the EBADENGINE warnings', () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const start = readFileSync(path.join(ROOT, 'scripts/start.mjs'), 'utf8');
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.allowScripts.electron).toBe(false); // what both texts explain
    for (const text of [readme, start]) {
      expect(text).toContain('node node_modules/electron/install.js');
      expect(text).toContain('allowScripts');
      expect(text).not.toMatch(/let the electron package download/);
    }
    expect(readme).toMatch(/three `EBADENGINE` warnings/);
  });
});
