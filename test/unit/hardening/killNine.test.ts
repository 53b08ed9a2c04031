/**
 * Crash safety (issue 9, part 2): SIGKILL the CLI in the middle of an ingest, and the browser host
 * while its worker process ingests. After each kill the workspace opens, every catalog part reads,
 * the stamps read back with the right pixels, the interrupted job is reported as 'interrupted', and
 * re-running completes with no duplicates. Needs the build (out/main): `npm test` builds first.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Workspace } from '../../../src/main/catalog/workspace';
import { LabelJournal } from '../../../src/main/catalog/labelJournal';
import { imageFile } from '../stamps/fits/fitsBuilder';
import { HAVE_SHARED, SHARED_MODELS } from '../helpers/shared';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'out', 'main', 'cli.js');
const HOST = path.join(ROOT, 'out', 'main', 'host.js');
const BUILT = existsSync(CLI) && existsSync(HOST) && existsSync(path.join(ROOT, 'out', 'main', 'worker.js'));
if (!BUILT)
  console.warn('[kill -9] out/main/{cli,host,worker}.js missing (run `npm run build`): crash tests skipped.');

const N = 6000;
const SIZE = 8;

/** A DES-layout night of N triplets; every pixel of triplet i holds i (search), i+0.25, i+0.5. */
function writeNight(dir: string, n = N): void {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < n; i++) {
    const id = `K${String(i).padStart(6, '0')}`;
    const sub = path.join(dir, `ccd${i % 10}`);
    if (i < 10) mkdirSync(sub, { recursive: true });
    writeFileSync(
      path.join(sub, `srch${id}.fits`),
      imageFile(-32, SIZE, SIZE, new Array(SIZE * SIZE).fill(i)),
    );
    writeFileSync(
      path.join(sub, `temp${id}.fits`),
      imageFile(-32, SIZE, SIZE, new Array(SIZE * SIZE).fill(i + 0.25)),
    );
    writeFileSync(
      path.join(sub, `diff${id}.fits`),
      imageFile(-32, SIZE, SIZE, new Array(SIZE * SIZE).fill(i + 0.5)),
    );
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function parts(ws: string): number {
  try {
    return readdirSync(path.join(ws, 'catalog')).filter((n) => /^part-\d{6}\.json$/.test(n)).length;
  } catch {
    return 0;
  }
}

/** Resolves when `cond` holds (checked every 2 ms), or rejects after `ms`. */
async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) =>
    child.exitCode !== null || child.signalCode ? resolve() : child.once('exit', () => resolve()),
  );
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function startHost(wsDir: string, env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [HOST, '--workspace', wsDir, '--port', '0'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  await until(() => /#token=\S+/.test(out) || child.exitCode !== null, 30_000, 'the host URL');
  const m = /(http:\/\/127\.0\.0\.1:\d+)\/#token=(\S+)/.exec(out);
  if (!m) throw new Error(`host did not start: ${out}`);
  const [, origin, token] = m;
  const ws = new WebSocket(`${origin.replace('http', 'ws')}/ws?token=${token}`, { origin });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  /** Contract events (jobProgress, jobFinished...) as they arrive. */
  const events: { event: string; payload: Record<string, unknown> }[] = [];
  ws.on('message', (d) => {
    const msg = JSON.parse(String(d));
    if (typeof msg.event === 'string') events.push(msg);
  });
  let id = 0;
  const call = (name: string, args: unknown = {}) =>
    new Promise<{ ok: boolean; result?: unknown; error?: string }>((resolve) => {
      const myId = ++id;
      const onMsg = (d: WebSocket.RawData) => {
        const msg = JSON.parse(String(d));
        if (msg.id !== myId) return;
        ws.off('message', onMsg);
        resolve(msg);
      };
      ws.on('message', onMsg);
      ws.send(JSON.stringify({ id: myId, token, call: name, args }));
    });
  // The workspace opens just after the URL is printed.
  const t0 = Date.now();
  while (!(await call('workspaceCurrent')).result) {
    if (Date.now() - t0 > 30_000) throw new Error('workspace never opened');
    await sleep(20);
  }
  return { child, ws, call, events };
}

/** Waits for a jobProgress event of `jobId` with done > 0: the job is under way in its worker. */
async function underWay(h: Host, jobId: string, ms = 90_000): Promise<Record<string, unknown>> {
  await until(
    () =>
      h.events.some(
        (e) => e.event === 'jobProgress' && e.payload.jobId === jobId && Number(e.payload.done) > 0,
      ),
    ms,
    `progress of ${jobId}`,
  );
  return h.events.filter((e) => e.payload.jobId === jobId).at(-1)!.payload;
}

type Host = Awaited<ReturnType<typeof startHost>>;

/** The pids of a process's children (the host's worker). */
function childrenOf(pid: number): number[] {
  try {
    return execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .map((x) => Number(x.trim()))
      .filter((x) => x > 0);
  } catch {
    return []; // ps exits 1 when there are none
  }
}

/** SIGKILL the host; its worker must then stop by itself (it used to run on, unseen). */
async function killHost(h: Host): Promise<number[]> {
  const workers = childrenOf(h.child.pid!);
  h.child.kill('SIGKILL');
  await exited(h.child);
  h.ws.terminate();
  await until(() => workers.every((p) => !alive(p)), 10_000, 'the orphaned worker to stop');
  return workers;
}

async function stopHost(h: Host): Promise<void> {
  h.ws.terminate();
  h.child.kill('SIGTERM');
  await exited(h.child);
}

/** The workspace after a crash: it opens, its parts read, ids are unique, stamps hold the right pixels. */
async function checkWorkspace(dir: string): Promise<Workspace> {
  const ws = await Workspace.open(dir);
  const ids = ws.list().map((e) => e.id);
  expect(new Set(ids).size).toBe(ids.length);
  for (const id of [ids[0], ids[Math.floor(ids.length / 2)], ids[ids.length - 1]].filter(Boolean)) {
    const t = await ws.readTriplet(id);
    const i = Number(id.slice(1));
    expect([t.search.data[0], t.template!.data[SIZE * SIZE - 1], t.difference.data[7]]).toEqual([
      i,
      i + 0.25,
      i + 0.5,
    ]);
  }
  return ws;
}

describe.skipIf(!BUILT)('kill -9', () => {
  let tmp: string;
  let night: string;
  const log: string[] = [];
  beforeAll(() => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'skysift-kill9-'));
    night = path.join(tmp, 'night');
    writeNight(night);
  }, 120_000);
  afterAll(() => {
    for (const line of log) console.log(`[kill -9] ${line}`);
    rmSync(tmp, { recursive: true, force: true });
  });

  it('the CLI killed mid-ingest (3 times, at different points): the workspace opens intact and a re-run completes without duplicates', async () => {
    const wsDir = path.join(tmp, 'ws-cli');
    const env = { ...process.env, SKYSIFT_HOME: path.join(tmp, 'home') };
    // Kill points: as soon as the first part lands, after a delay, as soon as the second part lands.
    const killAt: { what: string; cond: (t0: number, before: number) => boolean }[] = [
      { what: 'first part committed', cond: () => parts(wsDir) >= 1 },
      { what: '150 ms after start', cond: (t0) => Date.now() - t0 > 150 },
      { what: 'one more part committed', cond: (_t0, before) => parts(wsDir) >= before + 1 },
    ];
    for (const k of killAt) {
      const before = parts(wsDir);
      const child = spawn(process.execPath, [CLI, 'ingest', night, '--workspace', wsDir], {
        env,
        stdio: 'ignore',
      });
      const t0 = Date.now();
      await until(() => k.cond(t0, before) || child.exitCode !== null, 60_000, k.what);
      // A run that ended before its kill point proves nothing about a kill: that is a failure.
      expect(child.exitCode, `the CLI finished before "${k.what}"`).toBeNull();
      child.kill('SIGKILL');
      await exited(child);
      const ws = await checkWorkspace(wsDir);
      log.push(
        `CLI ingest killed at "${k.what}": ` +
          `workspace opens, ${parts(wsDir)} parts (${before} before), ${ws.size} candidates, ids unique, stamps intact`,
      );
    }
    const out = execFileSync(process.execPath, [CLI, 'ingest', night, '--workspace', wsDir, '--json'], {
      env,
      encoding: 'utf8',
    });
    const report = JSON.parse(out.slice(out.indexOf('{')));
    const ws = await checkWorkspace(wsDir);
    expect(ws.size).toBe(N);
    expect(report.duplicates).toBe(0);
    expect(report.rejected).toEqual([]);
    log.push(`CLI re-run: added the remaining ${report.added}; ${ws.size} = ${N} candidates, 0 duplicates`);
  }, 180_000);

  it('the host killed while its worker ingests: the worker stops, the restarted host reports the job interrupted and resumes it', async () => {
    const wsDir = path.join(tmp, 'ws-host');
    const env = { ...process.env, SKYSIFT_HOME: path.join(tmp, 'home2') };
    const first = await startHost(wsDir, env);
    const started = await first.call('ingestStart', { folder: night });
    expect(started.ok).toBe(true);
    const jobId = (started.result as { jobId: string }).jobId;
    await until(() => parts(wsDir) >= 1, 60_000, 'the first committed part');
    const workers = await killHost(first);
    const partsAtKill = parts(wsDir);
    const record = JSON.parse(readFileSync(path.join(wsDir, 'jobs', `${jobId}.json`), 'utf8'));
    expect(record.state).toBe('running');
    await checkWorkspace(wsDir);

    const second = await startHost(wsDir, env);
    try {
      const jobs = (await second.call('jobsList')).result as {
        id: string;
        state: string;
        error: string | null;
      }[];
      const job = jobs.find((j) => j.id === jobId);
      expect(job?.state).toBe('interrupted');
      expect(job?.error).toMatch(/stopped while this job was running/);
      const resumed = await second.call('ingestStart', { folder: night, resumeJobId: jobId });
      expect(resumed.ok).toBe(true);
      const t0 = Date.now();
      let state = 'running';
      while (state === 'running') {
        if (Date.now() - t0 > 120_000) throw new Error('resumed ingest never finished');
        await sleep(100);
        const list = (await second.call('jobsList')).result as {
          id: string;
          state: string;
          report: { added: number; duplicates: number } | null;
        }[];
        const j = list.find((x) => x.id === jobId);
        state = j?.state ?? 'missing';
        if (state === 'done') {
          expect(j!.report!.duplicates).toBe(0);
          log.push(
            `host killed mid-ingest with ${partsAtKill} parts committed; worker pid(s) ${workers.join(', ')} stopped by themselves; ` +
              `restart: job ${jobId} reported 'interrupted'; resumed: +${j!.report!.added}, 0 duplicates`,
          );
        }
      }
      expect(state).toBe('done');
    } finally {
      await stopHost(second);
    }
    const ws = await checkWorkspace(wsDir);
    expect(ws.size).toBe(N);
  }, 240_000);

  it.skipIf(!HAVE_SHARED)(
    'the host killed while its worker re-scores the adopted model: the adopted model and its scores survive, the job reads interrupted',
    async () => {
      const wsDir = path.join(tmp, 'ws-score');
      const env = { ...process.env, SKYSIFT_HOME: path.join(tmp, 'home3') };
      const cli = (...args: string[]) =>
        execFileSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8', stdio: 'pipe' });
      const small = path.join(tmp, 'small');
      writeNight(small, 300);
      cli('ingest', small, '--workspace', wsDir);
      cli('import-model', path.join(SHARED_MODELS, 'braai-d6_m7'));
      cli('score', '--workspace', wsDir, '--model', 'braai-d6_m7', '--adopt');
      expect(JSON.parse(readFileSync(path.join(wsDir, 'workspace.json'), 'utf8')).activeModel).toBe(
        'braai-d6_m7',
      );
      // 5700 more: the ingest ends with them scored by the version the night shows (appended candidates too).
      const appended = JSON.parse(
        cli('ingest', night, '--workspace', wsDir, '--json').replace(/^[^{]*/, ''),
      ) as { scoredBy: string; scored: number; candidates: number };
      expect(appended).toMatchObject({ scoredBy: 'braai-d6_m7', scored: N, candidates: N });
      const settings = readFileSync(path.join(wsDir, 'workspace.json'), 'utf8');
      const scoresFile = path.join(wsDir, 'scores', 'braai-d6_m7.json');
      const scores = readFileSync(scoresFile, 'utf8');

      const first = await startHost(wsDir, env);
      const started = await first.call('scoreStart', { version: 'braai-d6_m7', adopt: true });
      expect(started.ok).toBe(true);
      const jobId = (started.result as { jobId: string }).jobId;
      const progress = await underWay(first, jobId);
      const workers = await killHost(first);
      // Nothing adopted was touched: the settings and the adopted scores are byte for byte as before.
      expect(readFileSync(path.join(wsDir, 'workspace.json'), 'utf8')).toBe(settings);
      expect(readFileSync(scoresFile, 'utf8')).toBe(scores);

      const second = await startHost(wsDir, env);
      try {
        const jobs = (await second.call('jobsList')).result as { id: string; state: string }[];
        expect(jobs.find((j) => j.id === jobId)?.state).toBe('interrupted');
        const current = (await second.call('workspaceCurrent')).result as {
          activeModel: string;
          candidates: number;
        };
        expect(current.activeModel).toBe('braai-d6_m7');
        const models = (await second.call('modelsList')).result as { version: string; shownHere: boolean }[];
        expect(models.filter((m) => m.shownHere).map((m) => m.version)).toEqual(['braai-d6_m7']);
        const list = (await second.call('candidatesList')).result as { rows: { score: number | null }[] };
        const scored = list.rows.filter((r) => r.score !== null).length;
        expect(scored).toBe(N);
        log.push(
          `host killed while re-scoring ${current.candidates} candidates (at ${String(progress.done)}/${String(progress.total)}); ` +
            `worker pid(s) ${workers.join(', ')} stopped; restart: job 'interrupted', braai-d6_m7 still shown, its ${N} scores intact, workspace.json unchanged`,
        );
      } finally {
        await stopHost(second);
      }
    },
    240_000,
  );

  it('the host killed while its worker trains: no half-written model version is listed, nothing adopted changes, the job reads interrupted', async () => {
    const wsDir = path.join(tmp, 'ws-train');
    const env = { ...process.env, SKYSIFT_HOME: path.join(tmp, 'home4') };
    execFileSync(
      process.execPath,
      [CLI, 'demo', '--out', path.join(tmp, 'demo'), '--n', '400', '--workspace', wsDir],
      {
        env,
        stdio: 'pipe',
      },
    );
    // Score it first (an open scores a night): the settings then stay put while training runs.
    execFileSync(process.execPath, [CLI, 'score', '--workspace', wsDir, '--model', 'default'], {
      env,
      stdio: 'pipe',
    });
    const settings = readFileSync(path.join(wsDir, 'workspace.json'), 'utf8');
    const library = path.join(tmp, 'home4', 'models');
    const modelsBefore = readdirSync(library).sort();

    const first = await startHost(wsDir, env);
    const started = await first.call('trainStart', {
      architecture: 'compact',
      fromScratch: true,
      maxEpochs: 200,
    });
    expect(started.ok, started.error).toBe(true);
    const jobId = (started.result as { jobId: string }).jobId;
    const progress = await underWay(first, jobId, 120_000);
    const workers = await killHost(first);
    expect(readFileSync(path.join(wsDir, 'workspace.json'), 'utf8')).toBe(settings);

    const second = await startHost(wsDir, env);
    try {
      const jobs = (await second.call('jobsList')).result as { id: string; state: string }[];
      expect(jobs.find((j) => j.id === jobId)?.state).toBe('interrupted');
      const models = (await second.call('modelsList')).result as { version: string }[];
      // Every listed version is complete (meta and weights); none is a save cut short.
      for (const m of models) {
        const dir = path.join(library, m.version);
        expect(existsSync(path.join(dir, 'meta.json'))).toBe(true);
      }
      const leftovers = readdirSync(library).filter((n) => !modelsBefore.includes(n));
      log.push(
        `host killed while training (progress ${String(progress.done)}/${String(progress.total)}: ${String(progress.message)}); ` +
          `worker pid(s) ${workers.join(', ')} stopped; restart: job 'interrupted', ${models.length} complete version(s) listed, ` +
          `workspace.json unchanged; new entries in models/: ${leftovers.join(', ') || 'none'}`,
      );
    } finally {
      await stopHost(second);
    }
  }, 240_000);

  it('the host killed 20 ms after a label is given, 50 times: every acknowledged label is in the journal, and the CLI exports them', async () => {
    const wsDir = path.join(tmp, 'ws-labels');
    const home = path.join(tmp, 'home5');
    const env = { ...process.env, SKYSIFT_HOME: home };
    const acknowledged = new Map<string, string>();
    let sent = 0;
    let killedBeforeAck = 0;
    for (let round = 0; round < 50; round++) {
      const h = await startHost(wsDir, env);
      // A burst, as at two candidates a second with an outbox catching up: the kill lands among them.
      const labels = Array.from({ length: 4 }, (_, i) => ({
        candidateId: `r${round}-${i}`,
        workspace: wsDir,
        label: (round + i) % 3 === 0 ? 'bogus' : 'real',
        subclass: null,
        modelVersion: null,
        score: null,
        secondsSpent: 0.5,
        labelledAt: new Date().toISOString(),
        by: 'astronomer',
      }));
      const calls = labels.map((l) =>
        h.call('labelsPut', { labels: [l] }).then((r) => {
          if (r.ok) acknowledged.set(l.candidateId, l.label);
        }),
      );
      sent += labels.length;
      await sleep(20);
      const before = acknowledged.size;
      h.child.kill('SIGKILL');
      await exited(h.child);
      h.ws.terminate();
      await Promise.race([Promise.all(calls), sleep(50)]);
      if (acknowledged.size < before + labels.length) killedBeforeAck++;
    }
    const journal = new LabelJournal(wsDir).read();
    for (const [id, label] of acknowledged) expect(journal.labels.get(id)?.label, id).toBe(label);
    expect(acknowledged.size).toBeGreaterThan(0);
    // The kill must land while labels are in flight in some rounds, or the test proves nothing.
    expect(killedBeforeAck).toBeGreaterThan(0);

    const out = path.join(tmp, 'labels-out.csv');
    execFileSync(process.execPath, [CLI, 'labels', 'export', '--workspace', wsDir, '--out', out], {
      env,
      stdio: 'pipe',
    });
    const exported = readFileSync(out, 'utf8');
    for (const id of acknowledged.keys()) expect(exported).toContain(id);
    log.push(
      `labels: ${sent} given over 50 host kills 20 ms after sending; ${acknowledged.size} acknowledged, all in the journal ` +
        `(${journal.labels.size} there, ${journal.damaged.length} torn line(s) ignored); ${killedBeforeAck} rounds killed with labels unacknowledged; ` +
        `skysift labels export read all ${acknowledged.size}`,
    );
  }, 300_000);
});
