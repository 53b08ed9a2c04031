/**
 * Guarded fine-tuning on ONNX Runtime: the training graph in inference mode (batch norms on their
 * moving statistics, no dropout) with frozen blocks, against tfjs on the cpu backend doing what
 * train.ts's tfjs branch does (model.apply(x, { training: false }) on the trainable weights only):
 * the loss and every gradient of one step, then Adam over three steps with the frozen weights and
 * the moving statistics left as they were.
 */
import * as tfc from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCompact, COMPACT_SPEC } from '../../../src/main/worker/model/architectures';
import {
  buildTrainGraph,
  channelsFirst,
  gradName,
  LABELS_INPUT,
  LOSS_OUTPUT,
  SAMPLE_WEIGHTS_INPUT,
  TRAIN_INPUT,
} from '../../../src/main/worker/model/onnx/trainGraph';
import { OrtTrainer } from '../../../src/main/worker/model/training/ortTrainer';
// The tfjs trainer's own loss: the reference the graph's loss and gradients must match.
import { weightedBce } from '../../../src/main/worker/model/training/trainEngine';
import { ORT, ORT_MISSING, randomiseBatchNorms, rng } from './helpers';

const N = 4;
const [H, W] = COMPACT_SPEC.inputSize;
const C = COMPACT_SPEC.channels.length;

function batch(seed: number) {
  const r = rng(seed);
  return {
    x: Float32Array.from({ length: N * H * W * C }, () => (r() - 0.5) * 4),
    y: Float32Array.from({ length: N }, (_, i) => i % 2),
    w: Float32Array.from({ length: N }, (_, i) => (i % 2 ? 1.7 : 0.6)),
  };
}

/** The compact model with randomised batch norms and the layers named by `prefixes` frozen. */
function frozenCompact(prefixes: string[]): tfl.LayersModel {
  const model = buildCompact(3);
  randomiseBatchNorms(model, 5);
  for (const l of model.layers) if (prefixes.some((p) => l.name.startsWith(p))) l.trainable = false;
  return model;
}

const keyOf = (layer: tfl.layers.Layer, v: tfl.LayerVariable) =>
  `${layer.name}.${(v.originalName ?? v.name).split('/').pop()!.replace(/_\d+$/, '')}`;

function relErr(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let d = 0;
  let n = 0;
  for (let i = 0; i < want.length; i++) {
    d += (got[i] - want[i]) ** 2;
    n += want[i] ** 2;
  }
  return Math.sqrt(d) / Math.max(Math.sqrt(n), 1e-3 * Math.sqrt(want.length));
}

beforeAll(async () => {
  await tfc.setBackend('cpu');
});

describe.skipIf(!ORT)(`guarded fine-tuning on the ONNX training graph ${ORT_MISSING}`, () => {
  it('inference mode with block1 frozen: the loss and the gradients of exactly the trainable weights', async () => {
    const model = frozenCompact(['block1_']);
    const b = batch(3);
    const graph = buildTrainGraph(model, COMPACT_SPEC, 'grads', { inferenceMode: true });
    expect(graph.dropouts, 'no dropout in inference mode').toEqual([]);
    const session = await ORT!.InferenceSession.create(graph.bytes, { executionProviders: ['cpu'] });
    const t = (data: Float32Array, dims: number[]) => new ORT!.Tensor('float32', data, dims);
    const feeds: Record<string, ReturnType<typeof t>> = {
      [TRAIN_INPUT]: t(channelsFirst(b.x, N, [H, W, C]), [C, H, W, N]),
      [LABELS_INPUT]: t(b.y, [N, 1]),
      [SAMPLE_WEIGHTS_INPUT]: t(b.w, [N, 1]),
    };
    const byLayer = new Map(model.layers.map((l) => [l.name, l.getWeights()]));
    for (const p of graph.params)
      feeds[p.name] = t(Float32Array.from(byLayer.get(p.layer)![p.index].dataSync()), p.shape);
    const out = await session.run(feeds);
    await session.release?.();

    // tfjs: what train.ts's tfjs branch minimises when a policy applies.
    const x = tfc.tensor4d(b.x, [N, H, W, C]);
    const [y, sw] = [tfc.tensor1d(b.y), tfc.tensor1d(b.w)];
    const vars = model.trainableWeights.map((v) => v.read() as tfc.Variable);
    const { value, grads } = tfc.variableGrads(
      () => weightedBce(model.apply(x, { training: false }) as tfc.Tensor, y, sw),
      vars,
    );
    expect(out[LOSS_OUTPUT].data[0]).toBeCloseTo(value.dataSync()[0], 5);
    const want = new Map<string, Float32Array>();
    for (const layer of model.layers)
      for (const v of layer.trainableWeights) {
        const gr = grads[(v.read() as tfc.Variable).name];
        want.set(keyOf(layer, v), Float32Array.from(gr.dataSync()));
      }
    const got = Object.keys(out)
      .filter((k) => k.endsWith(':grad'))
      .sort();
    expect(got).toEqual([...want.keys()].map(gradName).sort());
    expect(
      got.some((k) => k.startsWith('block1_')),
      'frozen block1 gets no gradient',
    ).toBe(false);
    expect(
      got.some((k) => k.startsWith('block2_')),
      'block2 still learns',
    ).toBe(true);
    for (const [k, g] of want) expect(relErr(out[gradName(k)].data as Float32Array, g), k).toBeLessThan(1e-4);
    expect(Object.keys(out).some((k) => k.includes('moving') && k.endsWith(':new'))).toBe(false);
    // The backward pass stops at block2: a graph that also frees block1 is larger.
    const free = buildTrainGraph(frozenCompact([]), COMPACT_SPEC, 'grads', { inferenceMode: true });
    expect(graph.bytes.length).toBeLessThan(free.bytes.length);
    tfc.dispose([x, y, sw, value, ...Object.values(grads)]);
  });

  it('Adam over three steps matches tfjs, leaving frozen weights and moving statistics untouched', async () => {
    const prefixes = ['block1_', 'block2_'];
    const model = frozenCompact(prefixes);
    const reference = frozenCompact(prefixes);
    reference.setWeights(model.getWeights());
    const before = new Map(
      model.layers.map((l) => [l.name, l.getWeights().map((w) => w.dataSync().slice())]),
    );
    const trainer = await OrtTrainer.create(model, COMPACT_SPEC, {
      learningRate: 1e-3,
      threads: 1,
      inferenceMode: true,
    });
    const opt = tfc.train.adam(1e-3);
    const vars = reference.trainableWeights.map((v) => v.read() as tfc.Variable);
    for (let s = 0; s < 3; s++) {
      const b = batch(20 + s);
      const lossOrt = await trainer.step(b.x, b.y, b.w, N);
      const x = tfc.tensor4d(b.x, [N, H, W, C]);
      const [y, sw] = [tfc.tensor1d(b.y), tfc.tensor1d(b.w)];
      const loss = opt.minimize(
        () => weightedBce(reference.apply(x, { training: false }) as tfc.Tensor, y, sw),
        true,
        vars,
      )!;
      expect(lossOrt, `step ${s + 1} loss`).toBeCloseTo(loss.dataSync()[0], 4);
      tfc.dispose([x, y, sw, loss]);
    }
    trainer.writeTo(model);
    await trainer.release();
    for (const layer of model.layers) {
      const now = layer.getWeights();
      const ref = reference.getLayer(layer.name).getWeights();
      now.forEach((w, i) => {
        const key = keyOf(layer, layer.weights[i]);
        const frozen = prefixes.some((p) => layer.name.startsWith(p)) || key.includes('.moving_');
        if (frozen)
          expect(Array.from(w.dataSync()), `${key} unchanged`).toEqual(
            Array.from(before.get(layer.name)![i]),
          );
        else {
          expect(relErr(w.dataSync(), before.get(layer.name)![i]), `${key} moved`).toBeGreaterThan(0);
          if (key.endsWith('.bias')) {
            // Adam moves every weight by about lr whatever the size of its gradient, so a bias
            // component whose gradient is near float noise amplifies the last bits in which the
            // two engines differ: over repeated runs here this vector's relative error ranged from
            // 7e-6 to 9e-3. Checked within 2 lr per step; its gradient is checked to 1e-4 above.
            const a = w.dataSync();
            const b = ref[i].dataSync();
            let worst = 0;
            for (let k = 0; k < a.length; k++) worst = Math.max(worst, Math.abs(a[k] - b[k]));
            expect(worst, `${key} as tfjs`).toBeLessThan(2 * 1e-3 * 3);
          } else {
            // 1e-3 as trainGraph.test.ts's Adam check.
            expect(relErr(w.dataSync(), ref[i].dataSync()), `${key} as tfjs`).toBeLessThan(1e-3);
          }
        }
      });
    }
    opt.dispose();
  });
});
