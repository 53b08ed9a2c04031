/**
 * The comparison table's numbers, from modelCompare's evaluations: AUC, FPR and MDR at each
 * version's own threshold (read off its ROC on the held-out labels), the Pippin metric, and the
 * confirmed reals each would have missed. Pure.
 */
import type { EvaluationSummary } from '../../../../shared/contract';
import type { Comparison } from './modelStore';

export interface ComparedColumn {
  version: string;
  role: 'candidate' | 'active';
  threshold: number;
  auc: number | null;
  fpr: number | null;
  mdr: number | null;
  pippin: number | null;
  missedConfirmed: number;
}

/** What the Pippin figure sums, said wherever it is shown. */
export const PIPPIN_EXPLAINED =
  'Pippin: FPR + MDR at thresholds 0.4, 0.5 and 0.6, summed (0 is perfect, lower is better)';

/**
 * Why a figure cannot be computed from the held-out labels, per figure (absent = computable).
 * FPR needs a bogus label, MDR a real one, AUC and Pippin both: with 190 real and 0 bogus held out
 * "FPR 0.0%" would be a number about nothing.
 */
export interface Unavailable {
  auc?: string;
  fpr?: string;
  mdr?: string;
  pippin?: string;
}

export function unavailableFigures(heldOut: { n: number; reals: number; bogus: number }): Unavailable {
  const noBogus = heldOut.bogus === 0 ? 'no bogus label held out' : undefined;
  const noReal = heldOut.reals === 0 ? 'no real label held out' : undefined;
  const both = noBogus && noReal ? 'no label held out' : (noBogus ?? noReal);
  return { auc: both, fpr: noBogus, mdr: noReal, pippin: both };
}

/**
 * The warning to give before adopting on this comparison, or null when every figure was computed.
 */
export function adoptWarning(heldOut: { n: number; reals: number; bogus: number }): string | null {
  const u = unavailableFigures(heldOut);
  const missing = (['auc', 'fpr', 'mdr', 'pippin'] as const).filter((k) => u[k]);
  if (missing.length === 0) return null;
  const names = missing.map((k) => (k === 'pippin' ? 'Pippin' : k.toUpperCase())).join(', ');
  return `${names} could not be computed (${u.fpr ?? u.mdr}): this comparison cannot tell which model is better. Label some ${u.fpr ? 'bogus' : 'real'} candidates and retrain for a fair comparison.`;
}

/**
 * Rates at `threshold` ("flagged" = score at or above it): the ROC point with the lowest
 * threshold still at or above it. The first ROC point (threshold null: +infinity) flags nothing.
 */
export function ratesAt(
  roc: EvaluationSummary['roc'],
  threshold: number,
): { fpr: number | null; mdr: number | null } {
  let best: EvaluationSummary['roc'][number] | undefined;
  for (const p of roc) {
    const t = p.threshold ?? Infinity;
    if (t >= threshold && (!best || t < (best.threshold ?? Infinity))) best = p;
  }
  if (!best) return { fpr: null, mdr: null };
  const ok = (v: number) => (Number.isFinite(v) ? v : null);
  return { fpr: ok(best.fpr), mdr: ok(1 - best.tpr) };
}

export function comparedColumns(c: Comparison): ComparedColumn[] {
  const u = unavailableFigures(c.heldOut);
  // A figure the held-out labels cannot support is null (shown "-" with its reason), whatever the
  // evaluation computed from an empty class.
  const keep = <T>(reason: string | undefined, v: T | null) => (reason ? null : v);
  return c.models.map((m, i) => {
    const at = m.evaluation ? ratesAt(m.evaluation.roc, m.threshold) : { fpr: null, mdr: null };
    return {
      version: m.version,
      role: i === 0 ? 'candidate' : 'active',
      threshold: m.threshold,
      auc: keep(u.auc, m.evaluation?.auc ?? null),
      fpr: keep(u.fpr, at.fpr),
      mdr: keep(u.mdr, at.mdr),
      pippin: keep(u.pippin, m.evaluation?.pippin ?? null),
      missedConfirmed: m.missedConfirmed,
    };
  });
}

/** A figure, or "-" and why when there is none. */
export function fmtOr(text: string, value: number | null, reason: string | undefined): string {
  return value === null && reason ? `- (${reason})` : text;
}

export const fmtRate = (v: number | null) => (v === null ? '-' : `${(v * 100).toFixed(1)}%`);
export const fmtNum = (v: number | null, digits = 3) => (v === null ? '-' : v.toFixed(digits));
