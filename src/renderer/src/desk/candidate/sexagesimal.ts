/**
 * RA/Dec in the notation astronomers read at a glance: RA in hours (HH:MM:SS.ss), Dec in degrees
 * (+DD:MM:SS.s). Rounding carries (59.996 s becomes the next minute), so no "60" ever shows.
 */

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Split a non-negative value into (units, minutes, seconds) with seconds rounded to `decimals`. */
function split(value: number, decimals: number): [number, number, string] {
  const scale = 10 ** decimals;
  // Work in integer units of the last shown digit so the carry is exact.
  const total = Math.round(value * 3600 * scale);
  const units = Math.floor(total / (3600 * scale));
  const rest = total - units * 3600 * scale;
  const minutes = Math.floor(rest / (60 * scale));
  const secUnits = rest - minutes * 60 * scale;
  const whole = Math.floor(secUnits / scale);
  const frac = secUnits - whole * scale;
  const seconds = decimals > 0 ? `${pad(whole, 2)}.${pad(frac, decimals)}` : pad(whole, 2);
  return [units, minutes, seconds];
}

/** RA in degrees (any value, wrapped to [0, 360)) as HH:MM:SS.ss. */
export function formatRa(raDeg: number, decimals = 2): string {
  if (!Number.isFinite(raDeg)) return '';
  const wrapped = ((raDeg % 360) + 360) % 360;
  const [h, m, s] = split(wrapped / 15, decimals);
  return `${pad(h % 24, 2)}:${pad(m, 2)}:${s}`;
}

/** Dec in degrees as +DD:MM:SS.s (sign always shown, also for -00:xx). */
export function formatDec(decDeg: number, decimals = 1): string {
  if (!Number.isFinite(decDeg)) return '';
  const sign = decDeg < 0 ? '-' : '+';
  const [d, m, s] = split(Math.abs(decDeg), decimals);
  return `${sign}${pad(d, 2)}:${pad(m, 2)}:${s}`;
}

/** Modified Julian Date to an ISO UTC timestamp (MJD 0 = 1858-11-17T00:00Z). */
export function mjdToIso(mjd: number): string {
  if (!Number.isFinite(mjd)) return '';
  const ms = (mjd - 40587) * 86_400_000;
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}
