/**
 * The same sky as other cameras would see it: a finer pixel scale (resampling), worse seeing (a
 * Gaussian blur of the new exposure) and other flux units. Used to measure how a model holds up
 * on surveys we have no stamps of (DECam 0.263"/px, Rubin 0.2"/px, against ZTF's 1"/px) and to
 * train with that variety (InjectionOptions.zoom / blur).
 */
import type { StampImage, StampTriplet } from '../../../../shared/stamp';
import { gaussianDraw, seededRandom } from '../../../util/prng';
import { DEFAULT_FWHM_PX, broadeningSigma, measureFwhm, robustStats } from './psf';

/** Output side of a zoomed image: the same parity as the input, so the centre stays on the centre. */
export function zoomedSide(side: number, zoom: number): number {
  const n = Math.max(1, Math.round(side * zoom));
  return (n - side) % 2 === 0 ? n : n + 1;
}

/**
 * `img` resampled to `zoom` times as many pixels per side (zoom > 1: a finer pixel scale), by
 * bilinear interpolation about the stamp centre, and divided by zoom^2 so that a source keeps its
 * flux (each new pixel covers 1/zoom^2 of an old one). A new pixel is masked when any old pixel
 * it interpolates from is masked. The interpolation smooths the old pixels' noise: the new
 * pixels' noise is correlated, as a resampled (warped) coadd's is.
 */
export function zoomImage(img: StampImage, zoom: number): StampImage {
  checkZoom(zoom);
  const W = zoomedSide(img.width, zoom);
  const H = zoomedSide(img.height, zoom);
  return zoomImageInto(img, zoom, { data: new Float32Array(W * H), mask: new Uint8Array(W * H) });
}

function checkZoom(zoom: number): void {
  if (!(zoom > 0) || !Number.isFinite(zoom)) throw new Error(`zoom must be a positive number, got ${zoom}`);
}

/** Pixel buffers an image is resampled into (see zoomImageInto); grown as needed, never shrunk. */
export class ZoomScratch {
  data = new Float32Array(0);
  mask = new Uint8Array(0);
  fit(n: number): this {
    if (this.data.length < n) {
      this.data = new Float32Array(n);
      this.mask = new Uint8Array(n);
    }
    return this;
  }
}

/**
 * zoomImage writing into the caller's buffers (at least the zoomed size; the result's arrays are
 * views of them). Scoring resamples every stamp of a night of fine pixels and uses each one up
 * before the next: with fresh arrays per image and the taps worked out each time, a stamp's
 * preprocessing took 100 us instead of 80 (one thread, DECam-like bench night).
 */
export function zoomImageInto(
  img: StampImage,
  zoom: number,
  buffers: { data: Float32Array; mask: Uint8Array },
): StampImage {
  checkZoom(zoom);
  const { width: w, height: h, data, mask } = img;
  const W = zoomedSide(w, zoom);
  const H = zoomedSide(h, zoom);
  if (buffers.data.length < W * H || buffers.mask.length < W * H)
    throw new RangeError(`zoomImageInto: buffers of ${buffers.data.length} pixels, ${W * H} needed`);
  const out = buffers.data.subarray(0, W * H);
  const outMask = buffers.mask.subarray(0, W * H);
  // Every output column's two source columns and weights, worked out once per size and zoom.
  const cols = bilinearTaps(w, W, zoom);
  const rows = bilinearTaps(h, H, zoom);
  const gain = 1 / (zoom * zoom);
  for (let Y = 0; Y < H; Y++) {
    const ra = rows.a[Y] * w;
    const rb = rows.b[Y] * w;
    const wya = rows.wa[Y];
    const wyb = rows.wb[Y];
    for (let X = 0; X < W; X++) {
      const xa = cols.a[X];
      const xb = cols.b[X];
      const wxa = cols.wa[X];
      const wxb = cols.wb[X];
      // The four taps in a fixed order, zero weights skipped (a masked pixel there does not mask).
      let v = 0;
      let ok = 1;
      if (wya !== 0) {
        if (wxa !== 0) {
          if (!mask[ra + xa]) ok = 0;
          else v += wya * wxa * data[ra + xa];
        }
        if (wxb !== 0) {
          if (!mask[ra + xb]) ok = 0;
          else v += wya * wxb * data[ra + xb];
        }
      }
      if (wyb !== 0) {
        if (wxa !== 0) {
          if (!mask[rb + xa]) ok = 0;
          else v += wyb * wxa * data[rb + xa];
        }
        if (wxb !== 0) {
          if (!mask[rb + xb]) ok = 0;
          else v += wyb * wxb * data[rb + xb];
        }
      }
      out[Y * W + X] = ok ? v * gain : 0;
      outMask[Y * W + X] = ok;
    }
  }
  return { width: W, height: H, data: out, mask: outMask };
}

interface Taps {
  a: Int32Array;
  b: Int32Array;
  wa: Float64Array;
  wb: Float64Array;
}

/** Taps by (source size, output size, zoom): a night has one zoom and a few stamp sizes. */
const tapsCache = new Map<string, Taps>();
const TAPS_CACHE_MAX = 64;

/**
 * For each of `m` output positions along an axis of `n` source pixels: the two source pixels it
 * interpolates between (a, b) and their weights, about the centres, clamped to the stamp (the
 * outermost half pixel repeats the edge).
 */
function bilinearTaps(n: number, m: number, zoom: number): Taps {
  const key = `${n}:${m}:${zoom}`;
  const known = tapsCache.get(key);
  if (known) return known;
  const a = new Int32Array(m);
  const b = new Int32Array(m);
  const wa = new Float64Array(m);
  const wb = new Float64Array(m);
  const c = (n - 1) / 2;
  const C = (m - 1) / 2;
  for (let k = 0; k < m; k++) {
    const x = Math.min(n - 1, Math.max(0, c + (k - C) / zoom));
    const x0 = Math.min(n - 2, Math.floor(x));
    const f = n > 1 ? x - x0 : 0;
    a[k] = Math.max(0, x0);
    b[k] = Math.max(0, x0 + 1);
    wa[k] = 1 - f;
    wb[k] = f;
  }
  // Training zooms each example by a zoom of its own: the cache stays small, not exact.
  if (tapsCache.size >= TAPS_CACHE_MAX) tapsCache.clear();
  tapsCache.set(key, { a, b, wa, wb });
  return { a, b, wa, wb };
}

/** The triplet resampled by `zoom` (see zoomTriplet), or the triplet itself when `zoom` is 1. */
export function resampleTriplet(t: StampTriplet, zoom: number): StampTriplet {
  return zoom === 1 ? t : zoomTriplet(t, zoom);
}

/**
 * How a night's stamps are brought to what the models learnt, before the standard preprocessing
 * (the night's measurement: seeing.ts): first its templates blurred to its search images' seeing
 * (`templateBlur`: the Gaussian's sigma in the stamps' pixels; 0: none), then every image resampled
 * by `zoom` (1: as they are).
 */
export interface NightScale {
  zoom: number;
  templateBlur: number;
}

export const AS_THEY_COME: NightScale = { zoom: 1, templateBlur: 0 };

/** A scale given as a resampling factor alone (no template blur), or as a whole NightScale. */
export function nightScaleOf(scale: NightScale | number): NightScale {
  return typeof scale === 'number' ? { zoom: scale, templateBlur: 0 } : scale;
}

/** Gaussian taps by sigma: a night blurs every template with one sigma. */
const blurKernels = new Map<number, Float64Array>();

function blurKernel(sigma: number): Float64Array {
  let k = blurKernels.get(sigma);
  if (!k) {
    const reach = Math.ceil(4 * sigma);
    k = new Float64Array(2 * reach + 1);
    for (let i = -reach; i <= reach; i++) k[i + reach] = Math.exp(-(i * i) / (2 * sigma * sigma));
    if (blurKernels.size >= 16) blurKernels.clear();
    blurKernels.set(sigma, k);
  }
  return k;
}

/** Buffers reused by blurImageInto from one image to the next. */
export class BlurScratch {
  num = new Float64Array(0);
  den = new Float64Array(0);
  out = new Float32Array(0);
  fit(n: number): this {
    if (this.out.length < n) {
      this.num = new Float64Array(n);
      this.den = new Float64Array(n);
      this.out = new Float32Array(n);
    }
    return this;
  }
}

/**
 * gaussianBlur into reused buffers (valid pixels only, the kernel renormalised where it leaves the
 * image or meets a masked pixel): a night's templates are blurred stamp by stamp while it is
 * scored. An image with no masked pixel (most) takes a path with half the arithmetic: its weights
 * depend on the position alone. The result's data is a view of `scratch` (valid until its next
 * use); the mask is the image's own.
 */
export function blurImageInto(img: StampImage, sigma: number, scratch: BlurScratch): StampImage {
  const { width: w, height: h, data, mask } = img;
  const n = w * h;
  const k = blurKernel(sigma);
  const reach = (k.length - 1) / 2;
  const { num, den, out } = scratch.fit(n);
  let allValid = true;
  for (let i = 0; i < n && allValid; i++) allValid = mask[i] !== 0;
  // Rows: numerator (value x weight), and the denominator (weight) over valid pixels.
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      const j0 = Math.max(0, x - reach);
      const j1 = Math.min(w - 1, x + reach);
      let sv = 0;
      let sd = 0;
      if (allValid) {
        for (let j = j0; j <= j1; j++) sv += k[j - x + reach] * data[row + j];
      } else {
        for (let j = j0; j <= j1; j++) {
          // Skipped, not weighted by 0: a masked pixel's value may be NaN.
          if (!mask[row + j]) continue;
          const kw = k[j - x + reach];
          sv += kw * data[row + j];
          sd += kw;
        }
      }
      num[row + x] = sv;
      den[row + x] = sd;
    }
  }
  if (allValid) {
    // The weights of a row pass and of a column pass: their sums within the image, by position.
    const edge = (len: number, at: number) => {
      let d = 0;
      for (let j = Math.max(0, at - reach); j <= Math.min(len - 1, at + reach); j++) d += k[j - at + reach];
      return d;
    };
    for (let x = 0; x < w; x++) den[x] = edge(w, x);
    for (let y = 0; y < h; y++) {
      const i0 = Math.max(0, y - reach);
      const i1 = Math.min(h - 1, y + reach);
      const dy = edge(h, y);
      for (let x = 0; x < w; x++) {
        let sv = 0;
        for (let i = i0; i <= i1; i++) sv += k[i - y + reach] * num[i * w + x];
        out[y * w + x] = sv / (den[x] * dy);
      }
    }
    return { width: w, height: h, data: out.subarray(0, n), mask };
  }
  // Columns, then the ratio where the pixel is valid (0 elsewhere, as a masked pixel reads).
  for (let y = 0; y < h; y++) {
    const i0 = Math.max(0, y - reach);
    const i1 = Math.min(h - 1, y + reach);
    for (let x = 0; x < w; x++) {
      const at = y * w + x;
      if (!mask[at]) {
        out[at] = 0;
        continue;
      }
      let sv = 0;
      let sd = 0;
      for (let i = i0; i <= i1; i++) {
        const kw = k[i - y + reach];
        sv += kw * num[i * w + x];
        sd += kw * den[i * w + x];
      }
      out[at] = sd > 0 ? sv / sd : 0;
    }
  }
  return { width: w, height: h, data: out.subarray(0, n), mask };
}

/**
 * The triplet with its template blurred by `sigma` px (fresh arrays, or into `scratch` when given),
 * or itself when there is none or sigma is 0.
 */
export function blurTemplate(t: StampTriplet, sigma: number, scratch?: BlurScratch): StampTriplet {
  if (!(sigma > 0) || !t.template) return t;
  return {
    ...t,
    template: scratch ? blurImageInto(t.template, sigma, scratch) : gaussianBlur(t.template, sigma),
  };
}

/**
 * The triplet as the models see it on a night of this scale (fresh images where anything changes):
 * resampled first, then its template blurred by the same Gaussian in the resampled pixels (sigma x
 * zoom): 2-2.5x fewer pixels to blur than before resampling, for the same match of the two seeings.
 */
export function toNightScale(t: StampTriplet, scale: NightScale | number): StampTriplet {
  const { zoom, templateBlur } = nightScaleOf(scale);
  return blurTemplate(resampleTriplet(t, zoom), templateBlur * zoom);
}

/** Buffers reused by toNightScaleInto from one stamp to the next. */
export class NightScaleScratch {
  readonly zoom: [ZoomScratch, ZoomScratch, ZoomScratch] = [
    new ZoomScratch(),
    new ZoomScratch(),
    new ZoomScratch(),
  ];
  readonly blur = new BlurScratch();
}

/**
 * toNightScale into `scratch` (the same steps in the same order): the images are views that the
 * next call overwrites, for a caller that uses each triplet up before the next (preprocessing).
 */
export function toNightScaleInto(
  t: StampTriplet,
  scale: NightScale | number,
  scratch: NightScaleScratch,
): StampTriplet {
  const { zoom, templateBlur } = nightScaleOf(scale);
  return blurTemplate(resampleTripletInto(t, zoom, scratch.zoom), templateBlur * zoom, scratch.blur);
}

/**
 * resampleTriplet into `scratch` (three images' buffers, reused): the images are views that the
 * next call overwrites, for a caller that uses each triplet up before the next (preprocessing).
 */
export function resampleTripletInto(
  t: StampTriplet,
  zoom: number,
  scratch: [ZoomScratch, ZoomScratch, ZoomScratch],
): StampTriplet {
  if (zoom === 1) return t;
  const into = (img: StampImage, s: ZoomScratch) =>
    zoomImageInto(img, zoom, s.fit(zoomedSide(img.width, zoom) * zoomedSide(img.height, zoom)));
  return {
    search: into(t.search, scratch[0]),
    template: t.template ? into(t.template, scratch[1]) : null,
    difference: into(t.difference, scratch[2]),
  };
}

/** Every image of the triplet zoomed (see zoomImage). */
export function zoomTriplet(t: StampTriplet, zoom: number): StampTriplet {
  return {
    search: zoomImage(t.search, zoom),
    template: t.template ? zoomImage(t.template, zoom) : null,
    difference: zoomImage(t.difference, zoom),
  };
}

/**
 * `img` zoomed (flux-conserving, see zoomImage), then white Gaussian noise added so that its
 * per-pixel noise is the native noise / zoom: what a sky-limited camera with `zoom` times finer
 * pixels gives at the same depth (sky per pixel / zoom^2, its noise / zoom), where interpolation
 * alone would leave the noise smoothed and correlated. A source's integrated S/N is unchanged; its
 * peak S/N per pixel drops by about `zoom`. Deterministic for `seed`.
 */
export function zoomWithSkyNoise(img: StampImage, zoom: number, seed: number): StampImage {
  const out = zoomImage(img, zoom);
  const target = robustStats(img).sigma / zoom;
  const have = robustStats(out).sigma;
  const add = Math.sqrt(Math.max(0, target * target - have * have));
  const r = seededRandom(seed);
  for (let i = 0; i < out.data.length; i++) if (out.mask[i]) out.data[i] += add * gaussianDraw(r);
  return out;
}

/** A seed from a stamp's own pixels: the same stamp gets the same noise, whatever the order. */
function stampSeed(t: StampTriplet): number {
  let h = 2166136261;
  const d = t.difference.data;
  for (let i = 0; i < d.length; i += 7) h = Math.imul(h ^ Math.round(d[i] * 1000), 16777619);
  return h >>> 0;
}

/** Every image zoomed with sky noise restored (see zoomWithSkyNoise). */
export function zoomTripletWithSkyNoise(t: StampTriplet, zoom: number): StampTriplet {
  const seed = stampSeed(t);
  return {
    search: zoomWithSkyNoise(t.search, zoom, seed),
    template: t.template ? zoomWithSkyNoise(t.template, zoom, seed + 1) : null,
    difference: zoomWithSkyNoise(t.difference, zoom, seed + 2),
  };
}

/**
 * `img` convolved with a normalised Gaussian of standard deviation `sigma` pixels (separable),
 * over the valid pixels only: masked pixels stay masked and lend no weight to their neighbours,
 * and the kernel is renormalised where it leaves the stamp (so the background level holds there).
 */
export function gaussianBlur(img: StampImage, sigma: number): StampImage {
  if (!(sigma >= 0) || !Number.isFinite(sigma)) throw new Error(`blur sigma must be >= 0, got ${sigma}`);
  const { width: w, height: h, data, mask } = img;
  if (sigma === 0) return { width: w, height: h, data: data.slice(), mask: mask.slice() };
  // A scratch of its own: the result keeps it.
  return { ...blurImageInto(img, sigma, new BlurScratch()), mask: mask.slice() };
}

/** Seeing of the triplet's new exposure (search, else template), measured on its stars, else the default. */
export function tripletFwhm(t: StampTriplet): number {
  return measureFwhm(t.search) ?? measureFwhm(t.template) ?? DEFAULT_FWHM_PX;
}

/** Sigma (px) of the Gaussian that takes a PSF of `fwhm` px to `factor` x fwhm. */
function worseBy(factor: number, fwhm: number): number {
  if (!(factor >= 1)) throw new Error(`seeing factor must be >= 1, got ${factor}`);
  return broadeningSigma(fwhm, factor * fwhm);
}

/**
 * The triplet as a night of worse seeing would give it: search and difference convolved with the
 * Gaussian that takes a PSF of `fwhm` pixels to `factor` x fwhm (worseBy: widths add in
 * quadrature); the template, a deep coadd made on other nights, is kept. Blurring the difference too
 * is what a PSF-matched subtraction does: its sources have the search image's (worse) seeing.
 * `fwhm` defaults to the one measured on the stamp.
 */
export function worseSeeing(t: StampTriplet, factor: number, fwhm = tripletFwhm(t)): StampTriplet {
  const sigma = worseBy(factor, fwhm);
  return {
    search: gaussianBlur(t.search, sigma),
    template: t.template,
    difference: gaussianBlur(t.difference, sigma),
  };
}

/**
 * The triplet with a template of worse seeing than its search image (a template made from few or
 * poor nights): template and difference convolved as in worseSeeing, the search image kept. A
 * PSF-matched subtraction convolves the sharper image to the broader, so the difference takes the
 * template's seeing. No template: the difference alone.
 */
export function worseTemplate(
  t: StampTriplet,
  factor: number,
  fwhm = measureFwhm(t.template) ?? tripletFwhm(t),
): StampTriplet {
  const sigma = worseBy(factor, fwhm);
  return {
    search: t.search,
    template: t.template ? gaussianBlur(t.template, sigma) : null,
    difference: gaussianBlur(t.difference, sigma),
  };
}

/** Every image times `k` (other flux units: nJy instead of DN, or normalised). */
export function scaleUnits(t: StampTriplet, k: number): StampTriplet {
  const s = (img: StampImage): StampImage => ({ ...img, data: img.data.map((v) => v * k) });
  return { search: s(t.search), template: t.template ? s(t.template) : null, difference: s(t.difference) };
}

/**
 * A copy of `img` cut to at most size x size about its centre (the preprocessing's centre: floor of
 * the half difference), the cut shifted by (dx, dy) within the margins.
 */
function cutImage(img: StampImage, size: number, dx: number, dy: number): StampImage {
  const w = Math.min(size, img.width);
  const h = Math.min(size, img.height);
  const x0 = Math.floor((img.width - w) / 2) + dx;
  const y0 = Math.floor((img.height - h) / 2) + dy;
  const data = new Float32Array(w * h);
  const mask = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const src = (y + y0) * img.width + x0;
    data.set(img.data.subarray(src, src + w), y * w);
    mask.set(img.mask.subarray(src, src + w), y * w);
  }
  return { width: w, height: h, data, mask };
}

/** Every image of the triplet cut (see cutImage): smaller cutouts (Rubin's are 30 px), or a shifted candidate. */
export function cutTriplet(t: StampTriplet, size: number, dx = 0, dy = 0): StampTriplet {
  return {
    search: cutImage(t.search, size, dx, dy),
    template: t.template ? cutImage(t.template, size, dx, dy) : null,
    difference: cutImage(t.difference, size, dx, dy),
  };
}

/**
 * The first `fraction` of every image's columns masked (data 0, mask 0): a stamp at a CCD edge or
 * beside a chip gap, as survey cutouts fill them (NaN, or ZTF's -3.4e38).
 */
export function maskEdge(t: StampTriplet, fraction: number): StampTriplet {
  const edge = (img: StampImage): StampImage => {
    const data = img.data.slice();
    const mask = img.mask.slice();
    const cols = Math.round(fraction * img.width);
    for (let y = 0; y < img.height; y++) {
      data.fill(0, y * img.width, y * img.width + cols);
      mask.fill(0, y * img.width, y * img.width + cols);
    }
    return { width: img.width, height: img.height, data, mask };
  };
  return {
    search: edge(t.search),
    template: t.template ? edge(t.template) : null,
    difference: edge(t.difference),
  };
}

/** The views a model is measured on: the native stamps and the same sky through other cameras. */
export interface RobustnessView {
  name: string;
  apply: (t: StampTriplet) => StampTriplet;
}

export const ROBUSTNESS_VIEWS: readonly RobustnessView[] = [
  { name: 'native', apply: (t) => t },
  { name: 'finer pixels x1.5 (bilinear)', apply: (t) => zoomTriplet(t, 1.5) },
  { name: 'finer pixels x2 (bilinear)', apply: (t) => zoomTriplet(t, 2) },
  { name: 'finer pixels x2, white sky noise', apply: (t) => zoomTripletWithSkyNoise(t, 2) },
  { name: 'seeing x1.5 (search+difference)', apply: (t) => worseSeeing(t, 1.5) },
  { name: 'template seeing x1.5 (template+difference)', apply: (t) => worseTemplate(t, 1.5) },
  { name: 'units x1e3', apply: (t) => scaleUnits(t, 1e3) },
  { name: 'units x1e-3', apply: (t) => scaleUnits(t, 1e-3) },
  { name: 'cutouts of 31 px (Rubin-sized)', apply: (t) => cutTriplet(t, 31) },
  // Rubin's stamps: 30 px of 0.2"/px, which the app resamples to the models' seeing (~15 px left).
  { name: 'Rubin-like: x2 finer pixels, 30 px cuts', apply: (t) => cutTriplet(zoomTriplet(t, 2), 30) },
  { name: 'no template (ATLAS-like)', apply: (t) => ({ ...t, template: null }) },
  { name: 'CCD edge: 1/3 of columns masked', apply: (t) => maskEdge(t, 1 / 3) },
];
