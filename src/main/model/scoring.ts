/**
 * Scoring a whole workspace with one model version: stamps stream part by part from the catalog,
 * are preprocessed into one reused batch buffer, and the scores are written to the workspace under
 * the model's version. Nothing of the night is held as a tensor beyond one batch.
 */
import * as tfc from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Workspace } from '../catalog/workspace';
import type { ModelSpec } from './architectures/spec';
import { preprocessInto, stampInputLength } from './preprocess';

export interface ScoreOptions {
  /** Score only these candidates (default: every candidate of the night). */
  ids?: readonly string[];
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
  /**
   * Another inference engine for the batches (e.g. ONNX Runtime, see onnx/ortRuntime.ts): gets the
   * batch buffer ([N, H, W, C], only the first n stamps valid) and returns n scores. Default: tfjs.
   */
  predict?: (batch: Float32Array, n: number) => Promise<ArrayLike<number>>;
}

export async function scoreWorkspace(
  ws: Workspace,
  model: tfl.LayersModel,
  spec: ModelSpec,
  opts: ScoreOptions = {},
): Promise<{ scores: Map<string, number>; cancelled: boolean }> {
  const batchSize = opts.batchSize ?? 256;
  const rowLength = stampInputLength(spec);
  const buf = new Float32Array(batchSize * rowLength);
  const [h, w] = spec.inputSize;
  const scores = new Map<string, number>();
  const total = opts.ids?.length ?? ws.size;
  let ids: string[] = [];

  const flush = async () => {
    if (ids.length === 0) return;
    let values: ArrayLike<number>;
    if (opts.predict) {
      values = await opts.predict(buf, ids.length);
    } else {
      const x = tfc.tensor4d(buf.subarray(0, ids.length * rowLength), [
        ids.length,
        h,
        w,
        spec.channels.length,
      ]);
      const y = model.predict(x) as tfc.Tensor;
      values = await y.data();
      tfc.dispose([x, y]);
    }
    ids.forEach((id, i) => scores.set(id, values[i]));
    ids = [];
    opts.onProgress?.(scores.size, total);
  };

  for await (const { entry, triplet } of ws.iterateTriplets(opts.ids)) {
    if (opts.signal?.aborted) return { scores, cancelled: true };
    preprocessInto(spec, triplet, buf, ids.length);
    ids.push(entry.id);
    if (ids.length === batchSize) await flush();
  }
  await flush();
  return { scores, cancelled: false };
}
