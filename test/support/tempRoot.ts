/**
 * Global setup of the unit and e2e runs: every temporary folder of the run (nights, homes, exports,
 * browser profiles, the hosts and CLIs the tests start) goes under one folder of its own, removed
 * when the run ends. Without it one `npm test` left ~650 folders (2.2 GB) in /tmp. Workers and
 * child processes inherit TMPDIR, which os.tmpdir() and mkdtemp read. SKYSIFT_KEEP_TEST_TMP=1
 * keeps the folder (its path is printed) to look at what a failing test wrote.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(path.join(os.tmpdir(), 'skysift-test-run-'));
  const before = process.env.TMPDIR;
  process.env.TMPDIR = root;
  return () => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    if (process.env.SKYSIFT_KEEP_TEST_TMP === '1') console.log(`test temp files kept in ${root}`);
    else rmSync(root, { recursive: true, force: true });
  };
}
