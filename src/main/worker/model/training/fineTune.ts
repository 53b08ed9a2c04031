/**
 * Fine-tuning that cannot make things worse on held-out labels: with few labels, a lower learning
 * rate and frozen early layers (the pre-trained filters are better than what 50 stamps can teach),
 * replay (of the parent's training distribution, injections over the night's real stamps, see
 * replay.ts; or of its own verdicts on unlabelled stamps) so that what it knew off the labelled set
 * is not forgotten, flips and rotations, early stopping on the held-out labels, and the
 * parent's weights kept unless an epoch beats them there. The result says which happened and why.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ModelSpec } from '../architectures/spec';
import { fitModel, predictRows, type Batch, type EpochReport, type LabelledRows } from './fit';
import type { ReplaySource } from './replay';
import { seededRandom } from './split';

export interface FineTunePolicy {
  learningRate: number;
  /** Layer-name prefixes left frozen (e.g. 'block1_'). */
  frozenPrefixes: string[];
  maxEpochs: number;
  patience: number;
  batchSize: number;
  /** Share of each batch drawn from the replay set (the parent's soft scores), when there is one. */
  replayShare: number;
}

/** How cautious to be, by the number of training labels. */
export function fineTunePolicy(nLabels: number): FineTunePolicy {
  if (nLabels < 200)
    return {
      learningRate: 1e-4,
      frozenPrefixes: ['block1_', 'block2_'],
      maxEpochs: 25,
      patience: 5,
      batchSize: 32,
      replayShare: 0.5,
    };
  if (nLabels < 1000)
    return {
      learningRate: 3e-4,
      frozenPrefixes: ['block1_'],
      maxEpochs: 25,
      patience: 5,
      batchSize: 32,
      replayShare: 0.4,
    };
  return {
    learningRate: 5e-4,
    frozenPrefixes: [],
    maxEpochs: 30,
    patience: 5,
    batchSize: 64,
    replayShare: 0.25,
  };
}

export interface FineTuneOptions {
  model: tfl.LayersModel;
  spec: ModelSpec;
  shape: [number, number, number];
  /** The tfjs backend in use (default: the active one) and the trainer preference: see FitOptions. */
  backend?: string;
  trainer?: string;
  /** The new labels (preprocessed rows, 0/1). */
  train: LabelledRows;
  /** Held-out labels: never trained on; the judge of every epoch and of the parent. */
  heldOut: LabelledRows;
  /** Unlabelled (or prior) stamps, whose parent scores are replayed as soft targets. */
  replay?: Float32Array;
  replayCount?: number;
  /**
   * Replay of the parent's training distribution (injections over real backgrounds, replay.ts),
   * with labels that hold by construction. With `replay` too, the replay share is split evenly.
   */
  injected?: ReplaySource;
  policy?: Partial<FineTunePolicy>;
  seed?: number;
  onEpoch?: (e: EpochReport) => void;
  signal?: AbortSignal;
}

export interface FineTuneResult {
  /** 'parent': no epoch beat the parent on the held-out labels; the model holds its weights. */
  kept: 'parent' | 'fine-tuned';
  reason: string;
  policy: FineTunePolicy;
  parent: { valAuc: number | null; valLoss: number };
  best: { valAuc: number | null; valLoss: number };
  bestEpoch: number;
  curves: EpochReport[];
  cancelled: boolean;
  /** What trained (FitResult.trainer). */
  trainer: string;
}

export async function fineTuneGuarded(o: FineTuneOptions): Promise<FineTuneResult> {
  const nTrain = o.train.y.length;
  if (nTrain === 0) throw new Error('fine-tuning needs at least one labelled stamp');
  const policy = { ...fineTunePolicy(nTrain), ...o.policy };
  const [h, w, c] = o.shape;
  const row = h * w * c;
  const random = seededRandom((o.seed ?? 1) ^ 0x2545f491);
  const replayN = o.replay ? (o.replayCount ?? o.replay.length / row) : 0;
  const replayY = replayN ? Array.from(await predictRows(o.model, o.replay!, replayN, o.shape)) : [];
  const nReal = o.train.y.filter((y) => y === 1).length;
  const nBogus = nTrain - nReal;
  // Class weights: each class counts equally whatever the balance of the labels.
  const cw = (y: number) =>
    y === 1 ? nTrain / (2 * Math.max(nReal, 1)) : nTrain / (2 * Math.max(nBogus, 1));
  const bs = policy.batchSize;
  const x = new Float32Array(bs * row);
  const nextBatch = (): Batch => {
    const y: number[] = [];
    const wts: number[] = [];
    const nReplay = replayN || o.injected ? Math.round(bs * policy.replayShare) : 0;
    // Soft replay first, then injections: half each when both are given.
    const nSoft = replayN ? (o.injected ? nReplay >> 1 : nReplay) : 0;
    for (let i = 0; i < bs; i++) {
      if (i >= nSoft && i < nReplay) {
        y.push(o.injected!.fill(x, i));
        wts.push(1);
      } else if (i < nSoft) {
        const j = Math.floor(random() * replayN);
        x.set(o.replay!.subarray(j * row, (j + 1) * row), i * row);
        y.push(replayY[j]);
        wts.push(1);
      } else {
        const j = Math.floor(random() * nTrain);
        x.set(o.train.x.subarray(j * row, (j + 1) * row), i * row);
        y.push(o.train.y[j]);
        wts.push(cw(o.train.y[j]));
      }
    }
    return { x, n: bs, y, w: wts };
  };
  const frozen = o.model.layers
    .map((l) => l.name)
    .filter((n) => policy.frozenPrefixes.some((p) => n.startsWith(p)));
  // About four passes over the labels (each with a random flip/rotation) per epoch.
  const stepsPerEpoch = Math.max(
    2,
    Math.ceil((4 * nTrain) / (bs * (1 - (replayN || o.injected ? policy.replayShare : 0)))),
  );
  const fit = await fitModel({
    model: o.model,
    spec: o.spec,
    shape: o.shape,
    backend: o.backend,
    trainer: o.trainer,
    batchSize: bs,
    nextBatch,
    stepsPerEpoch,
    maxEpochs: policy.maxEpochs,
    learningRate: policy.learningRate,
    patience: policy.patience,
    validation: o.heldOut,
    frozen,
    trainingMode: false,
    guardStart: true,
    seed: o.seed ?? 1,
    onEpoch: o.onEpoch,
    signal: o.signal,
  });
  const parent = fit.start!;
  const fmt = (v: number | null) => (v === null ? 'n/a' : v.toFixed(4));
  const kept = fit.bestEpoch === 0 ? 'parent' : 'fine-tuned';
  const reason =
    kept === 'parent'
      ? `kept the parent: no epoch beat it on the ${o.heldOut.y.length} held-out labels (parent AUC ${fmt(parent.valAuc)}, loss ${parent.valLoss.toFixed(4)})`
      : `epoch ${fit.bestEpoch} beat the parent on the ${o.heldOut.y.length} held-out labels: AUC ${fmt(parent.valAuc)} -> ${fmt(fit.best.valAuc)}, loss ${parent.valLoss.toFixed(4)} -> ${fit.best.valLoss.toFixed(4)}`;
  return {
    kept,
    reason: `${reason}; trained on ${fit.trainer}`,
    policy,
    parent,
    best: fit.best,
    bestEpoch: fit.bestEpoch,
    curves: fit.curves,
    cancelled: fit.cancelled,
    trainer: fit.trainer,
  };
}
