/**
 * The 38 autoscan features (Goldstein et al. 2015, AJ 150, 82), computed from the pixels of a demo
 * night's triplet for the night's `autoscan_features.3.csv`. Only the demo generator computes them:
 * an ingested DES night brings autoscan's own features in its CSV (read by
 * stamps/sources/desAutoscan.ts), and other surveys' candidates have none. The names are autoscan's;
 * the definitions are ours where autoscan's depended on its SExtractor catalogues (said per group
 * below). Metadata that pixels do not carry (band, CCD, zero point, saturation level, distance to
 * the CCD edge) comes from `meta`; a feature that needs absent metadata is NaN.
 *
 * One entry per feature group in FEATURE_GROUPS, each computing its features from the detection
 * (position, noise, shape) that computeFeatures measures once.
 */
import { medianInPlace, robustStats } from '../../../shared/robust';
import type { StampImage, StampTriplet } from '../../../shared/stamp';

export const AUTOSCAN_FEATURES = [
  'AMP', 'A_IMAGE', 'A_REF', 'BAND', 'B_IMAGE', 'B_REF', 'CCDID', 'COLMEDS', 'DIFFSUMRN', 'ELLIPTICITY',
  'FLAGS', 'FLUX_RATIO', 'GAUSS', 'GFLUX', 'L1', 'LACOSMIC', 'MAG', 'MAGDIFF', 'MAGLIM', 'MAG_FROM_LIMIT',
  'MAG_REF', 'MAG_REF_ERR', 'MASKFRAC', 'MIN_DISTANCE_TO_EDGE_IN_NEW', 'N2SIG3', 'N2SIG3SHIFT', 'N2SIG5',
  'N2SIG5SHIFT', 'N3SIG3', 'N3SIG3SHIFT', 'N3SIG5', 'N3SIG5SHIFT', 'NN_DIST_RENORM', 'NUMNEGRN', 'SCALE',
  'SNR', 'SPREADERR_MODEL', 'SPREAD_MODEL',
] as const; // prettier-ignore
export type AutoscanFeature = (typeof AUTOSCAN_FEATURES)[number];

export const BAND_CODES: Record<string, number> = { g: 0, r: 1, i: 2, z: 3, Y: 4 };

export interface FeatureMeta {
  band?: string;
  ccdid?: number;
  /** Zero point of the difference image (mag of 1 ADU); default 31.5 (DES convention). */
  magzp?: number;
  /** Saturation level of the search image (ADU). */
  saturate?: number;
  /** Search-image PSF FWHM in pixels; estimated from the difference if absent. */
  fwhm?: number;
  /** Distance of the candidate to the CCD edge in pixels, when known. */
  distanceToEdge?: number;
}

const APER_R = 5;

/** Value at (x, y) minus `bg`, or NaN outside the image or masked. */
function px(img: StampImage, x: number, y: number, bg = 0): number {
  if (x < 0 || y < 0 || x >= img.width || y >= img.height) return Number.NaN;
  const i = y * img.width + x;
  return img.mask[i] ? img.data[i] - bg : Number.NaN;
}

/** Calls `f` with the offset and background-subtracted value of each valid pixel within `half` of (cx, cy), row by row. */
function forWindow(
  img: StampImage,
  cx: number,
  cy: number,
  half: number,
  bg: number,
  f: (x: number, y: number, v: number) => void,
): void {
  for (let y = -half; y <= half; y++)
    for (let x = -half; x <= half; x++) {
      const v = px(img, cx + x, cy + y, bg);
      if (!Number.isNaN(v)) f(x, y, v);
    }
}

function boxSum(img: StampImage, cx: number, cy: number, half: number, bg = 0): number {
  let s = 0;
  forWindow(img, cx, cy, half, bg, (_x, _y, v) => {
    s += v;
  });
  return s;
}

function aperture(
  img: StampImage,
  cx: number,
  cy: number,
  r: number,
  bg: number,
): { flux: number; npix: number } {
  let flux = 0;
  let npix = 0;
  forWindow(img, cx, cy, Math.ceil(r), bg, (x, y, v) => {
    if (x * x + y * y > r * r) return;
    flux += v;
    npix++;
  });
  return { flux, npix };
}

/** Pixels below -k sigma in a (2h+1)^2 box. */
function countBelow(img: StampImage, cx: number, cy: number, half: number, bg: number, thr: number): number {
  let c = 0;
  for (let y = cy - half; y <= cy + half; y++)
    for (let x = cx - half; x <= cx + half; x++) if (px(img, x, y, bg) < thr) c++;
  return c;
}

/** Gaussian-windowed second moments of the positive signal: semi-axes a >= b (px). */
function moments(
  img: StampImage,
  cx: number,
  cy: number,
  bg: number,
  sigma: number,
): { a: number; b: number } {
  let s = 0;
  let sx = 0;
  let sy = 0;
  const w = new Float64Array(13 * 13);
  for (let y = -6; y <= 6; y++)
    for (let x = -6; x <= 6; x++) {
      const v = px(img, cx + x, cy + y, bg);
      const ww = Number.isNaN(v) || v <= sigma ? 0 : v * Math.exp(-(x * x + y * y) / 18);
      w[(y + 6) * 13 + x + 6] = ww;
      s += ww;
      sx += ww * x;
      sy += ww * y;
    }
  if (s <= 0) return { a: 0, b: 0 };
  const mx = sx / s;
  const my = sy / s;
  let xx = 0;
  let yy = 0;
  let xy = 0;
  for (let y = -6; y <= 6; y++)
    for (let x = -6; x <= 6; x++) {
      const ww = w[(y + 6) * 13 + x + 6];
      xx += ww * (x - mx) ** 2;
      yy += ww * (y - my) ** 2;
      xy += ww * (x - mx) * (y - my);
    }
  xx /= s;
  yy /= s;
  xy /= s;
  const t = (xx + yy) / 2;
  const d = Math.sqrt(((xx - yy) / 2) ** 2 + xy * xy);
  return { a: Math.sqrt(Math.max(t + d, 0)), b: Math.sqrt(Math.max(t - d, 0)) };
}

/** What every group starts from: the images, their noise and the detection in the difference. */
interface Detection {
  D: StampImage;
  S: StampImage;
  T: StampImage | null;
  meta: FeatureMeta;
  zp: number;
  w: number;
  h: number;
  /** Difference noise (1.4826 MAD) and background (median). */
  sigD: number;
  bgD: number;
  /** Template background and noise; { 0, 1 } without a template. */
  st: { median: number; sigma: number };
  /** The candidate pixel. */
  cx: number;
  cy: number;
  /** Second moments of the difference detection. */
  mD: { a: number; b: number };
  /** PSF FWHM (px): from meta, else from the detection's moments. */
  fwhm: number;
  psfSigma: number;
}

/**
 * Measures the detection. The candidate is taken at the stamp centre, refined to the brightest 3x3
 * box of the difference within 2 px.
 */
function detect(triplet: StampTriplet, meta: FeatureMeta): Detection {
  const D = triplet.difference;
  const T = triplet.template ?? null;
  const w = D.width;
  const h = D.height;
  const sd = robustStats(D);
  const bgD = sd.median;
  let cx = Math.floor(w / 2);
  let cy = Math.floor(h / 2);
  {
    let best = -Infinity;
    const x0 = cx;
    const y0 = cy;
    for (let y = y0 - 2; y <= y0 + 2; y++)
      for (let x = x0 - 2; x <= x0 + 2; x++) {
        const v = boxSum(D, x, y, 1, bgD);
        if (v > best) {
          best = v;
          cx = x;
          cy = y;
        }
      }
  }
  const mD = moments(D, cx, cy, bgD, sd.sigma);
  const fwhm = meta.fwhm ?? (mD.a > 0 ? Math.min(8, Math.max(2, 2.355 * Math.sqrt(mD.a * mD.b))) : 4);
  return {
    D,
    S: triplet.search,
    T,
    meta,
    zp: meta.magzp ?? 31.5,
    w,
    h,
    sigD: sd.sigma,
    bgD,
    st: T ? robustStats(T) : { median: 0, sigma: 1 },
    cx,
    cy,
    mD,
    fwhm,
    psfSigma: fwhm / 2.355,
  };
}

interface FeatureGroup<K extends AutoscanFeature = AutoscanFeature> {
  features: readonly K[];
  compute(d: Detection): Record<K, number>;
}

function group<const K extends AutoscanFeature>(
  features: readonly K[],
  compute: (d: Detection) => Record<K, number>,
): FeatureGroup<K> {
  return { features, compute };
}

/** Aperture photometry in the difference and at the same place in the template. */
const photometry = group(
  ['SNR', 'MAG', 'MAG_FROM_LIMIT', 'MAG_REF', 'MAG_REF_ERR', 'MAGLIM', 'MAGDIFF', 'FLUX_RATIO'],
  ({ D, T, zp, sigD, bgD, st, cx, cy }) => {
    const ap = aperture(D, cx, cy, APER_R, bgD);
    const noiseAp = sigD * Math.sqrt(Math.max(ap.npix, 1));
    const limit5 = zp - 2.5 * Math.log10(5 * noiseAp);
    const mag = ap.flux > 0 ? zp - 2.5 * Math.log10(ap.flux) : zp - 2.5 * Math.log10(noiseAp);
    let magRef = Number.NaN;
    let magRefErr = Number.NaN;
    let maglim = Number.NaN;
    let fluxRatio = Number.NaN;
    if (T) {
      const apT = aperture(T, cx, cy, APER_R, st.median);
      const nT = st.sigma * Math.sqrt(Math.max(apT.npix, 1));
      if (apT.flux > 3 * nT) {
        maglim = 0;
        magRef = zp - 2.5 * Math.log10(apT.flux);
        magRefErr = (1.0857 * nT) / apT.flux;
      } else {
        // No reference source: autoscan reports the limiting magnitude and flags MAGLIM.
        maglim = 1;
        magRef = zp - 2.5 * Math.log10(5 * nT);
        magRefErr = 1.0857 / 5;
      }
      const t5 = boxSum(T, cx, cy, 2, st.median);
      fluxRatio = boxSum(D, cx, cy, 2, bgD) / Math.max(Math.abs(t5), st.sigma * 5);
    }
    return {
      SNR: ap.flux / noiseAp,
      MAG: mag,
      MAG_FROM_LIMIT: limit5 - mag,
      MAG_REF: magRef,
      MAG_REF_ERR: magRefErr,
      MAGLIM: maglim,
      MAGDIFF: Number.isNaN(magRef) ? mag - limit5 : mag - magRef,
      FLUX_RATIO: fluxRatio,
    };
  },
);

/** Shape of the difference detection and of the reference object (Gaussian-windowed moments). */
const shape = group(['A_IMAGE', 'B_IMAGE', 'ELLIPTICITY', 'A_REF', 'B_REF'], ({ T, st, cx, cy, mD }) => {
  const mT = T ? moments(T, cx, cy, st.median, 3 * st.sigma) : { a: Number.NaN, b: Number.NaN };
  return {
    A_IMAGE: mD.a,
    B_IMAGE: mD.b,
    ELLIPTICITY: mD.a > 0 ? 1 - mD.b / mD.a : 0,
    A_REF: mT.a,
    B_REF: mT.b,
  };
});

/**
 * Negative pixels (renormalised by the difference noise): bad subtractions leave them. *SHIFT (ours):
 * the same counts in the template, renormalised by its own noise, subtracted: what the subtraction
 * created rather than what the sky already had.
 */
const negatives = group(
  [
    'N2SIG3',
    'N3SIG3',
    'N2SIG5',
    'N3SIG5',
    'N2SIG3SHIFT',
    'N2SIG5SHIFT',
    'N3SIG3SHIFT',
    'N3SIG5SHIFT',
    'NUMNEGRN',
  ],
  ({ D, T, sigD, bgD, st, cx, cy }) => {
    const thr2 = -2 * sigD;
    const thr3 = -3 * sigD;
    const n2s3 = countBelow(D, cx, cy, 1, bgD, thr2);
    const n3s3 = countBelow(D, cx, cy, 1, bgD, thr3);
    const n2s5 = countBelow(D, cx, cy, 2, bgD, thr2);
    const n3s5 = countBelow(D, cx, cy, 2, bgD, thr3);
    const tc = (half: number, k: number): number =>
      T ? countBelow(T, cx, cy, half, st.median, -k * st.sigma) : 0;
    let numneg = 0;
    for (let y = cy - 3; y <= cy + 3; y++)
      for (let x = cx - 3; x <= cx + 3; x++) if (px(D, x, y, bgD) < 0) numneg++;
    return {
      N2SIG3: n2s3,
      N3SIG3: n3s3,
      N2SIG5: n2s5,
      N3SIG5: n3s5,
      N2SIG3SHIFT: n2s3 - tc(1, 2),
      N2SIG5SHIFT: n2s5 - tc(2, 2),
      N3SIG3SHIFT: n3s3 - tc(1, 3),
      N3SIG5SHIFT: n3s5 - tc(2, 3),
      NUMNEGRN: numneg,
    };
  },
);

/** The 5x5 sum of the difference, in noise units and against its absolute sum. */
const sums = group(['DIFFSUMRN', 'L1'], ({ D, sigD, bgD, cx, cy }) => {
  const diffsum5 = boxSum(D, cx, cy, 2, bgD);
  let absSum = 0;
  forWindow(D, cx, cy, 2, bgD, (_x, _y, v) => {
    absSum += Math.abs(v);
  });
  return { DIFFSUMRN: diffsum5 / sigD, L1: absSum > 0 ? diffsum5 / absSum : 0 };
});

/** Circular Gaussian fit at the detection (15x15): linear amplitude for each scale on a grid, best chi2. */
const gaussFit = group(['AMP', 'GAUSS', 'GFLUX', 'SCALE'], ({ D, sigD, bgD, cx, cy }) => {
  let best = { chi2: Infinity, amp: 0, scale: 0 };
  for (let s = 0.5; s <= 5.01; s += 0.25) {
    let sgd = 0;
    let sgg = 0;
    let sdd = 0;
    let np = 0;
    forWindow(D, cx, cy, 7, bgD, (x, y, v) => {
      const g = Math.exp(-(x * x + y * y) / (2 * s * s));
      sgd += g * v;
      sgg += g * g;
      sdd += v * v;
      np++;
    });
    const amp = sgd / sgg;
    const chi2 = (sdd - amp * sgd) / (sigD * sigD * Math.max(np - 2, 1));
    if (chi2 < best.chi2) best = { chi2, amp, scale: s };
  }
  return {
    AMP: best.amp / sigD,
    GAUSS: best.chi2,
    GFLUX: 2 * Math.PI * best.scale * best.scale * best.amp,
    SCALE: best.scale,
  };
});

/**
 * SPREAD_MODEL (SExtractor's, with a Gaussian PSF): compares the PSF with the PSF convolved by an
 * exponential of scale FWHM/16; < 0 for sources sharper than the PSF (cosmic rays), > 0 extended.
 */
const spreadModel = group(['SPREAD_MODEL', 'SPREADERR_MODEL'], ({ D, sigD, bgD, cx, cy, fwhm, psfSigma }) => {
  let spread = Number.NaN;
  let spreadErr = Number.NaN;
  const sG2 = psfSigma * psfSigma + 3 * (fwhm / 16) ** 2;
  let gx = 0;
  let px_ = 0;
  let gp = 0;
  let pp = 0;
  let gg = 0;
  forWindow(D, cx, cy, 7, bgD, (x, y, v) => {
    const r2 = x * x + y * y;
    const p = Math.exp(-r2 / (2 * psfSigma * psfSigma)) / (2 * Math.PI * psfSigma * psfSigma);
    const g = Math.exp(-r2 / (2 * sG2)) / (2 * Math.PI * sG2);
    gx += g * v;
    px_ += p * v;
    gp += g * p;
    pp += p * p;
    gg += g * g;
  });
  if (px_ !== 0) {
    spread = gx / px_ - gp / pp;
    const e2 = sigD * sigD * (gg * px_ * px_ + pp * gx * gx - 2 * gp * gx * px_);
    spreadErr = Math.sqrt(Math.max(e2, 0)) / (px_ * px_);
  }
  return { SPREAD_MODEL: spread, SPREADERR_MODEL: spreadErr };
});

/**
 * LACOSMIC-like sharpness: discrete Laplacian over the local value at the brightest central pixel,
 * significant only if that pixel is > 3 sigma (cosmic rays ~2-4, PSF-sized sources ~0.3-0.6).
 */
const lacosmic = group(['LACOSMIC'], ({ D, sigD, bgD, cx, cy }) => {
  let lacos = 0;
  let bx = cx;
  let by = cy;
  let bv = -Infinity;
  for (let y = cy - 2; y <= cy + 2; y++)
    for (let x = cx - 2; x <= cx + 2; x++) {
      const v = px(D, x, y, bgD);
      if (v > bv) {
        bv = v;
        bx = x;
        by = y;
      }
    }
  if (bv > 3 * sigD) {
    let nb = 0;
    let ns = 0;
    for (const [dx, dy] of [
      [1, 0],
      [-1, 0],
      [0, 1],
      [0, -1],
    ]) {
      const v = px(D, bx + dx, by + dy, bgD);
      if (!Number.isNaN(v)) {
        nb += v;
        ns++;
      }
    }
    if (ns > 0) lacos = (bv - nb / ns) / bv;
  }
  return { LACOSMIC: lacos };
});

/** Nearest template source (local maximum of the 3x3-smoothed template above 5 sigma), in FWHM units. */
const neighbour = group(['NN_DIST_RENORM'], ({ T, st, w, h, cx, cy, fwhm }) => {
  if (!T) return { NN_DIST_RENORM: Number.NaN };
  let bestD = Infinity;
  const thr = 5 * st.sigma * 3; // 3x3 box sum of independent pixels: sigma * 3
  const sm = new Float32Array(w * h).fill(-Infinity);
  for (let y = 1; y < h - 1; y++)
    for (let x = 1; x < w - 1; x++) sm[y * w + x] = boxSum(T, x, y, 1, st.median);
  for (let y = 2; y < h - 2; y++)
    for (let x = 2; x < w - 2; x++) {
      const v = sm[y * w + x];
      if (v < thr) continue;
      let isMax = true;
      for (let dy = -1; dy <= 1 && isMax; dy++)
        for (let dx = -1; dx <= 1; dx++)
          if ((dx || dy) && sm[(y + dy) * w + x + dx] > v) {
            isMax = false;
            break;
          }
      if (!isMax) continue;
      const dd = Math.hypot(x - cx, y - cy);
      if (dd < bestD) bestD = dd;
    }
  return { NN_DIST_RENORM: (Number.isFinite(bestD) ? bestD : Math.hypot(w, h) / 2) / fwhm };
});

/** Column medians of the difference (bad columns), in noise units: the highest. */
const columns = group(['COLMEDS'], ({ D, w, h, sigD, bgD }) => {
  let colmeds = -Infinity;
  const col = new Float32Array(h);
  for (let x = 0; x < w; x++) {
    let n = 0;
    for (let y = 0; y < h; y++) if (D.mask[y * w + x]) col[n++] = D.data[y * w + x] - bgD;
    if (n < 5) continue;
    const m = medianInPlace(col.subarray(0, n));
    if (m > colmeds) colmeds = m;
  }
  return { COLMEDS: Number.isFinite(colmeds) ? colmeds / sigD : 0 };
});

/**
 * Masked fraction, distance to the nearest masked pixel (the CCD edge in a truncated stamp) and
 * SExtractor-like FLAGS: 1 = masked pixels in the aperture area, 4 = saturated search pixels near
 * the candidate, 8 = truncated (stamp cut by the CCD edge within 10 px).
 */
const edges = group(
  ['MASKFRAC', 'MIN_DISTANCE_TO_EDGE_IN_NEW', 'FLAGS'],
  ({ D, S, T, meta, w, h, cx, cy }) => {
    let masked = 0;
    let nearestMasked = Infinity;
    for (const img of [S, D, ...(T ? [T] : [])])
      for (let y = 0; y < img.height; y++)
        for (let x = 0; x < img.width; x++)
          if (!img.mask[y * img.width + x]) {
            if (img === D) masked++;
            const dd = Math.hypot(x - cx, y - cy);
            if (dd < nearestMasked) nearestMasked = dd;
          }
    const minEdge = Math.min(nearestMasked, meta.distanceToEdge ?? Infinity);
    let flags = 0;
    if (nearestMasked <= APER_R + 2) flags |= 1;
    if (meta.saturate !== undefined) {
      let sat = false;
      for (let y = cy - 5; y <= cy + 5 && !sat; y++)
        for (let x = cx - 5; x <= cx + 5; x++) if (px(S, x, y) >= meta.saturate) sat = true;
      if (sat) flags |= 4;
    }
    if (nearestMasked <= 10) flags |= 8;
    return {
      MASKFRAC: masked / (w * h),
      MIN_DISTANCE_TO_EDGE_IN_NEW: Number.isFinite(minEdge)
        ? minEdge
        : Math.min(cx, cy, w - 1 - cx, h - 1 - cy),
      FLAGS: flags,
    };
  },
);

/** What the pixels cannot say: from the metadata, NaN when absent. */
const metadata = group(['BAND', 'CCDID'], ({ meta }) => ({
  BAND: meta.band !== undefined ? (BAND_CODES[meta.band] ?? Number.NaN) : Number.NaN,
  CCDID: meta.ccdid ?? Number.NaN,
}));

/** Every feature group; together they give each of AUTOSCAN_FEATURES exactly once. */
export const FEATURE_GROUPS: readonly FeatureGroup[] = [
  photometry,
  shape,
  negatives,
  sums,
  gaussFit,
  spreadModel,
  lacosmic,
  neighbour,
  columns,
  edges,
  metadata,
] as FeatureGroup[];

/** The autoscan feature vector of a triplet (see the header and each group). */
export function computeFeatures(
  triplet: StampTriplet,
  meta: FeatureMeta = {},
): Record<AutoscanFeature, number> {
  const d = detect(triplet, meta);
  const out = {} as Record<AutoscanFeature, number>;
  for (const g of FEATURE_GROUPS) Object.assign(out, g.compute(d));
  return out;
}
