/**
 * Point-spread functions for injection: the stamp's own seeing, measured on the stars of its
 * template (or search image), and analytic Moffat/Gaussian profiles rendered at sub-pixel centres.
 */
import { median as medianOf, robustStats } from '../../../../shared/robust';
import type { StampImage } from '../../../../shared/stamp';

// The one robust background/noise estimate; re-exported for the injection code that reads it from here.
export { robustStats };

export const DEFAULT_FWHM_PX = 2.0;

/**
 * FWHM in pixels of the image's point sources: for each isolated local maximum 15-2000 sigma above
 * the background (fainter is noise, brighter may be saturated), the area above half its peak gives
 * FWHM = 2 sqrt(area / pi); the median over up to 8 sources. null when the image has no usable star.
 * Galaxies inflate single measurements; the median over several sources keeps them from leading.
 */
export function measureFwhm(img: StampImage | null): number | null {
  if (!img) return null;
  const { median, sigma } = robustStats(img);
  const { width: w, height: h, data, mask } = img;
  const r = 5;
  const peaks: { x: number; y: number; v: number }[] = [];
  for (let y = r; y < h - r; y++) {
    for (let x = r; x < w - r; x++) {
      const i = y * w + x;
      if (!mask[i]) continue;
      const v = data[i] - median;
      if (v < 15 * sigma || v > 2000 * sigma) continue;
      let isMax = true;
      for (let dy = -2; dy <= 2 && isMax; dy++)
        for (let dx = -2; dx <= 2; dx++) {
          if ((dx || dy) && data[i + dy * w + dx] > data[i]) {
            isMax = false;
            break;
          }
        }
      if (isMax) peaks.push({ x, y, v });
    }
  }
  peaks.sort((a, b) => b.v - a.v);
  const fwhms: number[] = [];
  for (const p of peaks.slice(0, 8)) {
    let area = 0;
    let masked = false;
    for (let dy = -r; dy <= r; dy++)
      for (let dx = -r; dx <= r; dx++) {
        const i = (p.y + dy) * w + p.x + dx;
        if (!mask[i]) masked = true;
        else if (data[i] - median >= p.v / 2) area++;
      }
    if (masked) continue;
    const f = 2 * Math.sqrt(area / Math.PI);
    if (f >= 1 && f <= 8) fwhms.push(f);
  }
  // Through float32, as the FWHMs always were: injected stamps stay the same for a given seed.
  return fwhms.length ? medianOf(Float32Array.from(fwhms)) : null;
}

export interface PsfShape {
  fwhm: number;
  /** Moffat beta (2.5-4.5 is typical of ground-based seeing); null for a Gaussian. */
  beta: number | null;
  /** Axis ratio b/a (1 = round) and position angle (radians): mild guiding/optics elongation. */
  axisRatio: number;
  angle: number;
}

interface PsfEval {
  profile: (r2: number) => number;
  norm: number;
  cos: number;
  sin: number;
  q: number;
  reach: number;
}

/** A Gaussian's FWHM per sigma, 2 sqrt(2 ln 2). */
export const FWHM_PER_SIGMA = 2.3548;

/**
 * Sigma (px) of the Gaussian that broadens a PSF of `fromFwhm` px to `toFwhm` px: Gaussian widths
 * add in quadrature.
 */
export function broadeningSigma(fromFwhm: number, toFwhm: number): number {
  return Math.sqrt(toFwhm ** 2 - fromFwhm ** 2) / FWHM_PER_SIGMA;
}

function psfEval(shape: PsfShape): PsfEval {
  const { fwhm, beta, axisRatio, angle } = shape;
  const q = Math.max(0.3, Math.min(1, axisRatio));
  let profile: (r2: number) => number;
  let norm: number;
  if (beta === null) {
    const s2 = (fwhm / FWHM_PER_SIGMA) ** 2;
    profile = (r2) => Math.exp(-r2 / (2 * s2));
    norm = 1 / (2 * Math.PI * s2 * q);
  } else {
    const alpha = fwhm / (2 * Math.sqrt(2 ** (1 / beta) - 1));
    const a2 = alpha * alpha;
    profile = (r2) => (1 + r2 / a2) ** -beta;
    norm = (beta - 1) / (Math.PI * a2 * q);
  }
  const reach = Math.ceil(beta === null ? fwhm * 2.5 : fwhm * 6);
  return { profile, norm, cos: Math.cos(angle), sin: Math.sin(angle), q, reach };
}

const SUB = [-1 / 3, 0, 1 / 3];

/** flux x the PSF's mean over pixel (x, y) on a 3x3 sub-pixel grid. */
function pixelValue(e: PsfEval, x: number, y: number, cx: number, cy: number, flux: number): number {
  let s = 0;
  for (const oy of SUB)
    for (const ox of SUB) {
      const dx = x + ox - cx;
      const dy = y + oy - cy;
      const u = dx * e.cos + dy * e.sin;
      const v = (-dx * e.sin + dy * e.cos) / e.q;
      s += e.profile(u * u + v * v);
    }
  return (flux * e.norm * s) / 9;
}

/**
 * Adds `flux` x PSF centred at (cx, cy) (pixel coordinates, 0 = centre of the first pixel) into
 * `out` (row-major w x h). Evaluated on a 3x3 sub-pixel grid so that narrow PSFs keep their flux;
 * normalised over an infinite plane, so flux falling outside the stamp is lost as in a real image.
 */
export function addPsf(
  out: Float32Array,
  w: number,
  h: number,
  cx: number,
  cy: number,
  flux: number,
  shape: PsfShape,
): void {
  const e = psfEval(shape);
  const x0 = Math.max(0, Math.floor(cx - e.reach));
  const x1 = Math.min(w - 1, Math.ceil(cx + e.reach));
  const y0 = Math.max(0, Math.floor(cy - e.reach));
  const y1 = Math.min(h - 1, Math.ceil(cy + e.reach));
  for (let y = y0; y <= y1; y++)
    for (let x = x0; x <= x1; x++) out[y * w + x] += pixelValue(e, x, y, cx, cy, flux);
}

/**
 * Peak pixel value of a unit-flux PSF centred on a pixel: converts a peak S/N into a flux. Only that
 * pixel is evaluated (as addPsf would on a stamp around it, rounded to float32 as stored there).
 */
export function psfPeak(shape: PsfShape): number {
  const c = Math.ceil(shape.fwhm * 6);
  return Math.fround(pixelValue(psfEval(shape), c, c, c, c, 1));
}
