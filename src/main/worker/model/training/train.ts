/**
 * Training a real/bogus CNN on the labelled candidates of nights, on whichever backend is active:
 * the stratified split by id, the stamp cache, the parent or fresh weights, the epochs
 * (retrainLoop.ts: class weights, flips/rotations, progress, cancel, early stopping, the guard
 * against the parent), then the held-out test metrics and the version's record. Batches stream
 * from the stamp cache: memory stays bounded whatever the night's size.
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Workspace } from '../../../catalog/workspace';
import { getArchitecture, modelCost, type ModelSpec } from '../architectures';
import { evaluateScores } from '../../../library/evaluate';
import { newVersionName, type ModelMeta, type ModelRegistry } from '../registry';
import { fineTunePolicy, type FineTunePolicy } from './fineTune';
import { labelFingerprint, stratifiedSplit, type LabelledId, type Split } from './split';
import { NightsCache } from './nightsCache';
import { nightBackgrounds } from './replay';
import { predictCachedWith, retrainLoop, type TrainProgress } from './retrainLoop';
import { predictRows } from './trainEngine';
import { chooseInferenceEngine } from '../onnx/inferenceEngine';

export type { TrainProgress } from './retrainLoop';

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
 * The held-out labels given are the test set, and `validationShare` of the rest validates; with
 * none given, 15% of the labels test and `validationShare` of them validates. The share is the
 * fine-tuning policy's: larger with few labels, so that the parent can be judged against each epoch.
 */
export function makeSplit(
  labels: LabelledId[],
  heldOut: LabelledId[] | undefined,
  seed: number,
  validationShare = 0.15,
): Split {
  if (heldOut && heldOut.length) {
    const held = new Set(heldOut.map((x) => x.id));
    const rest = labels.filter((x) => !held.has(x.id));
    const s = stratifiedSplit(rest, { validation: validationShare, test: 0 }, seed);
    return { train: s.train, validation: s.validation, test: heldOut };
  }
  return stratifiedSplit(labels, { validation: validationShare, test: 0.15 }, seed);
}

/**
 * The flagging threshold: the one that keeps MDR at the target on the held-out labels, but only
 * when they hold enough reals for a 1% rate to mean something; otherwise the parent's (or 0.5).
 */
export const MIN_REALS_FOR_THRESHOLD = 100;
function flagThreshold(evaluation: ModelMeta['evaluation'], parentThreshold: number | null): number {
  const t = evaluation?.operatingPoint.threshold;
  if (evaluation && evaluation.reals >= MIN_REALS_FOR_THRESHOLD && t !== null && t !== undefined) return t;
  return parentThreshold ?? 0.5;
}

export async function trainModel(opts: TrainOptions): Promise<TrainResult> {
  const arch = getArchitecture(opts.architecture);
  const hp = arch.spec.training!;
  const seed = opts.seed ?? 1;
  // Guarded fine-tuning (fineTune.ts): how cautious, by the number of labels.
  const policy: FineTunePolicy | null = opts.parent ? fineTunePolicy(opts.labels.length) : null;
  const maxEpochs = opts.maxEpochs ?? policy?.maxEpochs ?? hp.maxEpochs;
  const batchSize = opts.batchSize ?? policy?.batchSize ?? hp.batchSize;
  const patience = opts.patience ?? policy?.patience ?? hp.earlyStoppingPatience;
  const learningRate = opts.learningRate ?? policy?.learningRate ?? hp.learningRate;
  const targetMdr = opts.targetMdr ?? 0.01;
  const spec = arch.spec;
  const report = opts.onProgress ?? (() => {});

  const split = makeSplit(opts.labels, opts.heldOut, seed, policy?.validationShare);
  if (
    split.train.length < 2 ||
    !split.train.some((x) => x.label === 1) ||
    !split.train.some((x) => x.label === 0)
  ) {
    throw new Error(
      `Not enough labels to train: ${split.train.length} training candidates; both real and bogus examples are needed (label more, or ingest a labelled set).`,
    );
  }

  const cache = await NightsCache.open(opts.nights, spec);
  const allIds = [...split.train, ...split.validation, ...split.test].map((x) => x.id);
  const idle = { epoch: 0, maxEpochs, batch: 0, batches: 0, samples: 0, totalSamples: 0 };
  const quiet = { loss: null, valLoss: null, valAuc: null, samplesPerSecond: 0 };
  await cache.ensure(
    allIds,
    (done, total) =>
      report({ ...idle, ...quiet, phase: 'cache', message: `preparing stamps ${done}/${total}` }),
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
  const loop = await retrainLoop({
    model,
    spec,
    rows: cache,
    split,
    policy,
    parent: parentMeta,
    // Replay backgrounds: the night's stamps, never those of the test labels (nor the validation's).
    backgrounds: (exclude) =>
      nightBackgrounds(
        opts.nights,
        new Set([...exclude, ...split.test.map((x) => x.id)]),
        seed,
        cache.scales,
      ),
    backend: opts.backend,
    trainer: opts.trainer,
    seed,
    learningRate,
    batchSize,
    maxEpochs,
    patience,
    onProgress: report,
    signal: opts.signal,
  });
  const { curves, best, replay, cancelled, keptParent, guard } = loop;
  // The test split is scored on the engine with the kept weights (the best epoch's, its blend with
  // the parent's, or the parent's), before finish() releases it: the scores the stored model gives,
  // without a tfjs pass.
  const { engine } = loop;
  report({
    ...idle,
    ...quiet,
    phase: 'evaluate',
    samples: loop.samples,
    message: 'evaluating on the held-out test split',
  });
  let testScores: Float32Array;
  try {
    engine.useKept();
    testScores = await predictCachedWith(
      engine,
      cache,
      split.test.map((t) => t.id),
      batchSize,
    );
  } finally {
    await engine.finish(); // the model now holds the kept weights
  }
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
      classWeights: loop.classWeights,
      augmentation: 'dihedral-8',
      fineTuned: !!opts.parent,
      trainer: loop.engine.description,
      ...(policy ? { passesPerEpoch: loop.passes } : {}),
      ...(policy ? { frozenLayers: loop.frozen, batchNormFrozen: true } : {}),
      ...(loop.blended?.kept ? { blendedWithParent: loop.blended.alpha } : {}),
      ...(replay
        ? {
            replay: {
              kind: 'injection',
              backgrounds: replay.backgrounds,
              perBatch: loop.replayPerBatch,
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
  // Guarded fine-tuning: whether an epoch beat the parent or its weights were kept, in words.
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
    const cache = await NightsCache.open(opts.nights, spec);
    const ids = test.map((t) => t.id);
    await cache.ensure(ids, undefined, opts.signal);
    const { predict } = engine;
    const scores = predict
      ? await predictCachedWith({ predict }, cache, ids, batchSize)
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
