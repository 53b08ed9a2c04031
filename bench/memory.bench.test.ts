/**
 * Memory: peak RSS of the process while it scores the bench night (every engine in turn), sampled
 * every 20 ms, against the size of the night as model input (N x 51 x 51 x 3 float32): scoring
 * streams batches, so the growth must stay far below that.
 */
import * as tfc from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { COMPACT_SPEC, buildCompact } from '../src/main/worker/model/architectures';
import { selectBackend } from '../src/main/worker/model/backends';
import { modelLibrary } from '../src/main/worker/model/engineJobs';
import { chooseInferenceEngine } from '../src/main/worker/model/onnx/inferenceEngine';
import { stampInputLength } from '../src/main/worker/model/preprocess';
import { scoreWorkspace } from '../src/main/worker/model/scoring';
import { BENCH_N, Rows, bestTime, benchWorkspace, now } from './lib';

const rows = new Rows('memory');
afterAll(() => rows.write());

describe('memory while scoring', () => {
  for (const engine of ['onnxruntime', 'tfjs'] as const) {
    it(`peak RSS scoring ${BENCH_N} candidates (${engine})`, async () => {
      const ws = await benchWorkspace();
      await selectBackend('wasm');
      const model = buildCompact(1);
      const version = `bench-memory-${engine}`;
      const dir = modelLibrary().versionDir(version);
      const { mkdirSync } = await import('node:fs');
      mkdirSync(dir, { recursive: true });
      const chosen = await chooseInferenceEngine(modelLibrary(), version, model, COMPACT_SPEC, { engine });
      global.gc?.();
      const before = process.memoryUsage().rss;
      let peak = before;
      const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
      const t0 = now();
      const { scores } = await scoreWorkspace(ws, model, COMPACT_SPEC, { predict: chosen.predict });
      const secs = now() - t0;
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage().rss);
      expect(scores.size).toBe(ws.size);
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
      const inferSecs = await bestTime(async () => {
        for (let i = 0; i < 4; i++) await predict(x, batch);
      });
      const inferRate = (4 * batch) / inferSecs;
      rows.add({
        figure: `scoring end to end (read + preprocess + infer), compact, ${chosen.name}`,
        rate: ws.size / secs,
        unit: 'stamps/s',
        reference: inferRate,
        refUnit: 'stamps/s',
        refLabel: 'same engine, inference only',
        ratio: ws.size / secs / inferRate,
      });
      const nightBytes = ws.size * stampInputLength(COMPACT_SPEC) * 4;
      rows.add({
        figure: `scoring RSS growth, compact, ${chosen.name}`,
        rate: (peak - before) / 1e6,
        unit: 'MB',
        reference: nightBytes / 1e6,
        refUnit: 'MB',
        refLabel: 'the night as float32 input',
        ratio: (peak - before) / nightBytes,
        note: `peak RSS ${(peak / 1e6).toFixed(0)} MB`,
      });
      await chosen.release();
      model.dispose();
    });
  }
});
