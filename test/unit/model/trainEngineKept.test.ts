/**
 * The end of a training run on either engine: after useKept() the engine scores with the kept
 * weights (train.ts scores the test split there, before finish()), and those scores are the ones
 * the layers model gives once finish() has handed it the weights, i.e. the stored model's.
 */
import type { LayersModel } from '@tensorflow/tfjs-layers';
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

/** An engine at the tests' settings; `frozen`: a fine-tune's (batch norms on their statistics). */
type Trainer = 'onnxruntime' | 'tfjs';

function engineFor(model: LayersModel, trainer: Trainer, frozen?: string[]) {
  return startEngine({
    model,
    spec: COMPACT_SPEC,
    backend: 'wasm',
    learningRate: 0.01,
    seed: 1,
    batchSize: N,
    preference: trainer,
    trainingMode: !frozen,
    ...(frozen ? { frozen } : {}),
  });
}

/** One test per training engine; ONNX Runtime's is skipped, saying why, where it cannot load. */
function eachTrainer(body: (trainer: Trainer) => Promise<void>) {
  for (const trainer of ['onnxruntime', 'tfjs'] as const)
    it.skipIf(trainer === 'onnxruntime' && !ORT)(
      trainer === 'onnxruntime' && ORT_MISSING ? `${trainer} ${ORT_MISSING}` : trainer,
      () => body(trainer),
      60_000,
    );
}

/** A batch of N random rows with alternating labels, weight 1 each. */
function batch(seed: number) {
  const r = rng(seed);
  return {
    x: Float32Array.from({ length: N * H * W * C }, () => 2 * r() - 1),
    y: Array.from({ length: N }, (_, i) => i % 2),
    w: new Array<number>(N).fill(1),
  };
}

describe('useKept: the engine scores with the kept weights, as the stored model will', () => {
  eachTrainer(async (trainer) => {
    await selectBackend('wasm');
    const model = buildCompact(3);
    const { x, y, w } = batch(11);
    const engine = await engineFor(model, trainer);
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
  });
});

describe('blendWithAnchor: the weights moved back toward the anchor by the given share', () => {
  eachTrainer(async (trainer) => {
    await selectBackend('wasm');
    const model = buildCompact(5);
    const before = model.getWeights().map((t) => t.dataSync().slice());
    const { x, y, w } = batch(12);
    // A fine-tune's settings: batch norms on their statistics, the first block frozen.
    const frozen = model.layers.filter((l) => l.name.startsWith('block1_')).map((l) => l.name);
    const engine = await engineFor(model, trainer, frozen);
    engine.anchor();
    for (let i = 0; i < 3; i++) await engine.step(x, y, w, N);
    engine.keep();
    const stepped = await engine.predict(x, N);
    engine.blendWithAnchor(0.25);
    const blendScores = await engine.predict(x, N);
    expect(maxDiff(blendScores, stepped)).toBeGreaterThan(1e-4);
    engine.keep();
    engine.useKept();
    await engine.finish();
    // Stored: every weight a quarter of the way from the anchor to where the steps took it.
    const after = model.getWeights().map((t) => t.dataSync());
    expect(maxDiff(await predictRows(model, x, N, [H, W, C]), blendScores)).toBeLessThan(1e-5);
    // The steps' weights, from a second run of the same steps on a fresh model.
    const again = buildCompact(5);
    const e2 = await engineFor(again, trainer, frozen);
    for (let i = 0; i < 3; i++) await e2.step(x, y, w, N);
    await e2.finish();
    const full = again.getWeights().map((t) => t.dataSync());
    let moved = 0;
    before.forEach((a, k) => {
      for (let i = 0; i < a.length; i++) {
        expect(after[k][i]).toBeCloseTo(a[i] + 0.25 * (full[k][i] - a[i]), 5);
        if (Math.abs(full[k][i] - a[i]) > 1e-6) moved++;
      }
    });
    expect(moved).toBeGreaterThan(1000);
    // Frozen layers and batch-norm statistics stayed the anchor's.
    const names = model.weights.map((v) => v.originalName);
    names.forEach((n, k) => {
      if (n.startsWith('block1_') || /moving_(mean|variance)/.test(n))
        expect(maxDiff(after[k], before[k])).toBe(0);
    });
    model.dispose();
    again.dispose();
  });
});
