import { describe, expect, it } from 'vitest';
import { addPsf, measureFwhm, psfPeak, robustStats } from '../../../src/main/worker/model/injection/psf';
import type { StampImage } from '../../../src/shared/stamp';
import { starField } from '../helpers/starField';

function field(fwhm: number, beta: number | null, seed = 7): StampImage {
  const stars: [number, number, number][] = [
    [15.3, 14.8, 3000],
    [44.6, 20.1, 5000],
    [30.2, 45.7, 2500],
  ];
  return starField(63, stars, { fwhm, beta }, { sky: 100, seed });
}

describe('PSF rendering and measurement', () => {
  it('a rendered PSF holds its flux and its peak matches psfPeak', () => {
    for (const beta of [null, 3]) {
      const w = 61;
      const buf = new Float32Array(w * w);
      const shape = { fwhm: 2.5, beta, axisRatio: 1, angle: 0 };
      addPsf(buf, w, w, 30, 30, 1000, shape);
      const sum = buf.reduce((a, b) => a + b, 0);
      expect(sum).toBeGreaterThan(beta === null ? 990 : 960); // a Moffat's wings reach past the stamp
      expect(sum).toBeLessThan(1010);
      expect(buf[30 * w + 30]).toBeCloseTo(1000 * psfPeak(shape), 3);
    }
  });

  it('measures the FWHM of the stars in a stamp (Gaussian and Moffat), null on pure noise', () => {
    for (const fwhm of [1.8, 2.5, 4]) {
      for (const beta of [null, 3.5]) {
        const m = measureFwhm(field(fwhm, beta));
        expect(m).not.toBeNull();
        // The half-maximum area of a pixelated PSF: within ~25% of the true width.
        expect(Math.abs(m! - fwhm) / fwhm).toBeLessThan(0.25);
      }
    }
    const flat = field(2, null);
    const noiseOnly = { ...flat, data: flat.data.map((_, i) => 100 + ((i * 7919) % 13) / 6) };
    expect(measureFwhm(noiseOnly)).toBeNull();
  });

  it('robust statistics ignore masked pixels and bright sources', () => {
    const img = field(2.5, null);
    img.mask[0] = 0;
    img.data[0] = 1e30;
    const { median, sigma } = robustStats(img);
    expect(median).toBeGreaterThan(99);
    expect(median).toBeLessThan(101);
    expect(sigma).toBeGreaterThan(0.7);
    expect(sigma).toBeLessThan(1.4);
  });
});
