/**
 * Display stretches for stamps, shared by the main process (contact sheets, exports) and the renderer
 * (canvas). Pure TypeScript: no Node or DOM imports.
 *
 * Pipeline: `computeLimits` (min/max, percentile, IRAF zscale, or symmetric limits for difference
 * images) -> `stretchToLevels` (clip to the limits, scale to 0..1, apply the stretch function, optional
 * invert; masked pixels come out as MASKED = NaN) -> `renderRGBA` (levels through a colour map into RGBA
 * bytes for an ImageData, masked pixels in their own colour).
 *
 * Diverging (symmetric-limit) images are stretched on |x| with the sign kept: x = v/m in [-1, 1],
 * level = 0.5 + sign(x) * f(|x|) / 2, so zero stays at 0.5 (the neutral colour) under every stretch.
 * Stretching after mapping [-m, m] to [0, 1] would put zero at f(0.5) (0.90 for log), and the whole
 * background of a difference would take the positive colour.
 *
 * The stretch functions are astropy.visualization's (LogStretch, SqrtStretch, AsinhStretch); the
 * limits are MinMaxInterval, PercentileInterval and ZScaleInterval.
 *
 * Masked pixels (`StampImage.mask[i] === 0`) never enter the limits and are never given a level.
 */
import { median } from './robust';
import type { StampImage } from './stamp';

/** The level given to masked pixels by `stretchToLevels`. Test with `Number.isNaN`. */
export const MASKED = Number.NaN;

export type StretchFn = 'linear' | 'log' | 'sqrt' | 'asinh';

export type LimitSpec =
  | { kind: 'minmax' }
  /** Keep the central `percent` of the pixels: 99.5 -> the 0.25th and 99.75th percentiles. */
  | { kind: 'percentile'; percent: number }
  | ({ kind: 'zscale' } & Partial<ZScaleOptions>)
  /**
   * Symmetric limits about zero for difference images: +-max(|z1|,|z2|) of zscale (`from: 'zscale'`,
   * the default) or +-(the `percent` percentile of |x|) (`from: 'percentile'`).
   */
  | { kind: 'symmetric'; from?: 'zscale' | 'percentile'; percent?: number }
  /** Fixed limits. */
  | { kind: 'manual'; min: number; max: number };

export interface StretchSpec {
  limits: LimitSpec;
  stretch?: StretchFn;
  /** astropy LogStretch `a` in log(a*x+1)/log(a+1); default 1000 (DS9 divides by log(a) instead). */
  logA?: number;
  /** asinh softening `a` in asinh(x/a)/asinh(1/a) (astropy AsinhStretch); default 0.1 (~ DS9 asinh). */
  asinhA?: number;
  invert?: boolean;
  /**
   * Stretch |x| about zero and keep the sign (see the file comment). `renderRGBA` sets it for
   * `symmetric` limits unless told otherwise.
   */
  diverging?: boolean;
}

export interface Limits {
  min: number;
  max: number;
}

export interface ZScaleOptions {
  nSamples: number;
  contrast: number;
  maxReject: number;
  minNpixels: number;
  krej: number;
  maxIterations: number;
}

/** astropy.visualization.ZScaleInterval defaults (= IRAF/DS9/JS9 zscale). */
export const ZSCALE_DEFAULTS: ZScaleOptions = {
  nSamples: 1000,
  contrast: 0.25,
  maxReject: 0.5,
  minNpixels: 5,
  krej: 2.5,
  maxIterations: 5,
};

/** The valid (unmasked, finite) pixel values, in row-major order. */
export function validValues(image: StampImage): Float64Array {
  const { data, mask } = image;
  let n = 0;
  for (let i = 0; i < data.length; i++) if (mask[i] !== 0 && Number.isFinite(data[i])) n++;
  const out = new Float64Array(n);
  let j = 0;
  for (let i = 0; i < data.length; i++) if (mask[i] !== 0 && Number.isFinite(data[i])) out[j++] = data[i];
  return out;
}

/** numpy.percentile (linear interpolation) of an ascending-sorted array; q in 0..100. */
export function percentileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const pos = (Math.min(100, Math.max(0, q)) / 100) * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  const f = pos - lo;
  return sorted[lo] + (sorted[hi] - sorted[lo]) * f;
}

/**
 * IRAF zscale, following astropy's ZScaleInterval step by step: take every `stride`-th value (at most
 * nSamples), sort, fit a line to value vs rank with k-sigma rejection (rejected ranks dilated by 1% of
 * the sample), and if enough pixels survive, limits = median -+ slope/contrast spans around the centre
 * rank, clipped to the sample's min/max. `values` must hold finite numbers only.
 */
export function zscaleValues(values: ArrayLike<number>, options: Partial<ZScaleOptions> = {}): Limits {
  const o = { ...ZSCALE_DEFAULTS, ...options };
  const size = values.length;
  if (size === 0) return { min: Number.NaN, max: Number.NaN };
  const stride = Math.max(1, Math.trunc(size / o.nSamples));
  const nTake = Math.min(o.nSamples, Math.ceil(size / stride));
  const samples = new Float64Array(nTake);
  for (let i = 0; i < nTake; i++) samples[i] = values[i * stride];
  samples.sort();
  const npix = samples.length;
  let vmin = samples[0];
  let vmax = samples[npix - 1];
  const minpix = Math.max(o.minNpixels, Math.trunc(npix * o.maxReject));
  let ngoodpix = npix;
  let lastNgoodpix = npix + 1;
  let badpix = new Uint8Array(npix);
  const ngrow = Math.max(1, Math.trunc(npix * 0.01));
  // np.convolve(badpix, ones(ngrow), 'same'): out[i] = OR of in[j], j in [i+off-ngrow+1, i+off].
  const off = Math.trunc((ngrow - 1) / 2);
  let slope = 0;
  let fitted = false;
  for (let it = 0; it < o.maxIterations; it++) {
    if (ngoodpix >= lastNgoodpix || ngoodpix < minpix) break;
    // Weighted (0/1) least-squares line through (rank, value).
    let sw = 0;
    let sx = 0;
    let sy = 0;
    let sxx = 0;
    let sxy = 0;
    for (let i = 0; i < npix; i++) {
      if (badpix[i]) continue;
      sw++;
      sx += i;
      sy += samples[i];
      sxx += i * i;
      sxy += i * samples[i];
    }
    const den = sw * sxx - sx * sx;
    const b = den !== 0 ? (sw * sxy - sx * sy) / den : 0;
    const a = (sy - b * sx) / sw;
    slope = b;
    fitted = true;
    // Population std of the residuals of the good pixels.
    let m = 0;
    for (let i = 0; i < npix; i++) if (!badpix[i]) m += samples[i] - (a + b * i);
    m /= sw;
    let v = 0;
    for (let i = 0; i < npix; i++) {
      if (badpix[i]) continue;
      const d = samples[i] - (a + b * i) - m;
      v += d * d;
    }
    const threshold = o.krej * Math.sqrt(v / sw);
    for (let i = 0; i < npix; i++) {
      const flat = samples[i] - (a + b * i);
      if (flat < -threshold || flat > threshold) badpix[i] = 1;
    }
    if (ngrow > 1) {
      const grown = new Uint8Array(npix);
      for (let i = 0; i < npix; i++) {
        const j0 = Math.max(0, i + off - ngrow + 1);
        const j1 = Math.min(npix - 1, i + off);
        for (let j = j0; j <= j1; j++)
          if (badpix[j]) {
            grown[i] = 1;
            break;
          }
      }
      badpix = grown;
    }
    lastNgoodpix = ngoodpix;
    ngoodpix = 0;
    for (let i = 0; i < npix; i++) if (!badpix[i]) ngoodpix++;
  }
  if (fitted && ngoodpix >= minpix) {
    if (o.contrast > 0) slope /= o.contrast;
    const centerPixel = Math.trunc((npix - 1) / 2);
    const med = median(samples);
    vmin = Math.max(vmin, med - (centerPixel - 1) * slope);
    vmax = Math.min(vmax, med + (npix - centerPixel) * slope);
  }
  return { min: vmin, max: vmax };
}

/** Display limits of an image's valid pixels. All-masked images give { min: 0, max: 1 }. */
export function computeLimits(image: StampImage, spec: LimitSpec): Limits {
  if (spec.kind === 'manual') return { min: spec.min, max: spec.max };
  const values = validValues(image);
  if (values.length === 0) return { min: 0, max: 1 };
  switch (spec.kind) {
    case 'minmax': {
      let mn = Infinity;
      let mx = -Infinity;
      for (const v of values) {
        if (v < mn) mn = v;
        if (v > mx) mx = v;
      }
      return { min: mn, max: mx };
    }
    case 'percentile': {
      const s = values.sort();
      const tail = (100 - spec.percent) / 2;
      return { min: percentileSorted(s, tail), max: percentileSorted(s, 100 - tail) };
    }
    case 'zscale': {
      const { kind: _kind, ...opts } = spec;
      return zscaleValues(values, opts);
    }
    case 'symmetric': {
      let m: number;
      if ((spec.from ?? 'zscale') === 'percentile') {
        const abs = values.map(Math.abs).sort();
        m = percentileSorted(abs, spec.percent ?? 99.5);
      } else {
        const z = zscaleValues(values);
        m = Math.max(Math.abs(z.min), Math.abs(z.max));
      }
      if (!(m > 0)) m = 1;
      return { min: -m, max: m };
    }
  }
}

/** The stretch function on a clipped, normalised value x in [0, 1]. */
export function applyStretch(x: number, spec: Pick<StretchSpec, 'stretch' | 'logA' | 'asinhA'>): number {
  switch (spec.stretch ?? 'linear') {
    case 'linear':
      return x;
    case 'sqrt':
      return Math.sqrt(x);
    case 'log': {
      const a = spec.logA ?? 1000;
      return Math.log(a * x + 1) / Math.log(a + 1);
    }
    case 'asinh': {
      const a = spec.asinhA ?? 0.1;
      return Math.asinh(x / a) / Math.asinh(1 / a);
    }
  }
}

/**
 * Levels in 0..1 (1 = bright, before `invert`), NaN (= MASKED) for masked pixels. With
 * `spec.diverging`, levels are 0.5 + sign(v - c) * f(|v - c| / half-span) / 2 about the centre c of the
 * limits (0 for symmetric limits), so the centre stays at 0.5 whatever the stretch.
 */
export function stretchToLevels(
  image: StampImage,
  limits: Limits,
  spec: Omit<StretchSpec, 'limits'>,
): Float32Array {
  const { data, mask } = image;
  const out = new Float32Array(data.length);
  const span = limits.max - limits.min;
  const centre = (limits.max + limits.min) / 2;
  const half = span / 2;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (mask[i] === 0 || !Number.isFinite(v)) {
      out[i] = MASKED;
      continue;
    }
    let y: number;
    if (spec.diverging) {
      let x = half > 0 ? (v - centre) / half : 0;
      x = x < -1 ? -1 : x > 1 ? 1 : x;
      const f = applyStretch(Math.abs(x), spec);
      y = 0.5 + (x < 0 ? -f : f) / 2;
    } else {
      let x = span > 0 ? (v - limits.min) / span : 0.5;
      x = x < 0 ? 0 : x > 1 ? 1 : x;
      y = applyStretch(x, spec);
    }
    if (spec.invert) y = 1 - y;
    out[i] = y;
  }
  return out;
}

export type Rgb = readonly [number, number, number];
/** A colour map: level 0..1 -> RGB bytes. */
export type Colormap = (level: number) => Rgb;

export const COLORMAPS = {
  gray: (l: number): Rgb => {
    const g = Math.round(l * 255);
    return [g, g, g];
  },
  /** Blue (negative) - white (zero at level 0.5) - red (positive): for symmetric difference limits. */
  diverging: (l: number): Rgb => {
    const t = l * 2 - 1;
    if (t < 0) {
      const s = 1 + t;
      return [Math.round(40 + 215 * s), Math.round(70 + 185 * s), 255 - Math.round(55 * -t)];
    }
    return [255 - Math.round(55 * t), Math.round(255 - 185 * t), Math.round(255 - 215 * t)];
  },
} satisfies Record<string, Colormap>;

/** Default colour for masked pixels: a green that neither `gray` nor `diverging` produces. */
export const MASKED_RGB: Rgb = [0, 200, 90];

/** Render an image into RGBA bytes (row-major, row 0 first) for a canvas ImageData. */
export function renderRGBA(
  image: StampImage,
  spec: StretchSpec,
  colormap: Colormap | keyof typeof COLORMAPS = 'gray',
  maskedColor: Rgb = MASKED_RGB,
): Uint8ClampedArray {
  const cmap = typeof colormap === 'string' ? COLORMAPS[colormap] : colormap;
  const diverging = spec.diverging ?? spec.limits.kind === 'symmetric';
  const levels = stretchToLevels(image, computeLimits(image, spec.limits), { ...spec, diverging });
  const out = new Uint8ClampedArray(levels.length * 4);
  // Lookup table: the colour map is called 257 times, not once per pixel. 257 entries (steps of
  // 1/256) so that level 0.5, the zero of a diverging image, hits the map's centre exactly.
  const lut = new Uint8ClampedArray(257 * 3);
  for (let k = 0; k < 257; k++) {
    const c = cmap(k / 256);
    lut[k * 3] = c[0];
    lut[k * 3 + 1] = c[1];
    lut[k * 3 + 2] = c[2];
  }
  for (let i = 0; i < levels.length; i++) {
    const l = levels[i];
    const o = i * 4;
    if (Number.isNaN(l)) {
      out[o] = maskedColor[0];
      out[o + 1] = maskedColor[1];
      out[o + 2] = maskedColor[2];
    } else {
      const k = Math.round(l * 256) * 3;
      out[o] = lut[k];
      out[o + 1] = lut[k + 1];
      out[o + 2] = lut[k + 2];
    }
    out[o + 3] = 255;
  }
  return out;
}
