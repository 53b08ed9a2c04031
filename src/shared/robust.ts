/**
 * The one median and MAD of the code base (pixels, paces, benchmark timings): quickselect rather
 * than a full sort, with the same order statistics as sorting, so results do not depend on which
 * caller asks. Valid pixels hold no NaN (masked ones are left out before), so no NaN handling here.
 */
import type { StampImage } from './stamp';

/** 1.4826 x MAD estimates the standard deviation of Gaussian noise. */
export const MAD_TO_SIGMA = 1.4826;

/**
 * Median of `a`, reordering it in place; NaN when empty. Quickselect (O(n)) instead of a sort,
 * which made the two medians per image ~85% of preprocessing time when scoring.
 */
export function medianInPlace(a: Float32Array | Float64Array): number {
  const n = a.length;
  if (n === 0) return Number.NaN;
  const mid = n >> 1;
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    // Median-of-three pivot, Hoare partition.
    const m = (lo + hi) >> 1;
    const x = a[lo];
    const y = a[m];
    const z = a[hi];
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (mid <= j) hi = j;
    else if (mid >= i) lo = i;
    else break; // a[j+1 .. i-1] all equal the pivot, mid among them
  }
  if (n % 2) return a[mid];
  // Even count: the lower middle is the largest value left of mid (all of them are <= a[mid]).
  let lower = a[0];
  for (let k = 1; k < mid; k++) if (a[k] > lower) lower = a[k];
  return 0.5 * (lower + a[mid]);
}

/** Median of `values` (left untouched); NaN when empty. */
export function median(values: ArrayLike<number>): number {
  return medianInPlace(Float64Array.from(values));
}

/**
 * Median and median absolute deviation of `a`, overwriting it with the absolute deviations; NaN
 * for both when empty.
 */
export function medianMadInPlace(a: Float32Array | Float64Array): { median: number; mad: number } {
  const med = medianInPlace(a);
  for (let i = 0; i < a.length; i++) a[i] = Math.abs(a[i] - med);
  return { median: med, mad: medianInPlace(a) };
}

/**
 * Robust background level and noise (median, 1.4826 MAD) over the valid pixels of an image. No
 * valid pixel gives median 0; zero MAD (more than half the pixels equal) gives sigma 1.
 */
export function robustStats(img: StampImage): { median: number; sigma: number } {
  const v = new Float32Array(img.data.length);
  let n = 0;
  for (let i = 0; i < img.data.length; i++) if (img.mask[i]) v[n++] = img.data[i];
  const { median: med, mad } = medianMadInPlace(v.subarray(0, n));
  const sigma = MAD_TO_SIGMA * mad;
  return { median: Number.isFinite(med) ? med : 0, sigma: sigma > 0 ? sigma : 1 };
}
