import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/main/worker/model/backends';
import { ARCHITECTURES, getArchitecture, modelCost } from '../../../src/main/worker/model/architectures';

describe('architectures and modelCost', () => {
  beforeAll(async () => {
    await selectBackend('cpu'); // building models only: no kernel runs
  });

  it('space2vec: 51x51x3 -> 4 blocks 25/63/119/210 -> ~126 MFLOP, ~1.70M params', () => {
    const model = ARCHITECTURES.space2vec.build();
    const cost = modelCost(model);
    expect(model.inputs[0].shape).toEqual([null, 51, 51, 3]);
    expect(model.outputs[0].shape).toEqual([null, 1]);
    expect(cost.params).toBe(model.countParams());
    expect(cost.params).toBe(1_702_877);
    expect(cost.trainableParams).toBe(1_702_877 - 2 * (25 + 63 + 119 + 210)); // BN moving stats
    // Hand count of the first conv: 51*51 outputs x 25 filters x 3*3*3 MACs.
    expect(cost.layers[0].macs).toBe(51 * 51 * 25 * 27);
    expect(cost.layers.find((l) => l.name === 'block4_conv2')?.outputShape).toEqual([4, 4, 210]);
    expect(cost.flopsPerStamp / 1e6).toBeCloseTo(126.25, 1);
    model.dispose();
  });

  it('compact: a fifth of the FLOPs and 4% of the parameters of space2vec', () => {
    const model = getArchitecture('compact').build();
    const cost = modelCost(model);
    expect(cost.params).toBe(72_481);
    expect(cost.flopsPerStamp / 1e6).toBeCloseTo(24.76, 1);
    expect(cost.flopsPerStamp).toBeGreaterThan(10e6);
    expect(cost.flopsPerStamp).toBeLessThan(30e6);
    model.dispose();
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
