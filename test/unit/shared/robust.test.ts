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

describe('median of image-sized samples', () => {
  it('agrees with a full sort on stamps: sky noise, bright stars, ties, quantised and flat', () => {
    const next = seededRandom(777);
    const gauss = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
    const kinds: ((i: number) => number)[] = [
      () => 100 + 10 * gauss(),
      (i) => (i % 97 === 0 ? 1e6 * next() : 5 * gauss()), // a few bright pixels stretch the range
      () => Math.round(3 * gauss()), // quantised: many ties
      (i) => (i < 2000 ? 7 : 7 + next()), // mostly one value
      () => Math.tan(Math.PI * (next() - 0.5)), // heavy tails
      () => 1e-30 * gauss(), // a tiny range
      (i) => (i % 2 ? 3.4e38 : -3.4e38) * next(), // a range that overflows to Infinity
    ];
    // -0 and +0 tie, and either may come out of a tie: compare them as one value.
    const z = (x: number) => x + 0;
    for (const [k, kind] of kinds.entries()) {
      for (const n of [97, 255, 256, 257, 2601, 2602, 4096, 6561]) {
        const v = Array.from({ length: n }, (_, i) => kind(i));
        const f32 = Float32Array.from(v);
        const want = sortedMedian([...f32]);
        expect(z(medianInPlace(Float32Array.from(f32))), `kind ${k}, n ${n}`).toBe(z(want));
        expect(z(median(v)), `kind ${k}, n ${n} (float64)`).toBe(z(sortedMedian(v)));
        const mad = medianMadInPlace(Float32Array.from(f32));
        expect(z(mad.median)).toBe(z(want));
        // The deviations are stored back into the float32 input, so the reference rounds them the same way.
        const deviations = Float32Array.from([...f32].map((x) => Math.abs(x - want)));
        expect(z(mad.mad)).toBe(z(sortedMedian([...deviations])));
      }
    }
  });
});

describe('the two selection routes', () => {
  it('float32 samples (radix) and float64 samples (quickselect) give the same median and MAD', () => {
    const next = seededRandom(4242);
    for (let trial = 0; trial < 200; trial++) {
      const n = 256 + Math.floor(next() * 4000);
      const scale = 10 ** Math.floor(next() * 12 - 6);
      const f32 = Float32Array.from({ length: n }, (_, i) =>
        // Signed values, exact zeros of both signs, and runs of ties.
        i % 11 === 0
          ? i % 2
            ? -0
            : 0
          : trial % 4 === 0
            ? Math.round(next() * 6 - 3)
            : scale * (next() - 0.4),
      );
      const radix = medianMadInPlace(Float32Array.from(f32));
      // The float64 route must round the deviations as the float32 route stores them.
      const med = medianInPlace(Float64Array.from(f32));
      const dev = Float64Array.from(f32, (x) => Math.fround(Math.abs(x - med)));
      expect(radix.median + 0, `trial ${trial}`).toBe(med + 0);
      expect(radix.mad, `trial ${trial}`).toBe(medianInPlace(dev));
    }
  });
});
