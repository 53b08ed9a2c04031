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
 * for both when empty. Image-sized float32 samples (the preprocessing of every stamp) take the
 * radix selection below, which gives the same order statistics without data-dependent branches.
 */
export function medianMadInPlace(a: Float32Array | Float64Array): { median: number; mad: number } {
  if (a instanceof Float32Array && a.length >= RADIX_MIN) return medianMadRadix(a);
  const med = medianInPlace(a);
  for (let i = 0; i < a.length; i++) a[i] = Math.abs(a[i] - med);
  return { median: med, mad: medianInPlace(a) };
}

/*
 * Radix selection over float32 bit patterns. Why: the quickselect's comparisons branch on the data
 * and mispredict about half the time (~15 ns a pixel); counting pixels into buckets by the top bits
 * of their pattern does not branch, and three levels (11 + 11 + 10 bits) pin down one exact value.
 * Mapping each pattern to an unsigned key (flip all bits of negatives, set the sign bit of the
 * others) makes the keys sort as the floats do, so the k-th key is the k-th value, ties included.
 * Below RADIX_MIN values the fixed cost of clearing the buckets outweighs the gain.
 */
const RADIX_MIN = 256;
const top = new Uint32Array(2048);
const middle = new Uint32Array(2048);
const low = new Uint32Array(1024);
let keys = new Uint32Array(0);
let kept = new Uint32Array(0);
const oneFloat = new Float32Array(1);
const oneBits = new Uint32Array(oneFloat.buffer);

/** The bucket holding the k-th smallest count, and how many lie in the buckets before it. */
function bucketOf(counts: Uint32Array, k: number): [bucket: number, before: number] {
  let before = 0;
  let b = 0;
  while (before + counts[b] <= k) before += counts[b++];
  return [b, before];
}

/** The k-th smallest (0-based) of keys[0..n). */
function selectKey(n: number, k: number): number {
  top.fill(0);
  for (let i = 0; i < n; i++) top[keys[i] >>> 21]++;
  const [b1, before1] = bucketOf(top, k);
  k -= before1;
  middle.fill(0);
  let m = 0;
  for (let i = 0; i < n; i++) {
    const key = keys[i];
    if (key >>> 21 === b1) {
      kept[m++] = key;
      middle[(key >>> 10) & 2047]++;
    }
  }
  const [b2, before2] = bucketOf(middle, k);
  k -= before2;
  low.fill(0);
  for (let i = 0; i < m; i++) {
    const key = kept[i];
    if (((key >>> 10) & 2047) === b2) low[key & 1023]++;
  }
  const [b3] = bucketOf(low, k);
  return ((b1 << 21) | (b2 << 10) | b3) >>> 0;
}

/** The median of a[0..n) whose keys are in `keys`; an even count averages the two middle values. */
function medianOfKeys(a: Float32Array): number {
  const n = a.length;
  const mid = n >> 1;
  const key = selectKey(n, mid);
  oneBits[0] = key & 0x80000000 ? key ^ 0x80000000 : ~key;
  const upper = oneFloat[0];
  if (n % 2) return upper;
  // The lower middle value: the upper one again when fewer than `mid` values lie below it, else the
  // largest of those below.
  let below = 0;
  let lower = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = a[i];
    if (x < upper) {
      below++;
      if (x > lower) lower = x;
    }
  }
  return 0.5 * ((below < mid ? upper : lower) + upper);
}

function medianMadRadix(a: Float32Array): { median: number; mad: number } {
  const n = a.length;
  if (keys.length < n) {
    keys = new Uint32Array(n);
    kept = new Uint32Array(n);
  }
  const bits = new Uint32Array(a.buffer, a.byteOffset, n);
  for (let i = 0; i < n; i++) {
    const b = bits[i];
    keys[i] = b & 0x80000000 ? ~b : b | 0x80000000;
  }
  const med = medianOfKeys(a);
  // Deviations are >= 0 (Math.abs gives +0), so their keys are their patterns with the sign bit set.
  for (let i = 0; i < n; i++) {
    a[i] = Math.abs(a[i] - med);
    keys[i] = bits[i] | 0x80000000;
  }
  return { median: med, mad: medianOfKeys(a) };
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
