/**
 * Which engine runs a training job: ONNX Runtime's native CPU kernels (./ortTrainer.ts) when the
 * tfjs backend is a CPU one (wasm, cpu, tfjs-node) and onnxruntime-node loads, else tfjs on the
 * selected backend (WebGPU or CUDA are the GPU trainers; wasm is the fallback). SKYSIFT_TRAINER
 * (or TrainOptions.trainer) = 'tfjs' | 'onnxruntime' forces one; a forced ORT that cannot start
 * is an error, an automatic one falls back to tfjs and says why.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ModelSpec } from '../architectures/spec';
import { OrtTrainer } from './ortTrainer';
import type { NightsCache } from './nightsCache';

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
  if (pref === 'auto' && !CPU_BACKENDS.has(backend))
    return tfjs(`the ${backend} backend is a GPU one: tfjs trains there`);
  try {
    const ort = await OrtTrainer.create(model, spec, {
      learningRate: opts.learningRate,
      seed: opts.seed,
      batchSize: opts.batchSize,
      inferenceMode: opts.inferenceMode,
    });
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

/** Scores rows of the cache with the ORT trainer's current weights (validation, test). */
export async function predictCachedOrt(
  trainer: OrtTrainer,
  cache: Pick<NightsCache, 'read' | 'rowLength'>,
  ids: readonly string[],
  batchSize: number,
): Promise<Float32Array> {
  const out = new Float32Array(ids.length);
  const buf = new Float32Array(batchSize * cache.rowLength);
  for (let i = 0; i < ids.length; i += batchSize) {
    const slice = ids.slice(i, i + batchSize);
    cache.read(slice, buf);
    out.set(await trainer.predict(buf, slice.length), i);
  }
  return out;
}
