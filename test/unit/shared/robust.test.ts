import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../src/main/util/prng';
import { median, medianInPlace, medianMadInPlace, robustStats } from '../../../src/shared/robust';

/** The textbook median, by a full sort: what the quickselect must agree with. */
function sortedMedian(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : 0.5 * (s[h - 1] + s[h]);
}

describe('median and MAD', () => {
  it('agrees with a full sort on odd, even, tied and heavy-tailed samples', () => {
    const next = seededRandom(12345);
    for (let trial = 0; trial < 300; trial++) {
      const n = 1 + Math.floor(next() * 60);
      const ties = trial % 3 === 0;
      const v = Array.from({ length: n }, () =>
        ties ? Math.floor(next() * 4) : Math.tan(Math.PI * (next() - 0.5)),
      );
      const f32 = Float32Array.from(v);
      expect(medianInPlace(Float32Array.from(f32)), `trial ${trial}`).toBe(sortedMedian([...f32]));
      expect(median(v), `trial ${trial}`).toBe(sortedMedian(v));
    }
  });

  it('leaves its input alone unless told it may reorder it, and is NaN when empty', () => {
    const v = [5, 1, 4, 2, 3];
    expect(median(v)).toBe(3);
    expect(v).toEqual([5, 1, 4, 2, 3]);
    expect(median([])).toBeNaN();
    expect(medianInPlace(new Float64Array(0))).toBeNaN();
  });

  it('gives the MAD of the values, and robust image stats over valid pixels only', () => {
    expect(medianMadInPlace(Float64Array.from([1, 2, 3, 4, 100]))).toEqual({ median: 3, mad: 1 });
    const img = {
      width: 3,
      height: 2,
      data: Float32Array.from([1, 2, 3, 4, 100, 1e9]),
      mask: Uint8Array.from([1, 1, 1, 1, 1, 0]),
    };
    expect(robustStats(img)).toEqual({ median: 3, sigma: 1.4826 });
    const flat = { ...img, data: new Float32Array(6).fill(7) };
    expect(robustStats(flat)).toEqual({ median: 7, sigma: 1 });
    const none = { ...img, mask: new Uint8Array(6) };
    expect(robustStats(none)).toEqual({ median: 0, sigma: 1 });
  });
});
