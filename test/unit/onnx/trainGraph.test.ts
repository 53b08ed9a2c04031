/**
 * The ONNX training step against tfjs on the pure-JS cpu backend: loss, every gradient and the
 * batch-norm moving statistics of one step, for a small chain that exercises every layer kind
 * (odd sizes, 'valid' padding with an unread remainder, stride 2 'same', dropout, flatten and
 * global pooling), for 5x5, rectangular and stride-3 convolutions, and for compact and space2vec at their real shapes; then Adam over three steps.
 */
import * as tfc from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildCompact,
  buildSpace2vec,
  COMPACT_SPEC,
  SPACE2VEC_SPEC,
} from '../../../src/main/worker/model/architectures';
import type { ModelSpec } from '../../../src/main/worker/model/architectures/spec';
import type { OrtModule } from '../../../src/main/worker/model/onnx/ortRuntime';
import {
  buildTrainGraph,
  channelsFirst,
  gradName,
  LABELS_INPUT,
  LOSS_OUTPUT,
  newName,
  SAMPLE_WEIGHTS_INPUT,
  TRAIN_INPUT,
} from '../../../src/main/worker/model/onnx/trainGraph';
import { OrtTrainer } from '../../../src/main/worker/model/training/ortTrainer';
// The tfjs trainer's own loss: the reference the graph's loss and gradients must match.
import { weightedBce } from '../../../src/main/worker/model/training/trainEngine';
import { ORT, ORT_MISSING, randomiseBatchNorms, rng } from './helpers';

function randomArray(n: number, seed: number, scale = 1): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => (r() - 0.5) * 2 * scale);
}

/** A small chain with every layer kind the graph supports, at odd sizes. */
function miniModel(biasBeforeBn = true): tfl.Sequential {
  const m = tfl.sequential({ name: 'mini' });
  m.add(
    tfl.layers.conv2d({
      inputShape: [13, 13, 3],
      filters: 4,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      name: 'c1',
    }),
  );
  m.add(
    tfl.layers.conv2d({ filters: 5, kernelSize: 3, strides: 2, padding: 'same', useBias: false, name: 'c2' }),
  );
  m.add(tfl.layers.batchNormalization({ name: 'bn1' }));
  m.add(tfl.layers.reLU({ name: 'r1' }));
  m.add(
    tfl.layers.conv2d({
      filters: 6,
      kernelSize: 2,
      strides: 2,
      padding: 'valid',
      name: 'c3',
      useBias: biasBeforeBn,
    }),
  ); // 7 -> 3, one row unread
  m.add(tfl.layers.batchNormalization({ name: 'bn2' }));
  m.add(tfl.layers.activation({ activation: 'relu', name: 'a1' }));
  m.add(tfl.layers.flatten({ name: 'flat' }));
  m.add(tfl.layers.dense({ units: 7, activation: 'relu', name: 'd1' }));
  m.add(tfl.layers.dropout({ rate: 0.4, name: 'drop' }));
  m.add(tfl.layers.dense({ units: 1, activation: 'sigmoid', name: 'score' }));
  return m;
}
const MINI_SPEC: ModelSpec = { ...COMPACT_SPEC, id: 'mini', inputSize: [13, 13] };

/**
 * The gathered im2col / col2im tables off the 3x3 path: a 5x5 'same' kernel, a rectangular kernel
 * with rectangular strides, and stride = kernel 'valid' (pixels no window reads, or reads twice).
 */
function tablesModel(): tfl.Sequential {
  const m = tfl.sequential({ name: 'tables' });
  m.add(tfl.layers.conv2d({ inputShape: [13, 13, 3], filters: 3, kernelSize: 1, name: 'k1' }));
  m.add(
    tfl.layers.conv2d({
      filters: 3,
      kernelSize: 5,
      padding: 'same',
      activation: 'relu',
      name: 'k5',
    }),
  );
  m.add(
    tfl.layers.conv2d({
      filters: 4,
      kernelSize: [3, 2],
      strides: [2, 1],
      padding: 'same',
      activation: 'relu',
      name: 'rect',
    }),
  ); // 13x13 -> 7x13
  m.add(
    tfl.layers.conv2d({
      filters: 5,
      kernelSize: 3,
      strides: 3,
      padding: 'valid',
      useBias: false,
      name: 's3',
    }),
  ); // -> 2x4
  m.add(tfl.layers.batchNormalization({ name: 'bn' }));
  m.add(tfl.layers.flatten({ name: 'flat' }));
  m.add(tfl.layers.dense({ units: 1, activation: 'sigmoid', name: 'score' }));
  return m;
}

interface Batch {
  x: Float32Array;
  y: Float32Array;
  w: Float32Array;
  masks: Map<string, Float32Array>;
  n: number;
}

function makeBatch(model: tfl.LayersModel, n: number, seed: number): Batch {
  const [, h, w, c] = model.inputs[0].shape as number[];
  const r = rng(seed + 99);
  const masks = new Map<string, Float32Array>();
  const graph = buildTrainGraph(model, MINI_SPEC, 'grads');
  for (const d of graph.dropouts) {
    masks.set(
      d.name,
      Float32Array.from({ length: n * d.features }, () => (r() < d.rate ? 0 : 1 / (1 - d.rate))),
    );
  }
  return {
    x: randomArray(n * h * w * c, seed, 2),
    y: Float32Array.from({ length: n }, (_, i) => i % 2),
    w: Float32Array.from({ length: n }, (_, i) => (i % 2 ? 1.7 : 0.6)),
    masks,
    n,
  };
}

/** tfjs's loss, gradients and updated moving statistics for the batch (dropout with the same masks). */
function tfjsStep(model: tfl.LayersModel, b: Batch) {
  const [, h, w, c] = model.inputs[0].shape as number[];
  const x = tfc.tensor4d(b.x, [b.n, h, w, c]);
  const y = tfc.tensor1d(b.y);
  const sw = tfc.tensor1d(b.w);
  const vars = model.trainableWeights.map((v) => v.read() as tfc.Variable);
  const { value, grads } = tfc.variableGrads(() => {
    let t: tfc.Tensor = x;
    for (const layer of model.layers) {
      if (layer.getClassName() === 'Dropout') {
        const mask = b.masks.get(`dropout_mask:${layer.name}`)!;
        t = tfc.mul(t, tfc.tensor2d(mask, [b.n, mask.length / b.n]));
      } else t = layer.apply(t, { training: true }) as tfc.Tensor;
    }
    return weightedBce(t, y, sw);
  }, vars);
  const out = {
    loss: value.dataSync()[0],
    grads: new Map<string, Float32Array>(),
    moving: new Map<string, Float32Array>(),
  };
  for (const layer of model.layers) {
    layer.weights.forEach((v) => {
      const short = (v.originalName ?? v.name).split('/').pop()!.replace(/_\d+$/, '');
      const key = `${layer.name}.${short}`;
      const gr = grads[(v.read() as tfc.Variable).name];
      if (gr) out.grads.set(key, Float32Array.from(gr.dataSync()));
      if (short.startsWith('moving_')) out.moving.set(key, Float32Array.from(v.read().dataSync()));
    });
  }
  tfc.dispose([x, y, sw, value, ...Object.values(grads)]);
  return out;
}

async function ortStep(ort: OrtModule, model: tfl.LayersModel, spec: ModelSpec, b: Batch) {
  const graph = buildTrainGraph(model, spec, 'grads');
  const session = await ort.InferenceSession.create(graph.bytes, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
  });
  const [, h, w, c] = model.inputs[0].shape as number[];
  const feeds: Record<string, ReturnType<typeof tensor>> = {};
  function tensor(data: Float32Array, dims: number[]) {
    return new ort.Tensor('float32', data, dims);
  }
  feeds[TRAIN_INPUT] = tensor(channelsFirst(b.x, b.n, [h, w, c]), [c, h, w, b.n]);
  feeds[LABELS_INPUT] = tensor(b.y, [b.n, 1]);
  feeds[SAMPLE_WEIGHTS_INPUT] = tensor(b.w, [b.n, 1]);
  for (const d of graph.dropouts) feeds[d.name] = tensor(b.masks.get(d.name)!, [b.n, d.features]);
  const byLayer = new Map(model.layers.map((l) => [l.name, l.getWeights()]));
  for (const p of graph.params)
    feeds[p.name] = tensor(Float32Array.from(byLayer.get(p.layer)![p.index].dataSync()), p.shape);
  const out = await session.run(feeds);
  await session.release?.();
  return { graph, out };
}

function expectClose(name: string, got: Float32Array, want: Float32Array, rel: number) {
  expect(got.length, name).toBe(want.length);
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < want.length; i++) {
    diff += (got[i] - want[i]) ** 2;
    norm += want[i] ** 2;
  }
  // Relative L2 error: float32 sums run in a different order. The floor: a conv bias right before
  // a batch norm has a true gradient of 0, i.e. float noise on both sides.
  const floor = 1e-3 * Math.sqrt(want.length);
  const err = Math.sqrt(diff) / Math.max(Math.sqrt(norm), floor);
  expect.soft(err, `${name}: relative L2 error ${err} (norm ${Math.sqrt(norm)})`).toBeLessThan(rel);
  if (!name.endsWith('bias')) expect(norm, `${name} is all zeros`).toBeGreaterThan(0);
}

beforeAll(async () => {
  await tfc.setBackend('cpu');
});

// Relative L2 error allowed on each gradient (float32 sums in another order). An earlier graph
// that took the filter gradient as a stride-dilated Conv and the input gradient as ConvTranspose
// was 0.1-0.5% off on compact's first blocks (51 -> 26 -> 13, 32 channels); the im2col + GEMM
// graphs (strided Slices then, one Gather now) agree to 1e-5 everywhere.
const cases: [string, () => tfl.LayersModel, ModelSpec, number, number][] = [
  ['mini chain (every layer kind)', miniModel, MINI_SPEC, 6, 1e-4],
  ['5x5, rectangular and stride-3 convolutions', tablesModel, MINI_SPEC, 5, 1e-4],
  ['compact', () => buildCompact(3), COMPACT_SPEC, 4, 1e-4],
  ['space2vec', () => buildSpace2vec(3), SPACE2VEC_SPEC, 2, 1e-4],
];

describe.skipIf(!ORT)(`ONNX training graph vs tfjs cpu ${ORT_MISSING}`, () => {
  for (const [label, build, spec, n, tolerance] of cases) {
    it(`${label}: loss, every gradient and the moving statistics of one step`, async () => {
      const model = build();
      randomiseBatchNorms(model, 5);
      const b = makeBatch(model, n, 11);
      const { graph, out } = await ortStep(ORT!, model, spec, b);
      const ref = tfjsStep(model, b);
      expect(out[LOSS_OUTPUT].data[0]).toBeCloseTo(ref.loss, 4);
      const trainable = graph.params.filter((p) => p.role === 'train');
      expect(trainable.length).toBe(model.trainableWeights.length);
      for (const p of trainable)
        expectClose(p.name, out[gradName(p.name)].data, ref.grads.get(p.name)!, tolerance);
      const moving = graph.params.filter((p) => p.role === 'moving');
      expect(moving.length).toBeGreaterThan(0);
      for (const p of moving) expectClose(p.name, out[newName(p.name)].data, ref.moving.get(p.name)!, 1e-5);
      model.dispose();
    }, 240_000); // the tfjs cpu reference of space2vec takes a while on a shared machine
  }

  it('Adam in the graph follows tf.train.adam over three steps, and the weights load back', async () => {
    // No bias before a batch norm here: its gradient is float noise that Adam would amplify to +-lr.
    const model = miniModel(false);
    const twin = miniModel(false);
    twin.setWeights(model.getWeights());
    const batches = [1, 2, 3].map((s) => makeBatch(model, 5, s));
    const trainer = await OrtTrainer.create(model, MINI_SPEC, { learningRate: 0.01, threads: 1 });
    const optimizer = tfc.train.adam(0.01);
    for (const b of batches) {
      await trainer.step(b.x, b.y, b.w, b.n, b.masks);
      const vars = twin.trainableWeights.map((v) => v.read() as tfc.Variable);
      optimizer.minimize(
        () => {
          let t: tfc.Tensor = tfc.tensor4d(b.x, [b.n, 13, 13, 3]);
          for (const layer of twin.layers) {
            if (layer.getClassName() === 'Dropout') {
              const mask = b.masks.get(`dropout_mask:${layer.name}`)!;
              t = tfc.mul(t, tfc.tensor2d(mask, [b.n, mask.length / b.n]));
            } else t = layer.apply(t, { training: true }) as tfc.Tensor;
          }
          const p = tfc.clipByValue(tfc.reshape(t, [-1]), 1e-7, 1 - 1e-7);
          const y = tfc.tensor1d(b.y);
          const sw = tfc.tensor1d(b.w);
          const ll = tfc.add(tfc.mul(y, tfc.log(p)), tfc.mul(tfc.sub(1, y), tfc.log(tfc.sub(1, p))));
          return tfc.div(tfc.sum(tfc.mul(tfc.neg(ll), sw)), tfc.sum(sw)) as tfc.Scalar;
        },
        false,
        vars,
      );
    }
    trainer.writeTo(model);
    const got = model.getWeights();
    const want = twin.getWeights();
    got.forEach((t, i) =>
      expectClose(
        `weight ${i}`,
        Float32Array.from(t.dataSync()),
        Float32Array.from(want[i].dataSync()),
        1e-3,
      ),
    );
    // The trainer scores (through the scoring export of its weights) as the layers model does.
    const x = makeBatch(model, 4, 9).x;
    const scores = await trainer.predict(x, 4);
    const ref = (model.predict(tfc.tensor4d(x, [4, 13, 13, 3])) as tfc.Tensor).dataSync();
    expectClose('scores', scores, Float32Array.from(ref), 1e-4);
    await trainer.release();
    optimizer.dispose();
  });
});

describe('channelsFirst', () => {
  it('puts stamp i, row r, column q, channel k at [k, r, q, i], into a larger buffer too', () => {
    const [n, h, w, c] = [3, 2, 4, 2];
    const x = Float32Array.from({ length: n * h * w * c }, (_, j) => j);
    const at = (i: number, r: number, q: number, k: number) => ((i * h + r) * w + q) * c + k;
    const out = channelsFirst(x, n, [h, w, c], new Float32Array(100).fill(-1).subarray(0, n * h * w * c));
    for (let i = 0; i < n; i++)
      for (let r = 0; r < h; r++)
        for (let q = 0; q < w; q++)
          for (let k = 0; k < c; k++) expect(out[((k * h + r) * w + q) * n + i]).toBe(at(i, r, q, k));
    // Only the first n stamps are read: a batch buffer holds more rows than the last batch.
    expect(channelsFirst(x, 2, [h, w, c])).toHaveLength(2 * h * w * c);
  });
});
