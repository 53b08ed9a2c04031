/**
 * An in-memory training loop for pre-training (batches drawn fresh from a sampler each step) and
 * guarded fine-tuning (few labels: frozen early layers, lower learning rate, replay, early stopping
 * on held-out labels, the starting weights kept unless an epoch beats them).
 */
import * as tfc from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { auc } from '../../../../shared/metrics';
import { seededRandom } from '../../../util/prng';
import { applyDihedral } from './augment';
import { yieldToEvents } from './yieldToEvents';

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
  /** [H, W, C] of one row. */
  shape: [number, number, number];
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
  /** Evaluate the starting weights as "epoch 0" and keep them unless an epoch beats them. */
  guardStart: boolean;
  seed: number;
  /** Wall-clock budget: no new epoch starts after this many seconds (the best epoch is kept). */
  maxSeconds?: number;
  onEpoch?: (e: EpochReport) => void;
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
  /** 0 when the starting weights were kept (guardStart and no epoch beat them). */
  bestEpoch: number;
  start: { valAuc: number | null; valLoss: number } | null;
  best: { valAuc: number | null; valLoss: number };
  cancelled: boolean;
}

const EPS = 1e-7;

export async function predictRows(
  model: tfl.LayersModel,
  x: Float32Array,
  n: number,
  shape: [number, number, number],
  batchSize = 128,
): Promise<Float32Array> {
  const row = shape[0] * shape[1] * shape[2];
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += batchSize) {
    const m = Math.min(batchSize, n - i);
    const t = tfc.tensor4d(x.subarray(i * row, (i + m) * row), [m, ...shape]);
    const p = model.predict(t) as tfc.Tensor;
    out.set(await p.data(), i);
    tfc.dispose([t, p]);
  }
  return out;
}

/** Mean binary cross-entropy of scores against 0/1 labels, scores clipped as in training. */
export function bce(scores: ArrayLike<number>, y: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    const p = Math.min(1 - EPS, Math.max(EPS, scores[i]));
    s -= y[i] * Math.log(p) + (1 - y[i]) * Math.log(1 - p);
  }
  return y.length ? s / y.length : NaN;
}

async function validate(model: tfl.LayersModel, v: LabelledRows, shape: [number, number, number]) {
  const scores = await predictRows(model, v.x, v.y.length, shape);
  const hard = v.y.map((t) => (t >= 0.5 ? 1 : 0));
  const both = hard.includes(0) && hard.includes(1);
  return { valLoss: bce(scores, v.y), valAuc: both ? auc(scores, hard) : null };
}

/** Better: a higher AUC, or the same AUC (within 1e-9) and a lower loss. */
function better(
  a: { valAuc: number | null; valLoss: number },
  b: { valAuc: number | null; valLoss: number },
) {
  if (a.valAuc !== null && b.valAuc !== null && Math.abs(a.valAuc - b.valAuc) > 1e-9)
    return a.valAuc > b.valAuc;
  return a.valLoss < b.valLoss - 1e-6;
}

/** Binary cross-entropy with per-sample weights (class balancing): the training loss. */
export function weightedBce(pred: tfc.Tensor, y: tfc.Tensor, w: tfc.Tensor): tfc.Scalar {
  const p = tfc.clipByValue(tfc.reshape(pred, [-1]), EPS, 1 - EPS);
  const ll = tfc.add(tfc.mul(y, tfc.log(p)), tfc.mul(tfc.sub(1, y), tfc.log(tfc.sub(1, p))));
  return tfc.div(tfc.sum(tfc.mul(tfc.neg(ll), w)), tfc.sum(w)) as tfc.Scalar;
}

export async function fitModel(o: FitOptions): Promise<FitResult> {
  const { model, shape } = o;
  const [h, w, c] = shape;
  const row = h * w * c;
  const frozen = new Set(o.frozen ?? []);
  for (const layer of model.layers) layer.trainable = !frozen.has(layer.name);
  const vars = model.trainableWeights.map((v) => v.read() as tfc.Variable);
  const optimizer = tfc.train.adam(o.learningRate);
  const scratch = new Float32Array(row);
  const random = seededRandom(o.seed, 0x5bd1e995);

  const curves: EpochReport[] = [];
  let start: FitResult['start'] = null;
  let best = {
    valAuc: null as number | null,
    valLoss: Infinity,
    epoch: -1,
    weights: null as tfc.Tensor[] | null,
  };
  if (o.guardStart) {
    start = await validate(model, o.validation, shape);
    best = { ...start, epoch: 0, weights: model.getWeights().map((t) => t.clone()) };
  }
  let sinceBest = 0;
  let cancelled = false;
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
      const x = tfc.tensor4d(b.x.subarray(0, b.n * row), [b.n, h, w, c]);
      const y = tfc.tensor1d(b.y.slice(0, b.n));
      const sw = tfc.tensor1d(b.w.slice(0, b.n));
      const loss = optimizer.minimize(
        () => weightedBce(model.apply(x, { training: o.trainingMode }) as tfc.Tensor, y, sw),
        true,
        vars,
      );
      lossSum += (await loss!.data())[0] * b.n;
      seen += b.n;
      tfc.dispose([x, y, sw, loss!]);
    }
    if (cancelled) break;
    const v = await validate(model, o.validation, shape);
    const seconds = (Date.now() - t0) / 1000;
    const rep: EpochReport = { epoch, loss: lossSum / seen, ...v, seconds, samplesPerSecond: seen / seconds };
    curves.push(rep);
    o.onEpoch?.(rep);
    if (best.epoch < 0 || better(v, best)) {
      best.weights?.forEach((t) => t.dispose());
      best = { ...v, epoch, weights: model.getWeights().map((t) => t.clone()) };
      sinceBest = 0;
    } else if (++sinceBest >= o.patience) break;
  }
  if (best.weights) {
    model.setWeights(best.weights);
    best.weights.forEach((t) => t.dispose());
  }
  optimizer.dispose();
  for (const layer of model.layers) layer.trainable = true;
  return {
    curves,
    bestEpoch: Math.max(best.epoch, 0),
    start,
    best: { valAuc: best.valAuc, valLoss: best.valLoss },
    cancelled,
  };
}
