/**
 * What a library version learned from, and what its figures mean, in words. A figure measured on
 * simulated candidates says nothing of how the model does on a real night, so it is never shown
 * bare: it carries where it comes from. Figures on real labels say how many. Pure.
 */
import type { EvaluationSummary, ModelSummary } from '../../../../shared/contract';

const DATA_WORDS: Record<NonNullable<ModelSummary['trainedOn']>['data'], string> = {
  simulated: 'simulated candidates',
  'injected-real': 'fakes injected into real images',
  'labelled-real': 'labelled real candidates',
  mixed: 'real and simulated data together',
  external: 'data outside Skysift',
};

export function trainedOnText(v: ModelSummary): string {
  const t = v.trainedOn;
  if (!t) {
    const counts = v.labelCounts ? `; ${v.labelCounts.real} real / ${v.labelCounts.bogus} bogus` : '';
    // The default that ships was trained on a simulated night (resources/models/default/TRAINED_BY.md).
    if (v.shipped) return `simulated candidates (the demo generator), as shipped${counts}`;
    if (v.kind === 'imported') return 'imported: its training data is not recorded';
    return `not recorded${counts}`;
  }
  const parts = [DATA_WORDS[t.data]];
  if (t.surveys.length) parts.push(t.surveys.join(', '));
  parts.push(`${t.labels.real} real / ${t.labels.bogus} bogus`);
  if (v.nights.length) parts.push(`${v.nights.length === 1 ? 'night' : 'nights'} ${v.nights.join(', ')}`);
  return parts.join('; ');
}

export interface QualityFigure {
  /** 'real': on real labelled candidates it never trained on; 'held-out': its own training data's. */
  scope: 'real' | 'held-out' | 'none';
  /** Where the figures come from, in words ("on 120 real labels (...)"). */
  where: string;
  evaluation: EvaluationSummary | null;
}

/** The version's figures with where they were measured; real labels first. */
export function qualityFigure(v: ModelSummary): QualityFigure {
  if (v.realEvaluation)
    return {
      scope: 'real',
      where: `on ${v.realEvaluation.n} real labelled candidates (${v.realEvaluation.source})`,
      evaluation: v.realEvaluation.evaluation,
    };
  const e = v.evaluation;
  if (!e) return { scope: 'none', where: 'no figures on real labels yet', evaluation: null };
  const data = v.trainedOn?.data;
  const where =
    data === 'simulated' || (!data && v.shipped)
      ? 'on simulated held-out candidates (not a real night)'
      : data === 'labelled-real'
        ? `on ${e.n} held-out real labels (never trained on)`
        : data === 'mixed'
          ? `on ${e.n} held-out labels of real and simulated nights`
          : data === 'injected-real'
            ? `on ${e.n} held-out fakes injected into real images`
            : `on ${e.n} held-out candidates of its own training data (not real labels here)`;
  return { scope: data === 'labelled-real' ? 'real' : 'held-out', where, evaluation: e };
}

const f3 = (x: number | null) => (x === null || !Number.isFinite(x) ? '-' : x.toFixed(3));
const pct = (x: number | null) => (x === null || !Number.isFinite(x) ? '-' : `${(x * 100).toFixed(1)}%`);

/** "AUC 0.912, FPR 3.1%, MDR 5.0% at 0.43": a dash where a figure cannot be computed. */
export function figureText(e: EvaluationSummary): string {
  const op = e.operatingPoint;
  return `AUC ${f3(e.auc)}, FPR ${pct(op.fpr)}, MDR ${pct(op.mdr)} at ${f3(op.threshold)} (${e.reals} real / ${e.bogus} bogus)`;
}
