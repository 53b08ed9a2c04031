/**
 * Which engine runs a training job: ONNX Runtime's native CPU kernels (./ortTrainer.ts) when the
 * tfjs backend is a CPU one (wasm, cpu, tfjs-node) and onnxruntime-node loads; on WebGPU, the faster
 * of ORT's WebGPU EP and its CPU kernels, timed on the spot; else tfjs on the selected backend
 * (CUDA through tfjs-node-gpu; wasm is the fallback). SKYSIFT_TRAINER
 * (or TrainOptions.trainer) = 'tfjs' | 'onnxruntime' forces one; a forced ORT that cannot start
 * is an error, an automatic one falls back to tfjs and says why.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ModelSpec } from '../architectures/spec';
import { GPU_BACKENDS } from '../onnx/inferenceEngine';
import { OrtTrainer } from './ortTrainer';

export type TrainerPreference = 'auto' | 'onnxruntime' | 'tfjs';

export interface TrainerChoice {
  /** The ORT trainer, or null when tfjs trains. */
  ort: OrtTrainer | null;
  /** What trained, for the progress line and the model's provenance. */
  description: string;
  /** Why this one (and why not the other). */
  reason: string;
}

const CPU_BACKENDS = new Set(['wasm', 'cpu', 'tensorflow']);

export function trainerPreference(given?: string): TrainerPreference {
  const v = (given ?? process.env.SKYSIFT_TRAINER ?? 'auto').toLowerCase();
  if (v === 'auto' || v === 'tfjs' || v === 'onnxruntime') return v;
  if (v === 'ort') return 'onnxruntime';
  throw new Error(
    `Unknown trainer '${v}' (SKYSIFT_TRAINER or the trainer option): use auto, tfjs or onnxruntime`,
  );
}

export async function chooseTrainer(
  backend: string,
  model: tfl.LayersModel,
  spec: ModelSpec,
  opts: {
    learningRate: number;
    seed: number;
    batchSize?: number;
    preference?: string;
    /** Guarded fine-tuning (batch norms on moving statistics, frozen layers): see OrtTrainerOptions. */
    inferenceMode?: boolean;
  },
): Promise<TrainerChoice> {
  const pref = trainerPreference(opts.preference);
  const tfjs = (reason: string): TrainerChoice => ({ ort: null, description: `tfjs (${backend})`, reason });
  if (pref === 'tfjs') return tfjs('tfjs requested');
  const create = (device: 'cpu' | 'webgpu') =>
    OrtTrainer.create(model, spec, {
      learningRate: opts.learningRate,
      seed: opts.seed,
      batchSize: opts.batchSize,
      inferenceMode: opts.inferenceMode,
      device,
    });
  if (pref === 'auto' && GPU_BACKENDS.includes(backend)) {
    try {
      return await fasterOrtTrainer(model, create, opts.batchSize ?? 64);
    } catch (err) {
      const why = (err as Error).message.split('\n')[0];
      return tfjs(`the ${backend} backend is a GPU one and ONNX Runtime could not train here (${why})`);
    }
  }
  if (pref === 'auto' && !CPU_BACKENDS.has(backend))
    return tfjs(`the ${backend} backend is a GPU one: tfjs trains there`);
  try {
    const ort = await create('cpu');
    return {
      ort,
      description: ort.description,
      reason: pref === 'onnxruntime' ? 'onnxruntime requested' : `native kernels beat tfjs ${backend}`,
    };
  } catch (err) {
    const why = (err as Error).message.split('\n')[0];
    if (pref === 'onnxruntime')
      throw new Error(`ONNX Runtime training was requested but cannot start: ${why}`);
    return tfjs(`ONNX Runtime training unavailable (${why})`);
  }
}

/**
 * With a GPU there are two native trainers, the same graph on ORT's WebGPU EP and on the CPU. Which
 * is faster depends on the machine: on an H200 with 16 cores the CPU trained compact at 1,876-2,158
 * samples/s, the WebGPU EP at 1,041-1,142 (tfjs WebGPU 462-515), while a laptop's few cores favour
 * the GPU. So both time a few steps of this very model at its batch size, and the faster one trains
 * (its weights and Adam moments reset to the model's), saying what it measured.
 */
async function fasterOrtTrainer(
  model: tfl.LayersModel,
  create: (device: 'cpu' | 'webgpu') => Promise<OrtTrainer>,
  batch: number,
): Promise<TrainerChoice> {
  const [h, w, c] = (model.inputs[0].shape as number[]).slice(1);
  const x = Float32Array.from({ length: batch * h * w * c }, (_, i) => Math.sin(i * 0.37));
  const y = Array.from({ length: batch }, (_, i) => i % 2);
  const sw = new Array<number>(batch).fill(1);
  const rate = async (t: OrtTrainer) => {
    await t.step(x, y, sw, batch); // warm-up: shaders, arenas
    const t0 = performance.now();
    let steps = 0;
    do await t.step(x, y, sw, batch);
    while (++steps < 3 && performance.now() - t0 < 1000);
    return (steps * batch) / ((performance.now() - t0) / 1000);
  };
  const gpu = await create('webgpu');
  let gpuRate: number;
  let cpu: OrtTrainer | null = null;
  let cpuRate: number;
  try {
    gpuRate = await rate(gpu);
    cpu = await create('cpu');
    cpuRate = await rate(cpu);
  } catch (err) {
    await Promise.all([gpu.release(), cpu?.release()]);
    throw err;
  }
  const [won, lost] = gpuRate >= cpuRate ? [gpu, cpu] : [cpu, gpu];
  await lost.release();
  won.readFrom(model);
  return {
    ort: won,
    description: won.description,
    reason: `measured here: ${gpuRate.toFixed(0)} samples/s on the GPU (ONNX Runtime WebGPU EP), ${cpuRate.toFixed(0)} on the CPU`,
  };
}
