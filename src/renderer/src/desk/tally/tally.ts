/**
 * The time-saved tally: how long this night would take by hand, how long vetting only the
 * model-flagged candidates takes, at the seed's 0.5 s per candidate and at the astronomer's own
 * measured pace, and the same projected to one million candidates. The arithmetic itself is
 * `scanTime` of src/shared/metrics.ts; this module only feeds it what the desk measured.
 */
import {
  auc,
  DEFAULT_SECONDS_PER_STAMP,
  rocCurve,
  scanTime,
  scoreHistogram,
  type Histogram,
  type RocPoint,
  type ScanTime,
} from '../../../../shared/metrics';
import type { CandidateRow } from '../../../../shared/contract';
import type { LabelRecord } from '../labels/labelStore';

export interface Tally {
  candidates: number;
  /** null while no model has scored the night. */
  flagged: number | null;
  vetted: number;
  /** Median seconds per vetted candidate (robust to a coffee break); null before the first label. */
  pace: number | null;
  /** At the seed's 0.5 s per candidate. */
  seed: ScanTime | null;
  /** At the astronomer's own pace. */
  own: ScanTime | null;
  secondsPerStampByHand: number;
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

export function computeTally(
  candidates: number,
  flagged: number | null,
  labels: readonly Pick<LabelRecord, 'secondsSpent'>[],
  secondsByHand = DEFAULT_SECONDS_PER_STAMP,
): Tally {
  const pace = median(labels.map((l) => l.secondsSpent));
  const seed = flagged === null ? null : scanTime(candidates, flagged, secondsByHand);
  const own = flagged === null || pace === null ? null : scanTime(candidates, flagged, pace);
  return {
    candidates,
    flagged,
    vetted: labels.length,
    pace,
    seed,
    own,
    secondsPerStampByHand: secondsByHand,
  };
}

/** "3.2 h", "14 min", "9 s": the unit a person would say. */
export function formatDuration(hours: number): string {
  if (!Number.isFinite(hours)) return '-';
  const s = hours * 3600;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  if (s < 3600) return `${(s / 60).toFixed(s < 600 ? 1 : 0)} min`;
  return `${hours.toFixed(hours < 10 ? 2 : hours < 100 ? 1 : 0)} h`;
}

export interface ModelPicture {
  histogram: Histogram;
  roc: RocPoint[] | null;
  auc: number | null;
  /** Scored candidates with a human real/bogus label (the ROC's sample). */
  labelledScored: number;
}

/** Score histogram of the night with the human labels overlaid, and the ROC they imply. */
export function modelPicture(
  rows: readonly CandidateRow[],
  labelOf: (id: string) => LabelRecord | undefined,
  bins = 20,
): ModelPicture | null {
  const scores: number[] = [];
  const labels: (number | null)[] = [];
  const rocScores: number[] = [];
  const rocLabels: number[] = [];
  for (const r of rows) {
    if (r.score === null) continue;
    const l = labelOf(r.id)?.label;
    const y = l === 'real' ? 1 : l === 'bogus' ? 0 : null;
    scores.push(r.score);
    labels.push(y);
    if (y !== null) {
      rocScores.push(r.score);
      rocLabels.push(y);
    }
  }
  if (scores.length === 0) return null;
  const hasBoth = rocLabels.includes(1) && rocLabels.includes(0);
  return {
    histogram: scoreHistogram(scores, labels, bins),
    roc: hasBoth ? rocCurve(rocScores, rocLabels) : null,
    auc: hasBoth ? auc(rocScores, rocLabels) : null,
    labelledScored: rocScores.length,
  };
}
