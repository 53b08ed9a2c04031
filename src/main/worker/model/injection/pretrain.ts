/**
 * Pre-training a real/bogus model on injections into real stamps (see inject.ts), with the ZTF
 * objects of one fold never touched (not as backgrounds, not as labels, not for model selection)
 * so that the figures on them are honest, and SN 2021rhu's epochs kept for evaluation only.
 */
import * as tfc from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { StampTriplet } from '../../../../shared/stamp';
import { candidateTriplet, drawKind } from '../../demo/generator';
import { DEFAULT_ARTIFACT_WEIGHTS, DEFAULT_REAL_WEIGHTS, simulateCandidate } from '../../demo/scene';
import { getArchitecture, modelCost, type ModelSpec } from '../architectures';
import { evaluateScores } from '../../../library/evaluate';
import { preprocessBatch, stampInputLength } from '../preprocess';
import { newVersionName, type Evaluation, type ModelMeta, type ModelRegistry } from '../registry';
import { fitModel, predictRows, type Batch, type EpochReport } from '../training/fit';
import { labelFingerprint } from '../training/split';
import {
  DEFAULT_INJECTION,
  InjectionSampler,
  prepareBackground,
  type Background,
  type Example,
  type InjectionOptions,
} from './inject';
import { distinctStamps, foldOf, surveyLabel, type RealStamp } from './realStamps';
import { measureFwhm } from './psf';
import {
  ROBUSTNESS_VIEWS,
  resampleTriplet,
  toNightScale,
  type NightScale,
  type RobustnessView,
} from './transform';
import { SEEING_SAMPLE, scaleFor, setSeeing, type Seeing } from '../seeing';
import { auc } from '../../../../shared/metrics';

/** The spectroscopic SN Ia whose 34 ZTF epochs are the one set known to be real: never trained on. */
export const SN2021RHU_OBJECT = 'ZTF21abiuvdk';

/**
 * Stand-in label of a real stamp: braai drb where present, else ZTF's rb. Other surveys' rb fields
 * are not used (the ATLAS packets here carry rb = 0 on every alert, which is no verdict).
 */
export function standInLabel(s: RealStamp): 0 | 1 | null {
  if (s.scores.drb !== undefined) return surveyLabel(s);
  if (s.survey === 'ztf' && s.scores.rb !== undefined) return surveyLabel(s);
  return null;
}

export interface StampPartition {
  /** Used for backgrounds, labelled examples and validation. */
  train: RealStamp[];
  /** Never used in any way for training: the evaluation fold and SN 2021rhu. */
  heldOut: RealStamp[];
}

/** Split by object: fold `evalFold` of `folds` (and SN 2021rhu) held out, the rest for training. */
export function partitionStamps(
  stamps: RealStamp[],
  folds: number,
  evalFold: number,
  salt = 0,
): StampPartition {
  const out: StampPartition = { train: [], heldOut: [] };
  for (const s of stamps) {
    const held = s.objectId === SN2021RHU_OBJECT || foldOf(s.objectId, folds, salt) === evalFold;
    (held ? out.heldOut : out.train).push(s);
  }
  return out;
}

/**
 * The training side's model-selection stamps: a quarter of the training objects' labelled stamps
 * (by object), never backgrounds or labels; `pool` is the rest of the training side.
 */
export function selectionSplit(partition: StampPartition): { selection: RealStamp[]; pool: RealStamp[] } {
  const selection = partition.train.filter((s) => standInLabel(s) !== null && foldOf(s.objectId, 4, 7) === 0);
  const selectionIds = new Set(selection.map((s) => s.id));
  return { selection, pool: partition.train.filter((s) => !selectionIds.has(s.id)) };
}

/**
 * The validation set a pretraining run with `seed` selects its epochs on: the selection stamps
 * (real labels), 600 injections into the pool's backgrounds from their own stream, and, when the
 * run mixes in the demo-night simulator, 200 simulated candidates from theirs. Rebuilt the same
 * way by `pretrain --validate`, so that candidates are compared on the training side only.
 */
export function validationSet(
  selection: readonly RealStamp[],
  backgrounds: readonly Background[],
  seed: number,
  simulated: boolean,
  injection?: Partial<InjectionOptions>,
): { injected: Example[]; triplets: StampTriplet[]; labels: (0 | 1)[] } {
  // Native stamps only: runs that train on other-camera views add those views explicitly (otherCameraViews).
  const valSampler = new InjectionSampler([...backgrounds], [], [], seed + 1000, {
    ...injection,
    zoom: 0,
    blur: 0,
  });
  const injected: Example[] = Array.from({ length: 600 }, () => valSampler.sample());
  if (simulated) {
    // Ids far from the training stream's (simulatedDraw(seed)).
    const sim = simulatedDraw(seed + 1000);
    for (let i = 0; i < 200; i++) injected.push({ ...sim(), kind: 'simulated', background: 'simulated' });
  }
  return {
    injected,
    triplets: [...selection.map((s) => s.triplet), ...injected.map((e) => e.triplet)],
    labels: [...selection.map((s) => standInLabel(s)!), ...injected.map((e) => e.label)],
  };
}

export interface PretrainOptions {
  registry: ModelRegistry;
  stamps: RealStamp[];
  /** Where the stamps came from (manifest path), for provenance. */
  source: string;
  folds: number;
  evalFold: number;
  architecture?: string;
  seed?: number;
  maxEpochs: number;
  stepsPerEpoch: number;
  batchSize?: number;
  learningRate?: number;
  patience?: number;
  /** Wall-clock budget in seconds (no epoch starts after it). */
  maxSeconds?: number;
  /** Add the training fold's survey-labelled stamps (real transients, real artifacts). */
  useLabelled: boolean;
  injection?: Partial<InjectionOptions>;
  /**
   * Continue from these weights (a model of the same architecture, e.g. an injection-trained one)
   * instead of random ones; `parentVersion` names it in the record.
   */
  initModel?: tfl.LayersModel;
  parentVersion?: string;
  /** The versions whose weights were averaged into `initModel` (see averageWeights), for the record. */
  averagedFrom?: string[];
  /** Share of examples drawn from the simulated demo night's generator (0: none). */
  simulatedShare?: number;
  backend: string;
  /** 'auto' (default: SKYSIFT_TRAINER, else ONNX Runtime on CPU backends), 'tfjs' or 'onnxruntime'. */
  trainer?: string;
  notes?: string;
  onEpoch?: (e: EpochReport) => void;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

export interface PretrainResult {
  meta: ModelMeta;
  cancelled: boolean;
  partition: StampPartition;
}

/** Scores for triplets, in inference mode. */
export async function scoreTriplets(
  model: tfl.LayersModel,
  spec: ModelSpec,
  triplets: readonly StampTriplet[],
  /** Template blur and resampling to the models' seeing (seeing.ts), as the app applies to a night of these stamps. */
  scale: NightScale | number = 1,
): Promise<Float32Array> {
  const [h, w] = spec.inputSize;
  const out = new Float32Array(triplets.length);
  for (let i = 0; i < triplets.length; i += 256) {
    const part = triplets.slice(i, i + 256);
    const x = preprocessBatch(spec, part, undefined, scale);
    out.set(await predictRows(model, x, part.length, [h, w, spec.channels.length]), i);
  }
  return out;
}

/**
 * What a version records about the held-out fold (`evaluation`, `realEvaluation`, the test split):
 * one place, so that a pretraining run and `pretrain --report --update-meta` write the same fields.
 */
export function heldOutRecord(
  real: { evaluation: Evaluation; n: number } | null,
  heldOutZtf: readonly RealStamp[],
  folds: number,
  evalFold: number,
): Pick<ModelMeta, 'evaluation' | 'realEvaluation'> & { test: string[]; testLabels: (0 | 1)[] } {
  const labelled = heldOutZtf.filter((s) => standInLabel(s) !== null);
  return {
    evaluation: real?.evaluation ?? null,
    realEvaluation: real
      ? {
          source: `ZTF drb>=0.5, ${real.n} stamps never trained on (fold ${evalFold} of ${folds} by object)`,
          n: real.n,
          evaluation: real.evaluation,
        }
      : null,
    test: labelled.map((s) => s.id),
    testLabels: labelled.map((s) => standInLabel(s)!),
  };
}

/** Figures on survey-labelled stamps (null when they hold only one class). */
export async function evaluateOnStamps(
  model: tfl.LayersModel,
  spec: ModelSpec,
  stamps: readonly RealStamp[],
): Promise<{ evaluation: Evaluation; n: number } | null> {
  const labelled = stamps.filter((s) => standInLabel(s) !== null);
  const labels = labelled.map((s) => standInLabel(s)!);
  if (!labels.includes(0) || !labels.includes(1)) return null;
  const scores = await scoreTriplets(
    model,
    spec,
    labelled.map((s) => s.triplet),
  );
  return { evaluation: evaluateScores(scores, labels), n: labelled.length };
}

export interface RobustnessRow {
  view: string;
  n: number;
  /** null when the set holds one class only. */
  auc: number | null;
  /** FPR at 1% MDR, threshold chosen on the same examples (an oracle). */
  fpr: number;
  /** Examples scored at or above `threshold` (when given): reals and bogus. */
  flaggedReals: number;
  flaggedBogus: number;
  /** Median seeing of the search images as transformed (px; over the stamps with a measurable star). */
  medianFwhm: number | null;
  /** The view's stamps taken as one night: their seeing (seeing.ts) and the resampling it gets. */
  seeing: Seeing;
  /** AUC with the stamps as they come, not resampled (= auc when seeing.zoom is 1). */
  aucAsIs: number | null;
}

/**
 * A model's figures on the same labelled triplets seen through each view (native, finer pixels,
 * worse seeing, other units): how it would hold up on cameras we have no stamps of.
 */
export async function robustnessTable(
  model: tfl.LayersModel,
  spec: ModelSpec,
  triplets: readonly StampTriplet[],
  labels: readonly (0 | 1)[],
  threshold: number,
  views: readonly RobustnessView[] = ROBUSTNESS_VIEWS,
): Promise<RobustnessRow[]> {
  const rows: RobustnessRow[] = [];
  const both = labels.includes(0) && labels.includes(1);
  for (const view of views) {
    const seen = triplets.map((t) => view.apply(t));
    // Scored as the app scores a night of them: resampled when their seeing is much wider.
    const seeing = setSeeing(seen);
    const scale = scaleFor(spec, seeing);
    const scores = await scoreTriplets(model, spec, seen, scale);
    const e = both ? evaluateScores(scores, [...labels]) : null;
    const asIs =
      scale.zoom === 1 && scale.templateBlur === 0 ? scores : await scoreTriplets(model, spec, seen);
    const fwhms = seen.map((t) => measureFwhm(t.search)).filter((f): f is number => f !== null);
    rows.push({
      view: view.name,
      n: labels.length,
      auc: e?.auc ?? null,
      fpr: e?.operatingPoint.fpr ?? NaN,
      flaggedReals: labels.filter((y, i) => y === 1 && scores[i] >= threshold).length,
      flaggedBogus: labels.filter((y, i) => y === 0 && scores[i] >= threshold).length,
      medianFwhm: fwhms.length ? fwhms.sort((a, b) => a - b)[fwhms.length >> 1] : null,
      seeing,
      aucAsIs: both ? auc(asIs, labels) : null,
    });
  }
  return rows;
}

export async function pretrain(o: PretrainOptions): Promise<PretrainResult> {
  const log = o.log ?? (() => {});
  const arch = getArchitecture(o.architecture ?? 'compact');
  const spec = arch.spec;
  const seed = o.seed ?? 1;
  const batchSize = o.batchSize ?? spec.training?.batchSize ?? 64;
  const learningRate = o.learningRate ?? spec.training?.learningRate ?? 1e-3;
  const patience = o.patience ?? 6;
  const [h, w] = spec.inputSize;
  const shape: [number, number, number] = [h, w, spec.channels.length];
  const row = stampInputLength(spec);

  const partition = partitionStamps(o.stamps, o.folds, o.evalFold);
  const { selection, pool } = selectionSplit(partition);
  const backgrounds = pool.map(prepareBackground);
  const labelledReal = o.useLabelled ? pool.filter((s) => standInLabel(s) === 1).map((s) => s.triplet) : [];
  const realArtifacts = o.useLabelled ? pool.filter((s) => standInLabel(s) === 0).map((s) => s.triplet) : [];
  const surveys = [...new Set(pool.map((s) => s.survey))].sort();
  log(
    `backgrounds: ${backgrounds.length} real stamps (${surveys.join(', ')}); labelled: ${labelledReal.length} real, ${realArtifacts.length} bogus; ` +
      `selection: ${selection.length} labelled stamps; held out: ${partition.heldOut.length}`,
  );
  const fwhms = backgrounds.map((b) => b.fwhmTemplate).sort((a, b) => a - b);
  log(
    `template FWHM (px): median ${fwhms[fwhms.length >> 1].toFixed(2)}, range ${fwhms[0].toFixed(2)}-${fwhms.at(-1)!.toFixed(2)}`,
  );

  const simShare = o.simulatedShare ?? 0;
  const sampler = new InjectionSampler(
    backgrounds,
    labelledReal,
    realArtifacts,
    seed,
    o.injection,
    simShare > 0 ? { share: simShare, draw: simulatedDraw(seed) } : undefined,
  );
  const {
    injected: injectedVal,
    triplets: valTriplets,
    labels: valLabels,
  } = validationSet(selection, backgrounds, seed, simShare > 0, o.injection);
  // Cuts smaller than the default's (30 px, Rubin's side) stand for Rubin's footprint once resampled.
  const smallFootprints = (o.injection?.smallMin ?? DEFAULT_INJECTION.smallMin) < DEFAULT_INJECTION.smallMin;
  if ((o.injection?.zoom ?? 0) > 0 || (o.injection?.blur ?? 0) > 0 || smallFootprints) {
    // A run that trains on other cameras' views selects its epochs on them too: the real and
    // injected validation examples once more, each through one of the measured views in turn.
    const real = selection.length + injectedVal.filter((e) => e.kind !== 'simulated').length;
    // The bilinear zooms and the blur, as the sampler draws them (not the sky-noise view: a check
    // only), and Rubin's footprint when the sampler cuts stamps that small.
    const views = ROBUSTNESS_VIEWS.filter(
      (v) => /bilinear|seeing/.test(v.name) || (smallFootprints && /Rubin-like/.test(v.name)),
    );
    // Each view's examples taken as one night and resampled as the app would resample it (seeing.ts).
    views.forEach((view, k) => {
      const at: number[] = [];
      for (let i = k; i < real; i += views.length) at.push(i);
      const seen = at.map((i) => view.apply(valTriplets[i]));
      const scale = scaleFor(spec, setSeeing(seen));
      seen.forEach((t, j) => {
        valTriplets.push(toNightScale(t, scale));
        valLabels.push(valLabels[at[j]]);
      });
    });
    log(`validation: ${real} examples again through ${views.map((v) => v.name).join(', ')}`);
  }
  const validation = { x: preprocessBatch(spec, valTriplets), y: valLabels };

  const xbuf = new Float32Array(batchSize * row);
  const nextBatch = (): Batch => {
    const y: number[] = [];
    for (let i = 0; i < batchSize; i++) {
      const e = sampler.sample();
      preprocessBatchRow(spec, e.triplet, xbuf, i);
      y.push(e.label);
    }
    return { x: xbuf, n: batchSize, y, w: y.map(() => 1) };
  };

  const model = o.initModel ?? arch.build(seed);
  const fit = await fitModel({
    model,
    spec,
    shape,
    backend: o.backend,
    trainer: o.trainer,
    batchSize,
    nextBatch,
    stepsPerEpoch: o.stepsPerEpoch,
    maxEpochs: o.maxEpochs,
    learningRate,
    patience,
    validation,
    trainingMode: true,
    seed,
    maxSeconds: o.maxSeconds,
    onEpoch: o.onEpoch,
    log,
    signal: o.signal,
  });

  // Threshold: 1% missed detections on the training side's validation set (never the held-out).
  const valScores = await predictRows(model, validation.x, valLabels.length, shape);
  const valEval = evaluateScores(valScores, valLabels);
  const threshold = valEval.operatingPoint.threshold ?? 0.5;
  // Each held-out stamp once (the manifest lists a few twice), as `pretrain --report` counts them.
  const heldOutZtf = distinctStamps(
    partition.heldOut.filter((s) => s.survey === 'ztf' && s.objectId !== SN2021RHU_OBJECT),
  );
  const real = await evaluateOnStamps(model, spec, heldOutZtf);
  if (real) log(`held-out ZTF (${real.n} stamps): AUC ${real.evaluation.auc?.toFixed(4)}`);
  const held = heldOutRecord(real, heldOutZtf, o.folds, o.evalFold);

  const cost = modelCost(model);
  const trainIds = pool.map((s) => s.id);
  const counts = { real: labelledReal.length, bogus: realArtifacts.length };
  const meta: ModelMeta = {
    version: newVersionName(spec.id),
    createdAt: new Date().toISOString(),
    kind: 'trained',
    spec,
    parent: o.parentVersion ?? null,
    backend: o.backend,
    seed,
    hyperparameters: {
      simulatedShare: simShare,
      maxEpochs: o.maxEpochs,
      stepsPerEpoch: o.stepsPerEpoch,
      batchSize,
      learningRate,
      patience,
      maxSeconds: o.maxSeconds ?? null,
      epochsRun: fit.curves.length,
      optimizer: 'adam',
      trainer: fit.trainer,
      augmentation: 'dihedral-8, crop shifts, injection',
      injection: { ...o.injection },
      ...(o.averagedFrom ? { averagedFrom: o.averagedFrom } : {}),
      folds: o.folds,
      evalFold: o.evalFold,
      fineTuned: false,
    },
    cost: { params: cost.params, flopsPerStamp: cost.flopsPerStamp },
    data: {
      workspace: o.source,
      fingerprint: labelFingerprint(
        pool.filter((s) => standInLabel(s) !== null).map((s) => ({ id: s.id, label: standInLabel(s)! })),
      ),
      counts,
      labelSources: { survey: o.useLabelled ? counts.real + counts.bogus : 0 },
      split: {
        train: trainIds,
        validation: selection.map((s) => s.id),
        test: held.test,
        testLabels: held.testLabels,
      },
    },
    curves: fit.curves.map((c) => ({
      epoch: c.epoch,
      loss: c.loss,
      valLoss: c.valLoss,
      valAuc: c.valAuc,
      seconds: c.seconds,
      samplesPerSecond: c.samplesPerSecond,
    })),
    bestEpoch: fit.bestEpoch,
    evaluation: held.evaluation,
    threshold,
    notes:
      (o.notes ? `${o.notes}\n` : '') +
      `threshold ${threshold.toFixed(4)}: 1% MDR on the training side's validation set (${selection.length} labelled stamps + ${injectedVal.length} injected or simulated examples` +
      (valLabels.length > selection.length + injectedVal.length
        ? ` + ${valLabels.length - selection.length - injectedVal.length} of those seen through other cameras)`
        : ')'),
    trainedOn: {
      data: o.useLabelled ? 'mixed' : 'injected-real',
      surveys,
      labels: counts,
      description:
        `fake point sources (rising, fading, variable; on and off galaxies; PSF from each stamp's stars) injected into ${backgrounds.length} real stamps of ${surveys.join(', ')}, ` +
        `against simulated artifacts over the same backgrounds` +
        (o.useLabelled
          ? ` and the training fold's survey-labelled stamps (${counts.real} real, ${counts.bogus} bogus, braai drb >= 0.5)`
          : '') +
        (simShare > 0
          ? `; ${Math.round(simShare * 100)}% of examples from the simulated demo-night generator`
          : '') +
        ((o.injection?.zoom ?? 0) > 0
          ? `; ${Math.round(o.injection!.zoom! * 100)}% of real stamps first resampled to finer pixels (x1-${o.injection!.zoomMax ?? DEFAULT_INJECTION.zoomMax}, as DECam or Rubin would see them)`
          : '') +
        ((o.injection?.blur ?? 0) > 0
          ? `; ${Math.round(o.injection!.blur! * 100)}% blurred to worse seeing (x1-${o.injection!.blurMax ?? DEFAULT_INJECTION.blurMax})`
          : '') +
        (smallFootprints
          ? `; ${Math.round((o.injection?.smallStamp ?? DEFAULT_INJECTION.smallStamp) * 100)}% cut to small stamps of ${o.injection!.smallMin}-${o.injection?.smallMax ?? DEFAULT_INJECTION.smallMax} px (Rubin's footprint at the models' seeing)`
          : '') +
        (o.averagedFrom
          ? `; weights averaged over ${o.averagedFrom.join(', ')}`
          : o.parentVersion
            ? `; continued from ${o.parentVersion}`
            : ''),
    },
    realEvaluation: held.realEvaluation,
  };
  if (!fit.cancelled) await o.registry.save(model, meta);
  model.dispose();
  return { meta, cancelled: fit.cancelled, partition };
}

/**
 * Sets `target`'s weights (batch-norm statistics included) to the mean of its own and `others'`: a
 * uniform "model soup" (Wortsman et al. 2022). Runs continued from one parent stay in one basin of
 * the loss, where the average often generalises better than any one of them; one model, no extra
 * cost to score. Throws when the architectures differ.
 */
export function averageWeights(target: tfl.LayersModel, others: readonly tfl.LayersModel[]): void {
  const all = [target, ...others].map((m) => m.getWeights());
  const shapes = (ws: tfc.Tensor[]) => ws.map((t) => t.shape.join('x')).join(',');
  for (const [i, ws] of all.entries())
    if (shapes(ws) !== shapes(all[0]))
      throw new Error(`cannot average weights: model ${i + 1} differs in architecture from model 1`);
  const mean = all[0].map((_, k) => tfc.tidy(() => tfc.div(tfc.addN(all.map((ws) => ws[k])), all.length)));
  target.setWeights(mean);
  tfc.dispose(mean);
}

/** Candidates of the simulated DES-like demo night, made in memory (difficulty 0.5, half real). */
export function simulatedDraw(seed: number): () => { triplet: StampTriplet; label: 0 | 1 } {
  const raw = rawSimulatedDraw(seed);
  // As the app sees a demo night: resampled from the simulation's DES-like seeing to the models' (seeing.ts).
  const zoom = simulatedNightZoom();
  return () => {
    const e = raw();
    return { ...e, triplet: resampleTriplet(e.triplet, zoom) };
  };
}

function rawSimulatedDraw(seed: number): () => { triplet: StampTriplet; label: 0 | 1 } {
  const aw = { ...DEFAULT_ARTIFACT_WEIGHTS };
  const rw = { ...DEFAULT_REAL_WEIGHTS };
  let id = 1;
  const simSeed = 7_000_000 + seed;
  return () => {
    const k = drawKind(simSeed, id, 0.5, aw, rw);
    const c = simulateCandidate(simSeed, id++, k.real, k.kind, 0.5);
    return { triplet: candidateTriplet(c), label: k.real ? 1 : 0 };
  };
}

let simulatedZoom: number | null = null;

/** The resampling a night of the simulation gets (its seeing measured as nightSeeing does: 256 stamps). */
export function simulatedNightZoom(): number {
  if (simulatedZoom === null) {
    const draw = rawSimulatedDraw(0);
    simulatedZoom = setSeeing(Array.from({ length: SEEING_SAMPLE }, () => draw().triplet)).zoom;
  }
  return simulatedZoom;
}

function preprocessBatchRow(spec: ModelSpec, t: StampTriplet, out: Float32Array, i: number) {
  preprocessBatch(spec, [t], out.subarray(i * stampInputLength(spec), (i + 1) * stampInputLength(spec)));
}
