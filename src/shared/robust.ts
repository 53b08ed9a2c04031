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
 * bucket selection below (falling back to the radix one), which give the same order statistics.
 */
export function medianMadInPlace(a: Float32Array | Float64Array): { median: number; mad: number } {
  if (a instanceof Float32Array && a.length >= RADIX_MIN) return medianMadBuckets(a);
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
  const prefix = (b1 << 21) | (b2 << 10);
  // Rank k - 1 in the same last-level run (the usual case): its key without another pass.
  radixLowerKey = k > 0 ? (prefix | bucketOf(low, k - 1)[0]) >>> 0 : -1;
  return (prefix | b3) >>> 0;
}

/** The key of rank k - 1 when selectKey found it beside rank k, else -1. */
let radixLowerKey = -1;

function radixKeyValue(key: number): number {
  oneBits[0] = key & 0x80000000 ? key ^ 0x80000000 : ~key;
  return oneFloat[0];
}

/** The median of a[0..n) whose keys are in `keys`; an even count averages the two middle values. */
function medianOfKeys(a: Float32Array): number {
  const n = a.length;
  const mid = n >> 1;
  const upper = radixKeyValue(selectKey(n, mid));
  if (n % 2) return upper;
  if (radixLowerKey >= 0) return 0.5 * (radixKeyValue(radixLowerKey) + upper);
  // The lower middle value below the upper one's run (a pass that mispredicts half the time): the
  // upper one again when fewer than `mid` values lie below it, else the largest of those below.
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

/**
 * Median and MAD by the three-level radix selection alone: the fallback of the bucket selection,
 * exported as the reference of the tests and the benchmark.
 */
export function medianMadRadix(a: Float32Array): { median: number; mad: number } {
  const n = a.length;
  if (n === 0) return { median: Number.NaN, mad: Number.NaN };
  ensureKeys(n);
  const bits = new Uint32Array(a.buffer, a.byteOffset, n);
  for (let i = 0; i < n; i++) {
    const b = bits[i];
    keys[i] = b & 0x80000000 ? ~b : b | 0x80000000;
  }
  const med = medianOfKeys(a);
  return { median: med, mad: radixMadOfDeviations(a, med) };
}

function ensureKeys(n: number): void {
  if (keys.length < n) {
    keys = new Uint32Array(n);
    kept = new Uint32Array(n);
  }
}

/** Stores the absolute deviations from `med` into `a` and returns their median by radix selection. */
function radixMadOfDeviations(a: Float32Array, med: number): number {
  const n = a.length;
  ensureKeys(n);
  const bits = new Uint32Array(a.buffer, a.byteOffset, n);
  // Deviations are >= 0 (Math.abs gives +0), so their keys are their patterns with the sign bit set.
  for (let i = 0; i < n; i++) {
    a[i] = Math.abs(a[i] - med);
    keys[i] = bits[i] | 0x80000000;
  }
  return medianOfKeys(a);
}

/*
 * Bucket selection: the radix selection's first level is 11 fixed bits of the pattern, so the sky
 * of a stamp (a few hundred DN about one level) falls into one or two buckets and the next levels
 * pass over nearly every pixel again. Here the first level is laid out from a sample of 64 keys:
 * the middle 90% of the sample spans at most half of 2048 buckets, keys beyond either end are
 * clamped into the end buckets. The k-th key's bucket then holds a few pixels, which one more pass
 * picks out and a sort of those few orders: two passes a selection instead of three or four, each
 * without a data-dependent branch but the rarely taken pick. Keys are signed 32-bit here (the
 * float order: negatives' magnitude bits flipped), so that the bucket of a key is int32 shifts and
 * masks, never decreasing in the key: counting and picking agree, and the picked keys are exactly
 * those of ranks [before, before + picked). A bucket holding too many (ties, flat images) or a
 * sample that cannot lay out buckets falls back to the radix selection, with the same result.
 */
const BUCKETS = 2048;
const LAST = BUCKETS - 1;
const MAX_PICKED = 512;
const SAMPLE = 64;
const counts = new Int32Array(BUCKETS);
const sample = new Int32Array(SAMPLE);
const picked = new Int32Array(MAX_PICKED);
const sampleDev = new Float32Array(1);
const sampleDevBits = new Int32Array(sampleDev.buffer);

/** Bucket layout: bucket(key) = clamp((key >> shift) - origin, 0, LAST). */
let shift = 2;
let origin = 0;

/** Lays the buckets out from the sample; false when its middle 90% is a single key. */
function layout(): boolean {
  // The 4th smallest and 4th largest keys, kept in two short sorted lists as the sample goes by:
  // a few insertions, where sorting the whole sample (a call into the runtime) cost about as
  // much as a tenth of the selection.
  let s0 = 0x7fffffff;
  let s1 = 0x7fffffff;
  let s2 = 0x7fffffff;
  let s3 = 0x7fffffff;
  let l0 = -0x80000000;
  let l1 = -0x80000000;
  let l2 = -0x80000000;
  let l3 = -0x80000000;
  for (let i = 0; i < SAMPLE; i++) {
    const key = sample[i];
    if (key < s3) {
      if (key < s2) {
        s3 = s2;
        if (key < s1) {
          s2 = s1;
          if (key < s0) {
            s1 = s0;
            s0 = key;
          } else s1 = key;
        } else s2 = key;
      } else s3 = key;
    }
    if (key > l3) {
      if (key > l2) {
        l3 = l2;
        if (key > l1) {
          l2 = l1;
          if (key > l0) {
            l1 = l0;
            l0 = key;
          } else l1 = key;
        } else l2 = key;
      } else l3 = key;
    }
  }
  const lo = s3;
  const span = l3 - lo;
  if (span === 0) return false;
  // At least 4 keys a bucket: (key >> 2) - origin then stays well within int32 (no overflow into
  // a wrong clamp), whatever the keys.
  shift = 2;
  while (span >= (BUCKETS / 2) * 2 ** shift) shift++;
  origin = (lo >> shift) - BUCKETS / 4;
  return true;
}

/** The keys found by pick(). */
let upperKey = 0;
let lowerKey = 0;

/**
 * Picks the keys of ranks k (and k - 1 when `pair`) of src[0..n), whose buckets are in `counts`;
 * false when those buckets hold more than MAX_PICKED keys.
 */
function pick(src: Int32Array, signed: boolean, n: number, k: number, pair: boolean): boolean {
  const kLow = pair ? k - 1 : k;
  let before = 0;
  let b = 0;
  while (before + counts[b] <= kLow) before += counts[b++];
  const bLow = b;
  const beforeLow = before;
  while (before + counts[b] <= k) before += counts[b++];
  const bHigh = b;
  // No key lies between ranks k - 1 and k, so the buckets between bLow and bHigh are empty.
  const m = counts[bHigh] + (bLow === bHigh ? 0 : counts[bLow]);
  if (m > MAX_PICKED) return false;
  // The keys of buckets bLow..bHigh are one range of keys (the end buckets reach to either end),
  // tested with one unsigned comparison: `from <= key && key <= to` branches twice, and its first
  // test is a coin toss for the pixels (half lie above the median), mispredicted half the time.
  const width = 2 ** shift;
  const from = bLow === 0 ? -0x80000000 : (bLow + origin) * width;
  const span = (bHigh === LAST ? 0x7fffffff : (bHigh + 1 + origin) * width - 1) - from;
  let j = 0;
  if (signed) {
    for (let i = 0; i < n; i++) {
      const b = src[i];
      const key = b ^ ((b >> 31) & 0x7fffffff);
      if (((key - from) | 0) >>> 0 <= span) picked[j++] = key;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const key = src[i];
      if (((key - from) | 0) >>> 0 <= span) picked[j++] = key;
    }
  }
  for (let i = 1; i < m; i++) {
    const key = picked[i];
    let p = i - 1;
    while (p >= 0 && picked[p] > key) {
      picked[p + 1] = picked[p];
      p--;
    }
    picked[p + 1] = key;
  }
  upperKey = picked[k - beforeLow];
  lowerKey = picked[kLow - beforeLow];
  return true;
}

/** The float of a signed key (the mapping is its own inverse). */
function keyToValue(key: number): number {
  sampleDevBits[0] = key ^ ((key >> 31) & 0x7fffffff);
  return sampleDev[0];
}

function medianMadBuckets(a: Float32Array): { median: number; mad: number } {
  const n = a.length;
  const mid = n >> 1;
  const even = n % 2 === 0;
  const bits = new Int32Array(a.buffer, a.byteOffset, n);
  // Median: the sample's keys, the layout, then every key and the bucket counts in one pass.
  for (let s = 0; s < SAMPLE; s++) {
    const b = bits[Math.floor(((s + 0.5) * n) / SAMPLE)];
    sample[s] = b ^ ((b >> 31) & 0x7fffffff);
  }
  if (!layout()) return medianMadRadix(a);
  counts.fill(0);
  let sh = shift;
  let o = origin;
  for (let i = 0; i < n; i++) {
    const b = bits[i];
    const key = b ^ ((b >> 31) & 0x7fffffff);
    const d = (key >> sh) - o;
    const t = LAST - (d & ~(d >> 31));
    counts[LAST - (t & ~(t >> 31))]++;
  }
  if (!pick(bits, true, n, mid, even)) return medianMadRadix(a);
  const upper = keyToValue(upperKey);
  const med = even ? 0.5 * (keyToValue(lowerKey) + upper) : upper;
  // MAD: the deviations are >= +0, so their patterns are their keys.
  for (let s = 0; s < SAMPLE; s++) {
    sampleDev[0] = Math.abs(a[Math.floor(((s + 0.5) * n) / SAMPLE)] - med);
    sample[s] = sampleDevBits[0];
  }
  if (!layout()) return { median: med, mad: radixMadOfDeviations(a, med) };
  counts.fill(0);
  sh = shift;
  o = origin;
  for (let i = 0; i < n; i++) {
    a[i] = Math.abs(a[i] - med);
    const d = (bits[i] >> sh) - o;
    const t = LAST - (d & ~(d >> 31));
    counts[LAST - (t & ~(t >> 31))]++;
  }
  if (!pick(bits, false, n, mid, even)) {
    // The deviations are in `a` already: their median by radix selection.
    ensureKeys(n);
    for (let i = 0; i < n; i++) keys[i] = bits[i] | 0x80000000;
    return { median: med, mad: medianOfKeys(a) };
  }
  const up = keyToValue(upperKey);
  return { median: med, mad: even ? 0.5 * (keyToValue(lowerKey) + up) : up };
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
