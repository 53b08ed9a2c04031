/**
 * Which engine runs inference for a scoring job. On a CPU tfjs backend (wasm, cpu) ONNX Runtime is
 * used when it is installed: the version's model exported once to <version>/model.onnx, one
 * session with intra-op threads = cores (measured ~4.5x faster per core than tfjs-wasm, and
 * tfjs-wasm runs single-threaded under Node). Anything that fails falls back to tfjs, with why.
 */
import * as tfc from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ModelSpec } from '../architectures/spec';
import type { ModelRegistry } from '../registry';
import { installNodeWebGpu } from '../backends/webgpuNode';
import { defaultOrtThreads, onnxForVersion, OrtScorer } from './ortRuntime';

/** tfjs backend names on which ONNX Runtime replaces tfjs for inference. */
export const CPU_BACKENDS: readonly string[] = ['wasm', 'cpu'];
/**
 * GPU backends on which ORT's WebGPU execution provider scores instead (selectBackend picks
 * 'webgpu' automatically only for a hardware adapter); tfjs-webgpu stays the fallback.
 */
export const GPU_BACKENDS: readonly string[] = ['webgpu'];

export type EngineWish = 'auto' | 'tfjs' | 'onnxruntime';

/** SKYSIFT_INFERENCE=tfjs|onnxruntime|auto overrides the choice (benchmarks, comparisons). */
export function engineFromEnv(): EngineWish {
  const v = process.env.SKYSIFT_INFERENCE;
  return v === 'tfjs' || v === 'onnxruntime' ? v : 'auto';
}

export interface InferenceEngine {
  /** 'onnxruntime' or 'tfjs-<backend>'. */
  name: string;
  /** One line for the user: what runs and why (including why ORT was not used). */
  description: string;
  /** Batch predictor for scoreWorkspace's `predict`; undefined = tfjs's own model.predict. */
  predict?: (batch: Float32Array, n: number) => Promise<ArrayLike<number>>;
  release(): Promise<void>;
}

export interface EngineChoiceOptions {
  /** 'auto' (default): ORT on CPU backends when available; 'tfjs': never ORT; 'onnxruntime': ORT or throw. */
  engine?: EngineWish;
  threads?: number;
  /** The active tfjs backend's name (default tfc.getBackend()). */
  backend?: string;
}

export async function chooseInferenceEngine(
  registry: ModelRegistry,
  version: string,
  model: tfl.LayersModel,
  spec: ModelSpec,
  opts: EngineChoiceOptions = {},
): Promise<InferenceEngine> {
  const want = opts.engine ?? engineFromEnv();
  const backend = opts.backend ?? tfc.getBackend();
  const tfjs = (why: string): InferenceEngine => ({
    name: `tfjs-${backend}`,
    description: `tfjs on ${backend}${why ? ` (${why})` : ''}`,
    release: async () => {},
  });
  if (want === 'tfjs') return tfjs('requested');
  const gpu = GPU_BACKENDS.includes(backend);
  if (want === 'auto' && !CPU_BACKENDS.includes(backend) && !gpu) return tfjs('');
  try {
    const threads = opts.threads ?? defaultOrtThreads();
    const onnx = await onnxForVersion(registry.versionDir(version), model, spec);
    const device = gpu ? 'webgpu' : 'cpu';
    // No spinning: between batches the cores belong to the decoder threads preprocessing the next ones.
    const scorer = await OrtScorer.create(onnx.model, spec, { threads, device, spin: false });
    const source = typeof onnx.model === 'string' ? onnx.model : 'an in-memory export';
    const where = gpu
      ? `the GPU through its WebGPU EP (${(await installNodeWebGpu()).description})`
      : `the CPU, ${threads} threads`;
    return {
      name: 'onnxruntime', // the device is in the description (the worker keys on this name)
      description:
        `ONNX Runtime on ${where}, ${onnx.created ? 'exported now to' : 'from'} ${source}` +
        (onnx.note ? ` (${onnx.note})` : ''),
      predict: (batch, n) => scorer.predict(batch, n),
      release: () => scorer.release(),
    };
  } catch (err) {
    const why = (err as Error).message.split('\n')[0];
    if (want === 'onnxruntime') throw new Error(`ONNX Runtime was requested but cannot run: ${why}`);
    return tfjs(`ONNX Runtime not used: ${why}`);
  }
}
