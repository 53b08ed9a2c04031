/**
 * ONNX Runtime (onnxruntime-node, an optional dependency: CPU binaries inside the npm package) as
 * the CPU inference engine. Loaded lazily by name so that the app installs, bundles and runs
 * without it; every failure comes back as a reason the caller can show before falling back to tfjs.
 * Compute workers only: it is a native module, never to be loaded in the Electron main process.
 */
import { existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type * as tfl from '@tensorflow/tfjs-layers';
import { writeFileAtomic } from '../../../util/atomicWrite';
import type { ModelSpec } from '../architectures/spec';
import { exportOnnx, ONNX_INPUT, ONNX_OUTPUT } from './exportOnnx';

// Held in a variable so that bundlers and tsc leave the optional package alone.
const ORT_PACKAGE = 'onnxruntime-node';

/** The slice of the onnxruntime-node API we use. */
export interface OrtTensor {
  data: Float32Array;
  dims: readonly number[];
}
export interface OrtSession {
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release?(): Promise<void>;
  endProfiling?(): void;
}
export interface OrtModule {
  InferenceSession: {
    create(model: string | Uint8Array, options?: Record<string, unknown>): Promise<OrtSession>;
  };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
  env?: { versions?: { node?: string } };
}

let loaded: Promise<OrtModule> | null = null;

/** onnxruntime-node, or a rejection saying why it cannot be used. */
export function loadOrt(): Promise<OrtModule> {
  loaded ??= (async () => {
    try {
      const mod = (await import(/* @vite-ignore */ ORT_PACKAGE)) as OrtModule & { default?: OrtModule };
      const ort = mod.InferenceSession ? mod : mod.default;
      if (!ort?.InferenceSession) throw new Error('the package has no InferenceSession');
      return ort;
    } catch (err) {
      loaded = null;
      throw new Error(`onnxruntime-node is not available: ${(err as Error).message.split('\n')[0]}`);
    }
  })();
  return loaded;
}

/** Cores for intra-op parallelism: every core this process may use. */
export function defaultOrtThreads(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

export interface OrtSessionOptions {
  threads?: number;
  /**
   * 'webgpu': ONNX Runtime's WebGPU execution provider (bundled in onnxruntime-node on Linux x64,
   * Windows and macOS; its own Dawn picks the adapter), with the CPU for any op it lacks.
   */
  device?: 'cpu' | 'webgpu';
  /**
   * false: ORT's pool threads sleep between runs instead of spinning. Scoring wants this: its
   * decoder threads need the cores while the engine waits for the next batch.
   */
  spin?: boolean;
}

export function ortSessionOptions(opts: OrtSessionOptions = {}): Record<string, unknown> {
  return {
    executionProviders: opts.device === 'webgpu' ? ['webgpu', 'cpu'] : ['cpu'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: opts.threads ?? defaultOrtThreads(),
    interOpNumThreads: 1,
    executionMode: 'sequential',
    ...(opts.spin === false ? { extra: { session: { intra_op: { allow_spinning: '0' } } } } : {}),
  };
}

/** A scorer over an ONNX session: one [N, H, W, C] batch in, N scores out. */
export class OrtScorer {
  private constructor(
    private readonly ort: OrtModule,
    private readonly session: OrtSession,
    readonly spec: ModelSpec,
    /** Where the .onnx came from (a file, or 'memory'). */
    readonly source: string,
  ) {}

  static async create(
    model: string | Uint8Array,
    spec: ModelSpec,
    opts: OrtSessionOptions = {},
  ): Promise<OrtScorer> {
    const ort = await loadOrt();
    const session = await ort.InferenceSession.create(model, ortSessionOptions(opts));
    return new OrtScorer(ort, session, spec, typeof model === 'string' ? model : 'memory');
  }

  /** Scores the first `n` stamps of `batch` (laid out as preprocessBatch writes it). */
  async predict(batch: Float32Array, n: number): Promise<Float32Array> {
    const [h, w] = this.spec.inputSize;
    const c = this.spec.channels.length;
    const input = new this.ort.Tensor('float32', batch.subarray(0, n * h * w * c), [n, h, w, c]);
    const out = await this.session.run({ [ONNX_INPUT]: input });
    return out[ONNX_OUTPUT].data;
  }

  async release(): Promise<void> {
    await this.session.release?.();
  }
}

/**
 * The version's ONNX file, `<versionDir>/model.onnx`, exported from `model` on first use and
 * written atomically. Versions are otherwise immutable; this file is a derived cache, and when
 * the folder cannot be written the bytes are returned for an in-memory session instead.
 */
export async function onnxForVersion(
  versionDir: string,
  model: tfl.LayersModel,
  spec: ModelSpec,
): Promise<{ model: string | Uint8Array; created: boolean; note?: string }> {
  const file = path.join(versionDir, 'model.onnx');
  if (existsSync(file)) {
    // Guard against a stale or foreign file: the header must be an ONNX model of our exporter.
    const handle = await open(file, 'r');
    const head = Buffer.alloc(64);
    const { bytesRead } = await handle.read(head, 0, 64, 0).finally(() => handle.close());
    if (head.subarray(0, bytesRead).includes(Buffer.from('skysift'))) return { model: file, created: false };
  }
  const bytes = exportOnnx(model, spec);
  try {
    await writeFileAtomic(file, bytes);
    return { model: file, created: true };
  } catch (err) {
    return { model: bytes, created: true, note: `could not cache ${file}: ${(err as Error).message}` };
  }
}
