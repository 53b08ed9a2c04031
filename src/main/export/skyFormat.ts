/**
 * Times and coordinates the way reports want them. MJD counts UTC days from 1858-11-17 00:00;
 * the Unix epoch is MJD 40587. Leap seconds are not modelled (a UTC day is taken as 86400 s), as
 * in every survey's MJD column.
 */
const MJD_UNIX_EPOCH = 40587;
const MS_PER_DAY = 86_400_000;

/** MJD (UTC) to "YYYY-MM-DD HH:MM:SS.sss", rounded to the millisecond. */
export function mjdToUtcString(mjd: number): string {
  if (!Number.isFinite(mjd)) throw new RangeError(`not a finite MJD: ${mjd}`);
  const ms = Math.round((mjd - MJD_UNIX_EPOCH) * MS_PER_DAY);
  const iso = new Date(ms).toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/**
 * Right ascension in degrees to "HH:MM:SS.sss" (0 <= RA < 24h). Rounding is done on the whole
 * value in milliseconds of time, so 59.9996 s carries into the minute instead of printing "60.000".
 */
export function raToSexagesimal(raDeg: number): string {
  if (!Number.isFinite(raDeg)) throw new RangeError(`not a finite RA: ${raDeg}`);
  const msPerDay = 24 * 3600 * 1000;
  let ms = Math.round((((raDeg % 360) + 360) % 360) * (msPerDay / 360));
  ms %= msPerDay;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = ms % 60_000;
  return `${pad(h, 2)}:${pad(m, 2)}:${pad(Math.floor(s / 1000), 2)}.${pad(s % 1000, 3)}`;
}

/** Declination in degrees to "+DD:MM:SS.ss" (sign always shown, so -00:30 is not lost). */
export function decToSexagesimal(decDeg: number): string {
  if (!Number.isFinite(decDeg) || Math.abs(decDeg) > 90)
    throw new RangeError(`not a declination in [-90, 90]: ${decDeg}`);
  const sign = decDeg < 0 ? '-' : '+';
  const cs = Math.round(Math.abs(decDeg) * 3600 * 100); // centi-arcseconds
  const d = Math.floor(cs / 360_000);
  const m = Math.floor((cs % 360_000) / 6000);
  const s = cs % 6000;
  return `${sign}${pad(d, 2)}:${pad(m, 2)}:${pad(Math.floor(s / 100), 2)}.${pad(s % 100, 2)}`;
}

/**
 * A number as the data gave it, without the float noise arithmetic adds (37.15035082999998 ->
 * 37.15035083): the fewest decimals that stay within 64 units in the last place of the value
 * (~1.4e-14 relative). Arithmetic noise is a few units in the last place; a digit the source wrote
 * (even the 15th significant one) moves the value by far more, so it is kept and none is made up.
 */
export function dataPrecision(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const tol = Math.abs(x) * 64 * Number.EPSILON;
  for (let d = 0; d <= 15; d++) {
    const r = Number(x.toFixed(d));
    if (Math.abs(r - x) <= tol) return r;
  }
  return x;
}
