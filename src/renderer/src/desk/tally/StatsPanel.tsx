import { useState, type ReactNode } from 'react';
import type { RocPoint } from '../../../../shared/metrics';
import { SidePanel } from '../SidePanel';
import {
  fmtSeconds,
  fmtThreshold,
  formatDuration,
  loadSetPace,
  paceExplained,
  saveSetPace,
  type ModelPicture,
  type Tally,
} from './tally';

/** `raw`: the unrounded number, for tests that check the arithmetic rather than the formatting. */
function Row(props: { name: string; value: string; testId?: string; raw?: number | null }) {
  const { name, value, testId, raw } = props;
  return (
    <tr>
      <th scope="row">{name}</th>
      <td data-testid={testId} data-value={raw ?? undefined}>
        {value}
      </td>
    </tr>
  );
}

const W = 300;
const H = 140;

/** Score histogram (all scored candidates, grey) with the human labels on top (real, bogus). */
function HistogramChart({ picture, threshold }: { picture: ModelPicture; threshold: number | null }) {
  const { all, real, bogus, edges } = picture.histogram;
  const max = Math.max(1, ...all);
  const bw = W / all.length;
  const y = (n: number) => H - (H * Math.sqrt(n)) / Math.sqrt(max);
  return (
    <svg width={W} height={H + 16} role="img" aria-label="score histogram with your labels" className="chart">
      {all.map((n, i) => (
        <g key={i}>
          <rect className="bar-all" x={i * bw} y={y(n)} width={bw - 1} height={H - y(n)} />
          <rect
            className="bar-bogus"
            x={i * bw + 1}
            y={y(bogus[i])}
            width={bw / 2 - 1}
            height={H - y(bogus[i])}
          />
          <rect
            className="bar-real"
            x={i * bw + bw / 2}
            y={y(real[i])}
            width={bw / 2 - 1}
            height={H - y(real[i])}
          />
        </g>
      ))}
      {threshold !== null && (
        <line className="threshold" x1={threshold * W} x2={threshold * W} y1={0} y2={H} />
      )}
      <text x={0} y={H + 13}>
        {edges[0]}
      </text>
      <text x={W} y={H + 13} textAnchor="end">
        {edges[edges.length - 1]}
      </text>
    </svg>
  );
}

function RocChart({ roc, threshold }: { roc: RocPoint[]; threshold: number | null }) {
  const S = 140;
  const pts = roc.map((p) => `${p.fpr * S},${S - p.tpr * S}`).join(' ');
  // The operating point: the first ROC point whose threshold is at or below the active one.
  const op = threshold === null ? undefined : roc.find((p) => p.threshold <= threshold);
  return (
    <svg
      width={S + 2}
      height={S + 2}
      role="img"
      aria-label="ROC of the active model on your labels"
      className="chart"
    >
      <rect className="frame" x={0} y={0} width={S} height={S} />
      <line className="diag" x1={0} y1={S} x2={S} y2={0} />
      <polyline className="roc" points={pts} />
      {op && <circle className="op" cx={op.fpr * S} cy={S - op.tpr * S} r={4} />}
    </svg>
  );
}

const time = (h: number | undefined) => (h === undefined ? '-' : formatDuration(h));

/** The by-hand pace the astronomer can set; empty = none set. `kept`: the pace the home holds. */
function PaceField(props: { kept: number | null }) {
  const [value, setValue] = useState(() => String(loadSetPace() ?? props.kept ?? ''));
  const parsed = value.trim() === '' ? null : Number(value);
  const bad = parsed !== null && !(Number.isFinite(parsed) && parsed > 0);
  return (
    <label className="small pace-field">
      Your by-hand pace, seconds per candidate:{' '}
      <input
        type="number"
        min="0.05"
        step="0.05"
        value={value}
        placeholder="not set"
        data-testid="set-pace"
        aria-invalid={bad}
        onChange={(e) => {
          setValue(e.target.value);
          const v = e.target.value.trim() === '' ? null : Number(e.target.value);
          if (v === null || (Number.isFinite(v) && v > 0)) saveSetPace(v);
        }}
      />
      {bad && <span className="panel-error"> a number of seconds above 0</span>}
    </label>
  );
}

/** The stats panel: the tally in full, the score histogram with the labels, the ROC and threshold. */
export function StatsPanel(props: {
  tally: Tally;
  picture: ModelPicture | null;
  model: string | null;
  threshold: number | null;
  onClose: () => void;
  /** The season's tally (season.ts), under this night's. */
  children?: ReactNode;
}) {
  const { tally, picture, model, threshold, onClose } = props;
  const { saved, byHand } = tally;
  const at = `at ${fmtSeconds(byHand.seconds)} s/candidate`;
  return (
    <SidePanel title="Stats" testId="stats" closeAction="stats" onClose={onClose}>
      <h3>Time saved</h3>
      <table className="tally-table">
        <tbody>
          <Row name="candidates in the night" value={String(tally.candidates)} testId="stat-candidates" />
          <Row
            name="flagged by the model"
            value={tally.flagged === null ? 'no model yet' : String(tally.flagged)}
            testId="stat-flagged"
          />
          <Row name="vetted (real or bogus)" value={String(tally.vetted)} testId="stat-vetted" />
          <Row name="skipped (cannot tell)" value={String(tally.skipped)} testId="stat-skipped" />
          <Row
            name="your seconds per candidate"
            value={tally.pace === null ? '-' : tally.pace.toFixed(2)}
            testId="stat-pace"
            raw={tally.pace}
          />
          <Row
            name={`by-hand pace (${byHand.source})`}
            value={`${fmtSeconds(byHand.seconds)} s`}
            testId="stat-byhand"
            raw={byHand.seconds}
          />
          <Row
            name={`time saved tonight, ${at}`}
            value={time(saved?.hoursSaved)}
            testId="stat-saved"
            raw={saved?.hoursSaved}
          />
          <Row
            name="per 1M candidates: all by hand"
            value={time(saved?.perMillion.hoursAll)}
            testId="stat-million-all"
            raw={saved?.perMillion.hoursAll}
          />
          <Row
            name="per 1M: flagged only"
            value={time(saved?.perMillion.hoursFlagged)}
            testId="stat-million-flagged"
            raw={saved?.perMillion.hoursFlagged}
          />
          <Row
            name="per 1M: time saved"
            value={time(saved?.perMillion.hoursSaved)}
            testId="stat-million-saved"
            raw={saved?.perMillion.hoursSaved}
          />
          <Row
            name="fewer candidates to look at"
            value={
              saved && Number.isFinite(saved.reductionFactor) ? `${saved.reductionFactor.toFixed(1)}x` : '-'
            }
          />
        </tbody>
      </table>
      <p className="muted small" data-testid="pace-explained">
        By hand: {paceExplained(tally)} Time saved = candidates the model did not flag x that pace.
      </p>
      <PaceField kept={tally.byHand.source === 'set' ? tally.byHand.seconds : null} />
      {props.children}
      <h3>Scores {model ? <span className="muted">{model}</span> : ''}</h3>
      {picture ? (
        <>
          <HistogramChart picture={picture} threshold={threshold} />
          <p className="legend muted">
            <span className="swatch all" /> all <span className="swatch real" /> your real{' '}
            <span className="swatch bogus" /> your bogus; line: threshold {fmtThreshold(threshold)}
          </p>
          <h3>ROC on your labels</h3>
          {picture.roc ? (
            <>
              <RocChart roc={picture.roc} threshold={threshold} />
              <p className="muted">
                AUC {picture.auc!.toFixed(3)} over {picture.labelledScored} labelled candidates; dot: the
                threshold.
              </p>
            </>
          ) : (
            <p className="muted">Needs at least one real and one bogus label on scored candidates.</p>
          )}
        </>
      ) : (
        <p className="muted">No model has scored this night yet.</p>
      )}
    </SidePanel>
  );
}
