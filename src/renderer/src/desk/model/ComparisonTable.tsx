import { comparedColumns, fmtNum, fmtRate } from './comparisonRows';
import type { TrainingOutcome } from './modelStore';
import { LossChart } from './LossChart';

/** The new version against the active one on the same held-out labels; Adopt or Discard. */
export function ComparisonTable(props: {
  outcome: TrainingOutcome;
  pending: boolean;
  onAdopt: (version: string) => void;
  onDiscard: () => void;
}) {
  const { outcome, pending, onAdopt, onDiscard } = props;
  const c = outcome.comparison;
  const cols = c ? comparedColumns(c) : [];
  const rows: [string, (col: (typeof cols)[number]) => string, string][] = [
    ['AUC', (m) => fmtNum(m.auc), 'higher is better'],
    ['FPR at its threshold', (m) => fmtRate(m.fpr), 'bogus flagged'],
    ['MDR at its threshold', (m) => fmtRate(m.mdr), 'reals missed'],
    ['Pippin (FPR+MDR at 0.4/0.5/0.6)', (m) => fmtNum(m.pippin), 'lower is better'],
    [`Your confirmed reals missed (of ${c?.confirmedReals ?? 0})`, (m) => String(m.missedConfirmed), ''],
    ['Threshold', (m) => m.threshold.toFixed(3), ''],
  ];
  return (
    <section className="panel-section" aria-label="training result" data-testid="comparison">
      <h3>Training {outcome.state === 'done' ? 'finished' : outcome.state}</h3>
      {outcome.error && (
        <p className="panel-error" role="alert">
          {outcome.error}
        </p>
      )}
      {outcome.points.length > 0 && <LossChart points={outcome.points} maxEpochs={outcome.points.length} />}
      {c && (
        <>
          <p className="muted small">
            On {c.heldOut.n} held-out labels of yours ({c.heldOut.reals} real, {c.heldOut.bogus} bogus), never
            trained on.
          </p>
          <table className="compare-table" data-testid="compare-table">
            <thead>
              <tr>
                <th />
                {cols.map((m) => (
                  <th key={m.version} scope="col" title={m.version}>
                    {m.role === 'candidate' ? 'new' : 'active'}
                    <div className="mono small">{m.version}</div>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map(([name, value, hint]) => (
                <tr key={name}>
                  <th scope="row" title={hint}>
                    {name}
                  </th>
                  {cols.map((m) => (
                    <td key={m.version}>{value(m)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {outcome.version && outcome.decision === null && (
        <div className="button-row">
          <button
            type="button"
            className="primary"
            disabled={pending}
            onClick={() => onAdopt(outcome.version!)}
            data-testid="adopt-new"
          >
            Adopt {outcome.version}
          </button>
          <button type="button" disabled={pending} onClick={onDiscard} data-testid="discard-new">
            Discard
          </button>
        </div>
      )}
      {outcome.decision === 'adopted' && (
        <p data-testid="decision">
          Adopted: the queue re-sorts by the new scores when they are loaded; your place is kept.
        </p>
      )}
      {outcome.decision === 'discarded' && (
        <p data-testid="decision">
          Not adopted. {outcome.version} stays in the list of versions below (nothing is deleted); you can
          adopt it later.
        </p>
      )}
    </section>
  );
}
