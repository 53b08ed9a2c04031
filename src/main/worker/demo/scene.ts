/**
 * One simulated candidate: the physics of a DES-like search / template / difference triplet.
 *
 * Units: ADU on images scaled to MAGZP ~31.5 (90 s DES-like exposures; GAIN is the effective gain of
 * the scaled image, ~1 e-/ADU). Sky per band from DES-like sky brightness at 0.263"/px; Poisson noise
 * (normal approximation above 30 e-) plus read noise. The template is a co-add of N exposures (deeper,
 * usually better seeing). The difference is search - template (x) Gaussian matching kernel with
 * sigma_k = sqrt(s_search^2 - s_template^2) when the search seeing is worse; otherwise the search is
 * convolved instead (as hotpants would), both sky-subtracted. Stars are Moffat; galaxies are Sersic
 * profiles convolved with a Gaussian of the image's FWHM, so static stars leave small PSF-shape
 * residuals and galaxies subtract to noise unless the kernel or registration is wrong.
 *
 * DIFFICULTY d in [0, 1] (default 0.5):
 *  - real SN magnitudes: m = 18 + (m_lim + 0.3 - 18) * f, f = 1 - (1 - u)^(1 + 3d): at d = 0 uniform
 *    from 18 to the 5-sigma limit, at d = 1 piled up at the limit (many faint, hard reals);
 *  - artifacts get more SN-like: dipole misregistration 0.2-1 px shrinks toward 0.1-0.4 px and the
 *    stars/galaxy cores behind them get fainter; PSF-mismatch errors shrink; cosmic rays get fainter
 *    and slightly wider (closer to a PSF); noise peaks rise from ~3 to ~5 sigma; variable stars have
 *    fainter template counterparts; hot pixels get smeared; trails get fainter.
 */
import { Rng } from '../../util/prng';
import { addMoffat, addSersic, addTrail, convolveGaussian, type Grid } from './render';

export const STAMP = 51;
const PAD = 12;
const G = STAMP + 2 * PAD;
const GRID: Grid = { size: G, pad: PAD };
export const PIXSCALE = 0.263;

const BANDS = ['g', 'r', 'i', 'z'] as const;
/** Dark-sky surface brightness, mag/arcsec^2 (DES-like). */
const SKY_SB: Record<string, number> = { g: 22.1, r: 21.1, i: 20.4, z: 19.6 };
/** DES SN fields (deg). */
const FIELDS: [number, number][] = [
  [52.65, -28.1],
  [36.45, -4.6],
  [9.5, -43.98],
  [42.82, 0.0],
  [34.47, -5.23],
  [54.27, -27.11],
];

export interface SimCandidate {
  id: number;
  kind: SimKind;
  real: boolean;
  band: string;
  search: Float32Array;
  template: Float32Array;
  difference: Float32Array;
  /** 1 = valid; shared by the three images (edge truncation masks all three). */
  mask: Uint8Array;
  meta: {
    ra: number;
    dec: number;
    mjdSearch: number;
    mjdTemplate: number;
    magzp: number;
    gain: number;
    rdnoise: number;
    exptime: number;
    nTemplate: number;
    fwhmSearch: number;
    fwhmTemplate: number;
    skySearch: number;
    skyTemplate: number;
    saturate: number;
    ccdid: number;
    distanceToEdge: number;
    /** Simulation truth: magnitude of the transient (reals, variable-star change), else NaN. */
    truthMag: number;
    limitMag: number;
  };
}

/** Reused per-worker scratch buffers. */
class Buffers {
  sStat = new Float64Array(G * G);
  tStat = new Float64Array(G * G);
  sGal = new Float64Array(G * G);
  tGal = new Float64Array(G * G);
  sExtra = new Float64Array(G * G);
  tmp = new Float64Array(G * G);
  tmp2 = new Float64Array(G * G);
  sImg = new Float64Array(G * G);
  tImg = new Float64Array(G * G);
  reset(): void {
    this.sStat.fill(0);
    this.tStat.fill(0);
    this.sGal.fill(0);
    this.tGal.fill(0);
    this.sExtra.fill(0);
  }
}
const B = new Buffers();

interface Src {
  type: 'star' | 'gal';
  x: number;
  y: number;
  mag: number;
  /** Search-epoch magnitude when it differs (variables). */
  magSearch?: number;
  n?: number;
  re?: number;
  q?: number;
  theta?: number;
}

function fluxOf(mag: number, zp: number): number {
  return Math.pow(10, 0.4 * (zp - mag));
}

/** The scene as a kind's `place` sees it: the drawn conditions, and what the kind may change. */
interface KindScene {
  rng: Rng;
  /** Difficulty, 0..1. */
  d: number;
  /** Candidate position in stamp pixels. */
  cx: number;
  cy: number;
  zp: number;
  sigSky: number;
  sigDiff: number;
  /** Search PSF: Gaussian sigma, FWHM (px), Moffat beta. */
  sgS: number;
  fwhmS: number;
  betaS: number;
  floor: number;
  limitMag: number;
  /** Static sources, rendered in both epochs (template shifted by shiftX/Y). */
  srcs: Src[];
  /** Search-only additions, before noise. */
  extras: ((buf: Float64Array) => void)[];
  /** Search-only detector defects, after noise. */
  postS: ((img: Float64Array) => void)[];
  shiftX: number;
  shiftY: number;
  /** Factor on the matching kernel's width (1 = right kernel). */
  kernelErr: number;
  /** A band of masked pixels along one stamp side (0 left, 1 right, 2 top, 3 bottom). */
  maskBand: null | { side: number; width: number };
  /** Simulation truth: magnitude of the transient, else NaN. */
  truthMag: number;
}

interface KindEntry {
  /** A real transient (OBJECT_TYPE 0) or an artifact. */
  real: boolean;
  /** Default weight among the kinds of its class (reals or artifacts), unnormalised. */
  weight: number;
  /**
   * Adds the kind to the scene. Draws from `s.rng` in a fixed order: changing the order changes
   * every demo night of a given seed.
   */
  place(s: KindScene): void;
}

/** A point source at the candidate position in the search image only. */
function addSn(s: KindScene, mag: number): void {
  s.truthMag = mag;
  s.extras.push((buf) => addMoffat(buf, GRID, s.cx, s.cy, fluxOf(mag, s.zp), s.fwhmS, s.betaS, s.floor));
}

/** A real SN magnitude: see the header (DIFFICULTY). */
function snMag(s: KindScene): number {
  const f = 1 - Math.pow(1 - s.rng.next(), 1 + 3 * s.d);
  return 18 + (s.limitMag + 0.3 - 18) * f;
}

/**
 * Every candidate kind, reals first; the key order is the draw order of the generator (changing it
 * changes every night of a given seed).
 */
const KINDS = {
  'sn-on-host': {
    real: true,
    weight: 0.8,
    place(s) {
      const g = randomGalaxy(s.rng, 0, 0, 18.5, 23);
      // Host offset: exponential in units of the half-light radius (a few nuclear).
      const off = s.rng.exponential(0.9) * g.re!;
      const ang = s.rng.uniform(0, 2 * Math.PI);
      g.x = s.cx - off * Math.cos(ang);
      g.y = s.cy - off * Math.sin(ang);
      s.srcs.push(g);
      addSn(s, snMag(s));
    },
  },
  'sn-hostless': {
    real: true,
    weight: 0.2,
    place(s) {
      addSn(s, snMag(s));
    },
  },
  dipole: {
    real: false,
    weight: 0.2,
    place(s) {
      const { rng, d, cx, cy } = s;
      // Misregistered bright star or galaxy core at the centre.
      const amp = rng.uniform(0.2, 1) * (1 - 0.6 * d);
      const a = rng.uniform(0, 2 * Math.PI);
      s.shiftX = amp * Math.cos(a);
      s.shiftY = amp * Math.sin(a);
      if (rng.chance(0.55)) s.srcs.push({ type: 'star', x: cx, y: cy, mag: rng.uniform(16.5, 20 + 1.5 * d) });
      else {
        const g = randomGalaxy(rng, cx, cy, 16.5, 19.5 + 1.5 * d);
        g.re = rng.uniform(0.8, 3);
        g.n = rng.uniform(2, 4);
        s.srcs.push(g);
      }
    },
  },
  'psf-mismatch': {
    real: false,
    weight: 0.1,
    place(s) {
      const { rng, d, cx, cy } = s;
      // Wrong matching kernel on a bright star / compact core: rings or a doughnut.
      s.kernelErr = rng.chance(0.5) ? rng.uniform(0.5, 0.85 + 0.1 * d) : rng.uniform(1.15 - 0.1 * d, 1.6);
      if (rng.chance(0.65)) s.srcs.push({ type: 'star', x: cx, y: cy, mag: rng.uniform(16, 19.5 + d) });
      else {
        const g = randomGalaxy(rng, cx, cy, 16.5, 19 + d);
        g.re = rng.uniform(0.6, 2);
        s.srcs.push(g);
      }
    },
  },
  'cosmic-ray': {
    real: false,
    weight: 0.14,
    place(s) {
      const { rng, d, cx, cy } = s;
      // Sharp, search only, narrower than the PSF; sometimes a track.
      const amp = s.sigSky * rng.uniform(6, 60) * (1 - 0.7 * d);
      const width = rng.uniform(0.3, 0.5 + 0.4 * d);
      if (rng.chance(0.55)) {
        const np = rng.int(1, 3);
        for (let i = 0; i < np; i++) {
          const x = cx + rng.uniform(-0.8, 0.8);
          const y = cy + rng.uniform(-0.8, 0.8);
          const f = amp * rng.uniform(0.4, 1.2) * 2 * Math.PI * width * width;
          s.extras.push((buf) => addGaussianBlob(buf, x, y, f, width));
        }
      } else {
        const len = rng.uniform(2, 10);
        const th = rng.uniform(0, Math.PI);
        s.postS.push((img) =>
          addTrail(img, GRID, cx, cy, th, width, amp * Math.sqrt(2 * Math.PI) * width, len),
        );
      }
    },
  },
  'hot-pixel': {
    real: false,
    weight: 0.05,
    place(s) {
      const { rng, d, cx, cy } = s;
      const amp = s.sigSky * rng.uniform(8, 200) * (1 - 0.6 * d);
      const ix = Math.round(cx) + PAD;
      const iy = Math.round(cy) + PAD;
      const smear = rng.chance(0.3 + 0.4 * d);
      s.postS.push((img) => {
        img[iy * G + ix] += amp;
        if (smear) {
          img[iy * G + ix + 1] += amp * 0.25;
          img[(iy + 1) * G + ix] += amp * 0.15;
        }
      });
    },
  },
  'bad-column': {
    real: false,
    weight: 0.04,
    place(s) {
      const { rng, d, cx, cy } = s;
      const amp = s.sigSky * rng.uniform(2, 12) * (1 - 0.5 * d);
      const ix = Math.round(cx) + rng.int(-1, 1) + PAD;
      const partial = rng.chance(0.4);
      const y0 = partial ? rng.int(0, Math.round(cy)) + PAD : 0;
      const hot = rng.chance(0.5) ? amp * rng.uniform(2, 6) : 0;
      s.postS.push((img) => {
        for (let y = y0; y < G; y++) img[y * G + ix] += amp;
        img[(Math.round(cy) + PAD) * G + ix] += hot;
      });
    },
  },
  trail: {
    real: false,
    weight: 0.06,
    place(s) {
      const { rng, d, cx, cy, sgS } = s;
      const th = rng.uniform(0, Math.PI);
      const sat = rng.chance(0.6);
      const perPx = s.sigSky * (sat ? rng.uniform(2, 40) : rng.uniform(1.5, 8)) * (1 - 0.5 * d) * s.fwhmS;
      const half = sat ? Infinity : rng.uniform(3, 15);
      const ox = cx + rng.uniform(-1, 1);
      const oy = cy + rng.uniform(-1, 1);
      // The width is drawn when the extras are rendered (after the static scene), as it always was.
      s.extras.push((buf) =>
        addTrail(buf, GRID, ox, oy, th, sgS * (sat ? rng.uniform(0.8, 1.1) : 1), perPx, half),
      );
    },
  },
  'saturation-bleed': {
    real: false,
    weight: 0.05,
    place(s) {
      const { rng, cx, cy } = s;
      const mag = rng.uniform(11.5, 15);
      s.srcs.push({ type: 'star', x: cx + rng.uniform(-2, 2), y: cy + rng.uniform(-3, 3), mag });
    },
  },
  'ccd-edge': {
    real: false,
    weight: 0.06,
    place(s) {
      const { rng, cx, cy, sgS } = s;
      s.maskBand = { side: rng.int(0, 3), width: rng.int(3, 22) };
      // Something at the centre: a faint residual or a noise peak next to the edge.
      const sub = rng.chance(0.5);
      if (sub) {
        const a = rng.uniform(0.2, 0.8);
        s.shiftX = a * rng.normal();
        s.shiftY = a * rng.normal();
        s.srcs.push({ type: 'star', x: cx, y: cy, mag: rng.uniform(17, 20.5) });
      } else {
        const f = s.sigDiff * rng.uniform(3, 6) * Math.sqrt(4 * Math.PI) * sgS;
        // The FWHM factor is drawn when the extras are rendered, as it always was.
        s.extras.push((buf) =>
          addMoffat(buf, GRID, cx, cy, f, s.fwhmS * rng.uniform(0.6, 1), s.betaS, s.floor),
        );
      }
    },
  },
  noise: {
    real: false,
    weight: 0.16,
    place(s) {
      const { rng, d, cx, cy, sgS } = s;
      // Noise peaks at ~3-5 sigma: irregular, sub-PSF clumps of correlated noise.
      const snr = rng.uniform(2.5, 3.8) + 1.2 * d;
      const total = snr * s.sigDiff * Math.sqrt(4 * Math.PI) * sgS;
      const nb = rng.int(2, 4);
      for (let i = 0; i < nb; i++) {
        const x = cx + rng.normal() * 0.9;
        const y = cy + rng.normal() * 0.9;
        const w = sgS * rng.uniform(0.45, 0.8);
        const f = (total / nb) * rng.uniform(0.5, 1.5);
        s.extras.push((buf) => addGaussianBlob(buf, x, y, f, w));
      }
    },
  },
  'variable-star': {
    real: false,
    weight: 0.14,
    place(s) {
      const { rng, d, cx, cy, zp } = s;
      const mag = rng.uniform(17, 21.5 + 1.5 * d);
      const dm = rng.uniform(0.1, 1.2);
      s.srcs.push({ type: 'star', x: cx, y: cy, mag, magSearch: mag - dm });
      s.truthMag = zp - 2.5 * Math.log10(fluxOf(mag - dm, zp) - fluxOf(mag, zp));
    },
  },
} as const satisfies Record<string, KindEntry>;

export type SimKind = keyof typeof KINDS;
export type RealKind = { [K in SimKind]: (typeof KINDS)[K]['real'] extends true ? K : never }[SimKind];
export type ArtifactKind = Exclude<SimKind, RealKind>;

const ALL_KINDS = Object.keys(KINDS) as SimKind[];
export const REAL_KINDS: readonly RealKind[] = ALL_KINDS.filter((k): k is RealKind => KINDS[k].real);
export const ARTIFACT_KINDS: readonly ArtifactKind[] = ALL_KINDS.filter(
  (k): k is ArtifactKind => !KINDS[k].real,
);

function weightsOf<K extends SimKind>(kinds: readonly K[]): Record<K, number> {
  return Object.fromEntries(kinds.map((k) => [k, KINDS[k].weight])) as Record<K, number>;
}
export const DEFAULT_ARTIFACT_WEIGHTS: Record<ArtifactKind, number> = weightsOf(ARTIFACT_KINDS);
export const DEFAULT_REAL_WEIGHTS: Record<RealKind, number> = weightsOf(REAL_KINDS);

export function simulateCandidate(
  seed: number,
  id: number,
  real: boolean,
  kind: SimKind,
  difficulty: number,
): SimCandidate {
  const rng = new Rng(seed, id, 0x5eed);
  const d = difficulty;
  B.reset();
  const band = rng.pick(BANDS);
  const zp = 31.5 + rng.normal() * 0.08;
  const gain = rng.uniform(0.9, 1.15);
  const rdnoise = rng.uniform(5, 8); // e-
  const nT = rng.int(4, 10);
  const skySb = SKY_SB[band] + rng.uniform(-0.6, 0.25);
  const skySearch = fluxOf(skySb - 5 * Math.log10(PIXSCALE), zp);
  const skyTemplate = skySearch * rng.uniform(0.85, 1.1);
  // Seeing (px): search 0.85-1.7", template usually better (co-add of good-seeing epochs).
  const fwhmS = Math.exp(rng.uniform(Math.log(0.85), Math.log(1.7))) / PIXSCALE;
  const fwhmT = rng.chance(0.78) ? fwhmS * rng.uniform(0.7, 0.97) : fwhmS * rng.uniform(1.0, 1.2);
  const betaS = rng.uniform(2.5, 4);
  const betaT = betaS + rng.normal() * 0.15;
  const saturate = rng.uniform(40000, 60000);
  const sgS = fwhmS / 2.355;
  const sgT = fwhmT / 2.355;
  const sigSky = Math.sqrt(skySearch / gain + (rdnoise / gain) ** 2);
  const sigSkyT = Math.sqrt(skyTemplate / gain + (rdnoise / gain) ** 2) / Math.sqrt(nT);
  const sigDiff = Math.sqrt(sigSky ** 2 + sigSkyT ** 2);
  const limitMag = zp - 2.5 * Math.log10(5 * sigDiff * Math.sqrt(4 * Math.PI) * Math.max(sgS, sgT));
  const floor = 0.05 * sigSkyT;

  // Registration and kernel errors every real subtraction has (small), enlarged by some artifacts.
  let shiftX = rng.normal() * 0.03;
  let shiftY = rng.normal() * 0.03;
  let kernelErr = 1 + rng.normal() * 0.03;
  const cx = (STAMP - 1) / 2 + rng.uniform(-0.5, 0.5);
  const cy = (STAMP - 1) / 2 + rng.uniform(-0.5, 0.5);

  const srcs: Src[] = [];
  // Field: galaxies and a few stars anywhere in the stamp.
  const nGal = rng.poisson(1.3);
  for (let i = 0; i < nGal; i++)
    srcs.push(randomGalaxy(rng, rng.uniform(-6, STAMP + 6), rng.uniform(-6, STAMP + 6), 19.5, 24.5));
  const nStar = rng.poisson(0.3);
  for (let i = 0; i < nStar; i++)
    srcs.push({
      type: 'star',
      x: rng.uniform(-4, STAMP + 4),
      y: rng.uniform(-4, STAMP + 4),
      mag: rng.uniform(17.5, 24),
    });

  const scene: KindScene = {
    rng,
    d,
    cx,
    cy,
    zp,
    sigSky,
    sigDiff,
    sgS,
    fwhmS,
    betaS,
    floor,
    limitMag,
    srcs,
    extras: [],
    postS: [],
    shiftX,
    shiftY,
    kernelErr,
    maskBand: null,
    truthMag: Number.NaN,
  };
  KINDS[kind].place(scene);
  ({ shiftX, shiftY, kernelErr } = scene);
  const { extras, postS, truthMag } = scene;

  // Render static scene: search at the true positions, template shifted by the misregistration.
  for (const s of srcs) {
    if (s.type === 'star') {
      addMoffat(B.sStat, GRID, s.x, s.y, fluxOf(s.magSearch ?? s.mag, zp), fwhmS, betaS, floor);
      addMoffat(B.tStat, GRID, s.x + shiftX, s.y + shiftY, fluxOf(s.mag, zp), fwhmT, betaT, floor);
    } else {
      const f = fluxOf(s.mag, zp);
      addSersic(B.sGal, GRID, s.x, s.y, f, s.n!, s.re!, s.q!, s.theta!);
      addSersic(B.tGal, GRID, s.x + shiftX, s.y + shiftY, f, s.n!, s.re!, s.q!, s.theta!);
    }
  }
  for (const e of extras) e(B.sExtra);
  // Search image signal = stars + galaxies (x) PSF + extras; template likewise with its PSF.
  convolveGaussian(B.sGal, B.tmp2, B.tmp, G, sgS);
  const sSig = B.sImg;
  for (let i = 0; i < G * G; i++) sSig[i] = B.sStat[i] + B.tmp2[i] + B.sExtra[i];
  convolveGaussian(B.tGal, B.tmp2, B.tmp, G, sgT);
  const tSig = B.tImg;
  for (let i = 0; i < G * G; i++) tSig[i] = B.tStat[i] + B.tmp2[i];

  // Noise (sky + Poisson + read noise), in place; keep the noisy sky-subtracted images.
  for (let i = 0; i < G * G; i++) {
    const cS = sSig[i] + skySearch;
    sSig[i] = noisy(rng, cS, gain, rdnoise, 1) - skySearch;
    const cT = tSig[i] + skyTemplate;
    tSig[i] = noisy(rng, cT, gain, rdnoise, nT) - skyTemplate;
  }
  for (const p of postS) p(sSig);
  // Extra cosmic rays elsewhere in either image (realism; not the candidate).
  const nCr = rng.poisson(0.25);
  for (let i = 0; i < nCr; i++) {
    const x = rng.int(0, G - 1);
    const y = rng.int(0, G - 1);
    const a = sigSky * rng.uniform(5, 50);
    (rng.chance(0.8) ? sSig : tSig)[y * G + x] += a;
  }
  // Saturation: clip; the search image bleeds the excess charge along its columns.
  bleed(sSig, saturate - skySearch, true);
  bleed(tSig, saturate * 1.5 - skyTemplate, false);

  const dflt = subtract(sSig, tSig, sgS, sgT, kernelErr);

  const search = new Float32Array(STAMP * STAMP);
  const template = new Float32Array(STAMP * STAMP);
  const difference = new Float32Array(STAMP * STAMP);
  const mask = new Uint8Array(STAMP * STAMP).fill(1);
  for (let y = 0; y < STAMP; y++)
    for (let x = 0; x < STAMP; x++) {
      const j = (y + PAD) * G + x + PAD;
      const i = y * STAMP + x;
      search[i] = sSig[j] + skySearch;
      template[i] = tSig[j] + skyTemplate;
      difference[i] = dflt[j];
    }
  let distanceToEdge = rng.uniform(30, 1000);
  if (scene.maskBand) {
    maskBand(scene.maskBand, [search, template, difference], mask);
    distanceToEdge = (STAMP - 1) / 2 - scene.maskBand.width + 1;
  }
  const field = rng.pick(FIELDS);
  const dec = field[1] + rng.uniform(-1.1, 1.1);
  const ra = (field[0] + rng.uniform(-1.1, 1.1) / Math.cos((dec * Math.PI) / 180) + 360) % 360;
  const mjdSearch = 56534 + (seed % 1500) + rng.uniform(0.0, 0.35);
  return {
    id,
    kind,
    real,
    band,
    search,
    template,
    difference,
    mask,
    meta: {
      ra,
      dec,
      mjdSearch,
      mjdTemplate: 56200 + rng.uniform(0, 200),
      magzp: zp,
      gain,
      rdnoise,
      exptime: 90,
      nTemplate: nT,
      fwhmSearch: fwhmS,
      fwhmTemplate: fwhmT,
      skySearch,
      skyTemplate,
      saturate,
      ccdid: rng.int(1, 62),
      distanceToEdge,
      truthMag,
      limitMag,
    },
  };
}

/** Difference image: the better-seeing image convolved to the worse one (with the kernel error), subtracted. */
function subtract(
  sSig: Float64Array,
  tSig: Float64Array,
  sgS: number,
  sgT: number,
  kernelErr: number,
): Float64Array {
  const dst = B.tmp2;
  const dflt = new Float64Array(G * G);
  if (sgS >= sgT) {
    const diffK = Math.sqrt(Math.max(sgS * sgS - sgT * sgT, 0)) * kernelErr;
    convolveGaussian(tSig, dst, B.tmp, G, diffK);
    for (let i = 0; i < G * G; i++) dflt[i] = sSig[i] - dst[i];
  } else {
    const diffK = Math.sqrt(Math.max(sgT * sgT - sgS * sgS, 0)) * kernelErr;
    convolveGaussian(sSig, dst, B.tmp, G, diffK);
    for (let i = 0; i < G * G; i++) dflt[i] = dst[i] - tSig[i];
  }
  return dflt;
}

/** The CCD edge: a band of pixels along one side, masked and NaN in all three images. */
function maskBand(mb: { side: number; width: number }, images: Float32Array[], mask: Uint8Array): void {
  for (let y = 0; y < STAMP; y++)
    for (let x = 0; x < STAMP; x++) {
      const inBand =
        mb.side === 0
          ? x < mb.width
          : mb.side === 1
            ? x >= STAMP - mb.width
            : mb.side === 2
              ? y < mb.width
              : y >= STAMP - mb.width;
      if (inBand) {
        const i = y * STAMP + x;
        mask[i] = 0;
        for (const img of images) img[i] = Number.NaN;
      }
    }
}

function randomGalaxy(rng: Rng, x: number, y: number, magLo: number, magHi: number): Src {
  const mag = rng.uniform(magLo, magHi);
  // Brighter galaxies are bigger: re ~ 0.4-3" at 19 mag, smaller when faint.
  const re =
    (Math.exp(rng.uniform(Math.log(0.35), Math.log(2.6))) * Math.pow(10, -0.12 * (mag - 20))) / PIXSCALE;
  return {
    type: 'gal',
    x,
    y,
    mag,
    n: Math.exp(rng.uniform(Math.log(0.5), Math.log(4))),
    re: Math.max(0.6, re),
    q: rng.uniform(0.3, 1),
    theta: rng.uniform(0, Math.PI),
  };
}

function addGaussianBlob(buf: Float64Array, x: number, y: number, flux: number, sigma: number): void {
  const bx = x + PAD;
  const by = y + PAD;
  const r = Math.ceil(4 * sigma + 1);
  const norm = flux / (2 * Math.PI * sigma * sigma);
  for (let py = Math.max(0, Math.floor(by - r)); py <= Math.min(G - 1, Math.ceil(by + r)); py++)
    for (let px = Math.max(0, Math.floor(bx - r)); px <= Math.min(G - 1, Math.ceil(bx + r)); px++) {
      // Pixel-integrated on a 3x3 sub-grid (sharp blobs stay sharp but keep their flux).
      let v = 0;
      for (let sy = -1; sy <= 1; sy++)
        for (let sx = -1; sx <= 1; sx++) {
          const dx = px + sx / 3 - bx;
          const dy = py + sy / 3 - by;
          v += Math.exp(-(dx * dx + dy * dy) / (2 * sigma * sigma));
        }
      buf[py * G + px] += (norm * v) / 9;
    }
}

function noisy(rng: Rng, counts: number, gain: number, rdnoise: number, nExp: number): number {
  const c = Math.max(counts, 0);
  const e = c * gain * nExp;
  const rn2 = (rdnoise * rdnoise * nExp) / (gain * gain * nExp * nExp);
  // Poisson below 30 e-; above, one normal draw with the Poisson + read-noise variance.
  if (e < 30) return rng.poisson(e) / (gain * nExp) + Math.sqrt(rn2) * rng.normal();
  return c + Math.sqrt(e / (gain * nExp) ** 2 + rn2) * rng.normal();
}

/** Clip at `level`; with `trail`, the excess charge runs up and down the column. */
function bleed(img: Float64Array, level: number, trail: boolean): void {
  for (let x = 0; x < G; x++) {
    let excess = 0;
    let top = -1;
    let bottom = G;
    for (let y = 0; y < G; y++) {
      const i = y * G + x;
      if (img[i] > level) {
        excess += img[i] - level;
        img[i] = level;
        if (top < 0) top = y;
        bottom = y;
      }
    }
    if (!trail || excess <= 0) continue;
    let up = top - 1;
    let down = bottom + 1;
    let turn = 0;
    while (excess > 0 && (up >= 0 || down < G)) {
      const y = turn++ % 2 === 0 ? (up >= 0 ? up-- : down++) : down < G ? down++ : up--;
      if (y < 0 || y >= G) continue;
      const i = y * G + x;
      const room = Math.max(level - img[i], 0);
      const put = Math.min(room, excess);
      img[i] += put;
      excess -= put;
    }
  }
}
