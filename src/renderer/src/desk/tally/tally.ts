/**
 * The time-saved tally: how long this night would take by hand, how long vetting only the
 * model-flagged candidates takes, and the same projected to one million candidates. The arithmetic
 * itself is `scanTime` of src/shared/metrics.ts.
 *
 * It is a pure function of per-night counts (`NightCounts`), which add up (`addNights`): a row for a
 * whole season is `computeTally(addNights(nights), setPace)`.
 *
 * The by-hand pace: the astronomer's measured pace (median seconds per candidate looked at) once
 * there are MIN_MEASURED_LABELS of them, else the pace they set, else 0.5 s per candidate, the
 * project's starting assumption (a quick glance at a triplet by a practised scanner; not a
 * measurement).
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
import { median as medianOf } from '../../../../shared/robust';
import type { LabelRecord } from '../labels/labelStore';

/** Labels (real, bogus or skip) before the measured pace replaces the set or assumed one. */
export const MIN_MEASURED_LABELS = 20;
export const ASSUMED_SECONDS = DEFAULT_SECONDS_PER_STAMP;

/** What one night (or several, added) holds. */
export interface NightCounts {
  candidates: number;
  /** null while no model has scored the night (for a sum: while any night is unscored). */
  flagged: number | null;
  /** Labelled real or bogus. */
  vetted: number;
  /** Looked at, cannot tell: seen, but not vetted. */
  skipped: number;
  /** Seconds spent on each labelled or skipped candidate: the samples of the measured pace. */
  secondsSpent: readonly number[];
}

export function nightCounts(
  candidates: number,
  flagged: number | null,
  labels: readonly Pick<LabelRecord, 'secondsSpent' | 'label'>[],
): NightCounts {
  let skipped = 0;
  for (const l of labels) if (l.label === 'skip') skipped++;
  return {
    candidates,
    flagged,
    vetted: labels.length - skipped,
    skipped,
    secondsSpent: labels.map((l) => l.secondsSpent),
  };
}

/** Counts of several nights as one (a season). */
export function addNights(nights: readonly NightCounts[]): NightCounts {
  return {
    candidates: nights.reduce((a, n) => a + n.candidates, 0),
    flagged: nights.some((n) => n.flagged === null) ? null : nights.reduce((a, n) => a + n.flagged!, 0),
    vetted: nights.reduce((a, n) => a + n.vetted, 0),
    skipped: nights.reduce((a, n) => a + n.skipped, 0),
    secondsSpent: nights.flatMap((n) => n.secondsSpent),
  };
}

export type PaceSource = 'measured' | 'set' | 'assumed';

export interface Tally {
  candidates: number;
  flagged: number | null;
  vetted: number;
  skipped: number;
  /** Median seconds per candidate looked at (robust to a coffee break); null before the first. */
  pace: number | null;
  /** How many candidates the measured pace is the median of. */
  paceSamples: number;
  /** The pace the by-hand time is counted at, and where it comes from. */
  byHand: { seconds: number; source: PaceSource };
  /** null while no model has scored the night. */
  saved: ScanTime | null;
}

/** The median of the values, or null when there are none. */
export function median(values: readonly number[]): number | null {
  return values.length === 0 ? null : medianOf(values);
}

/** `setPace`: seconds per candidate the astronomer entered, or null. */
export function computeTally(counts: NightCounts, setPace: number | null = null): Tally {
  const pace = median(counts.secondsSpent);
  const byHand: Tally['byHand'] =
    pace !== null && pace > 0 && counts.secondsSpent.length >= MIN_MEASURED_LABELS
      ? { seconds: pace, source: 'measured' }
      : setPace !== null && setPace > 0
        ? { seconds: setPace, source: 'set' }
        : { seconds: ASSUMED_SECONDS, source: 'assumed' };
  return {
    candidates: counts.candidates,
    flagged: counts.flagged,
    vetted: counts.vetted,
    skipped: counts.skipped,
    pace,
    paceSamples: counts.secondsSpent.length,
    byHand,
    saved: counts.flagged === null ? null : scanTime(counts.candidates, counts.flagged, byHand.seconds),
  };
}

/** One sentence on where the by-hand pace comes from. */
export function paceExplained(t: Tally): string {
  const s = `${fmtSeconds(t.byHand.seconds)} s per candidate`;
  switch (t.byHand.source) {
    case 'measured':
      return `${s}: your measured pace (median over ${t.paceSamples} candidates you looked at).`;
    case 'set':
      return `${s}: the pace you set. Your measured pace replaces it after ${MIN_MEASURED_LABELS} candidates (${t.paceSamples} so far).`;
    case 'assumed':
      return `${s}: an assumed glance per candidate, not a measurement. Set your own, or label ${MIN_MEASURED_LABELS} candidates and your measured pace is used (${t.paceSamples} so far).`;
  }
}

export function fmtSeconds(s: number): string {
  return s >= 10 ? s.toFixed(0) : s >= 1 ? s.toFixed(1) : s.toFixed(2);
}

/** A threshold as the desk prints it: 3 decimals, never a float's 17 digits. */
export function fmtThreshold(t: number | null): string {
  return t === null ? '-' : t.toFixed(3);
}

const PACE_KEY = 'skysift.byHandSeconds';
const paceListeners = new Set<() => void>();

/** The by-hand pace the astronomer set (seconds per candidate), or null. Kept like the theme. */
export function loadSetPace(): number | null {
  const v = Number(globalThis.localStorage?.getItem(PACE_KEY) ?? Number.NaN);
  return Number.isFinite(v) && v > 0 ? v : null;
}

export function saveSetPace(seconds: number | null): void {
  if (seconds === null || !(seconds > 0)) globalThis.localStorage?.removeItem(PACE_KEY);
  else globalThis.localStorage?.setItem(PACE_KEY, String(seconds));
  for (const f of paceListeners) f();
}

/** For useSyncExternalStore. */
export function subscribeSetPace(f: () => void): () => void {
  paceListeners.add(f);
  return () => paceListeners.delete(f);
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
