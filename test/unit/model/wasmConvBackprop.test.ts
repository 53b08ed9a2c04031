/**
 * Our wasm Conv2DBackpropFilter / Conv2DBackpropInput (composed from XNNPACK convolutions) must
 * agree with the reference loops of the cpu backend on random inputs of awkward shapes.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { prepareWasmBackend } from '../../../src/main/worker/model/backends';
import { seededRandom } from '../../../src/main/util/prng';

interface Case {
  batch: number;
  size: [number, number];
  inC: number;
  outC: number;
  k: number;
  stride: number;
  pad: 'same' | 'valid';
}

const CASES: Case[] = [
  { batch: 1, size: [51, 51], inC: 3, outC: 25, k: 3, stride: 1, pad: 'same' },
  { batch: 4, size: [51, 51], inC: 3, outC: 8, k: 3, stride: 2, pad: 'same' },
  { batch: 2, size: [26, 26], inC: 25, outC: 6, k: 3, stride: 2, pad: 'same' },
  { batch: 4, size: [26, 26], inC: 25, outC: 5, k: 3, stride: 1, pad: 'valid' },
  { batch: 1, size: [13, 11], inC: 3, outC: 4, k: 3, stride: 2, pad: 'valid' },
  { batch: 3, size: [12, 12], inC: 4, outC: 3, k: 5, stride: 2, pad: 'same' },
  { batch: 2, size: [7, 9], inC: 2, outC: 3, k: 4, stride: 3, pad: 'same' },
  { batch: 1, size: [10, 10], inC: 3, outC: 2, k: 1, stride: 2, pad: 'valid' },
];

function random(n: number, seed: number): Float32Array {
  // Small LCG: reproducible inputs without depending on tf's RNG per backend.
  const out = new Float32Array(n);
  const random = seededRandom(seed);
  for (let i = 0; i < n; i++) out[i] = random() - 0.5;
  return out;
}

async function gradsOn(backend: string, c: Case, seed: number) {
  await tf.setBackend(backend);
  const xShape: [number, number, number, number] = [c.batch, c.size[0], c.size[1], c.inC];
  const wShape: [number, number, number, number] = [c.k, c.k, c.inC, c.outC];
  return tf.tidy(() => {
    const x = tf.tensor4d(
      random(
        xShape.reduce((a, b) => a * b),
        seed,
      ),
      xShape,
    );
    const w = tf.tensor4d(
      random(
        wShape.reduce((a, b) => a * b),
        seed + 1,
      ),
      wShape,
    );
    const y = tf.conv2d(x, w, c.stride, c.pad);
    const dy = tf.tensor4d(random(y.size, seed + 2), y.shape as [number, number, number, number]);
    // The kernels themselves (tf's conv2dBackprop* ops are not exported from tfjs-core).
    const common = { strides: [c.stride, c.stride], pad: c.pad, dataFormat: 'NHWC' };
    const dw = tf
      .engine()
      .runKernel('Conv2DBackpropFilter', { x, dy }, { ...common, filterShape: wShape }) as tf.Tensor;
    const dx = tf
      .engine()
      .runKernel('Conv2DBackpropInput', { dy, filter: w }, { ...common, inputShape: xShape }) as tf.Tensor;
    return { dw: dw.dataSync(), dx: dx.dataSync(), dwShape: dw.shape, dxShape: dx.shape };
  });
}

function maxRelError(a: Float32Array | Int32Array | Uint8Array, b: typeof a): number {
  let scale = 1e-6;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / scale);
  return worst;
}

describe('wasm convolution gradients composed from Conv2D', () => {
  beforeAll(async () => {
    await prepareWasmBackend();
  });

  for (const [i, c] of CASES.entries()) {
    const label = `batch ${c.batch}, ${c.size.join('x')}x${c.inC} -> ${c.outC}, k${c.k} s${c.stride} ${c.pad}`;
    it(`matches cpu: ${label}`, async () => {
      const ref = await gradsOn('cpu', c, 100 + i);
      const ours = await gradsOn('wasm', c, 100 + i);
      expect(ours.dwShape).toEqual(ref.dwShape);
      expect(ours.dxShape).toEqual(ref.dxShape);
      // float32 sums of up to ~10^4 terms in a different order: relative to the largest entry.
      expect(maxRelError(ours.dw, ref.dw)).toBeLessThan(1e-5);
      expect(maxRelError(ours.dx, ref.dx)).toBeLessThan(1e-5);
    });
  }

  it('does not leak wasm memory across calls', async () => {
    await tf.setBackend('wasm');
    const c = CASES[2];
    await gradsOn('wasm', c, 7);
    const before = tf.memory().numTensors;
    const bytesBefore = tf.memory().numBytes;
    for (let k = 0; k < 5; k++) await gradsOn('wasm', c, 7);
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.memory().numBytes).toBe(bytesBefore);
  });
});
