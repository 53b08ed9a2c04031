import type { HumanLabel } from '../../../../shared/labels';
import { reviewCounts, type ImportReview, type Side } from './importReview';

const say = (l: HumanLabel) => `${l.label}${l.subclass ? ` (${l.subclass})` : ''} by ${l.by}`;

/** What an import would do, before it does it: conflicts side by side, each decided by the astronomer. */
export function ImportReviewView(props: {
  review: ImportReview;
  pending: boolean;
  onChoose: (candidateId: string, side: Side) => void;
  onAll: (side: Side) => void;
  onApply: () => void;
  onCancel: () => void;
}) {
  const { review, pending, onChoose, onAll, onApply, onCancel } = props;
  const r = review.result;
  const n = reviewCounts(review);
  return (
    <section className="import-review" aria-label="import review" data-testid="import-review">
      <p
        className="small"
        data-testid="import-summary"
        data-new={r.labels.length}
        data-conflicts={r.conflicts.length}
        data-identical={r.identical}
        data-unknown={r.unknownIds.length}
      >
        {r.labels.length} new, {r.identical} identical to yours (skipped), {r.conflicts.length}{' '}
        {r.conflicts.length === 1 ? 'conflict' : 'conflicts'}, {r.unknownIds.length} not in this workspace
        {r.errors.length ? `, ${r.errors.length} unreadable lines` : ''}.
      </p>
      {r.conflicts.length > 0 && (
        <>
          <div className="button-row">
            <button type="button" onClick={() => onAll('mine')}>
              Keep mine for all
            </button>
            <button type="button" onClick={() => onAll('theirs')}>
              Take theirs for all
            </button>
          </div>
          <table className="conflicts" data-testid="conflicts">
            <thead>
              <tr>
                <th scope="col">candidate</th>
                <th scope="col">mine</th>
                <th scope="col">theirs</th>
              </tr>
            </thead>
            <tbody>
              {r.conflicts.map((c) => {
                const side = review.choices[c.candidateId];
                return (
                  <tr key={c.candidateId} data-candidate={c.candidateId}>
                    <td className="mono">{c.candidateId}</td>
                    {(['mine', 'theirs'] as const).map((s) => (
                      <td key={s}>
                        <label>
                          <input
                            type="radio"
                            name={`conflict-${c.candidateId}`}
                            checked={side === s}
                            onChange={() => onChoose(c.candidateId, s)}
                            data-testid={`choose-${s}`}
                          />{' '}
                          {say(s === 'mine' ? c.mine : c.theirs)}
                        </label>
                      </td>
                    ))}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </>
      )}
      {r.unknownIds.length > 0 && (
        <details>
          <summary>{r.unknownIds.length} ids not in this workspace (not imported)</summary>
          <p className="mono small">{r.unknownIds.slice(0, 200).join(' ')}</p>
        </details>
      )}
      {r.errors.length > 0 && (
        <ul className="plain small">
          {r.errors.slice(0, 50).map((e) => (
            <li key={e.line}>{e.reason}</li>
          ))}
        </ul>
      )}
      <div className="button-row">
        <button
          type="button"
          className="primary"
          disabled={pending}
          onClick={onApply}
          data-testid="import-apply"
        >
          Import {n.added + n.replaced} {n.replaced ? `(${n.replaced} replacing mine)` : ''}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </section>
  );
}
