/**
 * Training a real/bogus CNN on a workspace's labelled candidates, on whichever backend is active:
 * stratified split by id, class weights, flips/rotations, per-batch and per-epoch progress, cancel,
 * early stopping on the validation loss with the best epoch's weights restored, then the held-out
 * test metrics. Batches stream from the stamp cache: memory stays bounded whatever the night's size.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Workspace } from '../../../catalog/workspace';
import { getArchitecture, modelCost, type ModelSpec } from '../architectures';
import { evaluateScores } from '../../../library/evaluate';
import { newVersionName, type ModelMeta, type ModelRegistry } from '../registry';
import { applyDihedral } from './augment';
import { bce } from './fit';
import { fineTunePolicy, type FineTunePolicy } from './fineTune';
import {
  labelFingerprint,
  seededRandom,
  shuffleInPlace,
  stratifiedSplit,
  type LabelledId,
  type Split,
} from './split';
import { NightsCache } from './nightsCache';
import {
  injectionReplay,
  nightBackgrounds,
  parentSimulatedShare,
  trainedOnInjections,
  type ReplaySource,
} from './replay';
import { predictRows, startEngine, type TrainEngine } from './trainEngine';
import { chooseInferenceEngine } from '../onnx/inferenceEngine';
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

export interface TrainOptions {
  /** The nights whose labelled candidates train it; with several, label ids are night-qualified (nightsCache.ts). */
  nights: readonly Workspace[];
  registry: ModelRegistry;
  architecture: string;
  labels: LabelledId[];
  /** How many labels came from where (e.g. { human: 812, data: 2000 }), for provenance. */
  labelSources: Record<string, number>;
  /** Labels kept out of training and validation altogether; they become the test set. */
  heldOut?: LabelledId[];
  /** Fine-tune from this version instead of starting from random weights. */
  parent?: string | null;
  /** Also judge this version (the home's active one) on the same held-out labels, for the comparison. */
  compareWith?: string | null;
  /** Provenance: what the labels are (the library shows it beside the figures). */
  trainedOn?: ModelMeta['trainedOn'];
  /** When the held-out labels are real (no simulated night among them): what they are, for the library. */
  realEvaluationSource?: string;
  backend: string;
  /** 'auto' (default: ONNX Runtime on CPU backends), 'tfjs' or 'onnxruntime'; see trainerChoice.ts. */
  trainer?: string;
  seed?: number;
  maxEpochs?: number;
  batchSize?: number;
  learningRate?: number;
  patience?: number;
  targetMdr?: number;
  notes?: string;
  onProgress?: (p: TrainProgress) => void;
  signal?: AbortSignal;
}

export interface TrainResult {
  meta: ModelMeta;
  cancelled: boolean;
  /**
   * Fine-tuning only: 'parent' when no epoch beat the parent on the validation labels, so the new
   * version holds the parent's weights unchanged (its notes and hyperparameters.keptParent say so);
   * `guard` says why, in words.
   */
  kept?: 'parent' | 'fine-tuned';
  guard?: string;
}

/** Scores for rows of the cache, in batches, in inference mode. */
export function predictCached(
  model: tfl.LayersModel,
  cache: Pick<NightsCache, 'read' | 'rowLength'>,
  spec: ModelSpec,
  ids: readonly string[],
  batchSize: number,
): Promise<Float32Array> {
  const shape = [...spec.inputSize, spec.channels.length] as [number, number, number];
  return predictCachedWith({ predict: (x, n) => predictRows(model, x, n, shape) }, cache, ids, batchSize);
}

/**
 * Scores for rows of the cache by any predictor: a training engine's (or ORT trainer's) current
 * weights while it trains, or a tfjs model's (predictCached).
 */
export async function predictCachedWith(
  engine: Pick<TrainEngine, 'predict'>,
  cache: Pick<NightsCache, 'read' | 'rowLength'>,
  ids: readonly string[],
  batchSize: number,
): Promise<Float32Array> {
  const out = new Float32Array(ids.length);
  const buf = new Float32Array(batchSize * cache.rowLength);
  for (let i = 0; i < ids.length; i += batchSize) {
    const slice = ids.slice(i, i + batchSize);
    cache.read(slice, buf);
    out.set(await engine.predict(buf, slice.length), i);
  }
  return out;
}

export function makeSplit(labels: LabelledId[], heldOut: LabelledId[] | undefined, seed: number): Split {
  if (heldOut && heldOut.length) {
    const held = new Set(heldOut.map((x) => x.id));
    const rest = labels.filter((x) => !held.has(x.id));
    const s = stratifiedSplit(rest, { validation: 0.15, test: 0 }, seed);
    return { train: s.train, validation: s.validation, test: heldOut };
  }
  return stratifiedSplit(labels, { validation: 0.15, test: 0.15 }, seed);
}

/**
 * The flagging threshold: the one that keeps MDR at the target on the held-out labels, but only
 * when they hold enough reals for a 1% rate to mean something; otherwise the parent's (or 0.5).
 */
export const MIN_REALS_FOR_THRESHOLD = 100;
/** Fewest validation labels (both classes present) on which a fine-tuned model is judged against its parent. */
export const MIN_GUARD_LABELS = 20;
/** Fewest batches per fine-tuning epoch (see `passes` in trainModel). */
export const MIN_FINE_TUNE_BATCHES = 8;
function flagThreshold(evaluation: ModelMeta['evaluation'], parentThreshold: number | null): number {
  const t = evaluation?.operatingPoint.threshold;
  if (evaluation && evaluation.reals >= MIN_REALS_FOR_THRESHOLD && t !== null && t !== undefined) return t;
  return parentThreshold ?? 0.5;
}

export async function trainModel(opts: TrainOptions): Promise<TrainResult> {
  const arch = getArchitecture(opts.architecture);
  const hp = arch.spec.training!;
  const seed = opts.seed ?? 1;
  const maxEpochs = opts.maxEpochs ?? hp.maxEpochs;
  const batchSize = opts.batchSize ?? hp.batchSize;
  const patience = opts.patience ?? hp.earlyStoppingPatience;
  // --- guarded fine-tuning (see fineTune.ts): with few labels, a lower rate and frozen early layers.
  const policy: FineTunePolicy | null = opts.parent ? fineTunePolicy(opts.labels.length) : null;
  const learningRate = opts.learningRate ?? policy?.learningRate ?? hp.learningRate;
  const targetMdr = opts.targetMdr ?? 0.01;
  const spec = arch.spec;
  const report = opts.onProgress ?? (() => {});

  const split = makeSplit(opts.labels, opts.heldOut, seed);
  // A few dozen labels make one batch: an "epoch" of fine-tuning is then several passes over them
  // (each with its own flips and rotations), so that a handful of epochs can teach something.
  const passes = policy
    ? Math.max(1, Math.ceil((MIN_FINE_TUNE_BATCHES * batchSize) / Math.max(1, split.train.length)))
    : 1;
  if (
    split.train.length < 2 ||
    !split.train.some((x) => x.label === 1) ||
    !split.train.some((x) => x.label === 0)
  ) {
    throw new Error(
      `Not enough labels to train: ${split.train.length} training candidates; both real and bogus examples are needed (label more, or ingest a labelled set).`,
    );
  }

  const cache = new NightsCache(opts.nights, spec);
  const allIds = [...split.train, ...split.validation, ...split.test].map((x) => x.id);
  const base: Omit<TrainProgress, 'message' | 'phase'> = {
    epoch: 0,
    maxEpochs,
    batch: 0,
    batches: 0,
    samples: 0,
    totalSamples: split.train.length * passes * maxEpochs,
    loss: null,
    valLoss: null,
    valAuc: null,
    samplesPerSecond: 0,
  };
  await cache.ensure(
    allIds,
    (done, total) => report({ ...base, phase: 'cache', message: `preparing stamps ${done}/${total}` }),
    opts.signal,
  );

  let model: tfl.LayersModel;
  let parentMeta: ModelMeta | null = null;
  if (opts.parent) {
    const loaded = await opts.registry.load(opts.parent);
    parentMeta = loaded.meta;
    if (loaded.meta.spec.id !== spec.id) {
      loaded.model.dispose();
      throw new Error(
        `Cannot fine-tune ${opts.parent}: it is a ${loaded.meta.spec.id} model, not ${spec.id}`,
      );
    }
    model = loaded.model;
  } else {
    model = arch.build(seed);
  }
  // --- guarded fine-tuning: frozen layers and the parent as "epoch 0" on the validation labels.
  const frozen = policy
    ? model.layers.filter((l) => policy.frozenPrefixes.some((p) => l.name.startsWith(p)))
    : [];
  let parentVal: { valLoss: number; valAuc: number | null } | null = null;
  // --- end guarded fine-tuning
  // --- The engine (trainEngine.ts): ONNX Runtime's native kernels on CPU backends, else tfjs. It
  // holds the weights until finish(), which gives the model the kept (best) ones back.
  // Guarded fine-tuning trains in inference mode (batch norms on the parent's statistics), the
  // frozen layers read only.
  const engine = await startEngine({
    model,
    spec,
    backend: opts.backend,
    learningRate,
    seed,
    batchSize,
    preference: opts.trainer,
    trainingMode: !policy,
    frozen: frozen.map((l) => l.name),
  });
  // --- replay (replay.ts): a parent that learnt from injections keeps seeing them, over the night's
  // own stamps (not the validation or test ones), as a share of every fine-tuning batch.
  let replay: ReplaySource | null = null;
  if (policy && parentMeta && policy.replayShare > 0 && trainedOnInjections(parentMeta)) {
    const exclude = new Set([...split.validation, ...split.test].map((x) => x.id));
    const stamps = await nightBackgrounds(opts.nights, exclude, seed);
    if (stamps.length) replay = injectionReplay(stamps, spec, seed, parentSimulatedShare(parentMeta));
  }
  const replayPerBatch = replay
    ? Math.max(1, Math.round((batchSize * policy!.replayShare) / (1 - policy!.replayShare)))
    : 0;
  // --- end replay
  report({ ...base, phase: 'train', message: `training on ${engine.description}: ${engine.reason}` });
  // The validation labels judge the parent and every epoch, with the engine's current weights.
  const valIds = split.validation.map((x) => x.id);
  const valLabels = split.validation.map((x) => x.label);
  const valHasBoth = valLabels.includes(0) && valLabels.includes(1);
  const judge = async () => {
    const scores = await predictCachedWith(engine, cache, valIds, batchSize);
    return {
      valLoss: bce(scores, valLabels),
      valAuc: valHasBoth ? evaluateScores(scores, valLabels, targetMdr).auc : null,
    };
  };
  const nReal = split.train.filter((x) => x.label === 1).length;
  const nBogus = split.train.length - nReal;
  // Class weights: each class contributes equally to the loss whatever the balance of the night.
  const weight = { 1: split.train.length / (2 * nReal), 0: split.train.length / (2 * nBogus) };
  const [h, w] = spec.inputSize;
  const c = spec.channels.length;
  const xbuf = new Float32Array((batchSize + replayPerBatch) * cache.rowLength);
  const scratch = new Float32Array(cache.rowLength);
  const random = seededRandom(seed ^ 0x9e3779b9);
  const curves: ModelMeta['curves'] = [];
  let best = { valLoss: Infinity, valAuc: null as number | null, epoch: -1 };
  // The parent is judged only on enough validation labels of both classes: on 4 labels "no epoch
  // beat it" is chance, and keeping it would throw the astronomer's labels away for nothing.
  const guarded = !!policy && split.validation.length >= MIN_GUARD_LABELS && valHasBoth;
  if (guarded) {
    parentVal = await judge();
    best = { ...parentVal, epoch: 0 };
    engine.keep();
  }
  let sinceBest = 0;
  let samples = 0;
  const t0 = Date.now();
  let cancelled = false;
  const batches = Math.ceil((split.train.length * passes) / batchSize);

  for (let epoch = 1; epoch <= maxEpochs && !cancelled; epoch++) {
    const te = Date.now();
    const order = Array.from({ length: passes }, () => shuffleInPlace([...split.train], random)).flat();
    let lossSum = 0;
    let lossN = 0;
    for (let b = 0; b < batches; b++) {
      await yieldToEvents();
      if (opts.signal?.aborted) {
        cancelled = true;
        break;
      }
      const slice = order.slice(b * batchSize, (b + 1) * batchSize);
      cache.read(
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
          applyDihedral(xbuf, i * cache.rowLength, h, c, Math.floor(random() * 8), scratch);
      const lossValue = await engine.step(xbuf, ys, ws, n);
      lossSum += lossValue * slice.length;
      lossN += slice.length;
      samples += slice.length;
      const secs = (Date.now() - t0) / 1000;
      report({
        ...base,
        phase: 'train',
        epoch,
        batch: b + 1,
        batches,
        samples,
        loss: lossSum / lossN,
        valLoss: curves.at(-1)?.valLoss ?? null,
        valAuc: curves.at(-1)?.valAuc ?? null,
        samplesPerSecond: samples / Math.max(secs, 1e-3),
        message: `epoch ${epoch}, batch ${b + 1}/${batches}`,
      });
    }
    if (cancelled) break;
    const { valLoss, valAuc } = await judge();
    const seconds = (Date.now() - te) / 1000;
    curves.push({
      epoch,
      loss: lossSum / lossN,
      valLoss,
      valAuc,
      seconds,
      samplesPerSecond: lossN / seconds,
    });
    // Fine-tuning is judged on AUC first (the ranking is what the desk uses), loss breaking ties.
    const improved = guarded
      ? best.valAuc !== null && valAuc !== null && Math.abs(valAuc - best.valAuc) > 1e-9
        ? valAuc > best.valAuc
        : valLoss < best.valLoss - 1e-6
      : valLoss < best.valLoss - 1e-6;
    if (improved || split.validation.length === 0) {
      engine.keep();
      best = { valLoss, valAuc, epoch };
      sinceBest = 0;
    } else if (++sinceBest >= patience) {
      report({
        ...base,
        phase: 'train',
        epoch,
        batches,
        samples,
        loss: lossSum / lossN,
        valLoss,
        valAuc,
        samplesPerSecond: samples / ((Date.now() - t0) / 1000),
        message: `early stop: no improvement for ${patience} epochs`,
      });
      break;
    }
  }
  // The test split is scored on the engine with the kept (best epoch's, or the parent's) weights,
  // before finish() releases it: the scores the stored model gives, without a tfjs pass.
  engine.useKept();
  report({ ...base, phase: 'evaluate', samples, message: 'evaluating on the held-out test split' });
  const testScores = await predictCachedWith(
    engine,
    cache,
    split.test.map((t) => t.id),
    batchSize,
  );
  await engine.finish(); // the model now holds the kept weights
  const evaluation = split.test.length
    ? evaluateScores(
        testScores,
        split.test.map((t) => t.label),
        targetMdr,
      )
    : null;
  const comparedWith = opts.compareWith
    ? await judgeOnHeldOut(opts, opts.compareWith, split.test, batchSize, targetMdr)
    : null;
  const cost = modelCost(model);
  const counts = {
    real: opts.labels.filter((x) => x.label === 1).length,
    bogus: opts.labels.filter((x) => x.label === 0).length,
  };
  const meta: ModelMeta = {
    version: newVersionName(spec.id),
    createdAt: new Date().toISOString(),
    kind: 'trained',
    spec,
    parent: opts.parent ?? null,
    backend: opts.backend,
    seed,
    hyperparameters: {
      maxEpochs,
      batchSize,
      learningRate,
      patience,
      optimizer: 'adam',
      classWeights: weight,
      augmentation: 'dihedral-8',
      fineTuned: !!opts.parent,
      trainer: engine.description,
      ...(policy ? { passesPerEpoch: passes } : {}),
      ...(policy ? { frozenLayers: frozen.map((l) => l.name), batchNormFrozen: true } : {}),
      ...(replay
        ? {
            replay: {
              kind: 'injection',
              backgrounds: replay.backgrounds,
              perBatch: replayPerBatch,
              simulatedShare: replay.simulatedShare,
            },
          }
        : {}),
    },
    cost: { params: cost.params, flopsPerStamp: cost.flopsPerStamp },
    trainedOn: opts.trainedOn,
    realEvaluation:
      evaluation && opts.realEvaluationSource
        ? { source: opts.realEvaluationSource, n: evaluation.n, evaluation }
        : null,
    comparedWith,
    data: {
      workspace: opts.nights[0].dir,
      nights: opts.nights.map((n) => n.dir),
      fingerprint: labelFingerprint(opts.labels),
      counts,
      labelSources: opts.labelSources,
      split: {
        train: split.train.map((x) => x.id),
        validation: split.validation.map((x) => x.id),
        test: split.test.map((x) => x.id),
        testLabels: split.test.map((x) => x.label),
      },
    },
    curves,
    bestEpoch: best.epoch >= 0 ? best.epoch : null,
    evaluation,
    threshold: flagThreshold(evaluation, parentMeta?.threshold ?? null),
    notes: opts.notes ?? '',
  };
  // --- guarded fine-tuning: say whether an epoch beat the parent or its weights were kept.
  const fmtAuc = (a: number | null | undefined) => (a === null || a === undefined ? 'n/a' : a.toFixed(4));
  const keptParent = guarded && best.epoch === 0;
  const guard = !policy
    ? undefined
    : !guarded
      ? `not judged against the parent: only ${split.validation.length} validation labels (at least ${MIN_GUARD_LABELS} of both classes are needed); best epoch ${best.epoch} by validation loss, with the cautious few-label settings`
      : keptParent
        ? `kept the parent's weights (${parentMeta?.version}): no epoch beat it on the ${split.validation.length} validation labels (AUC ${fmtAuc(parentVal?.valAuc)}, loss ${(parentVal?.valLoss ?? NaN).toFixed(4)})`
        : `epoch ${best.epoch} beat the parent on the ${split.validation.length} validation labels (AUC ${fmtAuc(parentVal?.valAuc)} -> ${fmtAuc(best.valAuc)})`;
  if (policy) meta.hyperparameters.keptParent = keptParent;
  if (replay) meta.notes = meta.notes ? `${meta.notes}\n${replay.description}` : replay.description;
  if (guard) meta.notes = meta.notes ? `${meta.notes}\n${guard}` : guard;
  if (!cancelled) await opts.registry.save(model, meta);
  model.dispose();
  return {
    meta,
    cancelled,
    ...(policy ? { kept: keptParent ? ('parent' as const) : ('fine-tuned' as const), guard } : {}),
  };
}

/**
 * Another version's figures on the same held-out labels (its own preprocessing, its own cache),
 * scored by the engine that scores its nights (ONNX Runtime on CPU backends; chooseInferenceEngine).
 */
async function judgeOnHeldOut(
  opts: TrainOptions,
  version: string,
  test: readonly LabelledId[],
  batchSize: number,
  targetMdr: number | undefined,
): Promise<ModelMeta['comparedWith']> {
  if (!test.length || !opts.registry.has(version)) return null;
  const { model, meta } = await opts.registry.load(version);
  const spec = meta.spec as ModelSpec;
  const engine = await chooseInferenceEngine(opts.registry, version, model, spec).catch((err: unknown) => {
    model.dispose();
    throw err;
  });
  try {
    const cache = new NightsCache(opts.nights, spec);
    const ids = test.map((t) => t.id);
    await cache.ensure(ids, undefined, opts.signal);
    const predict = engine.predict;
    const scores = predict
      ? await predictCachedWith(
          { predict: async (x, n) => Float32Array.from(await predict(x, n)) },
          cache,
          ids,
          batchSize,
        )
      : await predictCached(model, cache, spec, ids, batchSize);
    return {
      version,
      evaluation: evaluateScores(
        scores,
        test.map((t) => t.label),
        targetMdr,
      ),
    };
  } finally {
    model.dispose();
    await engine.release();
  }
}
