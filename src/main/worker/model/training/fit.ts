/**
 * An in-memory training loop for pre-training: batches drawn fresh from a sampler each step, the
 * epoch with the best validation AUC kept (the retrain on labels is retrainLoop.ts). It trains on the
 * engine trainEngine.ts starts (ONNX Runtime's native kernels where chooseTrainer picks them, as the
 * app's retrain does; else tfjs); either way the model ends up holding the kept weights.
 */
import * as tfc from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { auc } from '../../../../shared/metrics';
import { seededRandom } from '../../../util/prng';
import type { ModelSpec } from '../architectures/spec';
import { BCE_EPS } from '../onnx/trainGraph';
import { applyDihedral } from './augment';
import { startEngine } from './trainEngine';
import { yieldToEvents } from './yieldToEvents';

export { predictRows } from './trainEngine';

export interface Batch {
  /** Preprocessed rows [n, H, W, C] (only the first n rows are read). */
  x: Float32Array;
  n: number;
  /** Targets in [0, 1] (hard labels, or a parent's soft scores for replay). */
  y: number[];
  /** Per-sample loss weights (class balance, replay weight). */
  w: number[];
}

export interface LabelledRows {
  x: Float32Array;
  y: number[];
}

export interface FitOptions {
  model: tfl.LayersModel;
  /** The model's spec (the ONNX Runtime trainer builds its graph from the model and names it by it). */
  spec: ModelSpec;
  /** [H, W, C] of one row. */
  shape: [number, number, number];
  /** The tfjs backend in use (default: the active one); decides the automatic trainer choice. */
  backend?: string;
  /** 'auto' (default: SKYSIFT_TRAINER, else ONNX Runtime on CPU backends), 'tfjs' or 'onnxruntime'. */
  trainer?: string;
  /** The batch size nextBatch returns (ONNX Runtime sizes its memory arena by it). */
  batchSize?: number;
  /** Draws the next training batch (fills and returns a batch; the loop applies dihedral flips). */
  nextBatch: () => Batch;
  stepsPerEpoch: number;
  maxEpochs: number;
  learningRate: number;
  /** Early stopping: epochs without a better held-out AUC (loss breaks ties). */
  patience: number;
  validation: LabelledRows;
  /** Layer names whose weights stay as they are. */
  frozen?: readonly string[];
  /**
   * true: batch norms use and update batch statistics (pre-training); false: the model runs in
   * inference mode while its weights move (fine-tuning on a few labels, whose batches are too small
   * and too few for trustworthy batch statistics).
   */
  trainingMode: boolean;
  seed: number;
  /** Wall-clock budget: no new epoch starts after this many seconds (the best epoch is kept). */
  maxSeconds?: number;
  onEpoch?: (e: EpochReport) => void;
  /** Progress lines (which engine trains, and why). */
  log?: (line: string) => void;
  signal?: AbortSignal;
}

export interface EpochReport {
  epoch: number;
  loss: number;
  valLoss: number;
  valAuc: number | null;
  seconds: number;
  samplesPerSecond: number;
}

export interface FitResult {
  curves: EpochReport[];
  bestEpoch: number;
  best: { valAuc: number | null; valLoss: number };
  cancelled: boolean;
  /** What trained (e.g. 'ONNX Runtime CPU (2 threads)' or 'tfjs (wasm)'), for the version's meta. */
  trainer: string;
}

/** Mean binary cross-entropy of scores against 0/1 labels, scores clipped as in training. */
export function bce(scores: ArrayLike<number>, y: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    const p = Math.min(1 - BCE_EPS, Math.max(BCE_EPS, scores[i]));
    s -= y[i] * Math.log(p) + (1 - y[i]) * Math.log(1 - p);
  }
  return y.length ? s / y.length : NaN;
}

/** Validation loss and AUC (null unless both classes are present; soft targets split at 0.5). */
export function validationFigures(scores: Float32Array, y: readonly number[]) {
  const hard = y.map((t) => (t >= 0.5 ? 1 : 0));
  const both = hard.includes(0) && hard.includes(1);
  return { valLoss: bce(scores, y), valAuc: both ? auc(scores, hard) : null };
}

/** Better: a higher AUC, or the same AUC (within 1e-9) and a lower loss. */
export function better(
  a: { valAuc: number | null; valLoss: number },
  b: { valAuc: number | null; valLoss: number },
) {
  if (a.valAuc !== null && b.valAuc !== null && Math.abs(a.valAuc - b.valAuc) > 1e-9)
    return a.valAuc > b.valAuc;
  return a.valLoss < b.valLoss - 1e-6;
}

export async function fitModel(o: FitOptions): Promise<FitResult> {
  const { model, shape } = o;
  const [h, w, c] = shape;
  const row = h * w * c;
  const scratch = new Float32Array(row);
  const random = seededRandom(o.seed, 0x5bd1e995);
  const engine = await startEngine({
    model,
    spec: o.spec,
    backend: o.backend ?? tfc.getBackend(),
    learningRate: o.learningRate,
    seed: o.seed,
    batchSize: o.batchSize,
    preference: o.trainer,
    trainingMode: o.trainingMode,
    frozen: o.frozen,
  });
  o.log?.(`training on ${engine.description}: ${engine.reason}`);
  const validate = async () => {
    const scores = await engine.predict(o.validation.x, o.validation.y.length);
    return validationFigures(scores, o.validation.y);
  };

  const curves: EpochReport[] = [];
  let best = { valAuc: null as number | null, valLoss: Infinity, epoch: -1 };
  let cancelled = false;
  try {
    let sinceBest = 0;
    const began = Date.now();
    for (let epoch = 1; epoch <= o.maxEpochs && !cancelled; epoch++) {
      if (o.maxSeconds !== undefined && (Date.now() - began) / 1000 > o.maxSeconds) break;
      const t0 = Date.now();
      let lossSum = 0;
      let seen = 0;
      for (let s = 0; s < o.stepsPerEpoch; s++) {
        await yieldToEvents();
        if (o.signal?.aborted) {
          cancelled = true;
          break;
        }
        const b = o.nextBatch();
        if (h === w)
          for (let i = 0; i < b.n; i++) applyDihedral(b.x, i * row, h, c, Math.floor(random() * 8), scratch);
        lossSum += (await engine.step(b.x, b.y, b.w, b.n)) * b.n;
        seen += b.n;
      }
      if (cancelled) break;
      const v = await validate();
      const seconds = (Date.now() - t0) / 1000;
      const rep: EpochReport = {
        epoch,
        loss: lossSum / seen,
        ...v,
        seconds,
        samplesPerSecond: seen / seconds,
      };
      curves.push(rep);
      o.onEpoch?.(rep);
      if (best.epoch < 0 || better(v, best)) {
        best = { ...v, epoch };
        engine.keep();
        sinceBest = 0;
      } else if (++sinceBest >= o.patience) break;
    }
  } finally {
    // The model holds the best epoch's weights whatever ended the loop.
    await engine.finish();
  }
  return {
    curves,
    bestEpoch: Math.max(best.epoch, 0),
    best: { valAuc: best.valAuc, valLoss: best.valLoss },
    cancelled,
    trainer: engine.description,
  };
}
