/** MJD of the Unix epoch 1970-01-01T00:00:00 UTC. */
const MJD_UNIX_EPOCH = 40587;
const JD_MJD_OFFSET = 2400000.5;

const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}(?:\.\d*)?))?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;
// Pre-2000 FITS dates: DD/MM/YY, years 19YY (FITS 4.0 sec. 9.1.1).
const OLD_RE = /^(\d{2})\/(\d{2})\/(\d{2})$/;
const TIME_RE = /^(\d{2}):(\d{2}):(\d{2}(?:\.\d*)?)$/;

function mjdFromParts(
  y: number,
  mo: number,
  d: number,
  h = 0,
  mi = 0,
  s = 0,
  tzMinutes = 0,
): number | undefined {
  const ms = Date.UTC(y, mo - 1, d, h, mi, 0) + s * 1000 - tzMinutes * 60000;
  return Number.isFinite(ms) ? ms / 86400000 + MJD_UNIX_EPOCH : undefined;
}

/** DATE-OBS ('2021-09-28T05:37:50', with optional zone like '+0000', or DD/MM/YY) to MJD. */
export function isoToMjd(date: string, time?: string): number | undefined {
  const s = date.trim();
  const m = ISO_RE.exec(s);
  if (m) {
    let [h, mi, sec] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
    const t = m[4] === undefined && time ? TIME_RE.exec(time.trim()) : null;
    if (t) [h, mi, sec] = [Number(t[1]), Number(t[2]), Number(t[3])];
    let tz = 0;
    if (m[7] && m[7] !== 'Z') {
      const z = m[7].replace(':', '');
      tz = (z[0] === '-' ? -1 : 1) * (Number(z.slice(1, 3)) * 60 + Number(z.slice(3, 5)));
    }
    return mjdFromParts(Number(m[1]), Number(m[2]), Number(m[3]), h, mi, sec, tz);
  }
  const o = OLD_RE.exec(s);
  if (o) return mjdFromParts(1900 + Number(o[3]), Number(o[2]), Number(o[1]));
  return undefined;
}

export function jdToMjd(jd: number): number {
  return jd - JD_MJD_OFFSET;
}
