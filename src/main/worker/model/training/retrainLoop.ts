/**
 * The retrain's epochs on labelled rows: one procedure for the desk's Retrain (train.ts, rows from
 * the nights' stamp cache) and the cold-start experiment (injection/realBench.ts, rows in memory),
 * so that the curve TRAINED_BY.md quotes is what the astronomer's button does. From scratch: class
 * weights, flips and rotations, early stopping on the validation loss. Fine-tuning a parent (the
 * policy of fineTune.ts): a lower rate, frozen early layers, batch norms on the parent's statistics,
 * injection replay in every batch, and, on enough validation labels, the parent judged as "epoch 0"
 * and kept unless an epoch beats it; under 1,000 labels the epoch that does is then blended halfway
 * back toward it.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import type { ModelSpec } from '../architectures/spec';
import type { ModelMeta } from '../registry';
import { aucStandardError } from '../../../../shared/metrics';
import { applyDihedral } from './augment';
import { better, validationFigures } from './fit';
import type { FineTunePolicy } from './fineTune';
import {
  injectionReplay,
  parentSimulatedShare,
  trainedOnInjections,
  type ReplaySource,
  type ReplayStamp,
} from './replay';
import { seededRandom, shuffleInPlace, type Split } from './split';
import { startEngine, type TrainEngine } from './trainEngine';
import { yieldToEvents } from './yieldToEvents';

export interface TrainProgress {
  phase: 'cache' | 'train' | 'evaluate';
  epoch: number;
  maxEpochs: number;
  batch: number;
  batches: number;
  /** Samples seen so far in this run (all epochs). */
  samples: number;
  totalSamples: number;
  loss: number | null;
  valLoss: number | null;
  valAuc: number | null;
  samplesPerSecond: number;
  message: string;
}

/** Preprocessed rows by candidate id (the nights' stamp cache, or rows held in memory). */
export interface RowSource {
  readonly rowLength: number;
  read(ids: readonly string[], out: Float32Array): void;
}

/** Rows already preprocessed in memory (`x`, one row per id): a night that is not on disk. */
export function rowsInMemory(ids: readonly string[], x: Float32Array, rowLength: number): RowSource {
  const index = new Map(ids.map((id, i) => [id, i]));
  return {
    rowLength,
    read(want, out) {
      want.forEach((id, k) => {
        const i = index.get(id);
        if (i === undefined) throw new Error(`no stamp ${id} among the rows in memory`);
        out.set(x.subarray(i * rowLength, (i + 1) * rowLength), k * rowLength);
      });
    },
  };
}

/**
 * Scores for rows by any predictor: a training engine's (or ORT trainer's) current weights while
 * it trains, an inference engine's, or a tfjs model's (train.ts predictCached).
 */
export async function predictCachedWith(
  engine: { predict(x: Float32Array, n: number): Promise<ArrayLike<number>> },
  rows: RowSource,
  ids: readonly string[],
  batchSize: number,
): Promise<Float32Array> {
  const out = new Float32Array(ids.length);
  const buf = new Float32Array(batchSize * rows.rowLength);
  for (let i = 0; i < ids.length; i += batchSize) {
    const slice = ids.slice(i, i + batchSize);
    rows.read(slice, buf);
    out.set(await engine.predict(buf, slice.length), i);
  }
  return out;
}

/** Fewest validation labels (both classes present) on which a fine-tuned model is judged against its parent. */
export const MIN_GUARD_LABELS = 10;
/** Fewest batches per fine-tuning epoch (see `passes` below). */
export const MIN_FINE_TUNE_BATCHES = 8;

export interface RetrainLoopOptions {
  /** The parent (fine-tuning) or freshly built model; it holds the kept weights after engine.finish(). */
  model: tfl.LayersModel;
  spec: ModelSpec;
  rows: RowSource;
  split: Pick<Split, 'train' | 'validation'>;
  /** The fine-tuning policy, or null when training from scratch. */
  policy: FineTunePolicy | null;
  /** The parent's record (fine-tuning): replay follows what it learnt from. */
  parent: ModelMeta | null;
  /** Stamps for injection replay, leaving out `exclude` (the validation labels). */
  backgrounds: (exclude: ReadonlySet<string>) => Promise<ReplayStamp[]>;
  backend: string;
  trainer?: string;
  seed: number;
  learningRate: number;
  batchSize: number;
  maxEpochs: number;
  patience: number;
  onProgress: (p: TrainProgress) => void;
  signal?: AbortSignal;
}

export interface RetrainLoopResult {
  /** Still running: the caller calls finish() (the model then holds the kept weights). */
  engine: TrainEngine;
  curves: ModelMeta['curves'];
  best: { valLoss: number; valAuc: number | null; epoch: number };
  /** The parent judged on the validation labels; null when not guarded. */
  parentVal: { valLoss: number; valAuc: number | null } | null;
  guarded: boolean;
  /** Guarded and no epoch beat the parent: the model keeps the parent's weights. */
  keptParent: boolean;
  /**
   * An epoch beat the parent and the policy blends: the blend's validation figures, and whether it
   * was kept (above the parent, and within the labels' noise of the epoch).
   */
  blended: {
    alpha: number;
    valLoss: number;
    valAuc: number | null;
    kept: boolean;
    /** Why the epoch was kept as it is. */
    whyNot?: string;
  } | null;
  /** Fine-tuning only: what the guard did, in words (the version's notes and the job's result). */
  guard?: string;
  passes: number;
  frozen: string[];
  replay: ReplaySource | null;
  replayPerBatch: number;
  samples: number;
  classWeights: { 0: number; 1: number };
  cancelled: boolean;
}

export async function retrainLoop(o: RetrainLoopOptions): Promise<RetrainLoopResult> {
  const { split, policy, spec, rows, batchSize } = o;
  // A few dozen labels make one batch: an "epoch" of fine-tuning is then several passes over them
  // (each with its own flips and rotations), so that a handful of epochs can teach something.
  const passes = policy
    ? Math.max(1, Math.ceil((MIN_FINE_TUNE_BATCHES * batchSize) / Math.max(1, split.train.length)))
    : 1;
  const base: Omit<TrainProgress, 'message' | 'phase'> = {
    epoch: 0,
    maxEpochs: o.maxEpochs,
    batch: 0,
    batches: 0,
    samples: 0,
    totalSamples: split.train.length * passes * o.maxEpochs,
    loss: null,
    valLoss: null,
    valAuc: null,
    samplesPerSecond: 0,
  };
  const frozen = policy
    ? o.model.layers.filter((l) => policy.frozenPrefixes.some((p) => l.name.startsWith(p))).map((l) => l.name)
    : [];
  // --- replay (replay.ts): a parent that learnt from injections keeps seeing them, over stamps
  // other than the validation labels, as a share of every fine-tuning batch.
  let replay: ReplaySource | null = null;
  if (policy && o.parent && policy.replayShare > 0 && trainedOnInjections(o.parent)) {
    const stamps = await o.backgrounds(new Set(split.validation.map((x) => x.id)));
    if (stamps.length) replay = injectionReplay(stamps, spec, o.seed, parentSimulatedShare(o.parent));
  }
  const replayPerBatch = replay
    ? Math.max(1, Math.round((batchSize * policy!.replayShare) / (1 - policy!.replayShare)))
    : 0;
  // The engine (trainEngine.ts): ONNX Runtime's native kernels on CPU backends, else tfjs. Guarded
  // fine-tuning trains in inference mode (batch norms on the parent's statistics), frozen layers read only.
  const engine = await startEngine({
    model: o.model,
    spec,
    backend: o.backend,
    learningRate: o.learningRate,
    seed: o.seed,
    batchSize,
    preference: o.trainer,
    trainingMode: !policy,
    frozen,
  });
  try {
    o.onProgress({ ...base, phase: 'train', message: `training on ${engine.description}: ${engine.reason}` });
    const valIds = split.validation.map((x) => x.id);
    const valLabels = split.validation.map((x) => x.label);
    const valHasBoth = valLabels.includes(0) && valLabels.includes(1);
    // The validation labels judge the parent and every epoch, with the engine's current weights.
    const judge = async () =>
      validationFigures(await predictCachedWith(engine, rows, valIds, batchSize), valLabels);
    const nReal = split.train.filter((x) => x.label === 1).length;
    const nBogus = split.train.length - nReal;
    // Class weights: each class contributes equally to the loss whatever the balance of the labels.
    const weight = { 1: split.train.length / (2 * nReal), 0: split.train.length / (2 * nBogus) };
    const [h, w] = spec.inputSize;
    const c = spec.channels.length;
    const xbuf = new Float32Array((batchSize + replayPerBatch) * rows.rowLength);
    const scratch = new Float32Array(rows.rowLength);
    const random = seededRandom(o.seed ^ 0x9e3779b9);
    const curves: ModelMeta['curves'] = [];
    let best = { valLoss: Infinity, valAuc: null as number | null, epoch: -1 };
    // The parent is judged only on enough validation labels of both classes: on 4 labels "no epoch
    // beat it" is chance, and keeping it would throw the astronomer's labels away for nothing.
    const guarded = !!policy && split.validation.length >= MIN_GUARD_LABELS && valHasBoth;
    let parentVal: RetrainLoopResult['parentVal'] = null;
    if (guarded) {
      parentVal = await judge();
      best = { ...parentVal, epoch: 0 };
      engine.keep();
      engine.anchor();
    }
    let sinceBest = 0;
    let samples = 0;
    const t0 = Date.now();
    let cancelled = false;
    const batches = Math.ceil((split.train.length * passes) / batchSize);

    for (let epoch = 1; epoch <= o.maxEpochs && !cancelled; epoch++) {
      const te = Date.now();
      const order = Array.from({ length: passes }, () => shuffleInPlace([...split.train], random)).flat();
      let lossSum = 0;
      let lossN = 0;
      for (let b = 0; b < batches; b++) {
        await yieldToEvents();
        if (o.signal?.aborted) {
          cancelled = true;
          break;
        }
        const slice = order.slice(b * batchSize, (b + 1) * batchSize);
        rows.read(
          slice.map((x) => x.id),
          xbuf,
        );
        const ys: number[] = slice.map((s) => s.label);
        const ws: number[] = slice.map((s) => weight[s.label]);
        // Replay rows after the labelled ones; the sampler draws both classes evenly, so weight 1.
        const nReplay = replay ? Math.round((replayPerBatch * slice.length) / batchSize) : 0;
        for (let i = 0; i < nReplay; i++) {
          ys.push(replay!.fill(xbuf, slice.length + i));
          ws.push(1);
        }
        const n = ys.length;
        if (h === w)
          for (let i = 0; i < n; i++)
            applyDihedral(xbuf, i * rows.rowLength, h, c, Math.floor(random() * 8), scratch);
        const lossValue = await engine.step(xbuf, ys, ws, n);
        lossSum += lossValue * slice.length;
        lossN += slice.length;
        samples += slice.length;
        o.onProgress({
          ...base,
          phase: 'train',
          epoch,
          batch: b + 1,
          batches,
          samples,
          loss: lossSum / lossN,
          valLoss: curves.at(-1)?.valLoss ?? null,
          valAuc: curves.at(-1)?.valAuc ?? null,
          samplesPerSecond: samples / Math.max((Date.now() - t0) / 1000, 1e-3),
          message: `epoch ${epoch}, batch ${b + 1}/${batches}`,
        });
      }
      if (cancelled) break;
      const v = await judge();
      const seconds = (Date.now() - te) / 1000;
      curves.push({ epoch, loss: lossSum / lossN, ...v, seconds, samplesPerSecond: lossN / seconds });
      // Fine-tuning is judged on AUC first (the ranking is what the desk uses), loss breaking ties
      // between epochs; but only an epoch that ranks the validation labels strictly better than the
      // parent may replace it. A tie won on loss is no evidence: on 12-20 labels such epochs lowered
      // the ranking of the unseen stamps and cost SN 2021rhu up to 7 of its 34 epochs (cold start).
      const improved = guarded
        ? rankedBetter(v, parentVal!) && better(v, best)
        : v.valLoss < best.valLoss - 1e-6;
      if (improved || split.validation.length === 0) {
        engine.keep();
        best = { ...v, epoch };
        sinceBest = 0;
      } else if (++sinceBest >= o.patience) {
        o.onProgress({
          ...base,
          phase: 'train',
          epoch,
          batches,
          samples,
          loss: lossSum / lossN,
          ...v,
          samplesPerSecond: samples / ((Date.now() - t0) / 1000),
          message: `early stop: no improvement for ${o.patience} epochs`,
        });
        break;
      }
    }
    const keptParent = guarded && best.epoch === 0;
    // An epoch beat the parent: the weights halfway back toward the parent's are kept instead, as
    // long as they too rank the validation labels above the parent and no worse than the epoch by
    // more than the noise of that many labels (one standard error of an AUC). What they taught beyond
    // that (a kind of artifact the parent never saw) is kept whole: the epoch as it is.
    let blended: RetrainLoopResult['blended'] = null;
    const epochBest = best;
    if (guarded && !keptParent && !cancelled && policy!.blend < 1) {
      engine.useKept();
      engine.keep();
      engine.blendWithAnchor(policy!.blend);
      const v = await judge();
      const nPos = valLabels.filter((y) => y === 1).length;
      // Taken at the lower of the two AUCs: at a perfect 1.000 the formula gives 0, and 40 labels
      // ranked perfectly are not certainty.
      const noise = aucStandardError(
        Math.min(v.valAuc ?? NaN, epochBest.valAuc ?? NaN),
        nPos,
        valLabels.length - nPos,
      );
      const whyNot = !rankedBetter(v, parentVal!)
        ? 'not above the parent'
        : !(v.valAuc !== null && epochBest.valAuc !== null && v.valAuc >= epochBest.valAuc - noise)
          ? `below the epoch by more than the noise of these labels (${noise.toFixed(4)})`
          : null;
      blended = { alpha: policy!.blend, ...v, kept: whyNot === null, ...(whyNot ? { whyNot } : {}) };
      if (blended.kept) {
        engine.keep();
        best = { ...v, epoch: best.epoch };
      }
    }
    const fmtAuc = (a: number | null | undefined) => (a === null || a === undefined ? 'n/a' : a.toFixed(4));
    const guard = !policy
      ? undefined
      : !guarded
        ? `not judged against the parent: only ${split.validation.length} validation labels (at least ${MIN_GUARD_LABELS} of both classes are needed); best epoch ${best.epoch} by validation loss, with the cautious few-label settings`
        : keptParent
          ? `kept the parent's weights (${o.parent?.version}): no epoch beat it on the ${split.validation.length} validation labels (AUC ${fmtAuc(parentVal?.valAuc)}, loss ${(parentVal?.valLoss ?? NaN).toFixed(4)})`
          : `epoch ${best.epoch} beat the parent on the ${split.validation.length} validation labels (AUC ${fmtAuc(parentVal?.valAuc)} -> ${fmtAuc(epochBest.valAuc)})` +
            (!blended
              ? ''
              : blended.kept
                ? `; kept ${blended.alpha} of the way from the parent to it (AUC ${fmtAuc(blended.valAuc)})`
                : `; kept as it is (${blended.alpha} of the way from the parent ranked them at ${fmtAuc(blended.valAuc)}: ${blended.whyNot})`);
    return {
      engine,
      curves,
      best,
      parentVal,
      guarded,
      keptParent,
      blended,
      ...(guard ? { guard } : {}),
      passes,
      frozen,
      replay,
      replayPerBatch,
      samples,
      classWeights: weight,
      cancelled,
    };
  } catch (err) {
    await engine.finish();
    throw err;
  }
}

/** A higher validation AUC than the parent's (loss decides only where neither has an AUC). */
export function rankedBetter(
  v: { valAuc: number | null; valLoss: number },
  parent: { valAuc: number | null; valLoss: number },
): boolean {
  if (v.valAuc === null || parent.valAuc === null) return better(v, parent);
  return v.valAuc > parent.valAuc + 1e-9;
}
