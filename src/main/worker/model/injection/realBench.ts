/**
 * Measurements on real stamps with the surveys' own scores as stand-in labels: the cold-start curve
 * (the default, then fine-tuned on L labels, judged on stamps neither saw) and per-survey score
 * distributions. Used by `skysift pretrain --report / --cold-start` and the tests.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tfc from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { auc, thresholdForMdr } from '../../../../shared/metrics';
import { median } from '../../../../shared/robust';
import type { ModelSpec } from '../architectures/spec';
import { fileSystemLoadHandler } from '../importModel';
import { preprocessBatch, stampInputLength } from '../preprocess';
import { scaleFor, setSeeing, type Seeing } from '../seeing';
import { ModelMetaSchema, type ModelMeta } from '../registry';
import { fineTunePolicy, type FineTunePolicy } from '../training/fineTune';
import { retrainLoop, rowsInMemory } from '../training/retrainLoop';
import { seededRandom, shuffleInPlace, type LabelledId } from '../training/split';
import { makeSplit } from '../training/train';
import { SN2021RHU_OBJECT, scoreTriplets, standInLabel } from './pretrain';
import { distinctStamps, type RealStamp } from './realStamps';
import type { StampTriplet } from '../../../../shared/stamp';

/** A model version folder (model.json, weights.bin, meta.json), e.g. resources/models/default. */
export async function loadVersionFolder(dir: string): Promise<{ model: tfl.LayersModel; meta: ModelMeta }> {
  const file = path.join(dir, 'meta.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: cannot read the model record (${(e as Error).message})`);
  }
  const parsed = ModelMetaSchema.safeParse(raw);
  if (!parsed.success)
    throw new Error(`${file}: not a valid model record (${parsed.error.issues[0]?.message})`);
  const model = await tfl.loadLayersModel(fileSystemLoadHandler(dir));
  return { model, meta: parsed.data };
}

/** FPR at the threshold that keeps MDR at `mdr` (computed on the same stamps: an oracle threshold). */
export function fprAtMdr(scores: ArrayLike<number>, labels: ArrayLike<number>, mdr = 0.01): number {
  return thresholdForMdr(scores, labels, mdr).fpr;
}

export interface ColdStartPoint {
  labels: number;
  draw: number;
  /** Stamps judged (neither the default nor the fine-tuned model trained on them). */
  n: number;
  parentAuc: number;
  auc: number;
  parentFpr: number;
  fpr: number;
  /** 'parent': the guard kept the default's weights; 'fine-tuned' also when too few labels to guard. */
  kept: 'parent' | 'fine-tuned' | 'no labels';
  reason: string;
  /** AUC on the validation labels that guard the fine-tune: the parent's, and the kept model's (never lower); null when unguarded. */
  guard: { parentAuc: number | null; keptAuc: number | null } | null;
  /** What fine-tuning on these labels did elsewhere (see WatchSet): forgetting shows here. */
  watch: WatchFigures[];
}

/**
 * Stamps outside the label pool, watched for forgetting: e.g. SN 2021rhu's epochs (all real) or
 * simulated demo-night candidates, which the parent learnt and ZTF labels do not teach.
 */
export interface WatchSet {
  name: string;
  triplets: StampTriplet[];
  labels: (0 | 1)[];
}

export interface WatchFigures {
  name: string;
  /** null when the set holds one class only. */
  parentAuc: number | null;
  auc: number | null;
  /** Reals scored at or above the parent's threshold, before and after. */
  parentFlaggedReals: number;
  flaggedReals: number;
  reals: number;
}

/**
 * What each fine-tuning batch replays besides the labels: 'injection' (as the app does, replay.ts:
 * injections over the labelled stamps other than the validation labels; the judged stamps stand for
 * the desk's test labels, which it keeps out too) or 'none'.
 */
export type ReplayMode = 'injection' | 'none';
export const REPLAY_MODES: readonly ReplayMode[] = ['injection', 'none'];

/**
 * For each label count L and draw: L stamps of `pool` (random, seeded) are the astronomer's labels,
 * the rest of the pool is judged. The fine-tune is the desk's Retrain (retrainLoop.ts), with its
 * policy and its split of the labels into training and validation (the guard against the parent);
 * the training labels' stamps serve, unlabelled, as replay backgrounds (see ReplayMode); the judged
 * stamps never do.
 */
export async function coldStartCurve(
  versionDir: string,
  pool: readonly RealStamp[],
  labelCounts: readonly number[],
  draws: number,
  log: (line: string) => void = () => {},
  minJudged = 30,
  policy?: Partial<FineTunePolicy>,
  replay: ReplayMode = 'injection',
  watch: readonly WatchSet[] = [],
): Promise<ColdStartPoint[]> {
  const labelled = distinctStamps(pool.filter((s) => standInLabel(s) !== null));
  const out: ColdStartPoint[] = [];
  for (const L of labelCounts) {
    if (labelled.length - L < minJudged) {
      log(
        `L=${L}: skipped (the pool holds ${labelled.length} labelled stamps; ${minJudged} must stay to judge)`,
      );
      continue;
    }
    for (let d = 0; d < (L === 0 ? 1 : draws); d++) {
      const order = shuffleInPlace([...labelled], seededRandom(1000 + d));
      const given = order.slice(0, L);
      const judged = order.slice(L);
      const { point } = await coldStartDraw(versionDir, given, judged, L, d, policy, replay, watch);
      log(
        `L=${L} draw ${d}: judged ${point.n}: AUC ${point.parentAuc.toFixed(4)} -> ${point.auc.toFixed(4)}, FPR@1%MDR ${point.parentFpr.toFixed(3)} -> ${point.fpr.toFixed(3)} (${point.reason})` +
          point.watch.map((w) => `; ${describeWatch(w)}`).join(''),
      );
      out.push(point);
    }
  }
  return out;
}

/** A draw's figures, and the judged stamps' scores (before, after) for pooling over parts. */
interface DrawResult {
  point: ColdStartPoint;
  before: Float32Array;
  after: Float32Array;
  judgedLabels: (0 | 1)[];
}

async function coldStartDraw(
  versionDir: string,
  given: RealStamp[],
  judged: RealStamp[],
  L: number,
  draw: number,
  policy: Partial<FineTunePolicy> | undefined,
  replay: ReplayMode,
  watch: readonly WatchSet[],
  seed = draw + 1,
): Promise<DrawResult> {
  const { model, meta } = await loadVersionFolder(versionDir);
  const spec = meta.spec as ModelSpec;
  try {
    const judgedLabels = judged.map((s) => standInLabel(s)!);
    const before = await scoreTriplets(
      model,
      spec,
      judged.map((s) => s.triplet),
    );
    const parentAuc = auc(before, judgedLabels);
    const parentFpr = fprAtMdr(before, judgedLabels);
    const watchScores = () => Promise.all(watch.map((w) => scoreTriplets(model, spec, w.triplets)));
    const watchBefore = await watchScores();
    const watchFigures = (after: Float32Array[]): WatchFigures[] =>
      watch.map((w, i) => {
        const both = w.labels.includes(0) && w.labels.includes(1);
        const flagged = (sc: Float32Array) =>
          w.labels.filter((y, j) => y === 1 && sc[j] >= meta.threshold).length;
        return {
          name: w.name,
          parentAuc: both ? auc(watchBefore[i], w.labels) : null,
          auc: both ? auc(after[i], w.labels) : null,
          parentFlaggedReals: flagged(watchBefore[i]),
          flaggedReals: flagged(after[i]),
          reals: w.labels.filter((y) => y === 1).length,
        };
      });
    if (L === 0)
      return {
        point: {
          labels: 0,
          draw,
          n: judged.length,
          parentAuc,
          auc: parentAuc,
          parentFpr,
          fpr: parentFpr,
          kept: 'no labels',
          reason: 'the default as shipped',
          guard: null,
          watch: watchFigures(watchBefore),
        },
        before,
        after: before,
        judgedLabels,
      };
    // The desk's retrain on these labels (train.ts): its policy, its split, its loop.
    const labels: LabelledId[] = given.map((s) => ({ id: s.id, label: standInLabel(s)! }));
    const judgedIds: LabelledId[] = judged.map((s, i) => ({ id: s.id, label: judgedLabels[i] }));
    const merged = { ...fineTunePolicy(L), ...policy };
    const split = makeSplit(labels, judgedIds, seed, merged.validationShare);
    // The loop reads the training and validation labels' rows only; the judged are scored below.
    const rows = rowsInMemory(
      given.map((s) => s.id),
      preprocessBatch(
        spec,
        given.map((s) => s.triplet),
      ),
      stampInputLength(spec),
    );
    const loop = await retrainLoop({
      model,
      spec,
      rows,
      split,
      policy: replay === 'none' ? { ...merged, replayShare: 0 } : merged,
      parent: meta,
      // As at the desk, which keeps its test labels out of the replay backgrounds: the judged stamps
      // are never injection backgrounds, so that they stay unseen in every way.
      backgrounds: async (exclude) =>
        given
          .filter((s) => !exclude.has(s.id))
          .map((s) => ({ id: s.id, survey: s.survey, triplet: s.triplet })),
      backend: tfc.getBackend(),
      seed,
      learningRate: merged.learningRate,
      batchSize: merged.batchSize,
      maxEpochs: merged.maxEpochs,
      patience: merged.patience,
      onProgress: () => {},
    });
    await loop.engine.finish();
    const after = await scoreTriplets(
      model,
      spec,
      judged.map((s) => s.triplet),
    );
    return {
      point: {
        labels: L,
        draw,
        n: judged.length,
        parentAuc,
        auc: auc(after, judgedLabels),
        parentFpr,
        fpr: fprAtMdr(after, judgedLabels),
        kept: loop.keptParent ? 'parent' : 'fine-tuned',
        reason: `${loop.guard}; trained on ${loop.engine.description}`,
        guard: loop.guarded ? { parentAuc: loop.parentVal!.valAuc, keptAuc: loop.best.valAuc } : null,
        watch: watchFigures(await watchScores()),
      },
      before,
      after,
      judgedLabels,
    };
  } finally {
    model.dispose();
  }
}

/** One part of a cross-validated draw: the stamps given as labels and the stamps judged. */
export interface CvPart {
  part: number;
  given: RealStamp[];
  judged: RealStamp[];
}

/** Labelled and each stamp once: what a cross-validated draw deals from. */
function labelledDistinct(stamps: readonly RealStamp[]): RealStamp[] {
  return distinctStamps(stamps.filter((s) => standInLabel(s) !== null));
}

/**
 * The largest label count every part of a k-fold draw can give: the extra labels plus the judged
 * pool less its largest part (parts differ in size by at most one).
 */
export function cvLabelCapacity(
  judgedPool: readonly RealStamp[],
  extraLabels: readonly RealStamp[],
  folds: number,
): number {
  const n = labelledDistinct(judgedPool).length;
  return labelledDistinct(extraLabels).length + n - Math.ceil(n / folds);
}

function checkParts(judgeable: number, folds: number): void {
  if (!Number.isInteger(folds) || folds < 2 || folds > judgeable)
    throw new Error(
      `cross-validated cold-start: ${folds} parts asked of ${judgeable} labelled stamps to judge (2 to ${judgeable})`,
    );
}

/**
 * The k parts of one draw of the cross-validated cold-start: the labelled stamps of `judgedPool`
 * (stamps the model never saw) are shuffled, seeded by the draw, and dealt into `folds` parts; part
 * j is judged, and its labels are the first L of a seeded order of `extraLabels` (stamps the model
 * may have seen: legitimate labels, never judged) plus the judged pool less part j. Neither order
 * depends on L, so within a draw every L judges the same parts and the L=50 labels are among the
 * L=100 ones: the points of the curve are paired.
 */
export function crossValidatedParts(
  judgedPool: readonly RealStamp[],
  extraLabels: readonly RealStamp[],
  L: number,
  folds: number,
  draw: number,
): CvPart[] {
  const pool = labelledDistinct(judgedPool);
  const poolIds = new Set(pool.map((s) => s.id));
  const extra = labelledDistinct(extraLabels);
  // A stamp in both would be judged after being given as a label.
  const both = extra.find((s) => poolIds.has(s.id));
  if (both) throw new Error(`cross-validated cold-start: stamp ${both.id} is both judged and an extra label`);
  checkParts(pool.length, folds);
  const capacity = cvLabelCapacity(pool, extra, folds);
  if (!Number.isInteger(L) || L < 0 || L > capacity)
    throw new Error(
      `cross-validated cold-start: ${L} labels asked, each part's label pool holds at most ${capacity}`,
    );
  const order = shuffleInPlace([...pool], seededRandom(5000 + draw));
  return Array.from({ length: folds }, (_, j) => {
    const judged = order.filter((_, i) => i % folds === j);
    const judgedIds = new Set(judged.map((s) => s.id));
    const candidates = [...extra, ...pool.filter((s) => !judgedIds.has(s.id))];
    const given = shuffleInPlace(candidates, seededRandom(6000 + draw, j)).slice(0, L);
    return { part: j, given, judged };
  });
}

/** A cross-validated draw: the k parts' judged stamps pooled (every judged-pool stamp once). */
export interface CvPoint {
  labels: number;
  draw: number;
  folds: number;
  /** Stamps judged over all parts: the whole judged pool. */
  n: number;
  /** The default on the pooled stamps (the same for every draw) and the k fine-tuned models pooled. */
  parentAuc: number;
  auc: number;
  parentFpr: number;
  fpr: number;
  /** Labels per part that came from the extra pool (stamps the default may have seen). */
  extraGiven: number[];
  /** Each part's own figures (judged on its part only), its guard's verdict and its watch sets. */
  parts: ColdStartPoint[];
}

export interface CvCurveOptions {
  versionDir: string;
  /** Stamps the model never saw: every labelled one is judged once per draw. */
  judgedPool: readonly RealStamp[];
  /** Further labels (e.g. the other fold's stamps, seen in pretraining): given, never judged. */
  extraLabels: readonly RealStamp[];
  labelCounts: readonly number[];
  draws: number;
  folds: number;
  log?: (line: string) => void;
  policy?: Partial<FineTunePolicy>;
  replay?: ReplayMode;
  watch?: readonly WatchSet[];
}

/**
 * The cold-start curve cross-validated: per L and draw, the k parts of crossValidatedParts, each
 * fine-tuned from the default by the desk's Retrain exactly as coldStartCurve's draws are (the
 * labels and the judged part are that fine-tune's night), and the k parts' judged scores pooled
 * into one AUC / FPR over the whole judged pool. The pooled figure mixes k models' scores.
 */
export async function coldStartCurveCv(o: CvCurveOptions): Promise<CvPoint[]> {
  const log = o.log ?? (() => {});
  checkParts(labelledDistinct(o.judgedPool).length, o.folds);
  const extraIds = new Set(labelledDistinct(o.extraLabels).map((s) => s.id));
  const capacity = cvLabelCapacity(o.judgedPool, o.extraLabels, o.folds);
  const out: CvPoint[] = [];
  for (const L of o.labelCounts) {
    if (L > capacity) {
      log(
        `L=${L}: skipped (each part's label pool holds ${capacity} labelled stamps: ${extraIds.size} extra + the judged pool less its part)`,
      );
      continue;
    }
    for (let d = 0; d < (L === 0 ? 1 : o.draws); d++) {
      const parts = crossValidatedParts(o.judgedPool, o.extraLabels, L, o.folds, d);
      const extraGiven = parts.map((p) => p.given.filter((s) => extraIds.has(s.id)).length);
      const results: DrawResult[] = [];
      for (const p of parts) {
        const t0 = Date.now();
        // Each part its own seed for the retrain's split and shuffles: k independent fine-tunes.
        const r = await coldStartDraw(
          o.versionDir,
          p.given,
          p.judged,
          L,
          d,
          o.policy,
          o.replay ?? 'injection',
          o.watch ?? [],
          1 + d * o.folds + p.part,
        );
        results.push(r);
        if (L > 0)
          log(
            `L=${L} draw ${d} part ${p.part + 1}/${o.folds}: ${L} labels (${extraGiven[p.part]} extra), judged ${p.judged.length}: ` +
              `AUC ${r.point.parentAuc.toFixed(4)} -> ${r.point.auc.toFixed(4)} (${r.point.reason}; ${((Date.now() - t0) / 1000).toFixed(0)} s)`,
          );
      }
      const cat = (f: (r: DrawResult) => ArrayLike<number>) =>
        Float32Array.from(results.flatMap((r) => Array.from(f(r))));
      const labels = results.flatMap((r) => r.judgedLabels);
      const before = cat((r) => r.before);
      const after = cat((r) => r.after);
      const point: CvPoint = {
        labels: L,
        draw: d,
        folds: o.folds,
        n: labels.length,
        parentAuc: auc(before, labels),
        auc: auc(after, labels),
        parentFpr: fprAtMdr(before, labels),
        fpr: fprAtMdr(after, labels),
        extraGiven,
        parts: results.map((r) => r.point),
      };
      log(describeCvPoint(point));
      out.push(point);
    }
  }
  return out;
}

/**
 * Mean over the parts of each part's own AUC (one model per part), default and fine-tuned: free of
 * the pooled figure's mixing of k models' score scales, but on about n/k stamps each.
 */
export function meanPartAuc(p: CvPoint): { parent: number; tuned: number } {
  const mean = (f: (x: ColdStartPoint) => number) => p.parts.reduce((a, x) => a + f(x), 0) / p.parts.length;
  return { parent: mean((x) => x.parentAuc), tuned: mean((x) => x.auc) };
}

/** The fine-tuned models' pooled AUC below the default's on the same stamps. */
export function lowerThanDefault(p: Pick<CvPoint, 'auc' | 'parentAuc'>): boolean {
  return p.auc < p.parentAuc - 1e-9;
}

/** Parts whose guard kept the default's weights. */
export function keptParentCount(p: CvPoint): number {
  return p.parts.filter((x) => x.kept === 'parent').length;
}

export function describeCvPoint(p: CvPoint): string {
  const watched = p.parts[0]?.watch.map(
    (w, i) =>
      `; ${w.name} reals flagged per part ${p.parts.map((x) => x.watch[i].flaggedReals).join('/')} of ${w.reals} (default ${w.parentFlaggedReals})`,
  );
  const lower = lowerThanDefault(p);
  const parts = meanPartAuc(p);
  return (
    `L=${p.labels} draw ${p.draw} (${p.folds} parts pooled: ${p.folds} models' scores): judged ${p.n}: ` +
    `AUC ${p.parentAuc.toFixed(4)} -> ${p.auc.toFixed(4)}${lower ? ' (LOWER than the default)' : ''}, ` +
    `FPR@1%MDR ${p.parentFpr.toFixed(3)} -> ${p.fpr.toFixed(3)}; ` +
    `mean of the parts' own AUCs ${parts.parent.toFixed(4)} -> ${parts.tuned.toFixed(4)}` +
    (p.labels > 0
      ? `; parent kept ${keptParentCount(p)}/${p.folds}; extra labels per part ${p.extraGiven.join('/')}`
      : '') +
    (watched ?? []).join('')
  );
}

export function describeWatch(w: WatchFigures): string {
  const auc =
    w.parentAuc === null || w.auc === null ? '' : `AUC ${w.parentAuc.toFixed(4)} -> ${w.auc.toFixed(4)}, `;
  return `${w.name}: ${auc}reals flagged ${w.parentFlaggedReals}/${w.reals} -> ${w.flaggedReals}/${w.reals}`;
}

export interface SurveyRow {
  survey: string;
  group: string;
  n: number;
  median: number;
  flagged: number;
}

/**
 * Per survey: the model's scores on stamps the survey scored high (>= 0.5) and low, and on those it
 * did not score; SN 2021rhu apart. `flagged` counts scores at or above the model's threshold.
 */
export async function surveyTable(
  versionDir: string,
  stamps: readonly RealStamp[],
): Promise<{ rows: SurveyRow[]; threshold: number; seeing: Map<string, Seeing> }> {
  const { model, meta } = await loadVersionFolder(versionDir);
  try {
    // Each survey's stamps scored as a night of that survey would be: at its own seeing (seeing.ts).
    const spec = meta.spec as ModelSpec;
    const scores = new Float32Array(stamps.length);
    const seeing = new Map<string, Seeing>();
    for (const survey of new Set(stamps.map((s) => s.survey))) {
      const at = stamps.flatMap((s, i) => (s.survey === survey ? [i] : []));
      const triplets = at.map((i) => stamps[i].triplet);
      const night = setSeeing(triplets);
      seeing.set(survey, night);
      const got = await scoreTriplets(model, spec, triplets, scaleFor(spec, night));
      at.forEach((i, k) => (scores[i] = got[k]));
    }
    const groups = new Map<string, number[]>();
    stamps.forEach((s, i) => {
      const survey = s.objectId === SN2021RHU_OBJECT ? 'ztf SN 2021rhu' : s.survey;
      const v = s.scores.drb ?? s.scores.rb;
      const label = s.objectId === SN2021RHU_OBJECT ? 'spectroscopic SN Ia' : standInLabel(s);
      const group =
        label === null || v === undefined
          ? 'no usable survey score'
          : label === 1 || label === 'spectroscopic SN Ia'
            ? label === 1
              ? 'survey score >= 0.5'
              : label
            : 'survey score < 0.5';
      const key = `${survey}\t${group}`;
      groups.set(key, [...(groups.get(key) ?? []), scores[i]]);
    });
    const rows = [...groups.entries()]
      .map(([key, v]) => {
        const [survey, group] = key.split('\t');
        return {
          survey,
          group,
          n: v.length,
          median: median(v),
          flagged: v.filter((x) => x >= meta.threshold).length,
        };
      })
      .sort((a, b) => (a.survey + a.group).localeCompare(b.survey + b.group));
    return { rows, threshold: meta.threshold, seeing };
  } finally {
    model.dispose();
  }
}
