import { addPsf } from '../../../src/main/worker/model/injection/psf';
import { seededRandom } from '../../../src/main/util/prng';
import type { StampImage } from '../../../src/shared/stamp';

/**
 * A w x w image of unit-sigma noise about `sky` with point sources [x, y, flux] of the given PSF
 * (measureFwhm needs a noise level to set its detection threshold), fully unmasked.
 */
export function starField(
  w: number,
  stars: [number, number, number][],
  shape: { fwhm: number; beta: number | null },
  opts: { sky: number; seed: number },
): StampImage {
  const random = seededRandom(opts.seed);
  const data = new Float32Array(w * w);
  for (let i = 0; i < data.length; i++) data[i] = opts.sky + (random() - 0.5) * 3.46;
  for (const [x, y, f] of stars) addPsf(data, w, w, x, y, f, { ...shape, axisRatio: 1, angle: 0 });
  return { width: w, height: w, data, mask: new Uint8Array(w * w).fill(1) };
}
