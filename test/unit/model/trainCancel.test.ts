/**
 * A cancel reaches a training loop on tfjs-wasm. The worker gets "cancel" as an IPC message, a
 * macrotask; tfjs-wasm's data() settles at once (a microtask), so a loop that only awaits it never
 * lets the message in and trains to the end. Here the abort comes from a timer, a macrotask too.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { selectBackend } from '../../../src/main/worker/model/backends';
import { fitModel, type Batch } from '../../../src/main/worker/model/training/fit';

const SIDE = 8;
const STEPS = 4000;

function tinyModel(): tfl.LayersModel {
  const m = tfl.sequential();
  m.add(tfl.layers.flatten({ inputShape: [SIDE, SIDE, 1] }));
  m.add(tfl.layers.dense({ units: 1, activation: 'sigmoid' }));
  return m;
}

describe('cancelling a training loop on tfjs-wasm', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it('stops within the epoch when the abort arrives as an event', async () => {
    const batch: Batch = { x: new Float32Array(4 * SIDE * SIDE), n: 4, y: [0, 1, 0, 1], w: [1, 1, 1, 1] };
    let drawn = 0;
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), 20);
    const result = await fitModel({
      model: tinyModel(),
      shape: [SIDE, SIDE, 1],
      nextBatch: () => {
        drawn++;
        batch.x.fill(drawn % 2);
        return batch;
      },
      stepsPerEpoch: STEPS,
      maxEpochs: 1,
      learningRate: 1e-3,
      patience: 1,
      validation: { x: new Float32Array(2 * SIDE * SIDE).fill(0.5), y: [0, 1] },
      trainingMode: false,
      guardStart: false,
      seed: 1,
      signal: ac.signal,
    });
    clearTimeout(timer);
    expect(result.cancelled).toBe(true);
    expect(result.curves).toEqual([]);
    expect(drawn).toBeLessThan(STEPS);
  });
});
