/**
 * The confirmed-supernova list: every candidate the astronomer labelled 'real' (optionally only
 * some sub-classes), joined with what the catalog knows of it (position, time, band, magnitude)
 * and a classifier score with the model version that gave it. All formats (CSV, JSON, VOTable,
 * TNS draft) are written from these rows, so they always agree.
 */
import type { CatalogEntry, Workspace } from '../catalog/workspace';
import type { HumanLabel } from '../../shared/labels';
import { dataPrecision } from './skyFormat';
import { ObjectIndex } from '../catalog/objectHistory';

export interface ConfirmedRow {
  id: string;
  /** The survey's object name (e.g. ZTF18abfcjtr), when the source had one. */
  objectId: string | null;
  survey: string | null;
  /** Degrees, ICRS. */
  ra: number | null;
  dec: number | null;
  /** MJD (UTC) of the search image. */
  mjd: number | null;
  band: string | null;
  mag: number | null;
  magErr: number | null;
  exptime: number | null;
  /** From the object's light curve (all its packets): MJD of the first detection, their count, the peak. */
  firstDetection: number | null;
  detections: number | null;
  peakMag: number | null;
  score: number | null;
  /** Which model gave the score: a registry version, or 'data:<name>' for a score shipped with the data. */
  model: string | null;
  label: 'real';
  subclass: string | null;
  by: string;
  labelledAt: string;
}

/** Column order of every tabular export. */
export const CONFIRMED_COLUMNS = [
  'id',
  'objectId',
  'survey',
  'ra',
  'dec',
  'mjd',
  'band',
  'mag',
  'magErr',
  'exptime',
  'firstDetection',
  'detections',
  'peakMag',
  'score',
  'model',
  'label',
  'subclass',
  'by',
  'labelledAt',
] as const satisfies readonly (keyof ConfirmedRow)[];

// Catalog numbers without float noise (see dataPrecision).
const num = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? null : dataPrecision(x));
const str = (s: string | undefined | null) => (s === undefined || s === null || s === '' ? null : s);

/**
 * The score to show: the active model's (what the queue shows now), else the one on screen when
 * the label was given, else a score that came with the data. The model column always says which.
 */
function scoreOf(
  entry: CatalogEntry,
  label: HumanLabel,
  active: { model: string; scores: Map<string, number> } | null,
): { score: number | null; model: string | null } {
  const s = active?.scores.get(entry.id);
  if (active && s !== undefined) return { score: s, model: active.model };
  if (label.score !== null) return { score: label.score, model: label.modelVersion };
  const given = Object.entries(entry.given.scores ?? {})[0];
  if (given) return { score: given[1], model: `data:${given[0]}` };
  return { score: null, model: null };
}

const naturalOrder = new Intl.Collator('en', { numeric: true });

function lightCurveColumns(
  objects: ObjectIndex,
  entry: CatalogEntry,
): Pick<ConfirmedRow, 'firstDetection' | 'detections' | 'peakMag'> {
  // A candidate without a time or band has no light curve to speak of: unknown, not zero.
  if (entry.meta.mjd === undefined && !entry.context)
    return { firstDetection: null, detections: null, peakMag: null };
  const s = objects.summary(entry.id);
  return { firstDetection: s.firstDetection, detections: s.detections, peakMag: s.peakMag };
}

export interface ConfirmedSelection {
  rows: ConfirmedRow[];
  /** 'real' labels whose candidate is not in the workspace (no position or time to export). */
  unknownIds: string[];
}

export function confirmedRows(
  ws: Workspace,
  labels: readonly HumanLabel[],
  opts: { subclasses?: readonly string[] } = {},
): ConfirmedSelection {
  const wanted = opts.subclasses?.length ? new Set(opts.subclasses) : null;
  // One label per candidate: the app keeps one already; for a hand-merged list, the latest wins.
  const latest = new Map<string, HumanLabel>();
  for (const l of labels) {
    if (l.label !== 'real') continue;
    if (wanted && (l.subclass === null || !wanted.has(l.subclass))) continue;
    const prior = latest.get(l.candidateId);
    if (!prior || Date.parse(l.labelledAt) >= Date.parse(prior.labelledAt)) latest.set(l.candidateId, l);
  }
  const model = ws.settings.activeModel;
  const scores = ws.scores(model);
  const active = model && scores ? { model, scores } : null;
  const rows: ConfirmedRow[] = [];
  const unknownIds: string[] = [];
  const objects = new ObjectIndex(ws);
  for (const label of latest.values()) {
    const entry = ws.get(label.candidateId);
    if (!entry) {
      unknownIds.push(label.candidateId);
      continue;
    }
    const m = entry.meta;
    rows.push({
      id: entry.id,
      objectId: str(m.objectId),
      survey: str(m.survey),
      ra: num(m.ra),
      dec: num(m.dec),
      mjd: num(m.mjd),
      band: str(m.band),
      mag: num(m.mag),
      magErr: num(m.magErr),
      exptime: num(m.exptime),
      ...lightCurveColumns(objects, entry),
      ...scoreOf(entry, label, active),
      label: 'real',
      subclass: label.subclass,
      by: label.by,
      labelledAt: label.labelledAt,
    });
  }
  // Natural order (101 before 1007), as the queue lists them; text order put 1007 before 101.
  rows.sort((a, b) => naturalOrder.compare(a.id, b.id));
  return { rows, unknownIds };
}
