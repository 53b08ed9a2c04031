import type { ModelSummary } from '../../../../shared/contract';
import { PIPPIN_EXPLAINED, fmtNum, fmtOr, fmtRate, ratesAt, unavailableFigures } from './comparisonRows';

/** Words for the label-source keys the registry records (never show the field names). */
const SOURCE_WORDS: Record<string, string> = {
  human: 'labelled by you',
  data: 'from the data files',
  overriddenByHuman: 'data labels you overrode',
};

/** The model the queue is sorted by: what it is, where it came from, how it did on held-out labels. */
export function ActiveModel({ model }: { model: ModelSummary | undefined }) {
  if (!model) return <p className="muted">No active model: the queue is in candidate order.</p>;
  const e = model.evaluation;
  const sources = model.labelSources
    ? Object.entries(model.labelSources)
        .map(([k, n]) => `${n} ${SOURCE_WORDS[k] ?? k}`)
        .join(', ')
    : 'not recorded';
  return (
    <dl className="model-facts" data-testid="active-model">
      <dt>version</dt>
      <dd className="mono">{model.version}</dd>
      <dt>architecture</dt>
      <dd>
        {model.architecture} ({model.kind})
      </dd>
      <dt>created</dt>
      <dd>{model.createdAt.replace('T', ' ').slice(0, 19)}</dd>
      <dt>parent</dt>
      <dd className="mono">{model.parent ?? 'none (from scratch or imported)'}</dd>
      <dt>labels</dt>
      <dd>
        {model.labelCounts
          ? `${model.labelCounts.real} real, ${model.labelCounts.bogus} bogus`
          : 'not recorded'}
        <div className="muted small">sources: {sources}</div>
      </dd>
      <dt>threshold</dt>
      <dd>{model.threshold.toFixed(3)}</dd>
      <dt>held-out</dt>
      <dd data-testid="active-heldout">{e ? heldOutText(e, model.threshold) : 'no evaluation recorded'}</dd>
    </dl>
  );
}

/**
 * The held-out figures at the model's own threshold (the one the queue uses), so the panel shows one
 * threshold per model; figures the held-out labels cannot support are "-" with the reason.
 */
function heldOutText(e: NonNullable<ModelSummary['evaluation']>, threshold: number): string {
  const u = unavailableFigures(e);
  const at = ratesAt(e.roc, threshold);
  const fpr = u.fpr ? null : at.fpr;
  const mdr = u.mdr ? null : at.mdr;
  const auc = u.auc ? null : e.auc;
  const pippin = u.pippin ? null : e.pippin;
  return (
    `${e.n} labels (${e.reals} real, ${e.bogus} bogus): AUC ${fmtOr(fmtNum(auc), auc, u.auc)}, ` +
    `FPR ${fmtOr(fmtRate(fpr), fpr, u.fpr)}, MDR ${fmtOr(fmtRate(mdr), mdr, u.mdr)} at the threshold above; ` +
    `Pippin ${fmtOr(fmtNum(pippin), pippin, u.pippin)}. ${PIPPIN_EXPLAINED}.`
  );
}
