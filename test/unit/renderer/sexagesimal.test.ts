import { describe, expect, it } from 'vitest';
import { formatDec, formatRa, mjdToIso } from '../../../src/renderer/src/desk/candidate/sexagesimal';

describe('sexagesimal coordinates', () => {
  it('formats RA in hours', () => {
    expect(formatRa(0)).toBe('00:00:00.00');
    expect(formatRa(52.54834)).toBe('03:30:11.60');
    expect(formatRa(284.1196294)).toBe('18:56:28.71');
    expect(formatRa(-15)).toBe('23:00:00.00');
    expect(formatRa(360)).toBe('00:00:00.00');
  });
  it('carries rounding instead of showing 60 seconds', () => {
    // 359.99999999 deg = 23:59:59.999998 h -> rounds to 24:00:00.00 -> wraps to 00:00:00.00.
    expect(formatRa(359.99999999)).toBe('00:00:00.00');
    expect(formatRa(15 * (1 / 60 - 0.000001 / 3600))).toBe('00:01:00.00');
    expect(formatDec(10 + 59 / 60 + 59.96 / 3600)).toBe('+11:00:00.0');
  });
  it('formats Dec with its sign, also between 0 and -1 degree', () => {
    expect(formatDec(-28.76527)).toBe('-28:45:55.0');
    expect(formatDec(54.1205048)).toBe('+54:07:13.8');
    expect(formatDec(-0.5)).toBe('-00:30:00.0');
    expect(formatDec(0)).toBe('+00:00:00.0');
    expect(formatDec(-90)).toBe('-90:00:00.0');
  });
  it('gives nothing for missing values', () => {
    expect(formatRa(Number.NaN)).toBe('');
    expect(formatDec(Number.POSITIVE_INFINITY)).toBe('');
  });
  it('turns an MJD into UTC', () => {
    expect(mjdToIso(51544.5)).toBe('2000-01-01T12:00:00Z');
    expect(mjdToIso(40587)).toBe('1970-01-01T00:00:00Z');
  });
});
