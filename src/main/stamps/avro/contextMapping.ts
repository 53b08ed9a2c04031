/**
 * The history and context fields of one alert, per survey (see shared/context.ts for the shapes).
 * Only what the packet carries: a field that is absent, null or one of the surveys' "no value"
 * sentinels (-999, the string 'null') stays absent.
 */
import type { CandidateContext, ContextFacts, HistoryPoint } from '../../../shared/context';
import { clean, diffSign, JD_TO_MJD, NJY_AB_ZERO, num, obj, str, type Datum } from './datumValues';

/** ZTF writes -999 (and -99999 in forced photometry) where a catalogue has no match. */
const SENTINEL_BELOW = -98;

function real(v: unknown): number | undefined {
  const n = num(v);
  return n !== undefined && n > SENTINEL_BELOW ? n : undefined;
}

function name(v: unknown): string | undefined {
  const s = str(v)?.trim();
  return s && s.toLowerCase() !== 'null' && s !== '-999' ? s : undefined;
}

function list(v: unknown, field: string): Datum[] {
  if (v === null || v === undefined) return [];
  if (!Array.isArray(v)) throw new Error(`${field} is not a list`);
  return v.map((x, i) => {
    const o = obj(x);
    if (!o) throw new Error(`${field}[${i}] is not a record`);
    return o;
  });
}

const round = (x: number, digits: number) => Number(x.toFixed(digits));
/** ~0.1 s: finer than any exposure, and keeps stored times short. */
const mjd = (x: number) => round(x, 6);
const mag = (x: number) => round(x, 4);

function fluxToMag(f: number | undefined, fe: number | undefined): { m?: number; me?: number } {
  if (f === undefined || f <= 0) return {};
  return {
    m: mag(NJY_AB_ZERO - 2.5 * Math.log10(f)),
    me: fe !== undefined ? mag((2.5 / Math.LN10) * (fe / f)) : undefined,
  };
}

function byTime(points: HistoryPoint[]): HistoryPoint[] {
  return points.sort((a, b) => a.t - b.t || (a.b < b.b ? -1 : a.b > b.b ? 1 : 0));
}

/** ZTF, PGIR and WINTER: prv_candidates (detections have a candid, non-detections only diffmaglim). */
export function ztfLikeContext(
  datum: Datum,
  bandOf: (fid: number | undefined) => string | undefined,
): CandidateContext {
  const c = obj(datum.candidate) ?? {};
  const history: HistoryPoint[] = [];
  const prv = list(datum.prv_candidates, 'prv_candidates');
  prv.forEach((p, i) => {
    const jd = num(p.jd);
    const band = bandOf(num(p.fid));
    if (jd === undefined || band === undefined)
      throw new Error(`prv_candidates[${i}] has no ${jd === undefined ? 'jd' : 'known fid'}`);
    const m = real(p.magpsf);
    const id = str(p.candid);
    if (m !== undefined && id !== undefined) {
      history.push(
        clean({
          t: mjd(jd - JD_TO_MJD),
          b: band,
          m: mag(m),
          me: real(p.sigmapsf) !== undefined ? mag(real(p.sigmapsf)!) : undefined,
          neg: diffSign(p.isdiffpos) === false ? (true as const) : undefined,
          id,
        }),
      );
      return;
    }
    const lim = real(p.diffmaglim);
    // A non-detection without a limit says nothing we could plot.
    if (lim !== undefined) history.push({ t: mjd(jd - JD_TO_MJD), b: band, lim: mag(lim) });
  });
  // ZTF alert schema 4: forced photometry on the difference images, in DN at magzpsci.
  list(datum.fp_hists, 'fp_hists').forEach((p) => {
    const jd = num(p.jd);
    const band = bandOf(num(p.fid));
    const zp = real(p.magzpsci);
    const flux = num(p.forcediffimflux);
    const unc = num(p.forcediffimfluxunc);
    if (jd === undefined || band === undefined || zp === undefined) return;
    if (flux === undefined || flux <= -99999 || unc === undefined || unc <= 0) return;
    const toNjy = 10 ** (-0.4 * (zp - NJY_AB_ZERO));
    history.push({
      t: mjd(jd - JD_TO_MJD),
      b: band,
      f: round(flux * toNjy, 3),
      fe: round(unc * toNjy, 3),
      fo: true,
    });
  });
  const jdStart = real(c.jdstarthist);
  const jdEnd = real(c.jdendhist);
  const ndet = real(c.ndethist);
  const ssdist = real(c.ssdistnr);
  const facts: ContextFacts = clean({
    nearestStarDist:
      real(c.distpsnr1) !== undefined && real(c.distpsnr1)! >= 0 ? real(c.distpsnr1) : undefined,
    nearestStarScore: real(c.sgscore1) !== undefined && real(c.sgscore1)! >= 0 ? real(c.sgscore1) : undefined,
    nearestStarMag: real(c.srmag1),
    asteroidDist: ssdist !== undefined && ssdist >= 0 ? ssdist : undefined,
    asteroidMag: ssdist !== undefined && ssdist >= 0 ? real(c.ssmagnr) : undefined,
    asteroidName: ssdist !== undefined && ssdist >= 0 ? name(c.ssnamenr) : undefined,
    ndethist: ndet !== undefined ? Math.round(ndet) : undefined,
    firstDetection: jdStart !== undefined && jdStart > JD_TO_MJD ? mjd(jdStart - JD_TO_MJD) : undefined,
    lastDetection: jdEnd !== undefined && jdEnd > JD_TO_MJD ? mjd(jdEnd - JD_TO_MJD) : undefined,
    drb: real(c.drb),
    fwhm: real(c.fwhm),
    elong: real(c.elong),
  });
  return { facts: roundFacts(facts), history: byTime(history) };
}

/** Float32 catalogue values to 4 decimals: what they hold, in fewer bytes per candidate. */
function roundFacts(f: ContextFacts): ContextFacts {
  const out: ContextFacts = { ...f };
  for (const k of [
    'nearestStarDist',
    'nearestStarScore',
    'nearestStarMag',
    'asteroidDist',
    'asteroidMag',
    'drb',
    'fwhm',
    'elong',
  ] as const)
    if (out[k] !== undefined) out[k] = round(out[k], 4);
  return out;
}

/** ATLAS packets carry the one epoch and nothing around it. */
export function atlasContext(): CandidateContext {
  return { facts: {}, history: [] };
}

/** Rubin (lsst.v7-v9): prvDiaSources, prvDiaForcedSources, older prvDiaNondetectionLimits, diaObject, ssSource. */
export function rubinContext(datum: Datum): CandidateContext {
  const history: HistoryPoint[] = [];
  const need = (p: Datum, field: string, i: number) => {
    const t = num(p.midpointMjdTai);
    const b = str(p.band);
    if (t === undefined || b === undefined)
      throw new Error(`${field}[${i}] has no ${t === undefined ? 'midpointMjdTai' : 'band'}`);
    return { t: mjd(t), b };
  };
  list(datum.prvDiaSources, 'prvDiaSources').forEach((p, i) => {
    const f = num(p.psfFlux);
    const fe = num(p.psfFluxErr);
    history.push(
      clean({
        ...need(p, 'prvDiaSources', i),
        f: f !== undefined ? round(f, 3) : undefined,
        fe: fe !== undefined ? round(fe, 3) : undefined,
        ...fluxToMag(f, fe),
        neg: p.isNegative === true || (f !== undefined && f < 0) ? (true as const) : undefined,
        id: str(p.diaSourceId),
      }),
    );
  });
  list(datum.prvDiaForcedSources, 'prvDiaForcedSources').forEach((p, i) => {
    const f = num(p.psfFlux);
    const fe = num(p.psfFluxErr);
    if (f === undefined) return;
    history.push(
      clean({
        ...need(p, 'prvDiaForcedSources', i),
        f: round(f, 3),
        fe: fe !== undefined ? round(fe, 3) : undefined,
        fo: true as const,
      }),
    );
  });
  // Older schemas: the noise of visits where nothing was detected; the 5-sigma limit is the limit.
  list(datum.prvDiaNondetectionLimits, 'prvDiaNondetectionLimits').forEach((p, i) => {
    const noise = num(p.diaNoise);
    if (noise === undefined || noise <= 0) return;
    history.push({
      ...need(p, 'prvDiaNondetectionLimits', i),
      lim: mag(NJY_AB_ZERO - 2.5 * Math.log10(5 * noise)),
    });
  });
  const o = obj(datum.diaObject);
  const src = obj(datum.diaSource);
  const ss = obj(datum.ssSource);
  const orbit = obj(datum.MPCORB);
  const ssId = name(ss?.ssObjectId) ?? (str(src?.ssObjectId) !== '0' ? name(src?.ssObjectId) : undefined);
  const nSources = num(o?.nDiaSources);
  const facts: ContextFacts = clean({
    // Rubin associates the source with the asteroid itself: a name, no separate distance.
    asteroidName: ssId !== undefined ? (name(orbit?.mpcDesignation) ?? `ssObjectId ${ssId}`) : undefined,
    asteroidMag: ssId !== undefined ? num(ss?.predictedVMagnitude) : undefined,
    ndethist: nSources !== undefined ? Math.round(nSources) : undefined,
    firstDetection: num(o?.firstDiaSourceMjdTai),
    lastDetection: num(o?.lastDiaSourceMjdTai),
  });
  return { facts: roundFacts(facts), history: byTime(history) };
}
