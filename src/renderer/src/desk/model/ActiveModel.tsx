import type { ModelSummary } from '../../../../shared/contract';
import { fmtNum, fmtRate } from './comparisonRows';

/** The model the queue is sorted by: what it is, where it came from, how it did on held-out labels. */
export function ActiveModel({ model }: { model: ModelSummary | undefined }) {
  if (!model) return <p className="muted">No active model: the queue is in candidate order.</p>;
  const e = model.evaluation;
  const sources = model.labelSources
    ? Object.entries(model.labelSources)
        .map(([k, n]) => `${n} ${k}`)
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
      <dd>
        {e
          ? `AUC ${fmtNum(e.auc)}, Pippin ${fmtNum(e.pippin)}, at ${fmtNum(e.operatingPoint.threshold)}: FPR ${fmtRate(e.operatingPoint.fpr)} MDR ${fmtRate(e.operatingPoint.mdr)} (n ${e.n})`
          : 'no evaluation recorded'}
      </dd>
    </dl>
  );
}
