/**
 * Scoring end to end and its memory: the bench night scored with each engine, against the same
 * engine on ready-made batches (inference only, the ceiling). Three ways for ONNX Runtime: the
 * pipeline with the bundle's decoder threads (needs `npx electron-vite build`; vitest runs the TS
 * sources), the same pipeline preprocessing on the scoring thread, and a night scored again from
 * the workspace's rows cache. Peak RSS is sampled every 20 ms against the size of the night as
 * model input (N x 51 x 51 x 3 float32): scoring streams batches, so the growth must stay far below.
 */
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import * as tfc from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { COMPACT_SPEC, buildCompact } from '../src/main/worker/model/architectures';
import { selectBackend } from '../src/main/worker/model/backends';
import { modelLibrary } from '../src/main/worker/model/engineJobs';
import { chooseInferenceEngine } from '../src/main/worker/model/onnx/inferenceEngine';
import { stampInputLength } from '../src/main/worker/model/preprocess';
import { rowsCacheDir } from '../src/main/worker/model/scoreCache';
import { scoreWorkspace, type ScoreOptions } from '../src/main/worker/model/scoring';
import { nightScale } from '../src/main/worker/model/seeing';
import { DECODER_FILE, defaultDecoderThreads } from '../src/main/worker/ingest/decodePool';
import { BENCH_BIG_N, BENCH_N, ROOT, Rows, bestTime, benchWorkspace, jitteredWorkspace, now } from './lib';
import type { Workspace } from '../src/main/catalog/workspace';

const DECODER = path.join(ROOT, 'out', 'main', DECODER_FILE);

const rows = new Rows('memory');
afterAll(() => rows.write());

/** The ONNX Runtime or tfjs engine for an untrained compact model, and its inference-only rate. */
async function engineFor(engine: 'onnxruntime' | 'tfjs', version: string) {
  await selectBackend('wasm');
  const model = buildCompact(1);
  const { mkdirSync } = await import('node:fs');
  mkdirSync(modelLibrary().versionDir(version), { recursive: true });
  const chosen = await chooseInferenceEngine(modelLibrary(), version, model, COMPACT_SPEC, { engine });
  // Ceiling for the end-to-end rate: the same engine on ready-made batches (inference only).
  const batch = 256;
  const x = Float32Array.from({ length: batch * stampInputLength(COMPACT_SPEC) }, () => Math.random());
  const tfjsPredict = async (b: Float32Array, n: number) => {
    const t = tfc.tensor4d(b.subarray(0, n * stampInputLength(COMPACT_SPEC)), [n, 51, 51, 3]);
    const y = model.predict(t) as tfc.Tensor;
    const v = await y.data();
    tfc.dispose([t, y]);
    return v;
  };
  const predict = chosen.predict ?? tfjsPredict;
  const inferRate = async () =>
    (4 * batch) /
    (await bestTime(async () => {
      for (let i = 0; i < 4; i++) await predict(x, batch);
    }));
  // The engine's first runs allocate its buffers: warmed here, not charged to the first mode measured.
  await inferRate();
  const release = async () => {
    await chosen.release();
    model.dispose();
  };
  return { model, chosen, inferRate, release };
}

/** Scores the night once per mode; a rate row (against inference only, measured right after) and an RSS row each. */
async function measureModes(
  ws: Workspace,
  e: Awaited<ReturnType<typeof engineFor>>,
  modes: [string, ScoreOptions][],
  what: (mode: string) => string,
): Promise<void> {
  // The night's part files may have left the page cache: read once, not charged to the first mode.
  const stampsDir = path.join(ws.dir, 'stamps');
  for (const f of readdirSync(stampsDir)) readFileSync(path.join(stampsDir, f));
  for (const [mode, opts] of modes) {
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const t0 = now();
    const { scores, stats } = await scoreWorkspace(ws, e.model, COMPACT_SPEC, {
      predict: e.chosen.predict,
      ...opts,
    });
    const secs = now() - t0;
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage().rss);
    expect(scores.size).toBe(ws.size);
    if (mode.startsWith('re-scored')) expect(stats.cachedRows).toBe(ws.size);
    if (mode === 'rows cache written') expect(stats.computedRows).toBe(ws.size);
    // Measured right after each mode: the machine is shared, the ratio is what compares.
    const ceiling = await e.inferRate();
    rows.add({
      figure: `scoring end to end (read + preprocess + infer), ${what(mode)}`,
      rate: ws.size / secs,
      unit: 'stamps/s',
      reference: ceiling,
      refUnit: 'stamps/s',
      refLabel: 'same engine, inference only',
      ratio: ws.size / secs / ceiling,
    });
    const nightBytes = ws.size * stampInputLength(COMPACT_SPEC) * 4;
    rows.add({
      figure: `scoring RSS growth, ${what(mode)}`,
      rate: (peak - before) / 1e6,
      unit: 'MB',
      reference: nightBytes / 1e6,
      refUnit: 'MB',
      refLabel: 'the night as float32 input',
      ratio: (peak - before) / nightBytes,
      note: `peak RSS ${(peak / 1e6).toFixed(0)} MB`,
    });
    if (mode === 'rows cache written') {
      // Rows are stored by the box that holds their pixels: a resampled night's zero border is not.
      const dir = rowsCacheDir(ws.dir, COMPACT_SPEC, await nightScale(ws, COMPACT_SPEC));
      const bytes = readdirSync(dir).reduce((sum, f) => sum + statSync(path.join(dir, f)).size, 0);
      rows.add({
        figure: 'rows cache on disk, compact',
        rate: bytes / 1e6,
        unit: 'MB',
        reference: nightBytes / 1e6,
        refUnit: 'MB',
        refLabel: 'the night as float32 input',
        ratio: bytes / nightBytes,
        note: `${ws.size} rows`,
      });
    }
  }
}

describe('memory while scoring', () => {
  for (const engine of ['onnxruntime', 'tfjs'] as const) {
    it(`scoring ${BENCH_N} candidates end to end, and peak RSS (${engine})`, async () => {
      const ws = await benchWorkspace();
      const e = await engineFor(engine, `bench-memory-${engine}`);
      // The bench night is shared by the suites: its rows cache is this suite's, made and removed here.
      const cacheDir = rowsCacheDir(ws.dir, COMPACT_SPEC, await nightScale(ws, COMPACT_SPEC));
      rmSync(cacheDir, { recursive: true, force: true });
      const threads = defaultDecoderThreads();
      const threaded = existsSync(DECODER);
      const modes: [string, ScoreOptions][] =
        engine === 'tfjs'
          ? [['', { cache: false, decoder: threaded ? DECODER : null }]]
          : [
              ...(threaded
                ? ([[`decoder threads x${threads}`, { cache: false, decoder: DECODER, threads }]] as [
                    string,
                    ScoreOptions,
                  ][])
                : []),
              [
                threaded ? 'in-process preprocessing' : 'in-process: no out/main build',
                { cache: false, decoder: null },
              ],
              ['rows cache written', { decoder: threaded ? DECODER : null }],
              ['re-scored from the rows cache', { decoder: threaded ? DECODER : null }],
            ];
      await measureModes(ws, e, modes, (mode) => `compact, ${e.chosen.name}${mode ? `, ${mode}` : ''}`);
      rmSync(cacheDir, { recursive: true, force: true });
      await e.release();
    });
  }

  it(`the first scoring of a ${BENCH_BIG_N}-candidate night (the bench night's, jittered), ONNX Runtime`, async () => {
    // Where starting the decoder threads and the engine's first batches weigh less than on the bench
    // night: the pipeline's steady state, as on a survey's night of tens of thousands.
    const ws = await jitteredWorkspace();
    const e = await engineFor('onnxruntime', 'bench-memory-big');
    const threads = defaultDecoderThreads();
    const modes: [string, ScoreOptions][] = [
      ...(existsSync(DECODER)
        ? ([[`decoder threads x${threads}`, { cache: false, decoder: DECODER, threads }]] as [
            string,
            ScoreOptions,
          ][])
        : []),
      ['in-process preprocessing', { cache: false, decoder: null }],
    ];
    await measureModes(
      ws,
      e,
      modes,
      (mode) => `compact, ${e.chosen.name}, ${BENCH_BIG_N} candidates, ${mode}`,
    );
    await e.release();
  });
});
