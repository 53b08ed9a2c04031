import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/main/worker/model/backends';
import { ARCHITECTURES, getArchitecture, modelCost } from '../../../src/main/worker/model/architectures';

/**
 * FLOPs and parameters of a stack of [3x3 conv s1, 3x3 conv s2, BN, ReLU] blocks ('same' padding)
 * and a head, counted from the design with the convention modelCost documents: 2 FLOPs per MAC, one
 * per bias add and per activation, two per batch-norm element.
 */
interface Counter {
  macs: number;
  other: number;
  params: number;
  conv(h: number, w: number, ci: number, co: number, stride: number, bias: boolean, relu: boolean): void;
  dense(nIn: number, nOut: number, act: boolean): void;
}
function designCost(
  [h0, w0, c0]: [number, number, number],
  filters: readonly number[],
  o: { conv1Relu: boolean; conv2Bias: boolean; head: (c: Counter, shape: [number, number, number]) => void },
): { flops: number; macs: number; params: number } {
  let shape: [number, number, number] = [h0, w0, c0];
  const c: Counter = {
    macs: 0,
    other: 0,
    params: 0,
    conv(h, w, ci, co, stride, bias, relu) {
      const [ho, wo] = [Math.ceil(h / stride), Math.ceil(w / stride)];
      c.macs += ho * wo * co * 9 * ci;
      c.other += (bias ? ho * wo * co : 0) + (relu ? ho * wo * co : 0);
      c.params += 9 * ci * co + (bias ? co : 0);
      shape = [ho, wo, co];
    },
    dense(nIn, nOut, act) {
      c.macs += nIn * nOut;
      c.other += nOut + (act ? nOut : 0);
      c.params += nIn * nOut + nOut;
    },
  };
  for (const f of filters) {
    const [h, w, ch] = shape;
    c.conv(h, w, ch, f, 1, true, o.conv1Relu);
    c.conv(shape[0], shape[1], f, f, 2, o.conv2Bias, false);
    const n = shape[0] * shape[1] * f;
    c.other += 2 * n + n; // batch norm, ReLU
    c.params += 4 * f; // gamma, beta, moving mean and variance
  }
  o.head(c, shape);
  return { flops: 2 * c.macs + c.other, macs: c.macs, params: c.params };
}

/** MACs from each conv/dense layer's kernel shape and output size, read off the built model. */
function macsFromWeights(model: tfl.LayersModel): number {
  let macs = 0;
  for (const layer of model.layers) {
    const kernel = layer.weights.find((v) => /\/kernel(_\d+)?$/.test(v.name));
    if (!kernel) continue;
    const out = (layer.outputShape as number[]).slice(1);
    const k = kernel.shape as number[];
    // conv kernel [kh, kw, ci, co]: each output element takes kh*kw*ci MACs; dense [in, out]: in.
    macs += out.reduce((a, b) => a * b, 1) * k.slice(0, -1).reduce((a, b) => a * b, 1);
  }
  return macs;
}

describe('architectures and modelCost', () => {
  beforeAll(async () => {
    await selectBackend('cpu'); // building models only: no kernel runs
  });

  it('space2vec: 51x51x3 -> 4 blocks 25/63/119/210 -> 4x4x210 -> dense 128 -> 1, FLOPs and params as the design gives them', () => {
    const model = ARCHITECTURES.space2vec.build();
    const cost = modelCost(model);
    expect(model.inputs[0].shape).toEqual([null, 51, 51, 3]);
    expect(model.outputs[0].shape).toEqual([null, 1]);
    expect(cost.layers.find((l) => l.name === 'block4_conv2')?.outputShape).toEqual([4, 4, 210]);
    // Counted from the published design, not from the built model.
    const ref = designCost([51, 51, 3], [25, 63, 119, 210], {
      conv1Relu: false,
      conv2Bias: true,
      head: (c, [h, w, ch]) => {
        c.conv(h, w, ch, 210, 1, true, true); // final 3x3 conv, ReLU
        c.dense(h * w * 210, 128, true);
        c.dense(128, 1, true); // sigmoid
      },
    });
    expect(cost.flopsPerStamp).toBe(ref.flops);
    expect(cost.macsPerStamp).toBe(ref.macs);
    expect(cost.params).toBe(ref.params);
    expect(cost.params).toBe(model.countParams());
    expect(cost.trainableParams).toBe(ref.params - 2 * (25 + 63 + 119 + 210)); // BN moving stats
    // And from the built model's own weight shapes: every conv and dense MAC accounted for.
    expect(cost.macsPerStamp).toBe(macsFromWeights(model));
    // The header's "~127 MFLOP per stamp".
    expect(Math.abs(cost.flopsPerStamp / 1e6 - 127)).toBeLessThan(1);
    model.dispose();
  });

  it('compact: 3 blocks 16/32/64 and global pooling, about a fifth of the FLOPs and 4% of the parameters of space2vec', () => {
    const model = getArchitecture('compact').build();
    const cost = modelCost(model);
    const ref = designCost([51, 51, 3], [16, 32, 64], {
      conv1Relu: true,
      conv2Bias: false,
      head: (c, [h, w, ch]) => {
        c.other += h * w * ch; // global average pooling
        c.dense(ch, 1, true); // sigmoid
      },
    });
    expect(cost.flopsPerStamp).toBe(ref.flops);
    expect(cost.macsPerStamp).toBe(ref.macs);
    expect(cost.params).toBe(ref.params);
    expect(cost.macsPerStamp).toBe(macsFromWeights(model));
    // The header's "~24 MFLOP and ~70k parameters".
    expect(Math.abs(cost.flopsPerStamp / 1e6 - 24)).toBeLessThan(1);
    expect(Math.abs(cost.params - 70_000)).toBeLessThan(3_000);
    const s2v = modelCost(ARCHITECTURES.space2vec.build());
    expect(cost.flopsPerStamp / s2v.flopsPerStamp).toBeCloseTo(0.2, 1);
    expect(cost.params / s2v.params).toBeCloseTo(0.04, 2);
    model.dispose();
  });

  // A from-scratch retrain names its seed in the version's record: the same seed must give the same
  // starting weights, every layer (compact's score layer once took tfjs's unseeded default).
  it.each(Object.keys(ARCHITECTURES))('%s: one seed, one set of starting weights', (id) => {
    const arch = getArchitecture(id);
    const weights = (seed: number) => {
      const m = arch.build(seed);
      const out = m.getWeights().map((w) => Array.from(w.dataSync()));
      m.dispose();
      return out;
    };
    const [a, b, c] = [weights(3), weights(3), weights(4)];
    expect(a).toEqual(b);
    const trained = arch.build(3).layers.filter((l) => l.trainableWeights.length > 0);
    expect(trained.length).toBeGreaterThan(0);
    // Every kernel differs under another seed (a layer left unseeded would differ under the same one).
    a.forEach((w, i) => {
      if (w.some((v) => v !== 0 && v !== 1)) expect(w, `weight ${i}`).not.toEqual(c[i]);
    });
  });

  it('counts dense and pooling layers', () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.maxPooling2d({ inputShape: [8, 8, 2], poolSize: 2 }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 3 }),
      ],
    });
    const cost = modelCost(model);
    expect(cost.layers[2].macs).toBe(32 * 3);
    expect(cost.layers[2].flops).toBe(2 * 32 * 3 + 3);
    expect(cost.layers[0].flops).toBe(32 * 4);
    expect(cost.params).toBe(32 * 3 + 3);
    model.dispose();
  });

  it('every spec declares its input contract', () => {
    for (const { spec } of Object.values(ARCHITECTURES)) {
      expect(spec.channels).toEqual(['search', 'template', 'difference']);
      expect(spec.preprocessing).toBe('standard');
      expect(spec.maskedPixels.length).toBeGreaterThan(10);
      expect(spec.training?.optimizer).toBe('adam');
    }
    expect(ARCHITECTURES.space2vec.spec.training).toMatchObject({
      learningRate: 1.4e-4,
      batchSize: 368,
      earlyStoppingPatience: 5,
    });
    expect(() => getArchitecture('nope')).toThrow(/Unknown architecture/);
    expect(tf.getBackend()).toBe('cpu');
  });
});
