import type { CandidateMeta } from '../../../shared/candidate';
import type { FitsHeader } from './header';
import { isoToMjd, jdToMjd } from './time';
import { pixelToSky } from './wcs';

function num(h: FitsHeader, keys: string[]): number | undefined {
  for (const k of keys) {
    const v = h.get(k);
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    // Some writers quote numbers ('30.0'); accept them, nothing else.
    if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  }
  return undefined;
}

function str(h: FitsHeader, keys: string[]): string | undefined {
  for (const k of keys) {
    const v = h.get(k);
    if (v !== undefined && v !== '') return String(v).trim();
  }
  return undefined;
}

/** '12:34:56.7', '12 34 56.7' or a number; hours for RA (x15), degrees for Dec. */
export function parseAngle(v: unknown, hours: boolean): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  const parts = s.split(/[:\s]+/);
  if (parts.length === 1) {
    const d = Number(s);
    return s !== '' && Number.isFinite(d) ? d : undefined;
  }
  if (parts.length !== 3 || parts.some((p) => p === '' || !Number.isFinite(Number(p)))) return undefined;
  const sign = parts[0].startsWith('-') ? -1 : 1;
  const [a, b, c] = parts.map((p) => Math.abs(Number(p)));
  const value = sign * (a + b / 60 + c / 3600);
  return hours ? value * 15 : value;
}

/**
 * Precision order for time: MJD keys, then JD keys, then DATE-OBS (usually whole seconds).
 * Returns undefined rather than a guess.
 */
function mjdOf(h: FitsHeader): number | undefined {
  const mjd = num(h, ['MJD-OBS', 'MJD_OBS', 'MJDOBS', 'OBSMJD', 'MJD']);
  if (mjd !== undefined) return mjd;
  const jd = num(h, ['JD-OBS', 'JD_OBS', 'JDOBS', 'OBSJD', 'JD']);
  if (jd !== undefined) return jdToMjd(jd);
  const date = h.get('DATE-OBS');
  if (typeof date !== 'string') return undefined;
  const time = h.get('TIME-OBS') ?? h.get('UT');
  return isoToMjd(date, typeof time === 'string' ? time : undefined);
}

/**
 * Header keywords that matter downstream, when present. Position: with the image size and a celestial
 * WCS, the sky position of the stamp centre; otherwise RA/DEC keywords. The WCS wins because survey
 * RA/DEC keys usually give the exposure's field centre (ATLAS: "Field center RA"), not the stamp's.
 */
export function headerMeta(
  header: FitsHeader,
  image?: { width: number; height: number },
): Partial<CandidateMeta> {
  const meta: Partial<CandidateMeta> = {};
  const mjd = mjdOf(header);
  if (mjd !== undefined) meta.mjd = mjd;
  const band = str(header, ['FILTER', 'BAND', 'FILTNAME']);
  if (band !== undefined) meta.band = band;
  // FITS pixel centres are integers, 1-based: the centre of a W-wide stamp is at (W + 1) / 2.
  const sky = image ? pixelToSky(header, (image.width + 1) / 2, (image.height + 1) / 2) : undefined;
  if (sky) {
    meta.ra = sky.ra;
    meta.dec = sky.dec;
  } else {
    const ra = parseAngle(
      header.get('RA') ?? header.get('OBJRA'),
      typeof (header.get('RA') ?? header.get('OBJRA')) === 'string',
    );
    const dec = parseAngle(header.get('DEC') ?? header.get('OBJDEC'), false);
    if (ra !== undefined && dec !== undefined) {
      meta.ra = ra;
      meta.dec = dec;
    }
  }
  const exptime = num(header, ['EXPTIME', 'EXPOSURE']);
  if (exptime !== undefined) meta.exptime = exptime;
  const magzp = num(header, ['MAGZP', 'ZP', 'MAGZPT', 'MAGZERO']);
  if (magzp !== undefined) meta.magzp = magzp;
  const gain = num(header, ['GAIN']);
  if (gain !== undefined) meta.gain = gain;
  return meta;
}
