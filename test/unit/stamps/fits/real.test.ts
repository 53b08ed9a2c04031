import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { headerMeta, readStamp } from '../../../../src/main/stamps/fits';
import { HAVE_SHARED, sharedPath } from '../../helpers/shared';
import { ASTROPY_VERSION, PIXEL_TRUTH, TAG_TRUTH, WCS_TRUTH } from './astropyTruth';

interface Row {
  survey: string;
  tag: string;
  ra: number;
  dec: number;
  time: number;
  band: string;
  files: string[];
}

function rows(): Row[] {
  const [head, ...lines] = readFileSync(sharedPath('real-stamps', 'index.csv'), 'utf8').trim().split('\n');
  const cols = head.split(',');
  const at = (name: string) => cols.indexOf(name);
  return lines.map((l) => {
    const c = l.split(',');
    return {
      survey: c[at('survey')],
      tag: c[at('tag')],
      ra: Number(c[at('ra')]),
      dec: Number(c[at('dec')]),
      time: Number(c[at('time')]),
      band: c[at('band')],
      files: [c[at('sci')], c[at('ref')], c[at('diff')]].filter((p) => p !== ''),
    };
  });
}

const read = (p: string) => readStamp(readFileSync(sharedPath('real-stamps', p)), p);

describe.skipIf(!HAVE_SHARED)(`real survey stamps (pixel truth from astropy ${ASTROPY_VERSION})`, () => {
  it('all 370 triplets read; per tag, shapes, masked counts and valid sums match astropy', () => {
    const all = rows();
    expect(all).toHaveLength(370);
    const got: Record<
      string,
      { files: number; masked: number; sum: number; shapes: Record<string, number> }
    > = {};
    for (const r of all) {
      const t = (got[r.tag] ??= { files: 0, masked: 0, sum: 0, shapes: {} });
      for (const p of r.files) {
        const buf = readFileSync(sharedPath('real-stamps', p));
        const { image, header } = readStamp(buf, p);
        const key = `${image.width}x${image.height}/${header.get('BITPIX')}`;
        t.shapes[key] = (t.shapes[key] ?? 0) + 1;
        t.files++;
        for (let i = 0; i < image.data.length; i++) {
          if (image.mask[i]) t.sum += image.data[i];
          else {
            t.masked++;
            expect(image.data[i]).toBe(0);
          }
        }
      }
    }
    for (const [tag, truth] of Object.entries(TAG_TRUTH)) {
      expect(got[tag].shapes, tag).toEqual(truth.shapes);
      expect(got[tag].files, tag).toBe(truth.files);
      expect(got[tag].masked, tag).toBe(truth.masked);
      // WINTER diffs are float64 in the file, float32 in a StampImage: compare to float32 precision.
      expect(Math.abs(got[tag].sum - truth.sum) / Math.abs(truth.sum), tag).toBeLessThan(1e-6);
    }
  });

  it.each(PIXEL_TRUTH.map((t) => [`${t.tag} ${t.path}`, t] as const))(
    '%s: shape, pixels, mask, sum',
    (_, t) => {
      const { image, header } = read(t.path);
      expect([image.width, image.height, header.get('BITPIX')]).toEqual([t.w, t.h, t.bitpix]);
      const at = [
        [0, 0],
        [3, 7],
        [Math.floor(t.h / 2), Math.floor(t.w / 2)],
        [t.h - 1, t.w - 1],
      ];
      at.forEach(([row, col], k) => {
        const i = row * t.w + col;
        const expected = t.px[k];
        if (Number.isNaN(expected) || Math.abs(expected) >= 1e30) {
          expect(image.mask[i]).toBe(0);
        } else {
          expect(image.mask[i]).toBe(1);
          expect(image.data[i]).toBe(Math.fround(expected)); // exact: float32 files, float64 diff rounded
        }
      });
      let masked = 0;
      let sum = 0;
      for (let i = 0; i < image.data.length; i++)
        if (image.mask[i]) sum += image.data[i];
        else masked++;
      expect(masked).toBe(t.masked);
      expect(sum).toBeCloseTo(t.sum, t.bitpix === -64 ? 0 : 3);
    },
  );

  it('quirks named: ZTF truncated NaN stamp 54x63, ZTF -3.4e38 fill, WINTER float64 difference', () => {
    const nan = read('ztf/615326205215010000_sci.fits.gz');
    expect([nan.image.width, nan.image.height]).toEqual([54, 63]);
    const fill = read('ztf/2475433850015015000_ref.fits.gz');
    expect(fill.image.mask.reduce((a, m) => a + (1 - m), 0)).toBe(2149);
    const winter = read('winter/3608694_diff.fits.gz');
    expect(winter.header.get('BITPIX')).toBe(-64);
    expect(winter.image.data).toBeInstanceOf(Float32Array);
  });

  it('headerMeta on ATLAS: MJD-OBS, FILTER, EXPTIME, MAGZPT, GAIN match the alert record', () => {
    const atlas = rows().filter((r) => r.survey === 'atlas');
    for (const r of atlas) {
      const { image, header } = read(r.files[0]);
      const m = headerMeta(header, image);
      expect(m.mjd).toBeCloseTo(r.time, 6);
      expect(m.band).toBe(r.band);
      expect(m.exptime).toBe(30);
      expect(typeof m.magzp).toBe('number');
      expect(typeof m.gain).toBe('number');
    }
    const { header } = read('atlas/01a59485o0083o_002297_diff.fits');
    expect(headerMeta(header)).toMatchObject({
      mjd: 59485.23461485,
      band: 'o',
      exptime: 30,
      magzp: 22.214,
      gain: 2.05,
    });
    // Without the image size there is no stamp centre: RA/DEC (the field centre) is used.
    expect(headerMeta(header)).toMatchObject({ ra: 265.35792, dec: 23.97272 });
  });

  it('headerMeta on ZUDS: the WCS stamp centre matches astropy to 1e-6 deg and the alert position to < 1"', () => {
    const zuds = rows().filter((r) => r.survey === 'zuds');
    const sep = (ra1: number, de1: number, ra2: number, de2: number) =>
      Math.hypot((ra1 - ra2) * Math.cos((de1 * Math.PI) / 180), de1 - de2) * 3600;
    for (const [path, ra, dec] of WCS_TRUTH.filter(([p]) => p.startsWith('zuds'))) {
      const { image, header } = read(path);
      const m = headerMeta(header, image);
      expect(sep(m.ra!, m.dec!, ra, dec)).toBeLessThan(0.004); // arcsec
      const r = zuds.find((z) => z.files.includes(path))!;
      expect(sep(m.ra!, m.dec!, r.ra, r.dec)).toBeLessThan(1.0);
    }
  });
});
