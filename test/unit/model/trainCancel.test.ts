/**
 * A cancel reaches the in-memory training loop on either engine. The worker gets "cancel" as an IPC
 * message, a macrotask; tfjs-wasm's data() settles at once (a microtask), so a loop that only awaits
 * it never lets the message in and trains to the end. Here the abort comes from a timer, a macrotask too.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { getArchitecture } from '../../../src/main/worker/model/architectures';
import { selectBackend } from '../../../src/main/worker/model/backends';
import { fitModel, type Batch } from '../../../src/main/worker/model/training/fit';
import { ORT } from '../onnx/helpers';

const STEPS = 4000;
const arch = getArchitecture('compact');
const [SIDE] = arch.spec.inputSize;
const C = arch.spec.channels.length;

describe('cancelling a training loop', () => {
  beforeAll(async () => {
    await selectBackend('wasm');
  });

  it.each(ORT ? ['tfjs', 'onnxruntime'] : ['tfjs'])('stops within the epoch on %s', async (trainer) => {
    const batch: Batch = { x: new Float32Array(4 * SIDE * SIDE * C), n: 4, y: [0, 1, 0, 1], w: [1, 1, 1, 1] };
    let drawn = 0;
    const ac = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const result = await fitModel({
      model: arch.build(1),
      spec: arch.spec,
      trainer,
      shape: [SIDE, SIDE, C],
      nextBatch: () => {
        // From the first step on: starting a native trainer alone takes longer than 20 ms.
        if (++drawn === 1) timer = setTimeout(() => ac.abort(), 20);
        batch.x.fill(drawn % 2);
        return batch;
      },
      stepsPerEpoch: STEPS,
      maxEpochs: 1,
      learningRate: 1e-3,
      patience: 1,
      validation: { x: new Float32Array(2 * SIDE * SIDE * C).fill(0.5), y: [0, 1] },
      trainingMode: false,
      seed: 1,
      signal: ac.signal,
    });
    clearTimeout(timer);
    expect(result.cancelled).toBe(true);
    expect(result.trainer).toMatch(trainer === 'tfjs' ? /^tfjs/ : /^ONNX Runtime/);
    expect(result.curves).toEqual([]);
    expect(drawn).toBeLessThan(STEPS);
  });
});
