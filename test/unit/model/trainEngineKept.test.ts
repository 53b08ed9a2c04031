/**
 * The end of a training run on either engine: after useKept() the engine scores with the kept
 * weights (train.ts scores the test split there, before finish()), and those scores are the ones
 * the layers model gives once finish() has handed it the weights, i.e. the stored model's.
 */
import { describe, expect, it } from 'vitest';
import { buildCompact, COMPACT_SPEC } from '../../../src/main/worker/model/architectures';
import { selectBackend } from '../../../src/main/worker/model/backends';
import { predictRows, startEngine } from '../../../src/main/worker/model/training/trainEngine';
import { ORT, ORT_MISSING, rng } from '../onnx/helpers';

const N = 16;
const [H, W] = COMPACT_SPEC.inputSize;
const C = COMPACT_SPEC.channels.length;

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('useKept: the engine scores with the kept weights, as the stored model will', () => {
  for (const trainer of ['onnxruntime', 'tfjs'] as const) {
    it.skipIf(trainer === 'onnxruntime' && !ORT)(
      trainer === 'onnxruntime' && ORT_MISSING ? `${trainer} ${ORT_MISSING}` : trainer,
      async () => {
        await selectBackend('wasm');
        const model = buildCompact(3);
        const r = rng(11);
        const x = Float32Array.from({ length: N * H * W * C }, () => 2 * r() - 1);
        const y = Array.from({ length: N }, (_, i) => i % 2);
        const w = new Array<number>(N).fill(1);
        const engine = await startEngine({
          model,
          spec: COMPACT_SPEC,
          backend: 'wasm',
          learningRate: 0.01,
          seed: 1,
          batchSize: N,
          preference: trainer,
          trainingMode: true,
        });
        expect(engine.description).toMatch(trainer === 'tfjs' ? /^tfjs/ : /^ONNX Runtime/);
        await engine.step(x, y, w, N);
        engine.keep();
        const atKeep = await engine.predict(x, N);
        for (let i = 0; i < 3; i++) await engine.step(x, y, w, N);
        // The later steps moved the scores: otherwise this test could not tell kept from current.
        expect(maxDiff(await engine.predict(x, N), atKeep)).toBeGreaterThan(1e-3);
        engine.useKept();
        const kept = await engine.predict(x, N);
        expect(maxDiff(kept, atKeep)).toBeLessThan(1e-6);
        await engine.finish();
        const stored = await predictRows(model, x, N, [H, W, C]);
        expect(maxDiff(stored, kept)).toBeLessThan(1e-5);
        model.dispose();
      },
      60_000,
    );
  }
});
