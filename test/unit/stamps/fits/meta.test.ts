import { describe, expect, it } from 'vitest';
import { headerMeta, parseFits } from '../../../../src/main/stamps/fits';
import { card, emptyPrimary } from './fitsBuilder';

const hdr = (cards: string[]) => parseFits(emptyPrimary(cards), 'meta.fits')[0].header;

describe('headerMeta', () => {
  it('time: MJD-OBS first, then JD, then DATE-OBS (with TIME-OBS, zone suffix, or old DD/MM/YY)', () => {
    expect(headerMeta(hdr([card('MJD-OBS', 59000.25), card('JD', 1)])).mjd).toBe(59000.25);
    expect(headerMeta(hdr([card('JD', 2459458.7649537)])).mjd).toBeCloseTo(59458.2649537, 9);
    expect(headerMeta(hdr([card('DATE-OBS', '2021-09-28T06:00:00')])).mjd).toBeCloseTo(59485.25, 9);
    expect(headerMeta(hdr([card('DATE-OBS', '2021-09-28T05:37:50+0000')])).mjd).toBeCloseTo(59485.2346065, 6);
    expect(headerMeta(hdr([card('DATE-OBS', '2021-09-28'), card('TIME-OBS', '12:00:00')])).mjd).toBeCloseTo(
      59485.5,
      9,
    );
    expect(headerMeta(hdr([card('DATE-OBS', '31/12/98')])).mjd).toBe(51178);
    expect(headerMeta(hdr([card('DATE-OBS', 'yesterday')])).mjd).toBeUndefined();
  });

  it('position: sexagesimal strings (RA in hours) or degrees', () => {
    expect(headerMeta(hdr([card('RA', '12:30:00.0'), card('DEC', '-45:30:00')]))).toMatchObject({
      ra: 187.5,
      dec: -45.5,
    });
    expect(headerMeta(hdr([card('RA', '00 00 36'), card('DEC', '-00 30 00')]))).toMatchObject({
      ra: 0.15,
      dec: -0.5,
    });
    expect(headerMeta(hdr([card('RA', 10.5), card('DEC', 20.25)]))).toMatchObject({ ra: 10.5, dec: 20.25 });
    expect(headerMeta(hdr([card('RA', 'nowhere'), card('DEC', 1)])).ra).toBeUndefined();
  });

  it('WCS: TAN with CD, CDELT+PC, CDELT+CROTA2 give the stamp centre; the reference pixel gives CRVAL', () => {
    const tan = [
      card('CTYPE1', 'RA---TAN'),
      card('CTYPE2', 'DEC--TAN'),
      card('CRVAL1', 150.0),
      card('CRVAL2', 30.0),
    ];
    const atRef = [...tan, card('CRPIX1', 31), card('CRPIX2', 31)];
    const cd = [card('CD1_1', -0.0002), card('CD1_2', 0), card('CD2_1', 0), card('CD2_2', 0.0002)];
    const ref = headerMeta(hdr([...atRef, ...cd]), { width: 61, height: 61 });
    expect(ref.ra).toBeCloseTo(150, 10);
    expect(ref.dec).toBeCloseTo(30, 10);
    // One degree north along the meridian: dec = 30 + atan(1 deg in radians) exactly on the TAN plane.
    const north = [
      ...tan,
      card('CRPIX1', 31),
      card('CRPIX2', 31 - 100),
      card('CDELT1', -0.01),
      card('CDELT2', 0.01),
    ];
    const m = headerMeta(hdr(north), { width: 61, height: 61 });
    expect(m.ra).toBeCloseTo(150, 10);
    expect(m.dec).toBeCloseTo(30 + (Math.atan(Math.PI / 180) * 180) / Math.PI, 10);
    // CROTA2 = 90 turns the +y offset to -x (east-west): the position moves off the meridian.
    const rot = headerMeta(hdr([...north, card('CROTA2', 90)]), { width: 61, height: 61 });
    expect(rot.dec).toBeLessThan(30.01);
    expect(Math.abs(rot.ra! - 150)).toBeGreaterThan(1);
  });

  it('an unsupported projection is not guessed at: RA/DEC keys are used instead', () => {
    const m = headerMeta(
      hdr([
        card('CTYPE1', 'RA---SIN'),
        card('CTYPE2', 'DEC--SIN'),
        card('CRVAL1', 1),
        card('CRVAL2', 2),
        card('CDELT1', 1),
        card('CDELT2', 1),
        card('RA', 5),
        card('DEC', 6),
      ]),
      { width: 3, height: 3 },
    );
    expect(m).toMatchObject({ ra: 5, dec: 6 });
  });

  it('FILTER/BAND, EXPTIME, MAGZP/ZP/MAGZPT, GAIN; absent ones are left out', () => {
    expect(
      headerMeta(hdr([card('BAND', 'r'), card('EXPOSURE', 30), card('ZP', 26.1), card('GAIN', '1.6')])),
    ).toEqual({
      band: 'r',
      exptime: 30,
      magzp: 26.1,
      gain: 1.6,
    });
    expect(headerMeta(hdr([]))).toEqual({});
  });
});
