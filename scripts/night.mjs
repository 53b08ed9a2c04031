// A whole night end to end, headless, as separate processes (like the app's worker jobs):
// simulate N candidates and ingest them; each ingest ends with the night scored by the home's
// model for its stamps (the shipped default here), as it does in the desk, so the ingest steps are
// "ingested and scored". Prints the wall time and the peak RSS of each step: the sum over the step's
// whole process tree (the CLI and the job workers it starts), sampled every second from /proc.
// A final `status` checks that every candidate has a score; --rescore also scores the whole night
// again in one job (`score --model default --adopt`), as a user re-scoring a finished night would.
//
// Usage: node scripts/night.mjs [--n 100000] [--dir /tmp/skysift-night] [--pool 2000] [--chunk N]
//          [--rescore] [--keep] [--no-build]
//   --no-build: use out/ as it is (a machine with the built app and no toolchain: the GPU check).
//   Nights larger than --pool: the real simulator renders a pool (one process per core), and
//   the night reuses pool triplets with jitter (scripts/nightJitter.mjs). --chunk M: simulate,
//   ingest and delete M candidates' stamp files at a time (disk: a 1,000,000-candidate night is
//   ~43 GB of FITS and ~39 GB of workspace); ingest times are summed over the chunks, and each
//   chunk's ingest step is printed (its cost must not grow with the night).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, statfsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, buildIsStale, run } from './lib.mjs';
import { jitterNight, readPool } from './nightJitter.mjs';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '100000' },
    dir: { type: 'string', default: '/tmp/skysift-night' },
    pool: { type: 'string', default: '2000' },
    chunk: { type: 'string' },
    seed: { type: 'string', default: '42' },
    keep: { type: 'boolean', default: false },
    rescore: { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
  },
});
const N = Number(values.n);
const POOL = Number(values.pool);
const CHUNK = values.chunk ? Number(values.chunk) : N;
const SEED = Number(values.seed);
for (const [k, v] of [
  ['--n', N],
  ['--pool', POOL],
  ['--chunk', CHUNK],
]) {
  if (!Number.isInteger(v) || v < 1) throw new Error(`${k} must be a positive integer (got ${v})`);
}
if (
  !values['no-build'] &&
  buildIsStale() &&
  (await run('npx', ['electron-vite', 'build', '--logLevel', 'warn'])) !== 0
)
  process.exit(1);
const cli = path.join(ROOT, 'out/main/cli.js');
const stamps = path.join(values.dir, 'stamps');
const ws = path.join(values.dir, 'workspace');
// A home of its own: nothing lands in the user's ~/.skysift, and its model is the shipped default.
const home = path.join(values.dir, 'home');
rmSync(values.dir, { recursive: true, force: true });

/** RSS of `pid` and all its descendants, from /proc (Linux; 0 elsewhere). */
function treeRss(pid) {
  let names;
  try {
    names = readdirSync('/proc').filter((n) => /^\d+$/.test(n));
  } catch {
    return 0;
  }
  const parent = new Map();
  const rss = new Map();
  for (const n of names) {
    try {
      const stat = readFileSync(`/proc/${n}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(n), Number(fields[1]));
      rss.set(Number(n), Number(fields[21]) * 4096);
    } catch {
      // Gone between the listing and the read.
    }
  }
  let total = 0;
  for (const [p, bytes] of rss) {
    for (let q = p; q > 1; q = parent.get(q) ?? 0) {
      if (q === pid) {
        total += bytes;
        break;
      }
    }
  }
  return total;
}

function step(name, cmd, args) {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    let peak = 0;
    let tail = '';
    let stdout = '';
    const child = spawn(cmd, args, {
      env: { ...process.env, SKYSIFT_HOME: home },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Once a second: reading /proc costs a few % of a core, taken from the step it measures.
    const timer = setInterval(() => (peak = Math.max(peak, treeRss(child.pid))), 1000);
    child.stdout.on('data', (d) => {
      tail = (tail + d).slice(-2000);
      stdout += d;
    });
    child.stderr.on('data', (d) => (tail = (tail + d).slice(-2000)));
    child.on('exit', (code) => {
      clearInterval(timer);
      const secs = (Date.now() - t0) / 1000;
      if (code !== 0) return reject(new Error(`${name} failed (${code}):\n${tail}`));
      resolve({ name, secs, rss: peak / 1e6, tail: tail.trim().split('\n').slice(-1)[0], stdout });
    });
  });
}

async function timed(name, fn) {
  const t0 = Date.now();
  const tail = await fn();
  return { name, secs: (Date.now() - t0) / 1000, rss: NaN, tail };
}

const rows = [];
const add = (r) => {
  const prev = rows.find((x) => x.name === r.name);
  if (!prev) rows.push(r);
  else {
    prev.secs += r.secs;
    prev.rss = Math.max(prev.rss, r.rss);
    prev.tail = r.tail;
  }
  console.log(
    `  ${r.name}: ${r.secs.toFixed(1)} s${Number.isFinite(r.rss) ? `, peak RSS ${r.rss.toFixed(0)} MB` : ''}`,
  );
};
const freeGb = () => {
  const s = statfsSync(values.dir);
  return (Number(s.bavail) * Number(s.bsize)) / 1e9;
};

const threads = Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
let pool = null;
if (N > POOL) {
  // The pool: the real simulator, one process per core, each with a seed of its own.
  const parts = Array.from({ length: Math.min(threads, POOL) }, (_, i) => i);
  const t0 = Date.now();
  await Promise.all(
    parts.map((i) =>
      step(`pool ${i}`, process.execPath, [
        cli,
        'demo',
        '--n',
        String(Math.ceil(POOL / parts.length)),
        '--seed',
        String(SEED + i),
        '--out',
        path.join(values.dir, 'pool', String(i)),
      ]),
    ),
  );
  pool = readPool(parts.map((i) => path.join(values.dir, 'pool', String(i))));
  add({ name: `simulate pool (${pool.length})`, secs: (Date.now() - t0) / 1000, rss: NaN, tail: '' });
}

for (let from = 0; from < N; from += CHUNK) {
  const to = Math.min(N, from + CHUNK);
  rmSync(stamps, { recursive: true, force: true });
  if (pool) {
    add(
      await timed('simulate (pool + jitter)', async () => {
        await jitterNight({ pool, out: stamps, from, to, seed: SEED, threads });
        return `${to - from} candidates, ${threads} threads`;
      }),
    );
  } else {
    add(
      await step('simulate', process.execPath, [
        cli,
        'demo',
        '--n',
        String(N),
        '--seed',
        String(SEED),
        '--out',
        stamps,
      ]),
    );
  }
  add(await step('ingest', process.execPath, [cli, 'ingest', stamps, '--workspace', ws]));
  if (CHUNK < N)
    console.log(
      `chunk ${from}-${to} done; ${freeGb().toFixed(1)} GB free; load ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
}
if (!values.keep && CHUNK < N) rmSync(stamps, { recursive: true, force: true });
// Every candidate scored by the ingests? (`status` reads the night as the desk would.)
const checked = await step('status', process.execPath, [cli, 'status', '--workspace', ws, '--json']);
const status = JSON.parse(checked.stdout);
console.log(
  `  status: ${status.candidates} candidates, ${status.scored} scored by ${status.activeModel} (${checked.secs.toFixed(1)} s, peak RSS ${checked.rss.toFixed(0)} MB)`,
);
if (status.candidates !== N || status.scored !== N)
  throw new Error(
    `the night should hold ${N} candidates, all scored: ${status.candidates}, ${status.scored} scored`,
  );
if (values.rescore)
  add(
    await step('score again (default model)', process.execPath, [
      cli,
      'score',
      '--workspace',
      ws,
      '--model',
      'default',
      '--adopt',
    ]),
  );
console.log(
  `\nnight of ${N} candidates, end to end (${os.cpus().length} cores, load ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}):`,
);
console.log('step                       | wall s | rate /s | peak RSS MB | last line');
for (const r of rows) {
  const n = r.name.startsWith('simulate pool') ? pool.length : N;
  console.log(
    `${r.name.padEnd(26)} | ${r.secs.toFixed(1).padStart(6)} | ${(n / r.secs).toFixed(0).padStart(7)} | ${(Number.isFinite(r.rss) ? r.rss.toFixed(0) : 'n/a').padStart(11)} | ${r.tail}`,
  );
}
// The job records of the night (ingest, the scoring that ends an ingest, the explicit score):
// their own wall times, without process start-up and the CLI's waiting.
const jobsDir = path.join(ws, 'jobs');
const jobs = readdirSync(jobsDir)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(path.join(jobsDir, f), 'utf8')))
  .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
console.log('\njobs (from the workspace records):');
for (const j of jobs) {
  const secs = (Date.parse(j.endedAt) - Date.parse(j.startedAt)) / 1000;
  const n = j.kind === 'ingest' ? (j.report?.added ?? 0) : (j.result?.scored ?? 0);
  console.log(
    `  ${j.kind.padEnd(7)} ${secs.toFixed(1).padStart(7)} s ${(n / secs).toFixed(0).padStart(7)} /s  ${n} candidates` +
      (j.result?.engine ? `, ${j.result.engine}` : ''),
  );
}
const jobSecs = (kind) =>
  jobs
    .filter((j) => j.kind === kind)
    .reduce((t, j) => t + (Date.parse(j.endedAt) - Date.parse(j.startedAt)) / 1000, 0);
const ingest = rows.find((r) => r.name === 'ingest');
console.log(
  `ingested and scored (the ingest steps): ${ingest.secs.toFixed(1)} s, peak RSS ${ingest.rss.toFixed(0)} MB ` +
    `(targets for 1,000,000: < 300 s, < 2000 MB); of which ingest jobs ${jobSecs('ingest').toFixed(1)} s, ` +
    `score jobs ${jobSecs('score').toFixed(1)} s`,
);
if (!values.keep) {
  rmSync(values.dir, { recursive: true, force: true });
  console.log(`removed ${values.dir} (--keep to keep it)`);
}
if (existsSync(values.dir)) console.log(`kept ${values.dir}`);
