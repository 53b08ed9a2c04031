import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../src/main/util/prng';
import {
  median,
  medianInPlace,
  medianMadInPlace,
  medianMadRadix,
  robustStats,
} from '../../../src/shared/robust';

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

describe('the bucket selection against a sort, value for value', () => {
  /** Median and MAD by sorting (typed-array sort: -0 before +0, as the selections order keys). */
  function sortedMedianMad(v: Float32Array): { median: number; mad: number; deviations: Float32Array } {
    const mid = v.length >> 1;
    const pickMiddle = (s: Float32Array) => (s.length % 2 ? s[mid] : 0.5 * (s[mid - 1] + s[mid]));
    const med = pickMiddle(Float32Array.from(v).sort());
    const deviations = Float32Array.from(v, (x) => Math.abs(x - med));
    return { median: med, mad: pickMiddle(Float32Array.from(deviations).sort()), deviations };
  }

  it('gives the same median, MAD and deviations as a sort and as the radix route, zeros signed', () => {
    const next = seededRandom(31);
    const gauss = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
    const kinds: [string, (i: number, n: number) => number][] = [
      ['sky noise', () => 1500 + 30 * gauss()],
      ['sky and a bright source', (i) => (i % 13 < 3 ? 1e4 * next() : 200 + 8 * gauss())],
      ['difference image about 0', () => 20 * gauss()],
      ['quantised (ties)', () => Math.round(4 * gauss())],
      ['all equal', () => 7],
      ['more than half equal', (i) => (i % 3 ? -2.5 : -2.5 + next())],
      ['signed zeros and small integers', (i) => [0, -0, 1, -1, 0, -0, 2][i % 7] * (i % 11 ? 1 : next())],
      ['two far clusters', (i) => (i % 2 ? 1e-3 * gauss() : 1e30 + 1e24 * gauss())],
      ['heavy tails', () => Math.tan(Math.PI * (next() - 0.5))],
      ['subnormal', () => 1e-42 * gauss()],
      ['near the float32 limits', (i) => (i % 2 ? 3.4e38 : -3.4e38) * next()],
      ['infinities among sky', (i) => (i % 17 === 0 ? (i % 2 ? Infinity : -Infinity) : 100 + gauss())],
      ['sorted ramp (a strided sample sees it all)', (i, n) => i / n],
      ['sample-blind: a spike between the sampled pixels', (i, n) => (i % Math.floor(n / 64) ? 5 : 1e6 + i)],
    ];
    for (const [kind, f] of kinds) {
      for (const n of [1, 2, 3, 255, 256, 257, 300, 1000, 2600, 2601, 4096, 6561]) {
        const v = Float32Array.from({ length: n }, (_, i) => f(i, n));
        const want = sortedMedianMad(v);
        const got = Float32Array.from(v);
        const r = medianMadInPlace(got);
        const radixInput = Float32Array.from(v);
        const radix = n >= 1 ? medianMadRadix(radixInput) : null;
        const what = `${kind}, n ${n}`;
        if (n >= 256) {
          // Both selections order keys, so even the sign of a zero median agrees with the sort.
          expect(Object.is(r.median, want.median), `${what}: median ${r.median} vs ${want.median}`).toBe(
            true,
          );
          expect(Object.is(r.mad, want.mad), `${what}: MAD ${r.mad} vs ${want.mad}`).toBe(true);
          expect(Object.is(radix!.median, r.median), `${what}: radix median`).toBe(true);
          expect(Object.is(radix!.mad, r.mad), `${what}: radix MAD`).toBe(true);
          expect(radixInput, `${what}: radix deviations`).toEqual(got);
          expect(got, `${what}: deviations`).toEqual(want.deviations);
        } else {
          // The quickselect below 256 values may return either zero of a +-0 tie.
          expect(r.median + 0, what).toBe(want.median + 0);
          expect(r.mad, what).toBe(want.mad);
        }
      }
    }
  });

  it('agrees on many random samples of every size from 256 to 7000', () => {
    const next = seededRandom(2031);
    for (let trial = 0; trial < 400; trial++) {
      const n = 256 + Math.floor(next() * 6744);
      const level = (next() - 0.5) * 10 ** Math.floor(next() * 8);
      const noise = 10 ** Math.floor(next() * 6 - 3);
      const quant = trial % 5 === 0 ? 1 / noise : 0;
      const v = Float32Array.from({ length: n }, () => {
        const x = level + noise * (next() + next() + next() - 1.5) * (next() < 0.05 ? 1000 : 1);
        return quant ? Math.round(x * quant) / quant : x;
      });
      const want = sortedMedianMad(v);
      const got = Float32Array.from(v);
      const r = medianMadInPlace(got);
      expect(Object.is(r.median, want.median), `trial ${trial}: median`).toBe(true);
      expect(Object.is(r.mad, want.mad), `trial ${trial}: MAD`).toBe(true);
      expect(got, `trial ${trial}: deviations`).toEqual(want.deviations);
    }
  });
});
