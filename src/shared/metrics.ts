/**
 * Classifier metrics as the field reports them (space2vec, autoscan), pure TS so the renderer can
 * draw them. Labels: 1 = real, 0 = bogus. A candidate is flagged real when score >= threshold.
 * MDR (missed-detection rate) = fraction of reals scored below the threshold;
 * FPR (false-positive rate) = fraction of bogus scored at or above it.
 */

export type Label = 0 | 1;

export interface RocPoint {
  threshold: number;
  /** True-positive rate = 1 - MDR. */
  tpr: number;
  fpr: number;
}

export interface ConfusionMatrix {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

function check(scores: ArrayLike<number>, labels: ArrayLike<number>): { pos: number; neg: number } {
  if (scores.length !== labels.length) {
    throw new Error(`metrics: ${scores.length} scores but ${labels.length} labels`);
  }
  let pos = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== 0 && labels[i] !== 1)
      throw new Error(`metrics: label ${labels[i]} at ${i} is not 0 or 1`);
    if (Number.isNaN(scores[i])) throw new Error(`metrics: score at ${i} is NaN`);
    pos += labels[i];
  }
  return { pos, neg: labels.length - pos };
}

export function confusionAt(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  threshold: number,
): ConfusionMatrix {
  check(scores, labels);
  const m: ConfusionMatrix = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < scores.length; i++) {
    const flagged = scores[i] >= threshold;
    if (labels[i] === 1) {
      if (flagged) m.tp++;
      else m.fn++;
    } else if (flagged) m.fp++;
    else m.tn++;
  }
  return m;
}

/** Rates from a confusion matrix; a rate over an empty class is NaN (undefined, not 0). */
export function rates(m: ConfusionMatrix): { fpr: number; mdr: number; fdr: number; tpr: number } {
  const reals = m.tp + m.fn;
  const bogus = m.fp + m.tn;
  const flagged = m.tp + m.fp;
  return {
    fpr: bogus ? m.fp / bogus : NaN,
    mdr: reals ? m.fn / reals : NaN,
    tpr: reals ? m.tp / reals : NaN,
    fdr: flagged ? m.fp / flagged : NaN,
  };
}

/**
 * ROC curve from (+inf: nothing flagged) down to the lowest score (everything flagged), one point
 * per distinct score: tied scores move together, so ties give a diagonal segment, not a staircase.
 */
export function rocCurve(scores: ArrayLike<number>, labels: ArrayLike<number>): RocPoint[] {
  const { pos, neg } = check(scores, labels);
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const points: RocPoint[] = [{ threshold: Infinity, tpr: 0, fpr: 0 }];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length;) {
    const s = scores[order[k]];
    while (k < order.length && scores[order[k]] === s) {
      if (labels[order[k]] === 1) tp++;
      else fp++;
      k++;
    }
    points.push({ threshold: s, tpr: pos ? tp / pos : NaN, fpr: neg ? fp / neg : NaN });
  }
  return points;
}

/** Area under the ROC curve (trapezoids, so ties count 1/2: equals the Mann-Whitney U / (P*N)). */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const roc = rocCurve(scores, labels);
  let area = 0;
  for (let i = 1; i < roc.length; i++) {
    area += ((roc[i].fpr - roc[i - 1].fpr) * (roc[i].tpr + roc[i - 1].tpr)) / 2;
  }
  return area;
}

/**
 * The standard error of an AUC measured on `nPos` positives and `nNeg` negatives (Hanley & McNeil
 * 1982, Radiology 143, 29): how far another draw of as many labels could move it. NaN without both.
 */
export function aucStandardError(a: number, nPos: number, nNeg: number): number {
  if (!(nPos > 0 && nNeg > 0)) return NaN;
  const q1 = a / (2 - a);
  const q2 = (2 * a * a) / (1 + a);
  const v = (a * (1 - a) + (nPos - 1) * (q1 - a * a) + (nNeg - 1) * (q2 - a * a)) / (nPos * nNeg);
  return Math.sqrt(Math.max(0, v));
}

export interface ThresholdRates {
  threshold: number;
  fpr: number;
  mdr: number;
  /** FPR + MDR: the space2vec "Pippin metric"; lower is better. */
  sum: number;
}

export const PIPPIN_THRESHOLDS = [0.4, 0.5, 0.6] as const;

export function ratesAtThresholds(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  thresholds: readonly number[] = PIPPIN_THRESHOLDS,
): ThresholdRates[] {
  return thresholds.map((threshold) => {
    const { fpr, mdr } = rates(confusionAt(scores, labels, threshold));
    return { threshold, fpr, mdr, sum: fpr + mdr };
  });
}

export interface OperatingPoint {
  threshold: number;
  mdr: number;
  fpr: number;
  /** False-discovery rate: fraction of flagged candidates that are bogus. */
  fdr: number;
  confusion: ConfusionMatrix;
}

/**
 * The highest threshold whose MDR is at most `targetMdr` (default 1%: "capture 99% of supernovae"):
 * the fewest candidates to scan for that completeness. Only observed scores are candidates, so the
 * result is reproducible on the same data. With no reals the MDR is undefined: threshold = +inf.
 */
export function thresholdForMdr(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  targetMdr = 0.01,
): OperatingPoint {
  const { pos } = check(scores, labels);
  let threshold = Infinity;
  if (pos > 0) {
    const reals: number[] = [];
    for (let i = 0; i < scores.length; i++) if (labels[i] === 1) reals.push(scores[i]);
    reals.sort((a, b) => a - b);
    // At threshold = reals[k], the k lower reals are missed (ties at reals[k] are kept).
    const allowedMisses = Math.floor(targetMdr * pos + 1e-9);
    threshold = reals[Math.min(allowedMisses, pos - 1)];
  }
  const confusion = confusionAt(scores, labels, threshold);
  const r = rates(confusion);
  return { threshold, mdr: r.mdr, fpr: r.fpr, fdr: r.fdr, confusion };
}

export interface Histogram {
  /** bins + 1 edges from `min` to `max`. */
  edges: number[];
  /** Counts per bin, all / reals / bogus (unlabelled scores count in `all` only). */
  all: number[];
  real: number[];
  bogus: number[];
}

/** Score histogram on [min, max] (default [0, 1]); the last bin includes `max`. */
export function scoreHistogram(
  scores: ArrayLike<number>,
  labels?: ArrayLike<number | null>,
  bins = 20,
  min = 0,
  max = 1,
): Histogram {
  const edges = Array.from({ length: bins + 1 }, (_, i) => min + ((max - min) * i) / bins);
  const all = new Array<number>(bins).fill(0);
  const real = new Array<number>(bins).fill(0);
  const bogus = new Array<number>(bins).fill(0);
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i];
    if (!(s >= min && s <= max)) continue;
    const b = Math.min(bins - 1, Math.floor(((s - min) / (max - min)) * bins));
    all[b]++;
    if (labels?.[i] === 1) real[b]++;
    else if (labels?.[i] === 0) bogus[b]++;
  }
  return { edges, all, real, bogus };
}

export interface ScanTime {
  /** Hours to look at every candidate. */
  hoursAll: number;
  /** Hours to look only at the model-flagged ones. */
  hoursFlagged: number;
  hoursSaved: number;
  /** Candidates not looked at per candidate looked at (autoscan's "13.4x fewer"). */
  reductionFactor: number;
  /** The same, scaled to one million candidates at this flag rate. */
  perMillion: { hoursAll: number; hoursFlagged: number; hoursSaved: number };
}

export const DEFAULT_SECONDS_PER_STAMP = 0.5;

/** The seed's time arithmetic: human scanning time with and without the model's triage. */
export function scanTime(
  candidates: number,
  flagged: number,
  secondsPerStamp = DEFAULT_SECONDS_PER_STAMP,
): ScanTime {
  if (!(candidates >= 0) || !(flagged >= 0) || flagged > candidates) {
    throw new Error(`scanTime: need 0 <= flagged (${flagged}) <= candidates (${candidates})`);
  }
  const hours = (n: number) => (n * secondsPerStamp) / 3600;
  const rate = candidates ? flagged / candidates : 0;
  const million = 1_000_000;
  return {
    hoursAll: hours(candidates),
    hoursFlagged: hours(flagged),
    hoursSaved: hours(candidates - flagged),
    reductionFactor: flagged ? candidates / flagged : Infinity,
    perMillion: {
      hoursAll: hours(million),
      hoursFlagged: hours(million * rate),
      hoursSaved: hours(million * (1 - rate)),
    },
  };
}
