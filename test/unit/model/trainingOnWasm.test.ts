/**
 * Both architectures train on the wasm backend (every kernel of their backward pass exists there,
 * including our Conv2DBackpropFilter) and learn a trivially separable toy set.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/main/worker/model/backends';
import { ARCHITECTURES, type ArchitectureId } from '../../../src/main/worker/model/architectures';
import { preprocessBatch } from '../../../src/main/worker/model/preprocess';
import type { StampImage, StampTriplet } from '../../../src/shared/stamp';
import { seededRandom } from '../../../src/main/util/prng';

/** Sky noise everywhere; "reals" get a PSF-like blob in the search and difference images. */
function toyTriplet(real: boolean, seed: number, size = 51): StampTriplet {
  const random = seededRandom(seed);
  const noise = () => (random() - 0.5) * 2;
  const image = (blob: number): StampImage => {
    const data = new Float32Array(size * size);
    const c = (size - 1) / 2;
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) {
        const r2 = (x - c) ** 2 + (y - c) ** 2;
        data[y * size + x] = 100 + noise() + blob * Math.exp(-r2 / 8);
      }
    return { width: size, height: size, data, mask: new Uint8Array(size * size).fill(1) };
  };
  return { search: image(real ? 20 : 0), template: image(0), difference: image(real ? 20 : 0) };
}

describe('training on wasm', () => {
  beforeAll(async () => {
    const choice = await selectBackend('wasm');
    expect(choice.name).toBe('wasm');
  });

  for (const id of ['compact', 'space2vec'] as ArchitectureId[]) {
    it(`${id}: one step runs, ten steps lower the loss, no tensor leaks`, async () => {
      const { spec, build } = ARCHITECTURES[id];
      const [h, w] = spec.inputSize;
      const triplets = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => toyTriplet(i % 2 === 0, 1000 + i));
      const buffer = preprocessBatch(spec, triplets);
      const x = tf.tensor4d(buffer, [triplets.length, h, w, 3]);
      const y = tf.tensor2d(
        triplets.map((_, i) => (i % 2 === 0 ? 1 : 0)),
        [triplets.length, 1],
      );
      const model = build(3);
      // A larger step than the production one: the toy set must be learnt in ten updates.
      model.compile({ optimizer: tf.train.adam(3e-3), loss: 'binaryCrossentropy' });

      // Training-mode losses (batch statistics): after ten steps the batch norms' moving averages
      // (momentum 0.99) are still far from the data, so an inference-mode evaluate() says little.
      const first = (await model.trainOnBatch(x, y)) as number;
      const afterWarmup = tf.memory().numTensors;
      let last = first;
      for (let step = 1; step < 10; step++) last = (await model.trainOnBatch(x, y)) as number;
      expect(tf.memory().numTensors).toBe(afterWarmup);
      const scores = model.predict(x) as tf.Tensor;
      expect((await scores.data()).every((v) => v >= 0 && v <= 1)).toBe(true);
      scores.dispose();
      console.log(`${id} on wasm: toy loss ${first.toFixed(4)} -> ${last.toFixed(4)} after 10 steps`);
      expect(Number.isFinite(last)).toBe(true);
      expect(last).toBeLessThan(first);

      model.dispose();
      tf.dispose([x, y]);
    });
  }
});
