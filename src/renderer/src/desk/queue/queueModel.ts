/**
 * The vetting queue as pure functions: order the night's candidates, filter them, count them.
 * Ordering depends only on scores and metadata, so it is computed once per (rows, order); the
 * label filter is cheap and reapplied after every label.
 */
import type { CandidateRow } from '../../../../shared/contract';
import type { HumanLabel } from '../labels/labelKinds';

export type QueueOrder = 'flagged' | 'score' | 'uncertainty' | 'informative' | 'time' | 'id';
// 'informative' last: the O key cycles in this order, and the older orders keep their places.
export const QUEUE_ORDERS: readonly QueueOrder[] = [
  'flagged',
  'score',
  'uncertainty',
  'time',
  'id',
  'informative',
];
export const ORDER_NAMES: Record<QueueOrder, string> = {
  flagged: 'flagged first',
  score: 'score',
  uncertainty: 'uncertainty',
  informative: 'most informative first',
  time: 'time',
  id: 'id',
};

export type LabelFilter = 'unlabelled' | 'real' | 'bogus' | 'skip' | 'all';
export const LABEL_FILTERS: readonly LabelFilter[] = ['unlabelled', 'real', 'bogus', 'skip', 'all'];
export const LABEL_FILTER_NAMES: Record<LabelFilter, string> = {
  unlabelled: 'unlabelled only',
  real: 'labelled real',
  bogus: 'labelled bogus',
  skip: 'skipped',
  all: 'all',
};

/** What the packets and the night know about a candidate's object (row.context). */
export type ContextFilter = 'asteroid' | 'star' | 'new' | 'rising';
export const CONTEXT_FILTERS: readonly ContextFilter[] = ['asteroid', 'star', 'new', 'rising'];
export const CONTEXT_FILTER_NAMES: Record<ContextFilter, string> = {
  asteroid: 'known asteroid',
  star: 'near a star',
  new: 'new this night',
  rising: 'rising',
};
/** "New": first detected less than this many days before the candidate's own epoch. */
export const NEW_WITHIN_DAYS = 1;

export function matchesContext(row: CandidateRow, filter: ContextFilter): boolean {
  const c = row.context;
  switch (filter) {
    case 'asteroid':
      return c?.asteroid === true;
    case 'star':
      return c?.nearStar === true;
    case 'rising':
      return c?.rising === true;
    case 'new': {
      // A candidate with no history at all is new as far as anything here knows.
      if (!c || c.firstDetection === null) return true;
      const t = row.meta.mjd;
      return t !== undefined && t - c.firstDetection < NEW_WITHIN_DAYS;
    }
  }
}

export interface QueueFilter {
  label: LabelFilter;
  /** Inclusive score range; a bound of null is open. Unscored candidates pass only if both are open. */
  scoreMin: number | null;
  scoreMax: number | null;
  /** null = any. */
  band: string | null;
  source: string | null;
  /** null = any. */
  context: ContextFilter | null;
  /** One row per object: its candidate with the best score in the night. */
  objects: boolean;
}

export const DEFAULT_FILTER: QueueFilter = {
  label: 'unlabelled',
  scoreMin: null,
  scoreMax: null,
  band: null,
  source: null,
  context: null,
  objects: false,
};

/** The threshold used when the workspace has none (no model yet): the classifier's natural 0.5. */
export const DEFAULT_THRESHOLD = 0.5;

/** What the queue calls a candidate's source: the survey when known (ZTF, ATLAS...), else the adapter. */
export function sourceOf(row: CandidateRow): string {
  return row.meta.survey ?? row.source;
}

export function isFlagged(row: CandidateRow, threshold: number | null): boolean {
  return threshold !== null && row.score !== null && row.score >= threshold;
}

const collator = new Intl.Collator('en', { numeric: true });

/** Natural id order (c2 before c10): the last tie-breaker, so every order is total and stable. */
function byIdAsc(a: CandidateRow, b: CandidateRow) {
  return collator.compare(a.id, b.id);
}

/** Higher score first; unscored candidates after every scored one. */
function byScoreDesc(a: CandidateRow, b: CandidateRow) {
  if (a.score === b.score) return 0;
  if (a.score === null) return 1;
  if (b.score === null) return -1;
  return b.score - a.score;
}

export function orderRows(
  rows: readonly CandidateRow[],
  order: QueueOrder,
  threshold: number | null,
): CandidateRow[] {
  const out = rows.slice();
  const t = threshold ?? DEFAULT_THRESHOLD;
  switch (order) {
    case 'flagged':
      // Flagged first (by score), then the rest by score: with a threshold this is the score order,
      // but spelled out so the rule survives a change of the flag definition.
      out.sort((a, b) => {
        const fa = isFlagged(a, threshold) ? 0 : 1;
        const fb = isFlagged(b, threshold) ? 0 : 1;
        return fa - fb || byScoreDesc(a, b) || byIdAsc(a, b);
      });
      break;
    case 'score':
      out.sort((a, b) => byScoreDesc(a, b) || byIdAsc(a, b));
      break;
    case 'uncertainty':
      // Closest to the threshold first: the labels that teach the model most.
      out.sort((a, b) => {
        const da = a.score === null ? Infinity : Math.abs(a.score - t);
        const db = b.score === null ? Infinity : Math.abs(b.score - t);
        return da - db || byIdAsc(a, b);
      });
      break;
    case 'informative':
      return informativeOrder(rows, t);
    case 'time':
      out.sort((a, b) => {
        const ta = a.meta.mjd ?? Infinity;
        const tb = b.meta.mjd ?? Infinity;
        return ta - tb || byIdAsc(a, b);
      });
      break;
    case 'id':
      out.sort(byIdAsc);
      break;
  }
  return out;
}

/** Score bins of the spread half of the 'informative' order. */
export const INFORMATIVE_BINS = 10;

/**
 * 'Most informative first', for a model that has few labels yet: every other candidate is the next
 * closest to the threshold (where a label moves the decision most), and the ones between walk over
 * the whole score range, one per score bin in turn (bins nearest the threshold first, each bin's
 * candidate nearest the threshold first), so that the first labels also show the model where it is
 * confidently wrong. Unscored candidates come last, by id.
 */
export function informativeOrder(rows: readonly CandidateRow[], threshold: number): CandidateRow[] {
  const scored = rows.filter((r) => r.score !== null);
  const dist = (r: CandidateRow) => Math.abs(r.score! - threshold);
  const byDist = (a: CandidateRow, b: CandidateRow) => dist(a) - dist(b) || byIdAsc(a, b);
  const near = scored.slice().sort(byDist);
  const bins: CandidateRow[][] = Array.from({ length: INFORMATIVE_BINS }, () => []);
  const binOf = (s: number) => Math.min(INFORMATIVE_BINS - 1, Math.max(0, Math.floor(s * INFORMATIVE_BINS)));
  for (const r of near) bins[binOf(r.score!)].push(r);
  const binCentre = (i: number) => (i + 0.5) / INFORMATIVE_BINS;
  const binOrder = bins
    .map((_, i) => i)
    .filter((i) => bins[i].length)
    .sort((a, b) => Math.abs(binCentre(a) - threshold) - Math.abs(binCentre(b) - threshold) || a - b);
  const spread: CandidateRow[] = [];
  for (let round = 0; spread.length < scored.length; round++)
    for (const i of binOrder) if (round < bins[i].length) spread.push(bins[i][round]);
  const out: CandidateRow[] = [];
  const seen = new Set<string>();
  let a = 0;
  let b = 0;
  while (out.length < scored.length) {
    const from = out.length % 2 === 0 ? 'near' : 'spread';
    let next: CandidateRow | undefined;
    if (from === 'near') while (a < near.length && seen.has((next = near[a++]).id)) next = undefined;
    else while (b < spread.length && seen.has((next = spread[b++]).id)) next = undefined;
    if (!next) {
      // One list is used up: the other holds the rest.
      next = [...near.slice(a), ...spread.slice(b)].find((r) => !seen.has(r.id));
      if (!next) break;
    }
    seen.add(next.id);
    out.push(next);
  }
  const unscored = rows.filter((r) => r.score === null).sort(byIdAsc);
  return [...out, ...unscored];
}

export function matchesFilter(
  row: CandidateRow,
  label: HumanLabel | undefined,
  filter: QueueFilter,
): boolean {
  if (filter.label === 'unlabelled' ? label !== undefined : filter.label !== 'all' && label !== filter.label)
    return false;
  if (filter.scoreMin !== null || filter.scoreMax !== null) {
    if (row.score === null) return false;
    if (filter.scoreMin !== null && row.score < filter.scoreMin) return false;
    if (filter.scoreMax !== null && row.score > filter.scoreMax) return false;
  }
  if (filter.band !== null && row.meta.band !== filter.band) return false;
  if (filter.source !== null && sourceOf(row) !== filter.source) return false;
  if (filter.context !== null && !matchesContext(row, filter.context)) return false;
  // Rows without a summary are objects of their own.
  if (filter.objects && row.context && !row.context.best) return false;
  return true;
}

export function filterRows(
  sorted: readonly CandidateRow[],
  labelOf: (id: string) => HumanLabel | undefined,
  filter: QueueFilter,
): CandidateRow[] {
  const out: CandidateRow[] = [];
  for (const row of sorted) if (matchesFilter(row, labelOf(row.id), filter)) out.push(row);
  return out;
}

export interface QueueCounts {
  total: number;
  flagged: number;
  /** Candidates with a human label of this workspace (real, bogus or skip). */
  labelled: number;
  /** Not yet labelled. */
  remaining: number;
  /** Flagged and not yet labelled: the part of the night the model asks the astronomer to see. */
  flaggedRemaining: number;
}

export function countQueue(
  rows: readonly CandidateRow[],
  threshold: number | null,
  labelOf: (id: string) => HumanLabel | undefined,
): QueueCounts {
  let flagged = 0;
  let labelled = 0;
  let flaggedRemaining = 0;
  for (const r of rows) {
    const f = isFlagged(r, threshold);
    const l = labelOf(r.id) !== undefined;
    if (f) flagged++;
    if (l) labelled++;
    if (f && !l) flaggedRemaining++;
  }
  return { total: rows.length, flagged, labelled, remaining: rows.length - labelled, flaggedRemaining };
}

/** Distinct values for the band and source filters, sorted. */
export function facets(rows: readonly CandidateRow[]): { bands: string[]; sources: string[] } {
  const bands = new Set<string>();
  const sources = new Set<string>();
  for (const r of rows) {
    if (r.meta.band) bands.add(r.meta.band);
    sources.add(sourceOf(r));
  }
  return { bands: [...bands].sort(collator.compare), sources: [...sources].sort(collator.compare) };
}

/** Each candidate's position in the sorted order: what lets one row go back into a view in place. */
export function rankIndex(sorted: readonly CandidateRow[]): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i < sorted.length; i++) m.set(sorted[i].id, i);
  return m;
}

/**
 * The view after one candidate's label changed, without refiltering the whole night: the row
 * leaves or (re)enters at its rank (binary search), or the same array comes back if nothing moved.
 * Also returns where the row is (or would be): the cursor's next place. O(log n) to find, one array
 * copy to change: a 100k queue costs well under a millisecond, where a scan would cost several.
 */
export function updateViewForRow(
  view: readonly CandidateRow[],
  row: CandidateRow,
  matches: boolean,
  rank: ReadonlyMap<string, number>,
): { view: readonly CandidateRow[]; at: number; present: boolean } {
  const r = rank.get(row.id);
  if (r === undefined) return { view, at: -1, present: false };
  let lo = 0;
  let hi = view.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rank.get(view[mid].id)! < r) lo = mid + 1;
    else hi = mid;
  }
  const present = lo < view.length && view[lo].id === row.id;
  if (present === matches) return { view, at: lo, present };
  const out = view.slice();
  if (present) out.splice(lo, 1);
  else out.splice(lo, 0, row);
  return { view: out, at: lo, present: matches };
}

/**
 * Where the cursor goes after the current candidate's label changed: its next neighbour; if it
 * left the view (e.g. "unlabelled only"), the one that took its place. `at`/`present` as returned
 * by `updateViewForRow`.
 */
export function nextIndexAfterLabel(viewLength: number, at: number, present: boolean): number {
  if (viewLength === 0) return -1;
  return Math.min(Math.max(0, present ? at + 1 : at), viewLength - 1);
}

/** Counts after one candidate went from `before` to `after` (labelled or not). */
export function updateCounts(
  counts: QueueCounts,
  row: CandidateRow,
  threshold: number | null,
  wasLabelled: boolean,
  isLabelled: boolean,
): QueueCounts {
  if (wasLabelled === isLabelled) return counts;
  const d = isLabelled ? 1 : -1;
  const f = isFlagged(row, threshold);
  return {
    ...counts,
    labelled: counts.labelled + d,
    remaining: counts.remaining - d,
    flaggedRemaining: counts.flaggedRemaining - (f ? d : 0),
  };
}
