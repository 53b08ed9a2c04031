/**
 * Measurements on real stamps with the surveys' own scores as stand-in labels: the cold-start curve
 * (the default, then fine-tuned on L labels, judged on stamps neither saw) and per-survey score
 * distributions. Used by `skysift pretrain --report / --cold-start` and the tests.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import { auc, thresholdForMdr } from '../../../../shared/metrics';
import { median } from '../../../../shared/robust';
import type { ModelSpec } from '../architectures/spec';
import { fileSystemLoadHandler } from '../importModel';
import { preprocessBatch } from '../preprocess';
import { ModelMetaSchema, type ModelMeta } from '../registry';
import { fineTuneGuarded, type FineTunePolicy, type FineTuneResult } from '../training/fineTune';
import { injectionReplay, parentSimulatedShare, trainedOnInjections } from '../training/replay';
import { seededRandom, shuffleInPlace } from '../training/split';
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
  kept: FineTuneResult['kept'] | 'no labels';
  reason: string;
  /** AUC on the guard's held-out labels: the parent's, and the kept model's (never lower). */
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
 * injections over the night's stamps other than the guard's, i.e. the labelled and the unlabelled
 * ones, never their labels), 'parent-scores' (the parent's soft scores on the unlabelled stamps),
 * 'both', or 'none'.
 */
export type ReplayMode = 'injection' | 'parent-scores' | 'both' | 'none';
export const REPLAY_MODES: readonly ReplayMode[] = ['injection', 'parent-scores', 'both', 'none'];

/**
 * For each label count L and draw: L stamps of `pool` (random, seeded) are the astronomer's labels
 * (a quarter of them held out as the fine-tuning guard), the rest of the pool is judged. The pool
 * stands for the night: its stamps other than the guard's serve, unlabelled, as replay (see
 * ReplayMode).
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
      const point = await coldStartDraw(versionDir, given, judged, L, d, policy, replay, watch);
      log(
        `L=${L} draw ${d}: judged ${point.n}: AUC ${point.parentAuc.toFixed(4)} -> ${point.auc.toFixed(4)}, FPR@1%MDR ${point.parentFpr.toFixed(3)} -> ${point.fpr.toFixed(3)} (${point.reason})` +
          point.watch.map((w) => `; ${describeWatch(w)}`).join(''),
      );
      out.push(point);
    }
  }
  return out;
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
): Promise<ColdStartPoint> {
  const { model, meta } = await loadVersionFolder(versionDir);
  const spec = meta.spec as ModelSpec;
  const shape: [number, number, number] = [spec.inputSize[0], spec.inputSize[1], spec.channels.length];
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
      };
    // The guard's held-out labels: a quarter, stratified so both classes are present when possible.
    const reals = given.filter((s) => standInLabel(s) === 1);
    const bogus = given.filter((s) => standInLabel(s) === 0);
    const q = (a: RealStamp[]) => Math.max(1, Math.round(a.length / 4));
    const held = [...reals.slice(0, q(reals)), ...bogus.slice(0, q(bogus))];
    const heldIds = new Set(held.map((s) => s.id));
    const train = given.filter((s) => !heldIds.has(s.id));
    const rows = (a: RealStamp[]) => ({
      x: preprocessBatch(
        spec,
        a.map((s) => s.triplet),
      ),
      y: a.map((s) => standInLabel(s)!),
    });
    const soft = replay === 'parent-scores' || replay === 'both';
    // Injection replay only for a parent that learnt from injections (as in the app's retrain).
    const injected =
      (replay === 'injection' || replay === 'both') && trainedOnInjections(meta)
        ? injectionReplay(
            [...train, ...judged].map((s) => ({ id: s.id, survey: s.survey, triplet: s.triplet })),
            spec,
            draw + 1,
            parentSimulatedShare(meta),
          )
        : undefined;
    const result = await fineTuneGuarded({
      model,
      spec,
      shape,
      train: rows(train),
      heldOut: rows(held),
      ...(soft
        ? {
            replay: preprocessBatch(
              spec,
              judged.map((s) => s.triplet),
            ),
            replayCount: judged.length,
          }
        : {}),
      injected,
      seed: draw + 1,
      policy,
    });
    const after = await scoreTriplets(
      model,
      spec,
      judged.map((s) => s.triplet),
    );
    return {
      labels: L,
      draw,
      n: judged.length,
      parentAuc,
      auc: auc(after, judgedLabels),
      parentFpr,
      fpr: fprAtMdr(after, judgedLabels),
      kept: result.kept,
      reason: result.reason,
      guard: { parentAuc: result.parent.valAuc, keptAuc: result.best.valAuc },
      watch: watchFigures(await watchScores()),
    };
  } finally {
    model.dispose();
  }
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
): Promise<{ rows: SurveyRow[]; threshold: number }> {
  const { model, meta } = await loadVersionFolder(versionDir);
  try {
    const scores = await scoreTriplets(
      model,
      meta.spec as ModelSpec,
      stamps.map((s) => s.triplet),
    );
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
    return { rows, threshold: meta.threshold };
  } finally {
    model.dispose();
  }
}
