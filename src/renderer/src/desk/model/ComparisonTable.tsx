import { useState } from 'react';
import {
  PIPPIN_EXPLAINED,
  adoptWarning,
  comparedColumns,
  fmtNum,
  fmtOr,
  fmtRate,
  unavailableFigures,
} from './comparisonRows';
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
  const u = c ? unavailableFigures(c.heldOut) : {};
  const warning = c ? adoptWarning(c.heldOut) : null;
  // Adopting on a comparison with figures missing takes a second, explicit click.
  const [confirming, setConfirming] = useState(false);
  const rows: [string, (col: (typeof cols)[number]) => string, string][] = [
    ['AUC', (m) => fmtOr(fmtNum(m.auc), m.auc, u.auc), 'higher is better'],
    ['FPR at its threshold', (m) => fmtOr(fmtRate(m.fpr), m.fpr, u.fpr), 'bogus flagged'],
    ['MDR at its threshold', (m) => fmtOr(fmtRate(m.mdr), m.mdr, u.mdr), 'reals missed'],
    ['Pippin', (m) => fmtOr(fmtNum(m.pippin), m.pippin, u.pippin), PIPPIN_EXPLAINED],
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
          <p className="muted small">{PIPPIN_EXPLAINED}.</p>
          {warning && (
            <p className="panel-warning" role="alert" data-testid="compare-warning">
              {warning}
            </p>
          )}
        </>
      )}
      {outcome.version && outcome.decision === null && (
        <div className="button-row">
          {confirming ? (
            <>
              <button
                type="button"
                className="primary"
                disabled={pending}
                onClick={() => onAdopt(outcome.version!)}
                data-testid="adopt-anyway"
              >
                Adopt {outcome.version} anyway
              </button>
              <button type="button" disabled={pending} onClick={() => setConfirming(false)}>
                Cancel
              </button>
            </>
          ) : (
            <button
              type="button"
              className="primary"
              disabled={pending}
              onClick={() => (warning ? setConfirming(true) : onAdopt(outcome.version!))}
              data-testid="adopt-new"
            >
              Adopt {outcome.version}
              {warning ? '...' : ''}
            </button>
          )}
          <button type="button" disabled={pending} onClick={onDiscard} data-testid="discard-new">
            Discard
          </button>
        </div>
      )}
      {confirming && warning && outcome.decision === null && (
        <p className="small" data-testid="adopt-confirm">
          Adopt although {warning.charAt(0).toLowerCase() + warning.slice(1)}
        </p>
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
