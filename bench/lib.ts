/**
 * Shared by the bench suites: sizes from the environment, timing, the shared demo night, and the
 * rows each suite writes to test-output/bench-<suite>.json for scripts/bench.mjs's one table.
 * Every rate comes with a reference measured in the same run on the same machine (a ceiling such
 * as a plain file read or a matrix multiply on the same backend), because the machines we build
 * on are shared and noisy: the ratio is the figure to compare across runs, not the raw rate.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Workspace } from '../src/main/catalog/workspace';
import { generateNight, type NightSummary } from '../src/main/worker/demo/generator';
import { runIngest } from '../src/main/worker/ingest/ingest';

export const ROOT = path.resolve(__dirname, '..');
export const OUT_DIR = path.join(ROOT, 'test-output');

export function envInt(name: string, fallback: number): number {
  const v = process.env[name];
  const n = v === undefined ? NaN : Number(v);
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : fallback;
}

/** Candidates in the bench night (BENCH_N; the quick default runs in a few minutes on 2 cores). */
export const BENCH_N = envInt('BENCH_N', 2000);
/**
 * Candidates in the larger night that scoring's steady state is measured on (BENCH_BIG_N): at the
 * bench night's 2,000, starting the decoder threads is a fifth of a first scoring.
 */
export const BENCH_BIG_N = envInt('BENCH_BIG_N', 20000);
export const BENCH_SEED = envInt('BENCH_SEED', 1);

export interface BenchRow {
  suite: string;
  figure: string;
  rate: number;
  unit: string;
  /** The ceiling or reference measured in the same run; null when there is none. */
  reference: number | null;
  refUnit: string;
  refLabel: string;
  /** rate / reference in comparable units (e.g. achieved GFLOP/s over matmul GFLOP/s). */
  ratio: number | null;
  note?: string;
}

export class Rows {
  readonly rows: BenchRow[] = [];
  constructor(readonly suite: string) {}

  add(row: Omit<BenchRow, 'suite'>): BenchRow {
    const r = { suite: this.suite, ...row };
    this.rows.push(r);
    const ratio = r.ratio === null ? '' : ` ratio ${r.ratio.toFixed(3)}`;
    console.log(
      `[bench ${this.suite}] ${r.figure}: ${fmtNum(r.rate)} ${r.unit}` +
        (r.reference === null ? '' : ` vs ${r.refLabel} ${fmtNum(r.reference)} ${r.refUnit}`) +
        `${ratio}${r.note ? ` (${r.note})` : ''}`,
    );
    return r;
  }

  skip(figure: string, reason: string): void {
    this.add({
      figure,
      rate: NaN,
      unit: 'skipped',
      reference: null,
      refUnit: '',
      refLabel: '',
      ratio: null,
      note: reason,
    });
  }

  write(extra: Record<string, unknown> = {}): void {
    mkdirSync(OUT_DIR, { recursive: true });
    writeFileSync(
      path.join(OUT_DIR, `bench-${this.suite}.json`),
      JSON.stringify(
        { suite: this.suite, when: new Date().toISOString(), machine: machine(), rows: this.rows, ...extra },
        null,
        2,
      ),
    );
  }
}

export function machine() {
  return {
    cpus: os.cpus().length,
    model: os.cpus()[0]?.model ?? '?',
    node: process.version,
    load: os.loadavg(),
  };
}

export function fmtNum(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 10 ? v.toFixed(1) : a >= 1 ? v.toFixed(2) : v.toPrecision(3);
}

export const now = () => performance.now() / 1000;

/**
 * Best of `repeats` timings of `fn` (seconds per call) after `warmup` calls: the least-disturbed
 * run on a shared machine, which is what a ceiling should be.
 */
export async function bestTime(fn: () => unknown, repeats = 3, warmup = 1): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  let best = Infinity;
  for (let i = 0; i < repeats; i++) {
    const t0 = now();
    await fn();
    best = Math.min(best, now() - t0);
  }
  return best;
}

/** The bench night, generated once per (N, seed) under the temp folder and reused by every suite. */
export async function benchNight(n = BENCH_N, seed = BENCH_SEED): Promise<NightSummary> {
  const dir = path.join(os.tmpdir(), `skysift-bench-night-${n}-${seed}`);
  const marker = path.join(dir, 'summary.json');
  if (existsSync(marker)) return JSON.parse(await readFile(marker, 'utf8')) as NightSummary;
  const t0 = now();
  const summary = await generateNight({ out: path.join(dir, 'stamps'), n, seed });
  writeFileSync(marker, JSON.stringify(summary));
  console.log(`[bench] generated a ${n}-candidate night in ${(now() - t0).toFixed(1)} s: ${dir}`);
  return summary;
}

/** A workspace with the bench night ingested, kept beside the night (ingested once). */
export async function benchWorkspace(n = BENCH_N, seed = BENCH_SEED): Promise<Workspace> {
  const night = await benchNight(n, seed);
  const dir = path.join(path.dirname(night.out), 'ws');
  const ws = await Workspace.open(dir, { create: true, simulated: true });
  if (ws.size < n) await runIngest(ws, night.out);
  return ws;
}

/**
 * A workspace of `n` candidates made fast: the bench night's candidates reused with jitter (a
 * rotation or flip and a gain within 1%, scripts/nightJitter.mjs, as the 1,000,000-candidate night
 * makes its nights), ingested once and kept beside it; the jittered FITS files are removed once
 * ingested.
 */
export async function jitteredWorkspace(n = BENCH_BIG_N, seed = BENCH_SEED): Promise<Workspace> {
  const base = await benchNight();
  const dir = path.join(os.tmpdir(), `skysift-bench-jittered-${n}-${seed}-of-${BENCH_N}`);
  const ws = await Workspace.open(path.join(dir, 'ws'), { create: true, simulated: true });
  if (ws.size >= n) return ws;
  const stamps = path.join(dir, 'stamps');
  const jitter = (await import(pathToFileURL(path.join(ROOT, 'scripts', 'nightJitter.mjs')).href)) as {
    readPool: (dirs: string[]) => unknown[];
    jitterNight: (o: {
      pool: unknown[];
      out: string;
      to: number;
      seed: number;
      threads: number;
    }) => Promise<void>;
  };
  const t0 = now();
  await jitter.jitterNight({
    pool: jitter.readPool([base.out]),
    out: stamps,
    to: n,
    seed,
    threads: os.availableParallelism?.() ?? os.cpus().length,
  });
  await runIngest(ws, stamps);
  rmSync(stamps, { recursive: true, force: true });
  console.log(
    `[bench] made a ${n}-candidate night of the bench night's, jittered, in ${(now() - t0).toFixed(1)} s: ${dir}`,
  );
  return ws;
}

/** Every stamp file of a night (search, template, difference of each candidate). */
export async function nightFiles(night: NightSummary): Promise<string[]> {
  const { readdir } = await import('node:fs/promises');
  const files: string[] = [];
  for (const d of night.stampDirs) {
    for (const f of await readdir(d))
      if (f.endsWith('.fits') || f.endsWith('.fits.gz')) files.push(path.join(d, f));
  }
  return files;
}

/** Reads `files` with `concurrency` reads in flight; returns the bytes read. */
export async function plainRead(files: string[], concurrency = 16): Promise<number> {
  let next = 0;
  let bytes = 0;
  const worker = async () => {
    while (next < files.length) {
      const f = files[next++];
      // Read first, then add: `bytes += await ...` would add to the value read before the await
      // and lose the other readers' bytes.
      const n = (await readFile(f)).length;
      bytes += n;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return bytes;
}
