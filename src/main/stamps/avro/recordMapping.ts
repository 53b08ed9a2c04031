import type { CandidateMeta } from '../../../shared/candidate';
import type { CandidateContext } from '../../../shared/context';
import type { AlertCutouts, AlertRecord } from './alertRecord';
import { atlasContext, rubinContext, ztfLikeContext } from './contextMapping';
import { clean, diffSign, JD_TO_MJD, NJY_AB_ZERO, num, obj, str, type Datum } from './datumValues';

const ZTF_BANDS: Record<number, string> = { 1: 'g', 2: 'r', 3: 'i' };
/** mirar's winter_filters_map: {"Y": 1, "J": 2, "Hs": 3, "dark": 4}. */
const WINTER_BANDS: Record<number, string> = { 1: 'Y', 2: 'J', 3: 'Hs', 4: 'dark' };
/** Fields that hold a real/bogus (or reliability) score in some survey's candidate record. */
const SCORE_FIELDS = ['rb', 'drb', 'reliability', 'braai', 'acai_h', 'acai_v', 'acai_o', 'acai_n', 'acai_b'];

function bytes(v: unknown): Uint8Array | null {
  return v instanceof Uint8Array && v.length > 0 ? v : null;
}

function scoresOf(c: Datum | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  if (!c) return out;
  for (const k of SCORE_FIELDS) {
    const v = num(c[k]);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** A cutout that is either raw bytes (PGIR, WINTER, Rubin) or {fileName, stampData} (ZTF, ATLAS). */
function cutout(v: unknown): { data: Uint8Array | null; name?: string } {
  const rec = obj(v);
  if (rec) return { data: bytes(rec.stampData), name: str(rec.fileName) };
  return { data: bytes(v) };
}

function withCutouts(
  base: Omit<AlertRecord, 'cutouts' | 'cutoutNames'>,
  sci: unknown,
  ref: unknown,
  diff: unknown,
): AlertRecord {
  const s = cutout(sci);
  const t = cutout(ref);
  const d = cutout(diff);
  const cutouts: AlertCutouts = { science: s.data, template: t.data, difference: d.data };
  const cutoutNames = clean({ science: s.name, template: t.name, difference: d.name });
  return { ...base, cutouts, cutoutNames };
}

function ztfLikeBand(survey: string, fid: number | undefined): string | undefined {
  if (survey === 'pgir') return 'J';
  if (fid === undefined) return undefined;
  return survey === 'winter' ? WINTER_BANDS[fid] : ZTF_BANDS[fid];
}

/** The context never costs the candidate: a history that cannot be read is reported, not fatal. */
function withContext(read: () => CandidateContext): Pick<AlertRecord, 'context' | 'contextProblem'> {
  try {
    return { context: read() };
  } catch (e) {
    return { context: { facts: {}, history: [] }, contextProblem: (e as Error).message };
  }
}

function ztfLike(datum: Datum, survey: string): AlertRecord {
  const c = obj(datum.candidate) ?? {};
  const jd = num(c.jd);
  const fid = num(c.fid);
  const objectId = str(datum.objectId) ?? str(datum.objectid);
  const band = ztfLikeBand(survey, fid);
  const meta: CandidateMeta = clean({
    mjd: jd !== undefined ? jd - JD_TO_MJD : undefined,
    band,
    ra: num(c.ra),
    dec: num(c.dec),
    mag: num(c.magpsf),
    magErr: num(c.sigmapsf),
    isdiffpos: diffSign(c.isdiffpos),
    survey,
    objectId,
    exptime: num(c.exptime),
    magzp: num(c.magzpsci),
  });
  const base = {
    candid: str(datum.candid) ?? str(c.candid) ?? '',
    objectId,
    survey,
    meta,
    scores: scoresOf(c),
    ...withContext(() => ztfLikeContext(datum, (fid) => ztfLikeBand(survey, fid))),
  };
  if (survey === 'winter')
    return withCutouts(clean(base), datum.cutout_science, datum.cutout_template, datum.cutout_difference);
  return withCutouts(clean(base), datum.cutoutScience, datum.cutoutTemplate, datum.cutoutDifference);
}

function atlas(datum: Datum): AlertRecord {
  const c = obj(datum.candidate) ?? {};
  const objectId = str(datum.objectId);
  const meta: CandidateMeta = clean({
    mjd: num(c.mjd),
    band: str(c.filter),
    ra: num(c.RA),
    dec: num(c.Dec),
    mag: num(c.Mag),
    magErr: num(c.Dmag),
    isdiffpos: diffSign(c.isdiffpos),
    survey: 'atlas',
    objectId,
  });
  const base = clean({
    candid: str(datum.candid) ?? str(c.candid) ?? '',
    objectId,
    survey: 'atlas',
    meta,
    scores: scoresOf(c),
    ...withContext(atlasContext),
  });
  // ATLAS sends no template.
  return withCutouts(base, datum.cutoutScience, datum.cutoutTemplate, datum.cutoutDifference);
}

function rubin(datum: Datum): AlertRecord {
  const s = obj(datum.diaSource) ?? {};
  const o = obj(datum.diaObject);
  const objectId = str(s.diaObjectId) ?? str(o?.diaObjectId);
  const flux = num(s.psfFlux);
  const fluxErr = num(s.psfFluxErr);
  // psfFlux is in nJy; a magnitude exists only for positive flux.
  const mag = flux !== undefined && flux > 0 ? NJY_AB_ZERO - 2.5 * Math.log10(flux) : undefined;
  const magErr =
    mag !== undefined && fluxErr !== undefined ? (2.5 / Math.LN10) * (fluxErr / (flux as number)) : undefined;
  const neg = s.isNegative;
  const meta: CandidateMeta = clean({
    mjd: num(s.midpointMjdTai),
    band: str(s.band),
    ra: num(s.ra),
    dec: num(s.dec),
    mag,
    magErr,
    isdiffpos: typeof neg === 'boolean' ? !neg : flux !== undefined ? flux > 0 : undefined,
    survey: 'rubin',
    objectId,
  });
  const base = clean({
    candid: str(datum.diaSourceId) ?? str(s.diaSourceId) ?? '',
    objectId,
    survey: 'rubin',
    meta,
    scores: scoresOf(s),
    ...withContext(() => rubinContext(datum)),
  });
  return withCutouts(base, datum.cutoutScience, datum.cutoutTemplate, datum.cutoutDifference);
}

/** Maps one decoded datum of the given survey (see surveyDetect.ts) to an AlertRecord. */
export function mapAlertRecord(datum: unknown, survey: string): AlertRecord {
  const d = obj(datum) ?? {};
  switch (survey) {
    case 'rubin':
      return rubin(d);
    case 'atlas':
      return atlas(d);
    default:
      // ZTF, PGIR and WINTER all follow the ZTF alert layout (candidate + prv_candidates).
      return ztfLike(d, survey);
  }
}
