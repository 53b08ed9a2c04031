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
  return c.models.map((m, i) => {
    const at = m.evaluation ? ratesAt(m.evaluation.roc, m.threshold) : { fpr: null, mdr: null };
    return {
      version: m.version,
      role: i === 0 ? 'candidate' : 'active',
      threshold: m.threshold,
      auc: m.evaluation?.auc ?? null,
      fpr: at.fpr,
      mdr: at.mdr,
      pippin: m.evaluation?.pippin ?? null,
      missedConfirmed: m.missedConfirmed,
    };
  });
}

export const fmtRate = (v: number | null) => (v === null ? '-' : `${(v * 100).toFixed(1)}%`);
export const fmtNum = (v: number | null, digits = 3) => (v === null ? '-' : v.toFixed(digits));
