/**
 * Metrics of a model on labelled candidates, in the form the registry stores and the desk draws.
 * NaN (a rate over an empty class) and infinite thresholds become null: JSON has no NaN.
 */
import {
  auc,
  confusionAt,
  ratesAtThresholds,
  rocCurve,
  scoreHistogram,
  thresholdForMdr,
} from '../../shared/metrics';
import type { Evaluation } from './modelLibrary';

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** Keep the ROC small enough to store and draw: at most ~200 points, ends included. */
function thinRoc(points: { threshold: number; tpr: number; fpr: number }[], max = 200) {
  if (points.length <= max) return points;
  const step = (points.length - 1) / (max - 1);
  return Array.from({ length: max }, (_, i) => points[Math.round(i * step)]);
}

export function evaluateScores(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  targetMdr = 0.01,
): Evaluation {
  let reals = 0;
  for (let i = 0; i < labels.length; i++) reals += labels[i];
  const bogus = labels.length - reals;
  const atThresholds = ratesAtThresholds(scores, labels).map((r) => ({
    threshold: r.threshold,
    fpr: finite(r.fpr),
    mdr: finite(r.mdr),
    sum: finite(r.sum),
  }));
  const pippinParts = atThresholds.map((r) => r.sum);
  const op = thresholdForMdr(scores, labels, targetMdr);
  return {
    n: labels.length,
    reals,
    bogus,
    auc: reals && bogus ? auc(scores, labels) : null,
    atThresholds,
    // The Pippin metric sums FPR + MDR over the three thresholds (autoscan's own figures sum to ~0.199).
    pippin: pippinParts.every((x) => x !== null)
      ? (pippinParts as number[]).reduce((a, b) => a + b, 0)
      : null,
    targetMdr,
    operatingPoint: {
      threshold: finite(op.threshold),
      fpr: finite(op.fpr),
      mdr: finite(op.mdr),
      fdr: finite(op.fdr),
      confusion: op.confusion,
    },
    histogram: scoreHistogram(scores, labels),
    roc: thinRoc(rocCurve(scores, labels)).map((p) => ({
      threshold: finite(p.threshold),
      // A held-out set of one class (a few human labels) has no rate for the other: drawn as 0,
      // since the contract's ROC points are numbers and NaN would fail the whole job.
      tpr: Number.isFinite(p.tpr) ? p.tpr : 0,
      fpr: Number.isFinite(p.fpr) ? p.fpr : 0,
    })),
  };
}

/** Missed reals at a threshold: how many confirmed supernovae a model would have hidden. */
export function missedReals(scores: ArrayLike<number>, labels: ArrayLike<number>, threshold: number): number {
  return confusionAt(scores, labels, threshold).fn;
}
