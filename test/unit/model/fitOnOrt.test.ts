/**
 * The in-memory loops (fit.ts: pretraining; retrainLoop.ts: the guarded fine-tune) on ONNX Runtime: the tfjs model
 * ends up holding the weights of the epoch it reports as best (its own scores give that epoch's
 * validation AUC), batch-norm statistics included; a guarded fine-tune leaves the frozen layers
 * and every batch norm's moving statistics exactly as they were. Simulated demo-night candidates,
 * so no survey data is needed.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { auc } from '../../../src/shared/metrics';
import { getArchitecture } from '../../../src/main/worker/model/architectures';
import { selectBackend } from '../../../src/main/worker/model/backends';
import { simulatedDraw } from '../../../src/main/worker/model/injection/pretrain';
import { preprocessBatch, stampInputLength } from '../../../src/main/worker/model/preprocess';
import { fitModel, predictRows, type Batch } from '../../../src/main/worker/model/training/fit';
import { fineTunePolicy } from '../../../src/main/worker/model/training/fineTune';
import { retrainLoop, rowsInMemory } from '../../../src/main/worker/model/training/retrainLoop';
import { ORT, ORT_MISSING } from '../onnx/helpers';

const arch = getArchitecture('compact');
const spec = arch.spec;
const shape: [number, number, number] = [spec.inputSize[0], spec.inputSize[1], spec.channels.length];
// tfjs and ORT round differently: a few near-tied pairs may swap (one pair is 1/6400 of AUC here);
// weights from another epoch differ by hundredths.
const AUC_TOL = 2e-3;

function rows(seed: number, n: number) {
  const draw = simulatedDraw(seed);
  const d = Array.from({ length: n }, () => draw());
  return {
    x: preprocessBatch(
      spec,
      d.map((e) => e.triplet),
    ),
    y: d.map((e) => e.label as number),
  };
}

function weightsByName(model: tfl.LayersModel): Map<string, Float32Array> {
  return new Map(
    model.layers.flatMap((l) =>
      l.weights.map((v, i) => [`${l.name}#${i}:${v.name}`, v.read().dataSync() as Float32Array]),
    ),
  );
}

describe.skipIf(!ORT)(`fitModel on ONNX Runtime ${ORT_MISSING}`, () => {
  let train: ReturnType<typeof rows>;
  let val: ReturnType<typeof rows>;
  beforeAll(async () => {
    await selectBackend('wasm');
    train = rows(31, 192);
    val = rows(32, 160);
  });

  it('pretraining: the model holds the best epoch (its tfjs scores give that epoch its AUC), moving statistics included', async () => {
    const model = arch.build(2);
    const before = weightsByName(model);
    const row = stampInputLength(spec);
    const x = new Float32Array(32 * row);
    let next = 0;
    const nextBatch = (): Batch => {
      const y: number[] = [];
      for (let i = 0; i < 32; i++, next = (next + 1) % train.y.length) {
        x.set(train.x.subarray(next * row, (next + 1) * row), i * row);
        y.push(train.y[next]);
      }
      return { x, n: 32, y, w: y.map(() => 1) };
    };
    const lines: string[] = [];
    const fit = await fitModel({
      model,
      spec,
      shape,
      backend: 'wasm',
      batchSize: 32,
      nextBatch,
      stepsPerEpoch: 6,
      maxEpochs: 3,
      learningRate: 1e-3,
      patience: 3,
      validation: val,
      trainingMode: true,
      seed: 5,
      log: (l) => lines.push(l),
    });
    expect(fit.trainer).toMatch(/^ONNX Runtime CPU/);
    expect(lines[0]).toMatch(/^training on ONNX Runtime CPU/);
    expect(fit.curves).toHaveLength(3);
    const best = fit.curves.find((c) => c.epoch === fit.bestEpoch)!;
    const scores = await predictRows(model, val.x, val.y.length, shape);
    expect(Math.abs(auc(scores, val.y) - best.valAuc!)).toBeLessThan(AUC_TOL);
    // Batch statistics moved the moving means (trainingMode true), and the model got them back.
    const after = weightsByName(model);
    const moving = [...after.keys()].filter((k) => k.includes('moving_mean'));
    expect(moving.length).toBeGreaterThan(0);
    expect(moving.some((k) => after.get(k)!.some((v, i) => v !== before.get(k)![i]))).toBe(true);
    // Layers trainable again afterwards.
    expect(model.layers.every((l) => l.trainable)).toBe(true);
    model.dispose();
  }, 120_000);

  it('cancelled mid-epoch: the model holds the last epoch it judged, not the steps after it', async () => {
    const model = arch.build(4);
    const row = stampInputLength(spec);
    const x = new Float32Array(32 * row);
    const ac = new AbortController();
    let drawn = 0;
    const nextBatch = (): Batch => {
      // Three steps into epoch 2 (6 steps per epoch): the trainer's weights have moved past epoch 1.
      if (++drawn === 9) ac.abort();
      const y: number[] = [];
      for (let i = 0; i < 32; i++) {
        const j = (drawn * 32 + i) % train.y.length;
        x.set(train.x.subarray(j * row, (j + 1) * row), i * row);
        y.push(train.y[j]);
      }
      return { x, n: 32, y, w: y.map(() => 1) };
    };
    const fit = await fitModel({
      model,
      spec,
      shape,
      backend: 'wasm',
      nextBatch,
      stepsPerEpoch: 6,
      maxEpochs: 3,
      learningRate: 3e-3,
      patience: 3,
      validation: val,
      trainingMode: true,
      seed: 6,
      signal: ac.signal,
    });
    expect(fit.cancelled).toBe(true);
    expect(fit.curves).toHaveLength(1);
    expect(fit.bestEpoch).toBe(1);
    const scores = await predictRows(model, val.x, val.y.length, shape);
    expect(Math.abs(auc(scores, val.y) - fit.curves[0].valAuc!)).toBeLessThan(AUC_TOL);
    model.dispose();
  }, 120_000);

  it('guarded fine-tune: frozen layers and moving statistics untouched; the kept weights are the ones it judged', async () => {
    const model = arch.build(3);
    const before = weightsByName(model);
    const row = stampInputLength(spec);
    const ids = [...train.y, ...val.y].map((_, i) => `c${i}`);
    const x = new Float32Array(ids.length * row);
    x.set(train.x);
    x.set(val.x, train.x.length);
    const labelled = (y: number[], from: number) =>
      y.map((label, i) => ({ id: ids[from + i], label: label as 0 | 1 }));
    const policy = { ...fineTunePolicy(train.y.length), maxEpochs: 3, patience: 3, learningRate: 1e-3 };
    const loop = await retrainLoop({
      model,
      spec,
      rows: rowsInMemory(ids, x, row),
      split: { train: labelled(train.y, 0), validation: labelled(val.y, train.y.length) },
      policy: { ...policy, frozenPrefixes: ['block1_'] },
      parent: null,
      backgrounds: async () => [],
      backend: 'wasm',
      seed: 2,
      learningRate: policy.learningRate,
      batchSize: policy.batchSize,
      maxEpochs: policy.maxEpochs,
      patience: policy.patience,
      onProgress: () => {},
    });
    await loop.engine.finish();
    expect(loop.engine.description).toMatch(/^ONNX Runtime CPU/);
    expect(loop.guarded).toBe(true);
    const after = weightsByName(model);
    const scores = await predictRows(model, val.x, val.y.length, shape);
    expect(Math.abs(auc(scores, val.y) - loop.best.valAuc!)).toBeLessThan(AUC_TOL);
    expect(loop.best.valAuc!).toBeGreaterThanOrEqual(loop.parentVal!.valAuc!);
    const same = (k: string) => after.get(k)!.every((v, i) => v === before.get(k)![i]);
    for (const k of after.keys())
      if (k.startsWith('block1_') || k.includes('moving_')) expect(same(k), k).toBe(true);
    if (loop.keptParent) for (const k of after.keys()) expect(same(k), k).toBe(true);
    else expect([...after.keys()].some((k) => !same(k))).toBe(true);
    // An epoch that beat the parent is blended halfway back toward it, kept if it beats it too.
    if (loop.keptParent) expect(loop.blended).toBeNull();
    else {
      expect(loop.blended?.alpha).toBe(0.5);
      expect(loop.guard).toMatch(
        loop.blended!.kept ? /; kept 0\.5 of the way from the parent/ : /; kept as it is/,
      );
      if (loop.blended!.kept) expect(loop.best.valAuc).toBe(loop.blended!.valAuc);
    }
    console.log(`guarded fine-tune on ORT: ${loop.guard}`);
    model.dispose();
  }, 120_000);
});
