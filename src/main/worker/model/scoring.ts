/**
 * Scoring a whole workspace with one model version: stamps stream part by part from the catalog,
 * are preprocessed into one reused batch buffer, and the scores are written to the workspace under
 * the model's version. Nothing of the night is held as a tensor beyond one batch.
 */
import * as tfc from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Workspace } from '../../catalog/workspace';
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
  // Two batch buffers when another engine predicts: ONNX Runtime runs a batch on its own threads
  // while this thread reads and preprocesses the next one into the other buffer (a queue of one).
  const bufs = [new Float32Array(batchSize * rowLength)];
  if (opts.predict) bufs.push(new Float32Array(batchSize * rowLength));
  let current = 0;
  const [h, w] = spec.inputSize;
  const scores = new Map<string, number>();
  const total = opts.ids?.length ?? ws.size;
  let ids: string[] = [];
  let pending: Promise<void> | null = null;

  const record = (batchIds: string[], values: ArrayLike<number>) => {
    batchIds.forEach((id, i) => scores.set(id, values[i]));
    opts.onProgress?.(scores.size, total);
  };

  const flush = async () => {
    if (ids.length === 0) return;
    const batchIds = ids;
    const buf = bufs[current];
    ids = [];
    if (opts.predict) {
      const predict = opts.predict;
      await pending; // the other buffer's batch: done before its buffer is refilled
      pending = predict(buf, batchIds.length).then((values) => record(batchIds, values));
      current = (current + 1) % bufs.length;
      return;
    }
    const x = tfc.tensor4d(buf.subarray(0, batchIds.length * rowLength), [
      batchIds.length,
      h,
      w,
      spec.channels.length,
    ]);
    const y = model.predict(x) as tfc.Tensor;
    record(batchIds, await y.data());
    tfc.dispose([x, y]);
  };

  for await (const { entry, triplet } of ws.iterateTriplets(opts.ids)) {
    if (opts.signal?.aborted) {
      await pending;
      return { scores, cancelled: true };
    }
    preprocessInto(spec, triplet, bufs[current], ids.length);
    ids.push(entry.id);
    if (ids.length === batchSize) await flush();
  }
  await flush();
  await pending;
  return { scores, cancelled: false };
}
