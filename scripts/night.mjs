// A whole night end to end, headless, as separate processes (like the app's worker jobs):
// simulate N candidates, ingest them, score them with the shipped default model. Prints the wall
// time and the peak RSS of each step. Usage: node scripts/night.mjs [--n 100000] [--dir /tmp/night]
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, buildIsStale, run } from './lib.mjs';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '100000' },
    dir: { type: 'string', default: '/tmp/skysift-night' },
  },
});
if (buildIsStale() && (await run('npx', ['electron-vite', 'build', '--logLevel', 'warn'])) !== 0)
  process.exit(1);
const cli = path.join(ROOT, 'out/main/cli.js');
const stamps = path.join(values.dir, 'stamps');
const ws = path.join(values.dir, 'workspace');
rmSync(values.dir, { recursive: true, force: true });

function step(name, args) {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    let rss = 'n/a';
    let tail = '';
    const child = spawn(process.execPath, [cli, ...args], {
      env: { ...process.env, SKYSIFT_REPORT_RSS: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (d) => (tail = (tail + d).slice(-2000)));
    child.stderr.on('data', (d) => {
      const m = /peak RSS: (\d+) MB/.exec(String(d));
      if (m) rss = m[1];
    });
    child.on('exit', (code) => {
      const secs = (Date.now() - t0) / 1000;
      if (code !== 0) return reject(new Error(`${name} failed (${code}):\n${tail}`));
      resolve({ name, secs, rss, tail: tail.trim().split('\n').slice(-1)[0] });
    });
  });
}

const rows = [];
rows.push(await step('simulate', ['demo', '--n', values.n, '--seed', '42', '--out', stamps]));
rows.push(await step('ingest', ['ingest', stamps, '--workspace', ws]));
rows.push(await step('score (default model)', ['score', '--workspace', ws, '--model', 'default', '--adopt']));
console.log(`\nnight of ${values.n} candidates, end to end:`);
console.log('step                   | wall s | rate /s | peak RSS MB | last line');
for (const r of rows) {
  console.log(
    `${r.name.padEnd(22)} | ${r.secs.toFixed(1).padStart(6)} | ${(Number(values.n) / r.secs).toFixed(0).padStart(7)} | ${String(r.rss).padStart(11)} | ${r.tail}`,
  );
}
const ingestScore = rows[1].secs + rows[2].secs;
console.log(`ingest + score: ${ingestScore.toFixed(1)} s (target < 600 s for 100k)`);
