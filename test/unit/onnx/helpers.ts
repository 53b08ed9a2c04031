import { seededRandom } from '../../../src/main/worker/model/training/split';
import type * as tfl from '@tensorflow/tfjs-layers';
import * as tfc from '@tensorflow/tfjs-core';
import { loadOrt, type OrtModule } from '../../../src/main/worker/model/onnx/ortRuntime';

/** onnxruntime-node is optional: tests that need it skip, saying why. */
export let ORT: OrtModule | null = null;
export let ORT_MISSING = '';
try {
  ORT = await loadOrt();
} catch (err) {
  ORT_MISSING = (err as Error).message;
  console.warn(`[skysift tests] ONNX Runtime tests skipped: ${ORT_MISSING}`);
}

/** Small seeded PRNG: the one the training split uses. */
export const rng = seededRandom;

/**
 * Gives every batch norm non-trivial moving statistics and affine parameters (fresh layers have
 * mean 0, variance 1, gamma 1, beta 0, which would hide a wrong fold).
 */
export function randomiseBatchNorms(model: tfl.LayersModel, seed: number): void {
  const r = rng(seed);
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const next = layer.weights.map((v) => {
      const n = (v.shape as number[]).reduce((a, b) => a * b, 1);
      const data = new Float32Array(n);
      const kind = v.name.split('/').pop()!;
      for (let i = 0; i < n; i++) {
        const u = r();
        data[i] = kind.startsWith('gamma')
          ? 0.5 + u
          : kind.startsWith('beta')
            ? 0.4 * (u - 0.5)
            : kind.startsWith('moving_mean')
              ? 2 * (u - 0.5)
              : 0.3 + 2 * u; // moving_variance
      }
      return tfc.tensor(data, v.shape as number[]);
    });
    layer.setWeights(next);
    tfc.dispose(next);
  }
}
