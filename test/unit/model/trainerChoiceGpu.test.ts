/**
 * On a WebGPU backend the trainer is the faster of ORT's WebGPU EP and its CPU kernels, timed on the
 * spot (trainerChoice.ts). Here the adapter is lavapipe (a CPU Vulkan), so the CPU should win; on
 * a GPU machine either can. Whichever wins starts from the model's own weights.
 */
import * as tfc from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCompact, COMPACT_SPEC } from '../../../src/main/worker/model/architectures';
import { installNodeWebGpu } from '../../../src/main/worker/model/backends';
import { chooseTrainer } from '../../../src/main/worker/model/training/trainerChoice';
import { ORT, ORT_MISSING } from '../onnx/helpers';

let adapter: { description: string; software: boolean } | null = null;
let problem = '';
beforeAll(async () => {
  await tfc.setBackend('cpu');
  try {
    adapter = await installNodeWebGpu();
  } catch (err) {
    problem = (err as Error).message;
  }
});

describe.skipIf(!ORT)(`the trainer on a WebGPU backend ${ORT_MISSING}`, () => {
  it('times both native trainers, keeps the faster, says what it measured, starts from the model', async (ctx) => {
    if (!adapter) {
      console.warn(`[skysift tests] WebGPU trainer choice skipped: ${problem}`);
      ctx.skip();
    }
    const model = buildCompact(2);
    const choice = await chooseTrainer('webgpu', model, COMPACT_SPEC, {
      learningRate: 1e-3,
      seed: 1,
      batchSize: 8,
    });
    expect(choice.ort, choice.reason).not.toBeNull();
    const m = /measured here: (\d+) samples\/s on the GPU \(ONNX Runtime WebGPU EP\), (\d+) on the CPU/.exec(
      choice.reason,
    );
    expect(m, choice.reason).not.toBeNull();
    const [gpu, cpu] = [Number(m![1]), Number(m![2])];
    expect(choice.description).toBe(gpu >= cpu ? 'ONNX Runtime WebGPU EP' : choice.ort!.description);
    if (adapter!.software) expect(choice.description, 'lavapipe is slower than the CPU').toMatch(/CPU/);
    // The timing steps moved its weights; the chosen trainer was reset to the model's.
    const x = Float32Array.from({ length: 4 * 51 * 51 * 3 }, (_, i) => Math.cos(i * 0.1));
    const mine = await choice.ort!.predict(x, 4);
    const ref = (model.predict(tfc.tensor4d(x, [4, 51, 51, 3])) as tfc.Tensor).dataSync();
    for (let i = 0; i < 4; i++) expect(mine[i]).toBeCloseTo(ref[i], 5);
    await choice.ort!.release();
    model.dispose();
  }, 120_000);
});
