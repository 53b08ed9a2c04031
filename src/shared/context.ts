/**
 * What a packet knows around its candidate: earlier epochs (detections, forced photometry,
 * non-detection limits) and facts of the neighbourhood (nearest catalogued star, known asteroid,
 * the survey's own detection count). Stored with the candidate at ingest; the light curve of an
 * object is the union of its candidates' histories (src/main/catalog/objectHistory.ts).
 *
 * Stored points use short keys: a ZTF packet carries up to ~30 earlier epochs and a 100k night
 * keeps them all, so every byte of a key is paid millions of times in the catalog parts.
 */
import { z } from 'zod';

/**
 * One epoch of photometry as stored. A detection has `m` (AB mag) and/or `f` (flux, nJy); an
 * upper limit (non-detection) has `lim` (the survey's limiting AB mag) and no `m`; forced
 * photometry has `f` with `fo`. Fields a packet does not carry are absent, never guessed.
 */
export const HistoryPointSchema = z.object({
  /** MJD of the exposure (ZTF: jd - 2400000.5; Rubin: midpointMjdTai). */
  t: z.number(),
  /** Band as the survey names it (g, r, i, o, c, J, ...). */
  b: z.string(),
  m: z.number().optional(),
  me: z.number().optional(),
  f: z.number().optional(),
  fe: z.number().optional(),
  lim: z.number().optional(),
  /** A negative difference (template brighter than the new image). */
  neg: z.literal(true).optional(),
  /** Forced photometry at the object's position (not a detection). */
  fo: z.literal(true).optional(),
  /** The survey's id of the detection this point is (ZTF candid, Rubin diaSourceId). */
  id: z.string().optional(),
});
export type HistoryPoint = z.infer<typeof HistoryPointSchema>;

/** The packet's context fields, each present only where the packet carries it. */
export const ContextFactsSchema = z.object({
  /** Nearest catalogued source (ZTF: PS1 distpsnr1/sgscore1/srmag1): arcsec, 0 galaxy..1 star, mag. */
  nearestStarDist: z.number().optional(),
  nearestStarScore: z.number().optional(),
  nearestStarMag: z.number().optional(),
  /** Nearest known solar-system object (ZTF ssdistnr/ssmagnr/ssnamenr; Rubin ssSource/MPCORB). */
  asteroidDist: z.number().optional(),
  asteroidMag: z.number().optional(),
  asteroidName: z.string().optional(),
  /** The survey's own count of detections of this position and the MJD of the first of them. */
  ndethist: z.number().int().optional(),
  firstDetection: z.number().optional(),
  lastDetection: z.number().optional(),
  drb: z.number().optional(),
  fwhm: z.number().optional(),
  elong: z.number().optional(),
});
export type ContextFacts = z.infer<typeof ContextFactsSchema>;

/** What a packet carries around its candidate, as the packet reader gives it. */
export const CandidateContextSchema = z.object({
  facts: ContextFactsSchema,
  /** Earlier epochs from this packet, oldest first; the current epoch is the candidate's meta. */
  history: z.array(HistoryPointSchema),
});
export type CandidateContext = z.infer<typeof CandidateContextSchema>;

/**
 * What the catalog keeps per candidate (CatalogEntry.context): the facts, and the history packed
 * in one string (see packHistory). A 100k night holds ~2M history points; as JSON objects each
 * one costs ~80 bytes and a schema check when the night opens, packed ~35 bytes and nothing until
 * a light curve is asked for.
 */
export const StoredContextSchema = z.object({
  facts: ContextFactsSchema,
  history: z.string(),
});
export type StoredContext = z.infer<typeof StoredContextSchema>;

/** Field order of a packed point; flags: n = negative difference, o = forced photometry. */
const PACKED = ['t', 'b', 'm', 'me', 'f', 'fe', 'lim', 'flags', 'id'] as const;

/** Points joined by ';', fields by ',' in PACKED order, empty where absent, trailing empties cut. */
export function packHistory(points: readonly HistoryPoint[]): string {
  return points
    .map((p) => {
      const flags = `${p.neg ? 'n' : ''}${p.fo ? 'o' : ''}`;
      const cells = [
        String(p.t),
        encodeURIComponent(p.b),
        ...[p.m, p.me, p.f, p.fe, p.lim].map((x) => (x === undefined ? '' : String(x))),
        flags,
        p.id === undefined ? '' : encodeURIComponent(p.id),
      ];
      while (cells.length > 2 && cells[cells.length - 1] === '') cells.pop();
      return cells.join(',');
    })
    .join(';');
}

/** The inverse of packHistory; a malformed point throws, naming it (never a guessed value). */
export function unpackHistory(packed: string): HistoryPoint[] {
  if (packed === '') return [];
  // Field by field, no dynamic keys and no closures: a 100k night holds ~2M points.
  const texts = packed.split(';');
  const out: HistoryPoint[] = new Array(texts.length);
  for (let i = 0; i < texts.length; i++) {
    const c = texts[i].split(',');
    const n = c.length;
    if (n < 2 || n > PACKED.length)
      throw new Error(`history point ${i + 1} ("${texts[i].slice(0, 60)}") has ${n} fields`);
    const t = numberAt(c, 0, i);
    if (t === undefined || c[1] === '') throw new Error(`history point ${i + 1} has no time or band`);
    const p: HistoryPoint = { t, b: c[1].includes('%') ? decodeURIComponent(c[1]) : c[1] };
    const m = numberAt(c, 2, i);
    if (m !== undefined) p.m = m;
    const me = numberAt(c, 3, i);
    if (me !== undefined) p.me = me;
    const f = numberAt(c, 4, i);
    if (f !== undefined) p.f = f;
    const fe = numberAt(c, 5, i);
    if (fe !== undefined) p.fe = fe;
    const lim = numberAt(c, 6, i);
    if (lim !== undefined) p.lim = lim;
    const flags = flagsAt(c, i);
    if (flags.neg) p.neg = true;
    if (flags.fo) p.fo = true;
    if (n > 8 && c[8] !== '') p.id = c[8].includes('%') ? decodeURIComponent(c[8]) : c[8];
    out[i] = p;
  }
  return out;
}

function numberAt(c: string[], k: number, i: number): number | undefined {
  if (k >= c.length || c[k] === '') return undefined;
  const x = Number(c[k]);
  if (!Number.isFinite(x)) throw new Error(`history point ${i + 1}: ${PACKED[k]} "${c[k]}" is not a number`);
  return x;
}

const NO_FLAGS = { neg: false, fo: false };
function flagsAt(c: string[], i: number): { neg: boolean; fo: boolean } {
  const flags = c.length > 7 ? c[7] : '';
  if (flags === '') return NO_FLAGS;
  if (flags !== 'n' && flags !== 'o' && flags !== 'no')
    throw new Error(`history point ${i + 1}: unknown flags "${flags}"`);
  return { neg: flags !== 'o', fo: flags !== 'n' };
}

/**
 * Each detection of a packed history (not a limit, not forced photometry), without building its
 * point: what the queue's summaries need from ~2M points. Same checks as unpackHistory on the
 * fields it reads.
 */
export function forEachDetection(
  packed: string,
  visit: (t: number, band: string, mag: number | null, negative: boolean) => void,
): void {
  if (packed === '') return;
  const texts = packed.split(';');
  for (let i = 0; i < texts.length; i++) {
    const c = texts[i].split(',');
    if (c.length < 2 || c.length > PACKED.length)
      throw new Error(`history point ${i + 1} ("${texts[i].slice(0, 60)}") has ${c.length} fields`);
    const flags = flagsAt(c, i);
    if (flags.fo) continue;
    const m = numberAt(c, 2, i);
    if (m === undefined && c.length > 6 && c[6] !== '') continue;
    const t = numberAt(c, 0, i);
    if (t === undefined || c[1] === '') throw new Error(`history point ${i + 1} has no time or band`);
    visit(t, c[1].includes('%') ? decodeURIComponent(c[1]) : c[1], m ?? null, flags.neg);
  }
}

export function packContext(c: CandidateContext): StoredContext {
  return { facts: c.facts, history: packHistory(c.history) };
}

/** One point of an object's light curve, as the desk, the CLI and the exports read it. */
export const LightCurvePointSchema = z.object({
  band: z.string(),
  /** MJD. */
  time: z.number(),
  /** AB mag of a detection; null for an upper limit or a flux-only point. */
  mag: z.number().nullable(),
  magErr: z.number().nullable(),
  /** Limiting AB mag of a non-detection; null for a detection. */
  limit: z.number().nullable(),
  /** Flux in nJy where the survey gives one (Rubin), else null. */
  flux: z.number().nullable(),
  fluxErr: z.number().nullable(),
  kind: z.enum(['detection', 'limit', 'forced']),
  negative: z.boolean(),
  /** The catalog candidate that is this epoch, when it is in a night of the home. */
  candidateId: z.string().nullable(),
  /** The night (workspace name) that candidate is in. */
  night: z.string().nullable(),
});
export type LightCurvePoint = z.infer<typeof LightCurvePointSchema>;

/** Change of magnitude per day over the last days of one band (negative = brightening). */
export const BandRateSchema = z.object({
  band: z.string(),
  magPerDay: z.number(),
  /** Days between the two detections the rate is taken from. */
  days: z.number(),
});

/** The compact summary every queue row carries, for filters and the object view. */
export const ContextSummarySchema = z.object({
  /** The object key: the survey objectId, or 'pos:<candidate id>' of the group's first member. */
  object: z.string(),
  detections: z.number().int().nonnegative(),
  /** MJD of the first detection in the light curve (or the survey's jdstarthist if earlier). */
  firstDetection: z.number().nullable(),
  peakMag: z.number().nullable(),
  /** Known asteroid within ASTEROID_RADIUS_ARCSEC. */
  asteroid: z.boolean(),
  /** A catalogued point source (star/galaxy score >= STAR_SCORE) within STAR_RADIUS_ARCSEC. */
  nearStar: z.boolean(),
  /** Brightening in some band over the last days (a rate below -RISING_MAG_PER_DAY). */
  rising: z.boolean(),
  /** This candidate has its object's best score in the night (the row the object view keeps). */
  best: z.boolean(),
});
export type ContextSummary = z.infer<typeof ContextSummarySchema>;

/** What `candidateContext` answers: the candidate's facts, its object and the object's light curve. */
export const CandidateContextResultSchema = z.object({
  id: z.string(),
  object: z.string(),
  facts: ContextFactsSchema,
  summary: ContextSummarySchema,
  rates: z.array(BandRateSchema),
  /** The object's candidates in the open night, by time (the epochs the desk's keys step through). */
  epochs: z.array(z.object({ id: z.string(), time: z.number().nullable(), band: z.string().nullable() })),
  /** Age in days of the object at this epoch (this epoch - first detection), when both are known. */
  ageDays: z.number().nullable(),
  lightCurve: z.array(LightCurvePointSchema),
});
export type CandidateContextResult = z.infer<typeof CandidateContextResultSchema>;

export const ASTEROID_RADIUS_ARCSEC = 5;
/** Tachibana & Miller (2018) call sgscore > 0.5 a star; 0.76 is the cut ZTF filters commonly use. */
export const STAR_RADIUS_ARCSEC = 2;
export const STAR_SCORE = 0.76;
export const RISING_MAG_PER_DAY = 0.05;
