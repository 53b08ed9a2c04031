/**
 * One model code for every backend: the gradients of a small conv net (conv + batch norm + ReLU +
 * dense) must agree with the pure-JS cpu backend on wasm and, where an adapter exists, WebGPU.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { installNodeWebGpu, prepareWasmBackend } from '../../../src/main/worker/model/backends';
import { seededRandom } from '../../../src/main/util/prng';

const X_SHAPE: [number, number, number, number] = [4, 11, 11, 3];
const K1: [number, number, number, number] = [3, 3, 3, 5];
const K2: [number, number, number, number] = [3, 3, 5, 4];

function random(n: number, seed: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  const random = seededRandom(seed);
  for (let i = 0; i < n; i++) out[i] = (random() - 0.5) * scale;
  return out;
}
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

const INIT = {
  k1: random(size(K1), 1, 0.5),
  b1: random(5, 2, 0.1),
  k2: random(size(K2), 3, 0.5),
  gamma: random(4, 4, 0.2).map((v) => v + 1),
  beta: random(4, 5, 0.2),
  dense: random(6 * 6 * 4, 6, 0.2),
  x: random(size(X_SHAPE), 7, 2),
};
const LABELS = new Float32Array([1, 0, 1, 0]);

/** Loss and gradients of every parameter on the current backend, read back as arrays. */
async function lossAndGrads(): Promise<{ loss: number; grads: Record<string, Float32Array> }> {
  // tidy drops the initial-value tensors; the variables survive it.
  const vars = tf.tidy(() => ({
    k1: tf.variable(tf.tensor4d(INIT.k1, K1), true, 'k1'),
    b1: tf.variable(tf.tensor1d(INIT.b1), true, 'b1'),
    k2: tf.variable(tf.tensor4d(INIT.k2, K2), true, 'k2'),
    gamma: tf.variable(tf.tensor1d(INIT.gamma), true, 'gamma'),
    beta: tf.variable(tf.tensor1d(INIT.beta), true, 'beta'),
    dense: tf.variable(tf.tensor2d(INIT.dense, [6 * 6 * 4, 1]), true, 'dense'),
  }));
  const x = tf.tensor4d(INIT.x, X_SHAPE);
  const y = tf.tensor2d(LABELS, [4, 1]);
  const { value, grads } = tf.variableGrads(() => {
    const h1 = tf.relu(tf.add(tf.conv2d(x, vars.k1, 1, 'same'), vars.b1));
    const h2 = tf.conv2d(h1 as tf.Tensor4D, vars.k2, 2, 'same'); // 11 -> 6, stride 2 with SAME offsets
    const { mean, variance } = tf.moments(h2, [0, 1, 2]);
    const bn = tf.batchNorm(h2, mean, variance, vars.beta, vars.gamma, 1e-3);
    const logits = tf.matMul(tf.reshape(tf.relu(bn), [4, -1]), vars.dense);
    // Binary cross-entropy written out (tf.losses lives outside tfjs-core).
    const p = tf.clipByValue(tf.sigmoid(logits), 1e-6, 1 - 1e-6);
    const ll = tf.add(tf.mul(y, tf.log(p)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, p))));
    return tf.neg(tf.mean(ll)) as tf.Scalar;
  });
  const out: Record<string, Float32Array> = {};
  for (const [name, v] of Object.entries(vars)) out[name] = (await grads[v.name].data()) as Float32Array;
  const loss = (await value.data())[0];
  tf.dispose([value, ...Object.values(grads), ...Object.values(vars), x, y]);
  return { loss, grads: out };
}

function maxRel(a: Float32Array, b: Float32Array): number {
  let scale = 1e-6;
  for (const v of b) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / scale);
  return worst;
}

let reference: Awaited<ReturnType<typeof lossAndGrads>>;
let webgpuProblem: string | undefined;

beforeAll(async () => {
  await prepareWasmBackend();
  try {
    await installNodeWebGpu();
    await import('@tensorflow/tfjs-backend-webgpu');
  } catch (err) {
    webgpuProblem = (err as Error).message;
  }
  await tf.setBackend('cpu');
  reference = await lossAndGrads();
});

async function compareOn(backend: string) {
  expect(await tf.setBackend(backend)).toBe(true);
  const ours = await lossAndGrads();
  expect(Math.abs(ours.loss - reference.loss)).toBeLessThan(1e-5);
  for (const name of Object.keys(reference.grads)) {
    expect(ours.grads[name].length).toBe(reference.grads[name].length);
    expect(maxRel(ours.grads[name], reference.grads[name]), name).toBeLessThan(1e-4);
  }
  // No tensor left behind by the gradient pass.
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) await lossAndGrads();
  expect(tf.memory().numTensors).toBe(before);
}

describe('conv net gradients match the cpu backend', () => {
  it('wasm', async () => {
    await compareOn('wasm');
  });

  it('webgpu (Dawn; lavapipe on GPU-less machines)', async (ctx) => {
    if (webgpuProblem) {
      console.warn(`[skysift tests] webgpu gradient test skipped: ${webgpuProblem}`);
      ctx.skip();
    }
    await compareOn('webgpu');
  });
});
