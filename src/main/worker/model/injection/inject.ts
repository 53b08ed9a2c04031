/**
 * Training examples that look like the sky: fake point sources injected into real search images
 * and their differences (over real templates and real noise), and artifacts simulated over the
 * same real backgrounds, next to real artifacts. As DES autoscan learnt its real class from fakes
 * injected into real images; see ../../../../README.md and resources/models/default/TRAINED_BY.md.
 *
 * Both classes are drawn from the same backgrounds with the same crops, shifts, masks and missing
 * templates, so that nothing but the candidate at the centre tells them apart: a model that can
 * tell "real texture" from "simulated texture" would otherwise learn that instead (see RESEARCH.md).
 */
import type { StampImage, StampTriplet } from '../../../../shared/stamp';
import { seededRandom } from '../training/split';
import { gaussianDraw } from '../../../util/prng';
import { addPsf, DEFAULT_FWHM_PX, measureFwhm, psfPeak, robustStats, type PsfShape } from './psf';
import type { RealStamp } from './realStamps';
import { cutTriplet, tripletFwhm, worseSeeing, zoomTriplet } from './transform';

export interface Background {
  id: string;
  survey: string;
  triplet: StampTriplet;
  /** Seeing of the search image and of the template (pixels), measured or the default. */
  fwhmSearch: number;
  fwhmTemplate: number;
}

export function prepareBackground(s: Pick<RealStamp, 'id' | 'survey' | 'triplet'>): Background {
  const ft = measureFwhm(s.triplet.template);
  const fs = measureFwhm(s.triplet.search);
  return {
    id: s.id,
    survey: s.survey,
    triplet: s.triplet,
    fwhmSearch: fs ?? ft ?? DEFAULT_FWHM_PX,
    fwhmTemplate: ft ?? fs ?? DEFAULT_FWHM_PX,
  };
}

export const REAL_KINDS = ['rising', 'rising-on-galaxy', 'fading', 'variable', 'labelled-real'] as const;
export const BOGUS_KINDS = [
  'real-artifact',
  'dipole',
  'psf-mismatch',
  'cosmic-ray',
  'hot-pixel',
  'bad-column',
  'saturated-star',
  'masked',
  'empty',
] as const;
export type ExampleKind = (typeof REAL_KINDS)[number] | (typeof BOGUS_KINDS)[number] | 'simulated';

export interface Example {
  triplet: StampTriplet;
  label: 0 | 1;
  kind: ExampleKind;
  background: string;
}

export interface InjectionOptions {
  /** Largest stamp side produced (the model input); larger backgrounds are cut, with shifts. */
  size: number;
  /** Peak S/N range of injected sources in the difference image (log-uniform, faint-heavy). */
  snrMin: number;
  snrMax: number;
  /** Probability of dropping the template (surveys such as ATLAS send none). */
  missingTemplate: number;
  /** Probability of an edge or NaN mask on any example (real or bogus). */
  masked: number;
  /** Share of the real class drawn from labelled real stamps when any are given. */
  labelledRealShare: number;
  /** Share of the bogus class drawn from real artifacts (labelled bogus stamps). */
  realArtifactShare: number;
  /**
   * Probability of cutting a small stamp (smallMin-smallMax px): Rubin sends 30x30, edge cuts are
   * smaller, and the model must see padded inputs of both classes, or padding itself would become a
   * cue. Rubin's 30 px at 0.2"/px, resampled to the models' seeing (seeing.ts), cover 12-16 px.
   */
  smallStamp: number;
  smallMin: number;
  smallMax: number;
  /**
   * Probability that an example's real stamp (background or labelled) is first resampled to a finer
   * pixel scale, by a factor drawn log-uniform in [1, zoomMax]: the same sky as DECam (0.263"/px)
   * or Rubin (0.2"/px) would see it, with sources then injected at the zoomed seeing.
   */
  zoom: number;
  zoomMax: number;
  /**
   * Probability that the new exposure (search and difference) of an example's real stamp is first
   * blurred to worse seeing, by a factor drawn uniform in [1, blurMax] (see worseSeeing).
   */
  blur: number;
  blurMax: number;
}

export const DEFAULT_INJECTION: InjectionOptions = {
  size: 51,
  snrMin: 3,
  snrMax: 150,
  missingTemplate: 0.08,
  masked: 0.08,
  labelledRealShare: 0.2,
  realArtifactShare: 0.35,
  smallStamp: 0.1,
  smallMin: 30,
  smallMax: 45,
  zoom: 0,
  zoomMax: 2.2,
  blur: 0,
  blurMax: 1.6,
};

type Rng = () => number;
const uniform = (r: Rng, a: number, b: number) => a + (b - a) * r();
/** Log-uniform with extra weight at the faint end (most real candidates are 3-6 sigma). */
const faintHeavy = (r: Rng, a: number, b: number) => a * (b / a) ** (r() ** 1.6);
function pick<T>(r: Rng, items: readonly T[]): T {
  return items[Math.floor(r() * items.length)];
}

/** Largest shift the cut allows on every image of the triplet. */
function margin(t: StampTriplet, size: number): number {
  const imgs = [t.search, t.difference, ...(t.template ? [t.template] : [])];
  return Math.min(...imgs.map((i) => Math.floor((Math.min(i.width, i.height) - size) / 2)));
}

/** Random shift with |d| in [minR, maxR] (Chebyshev), within the margin. */
function shift(r: Rng, m: number, minR: number, maxR: number): [number, number] {
  const hi = Math.min(m, maxR);
  if (hi < minR || hi <= 0) return [0, 0];
  for (;;) {
    const dx = Math.round(uniform(r, -hi, hi));
    const dy = Math.round(uniform(r, -hi, hi));
    if (Math.max(Math.abs(dx), Math.abs(dy)) >= minR) return [dx, dy];
  }
}

function psfShape(r: Rng, fwhm: number): PsfShape {
  return {
    fwhm,
    beta: r() < 0.7 ? uniform(r, 2.5, 4.5) : null,
    axisRatio: uniform(r, 0.8, 1),
    angle: uniform(r, 0, Math.PI),
  };
}

function add(img: StampImage, cx: number, cy: number, flux: number, shape: PsfShape) {
  addPsf(img.data, img.width, img.height, cx, cy, flux, shape);
}

/** Gaussian noise of the image's own sigma over the pixels a source was added to (its photon noise). */
function addNoise(img: StampImage, r: Rng, sigma: number, where: (x: number, y: number) => boolean) {
  for (let y = 0; y < img.height; y++)
    for (let x = 0; x < img.width; x++)
      if (where(x, y)) img.data[y * img.width + x] += sigma * gaussianDraw(r);
}

/** An exponential-disc galaxy (host) added to search and template, never to the difference. */
function addGalaxy(t: StampTriplet, r: Rng, cx: number, cy: number, sigS: number, sigT: number) {
  const re = uniform(r, 1.5, 6);
  const q = uniform(r, 0.4, 1);
  const ang = uniform(r, 0, Math.PI);
  const peak = uniform(r, 3, 60);
  const paint = (img: StampImage | null, sig: number) => {
    if (!img) return;
    for (let y = 0; y < img.height; y++)
      for (let x = 0; x < img.width; x++) {
        const dx = x - cx;
        const dy = y - cy;
        const u = dx * Math.cos(ang) + dy * Math.sin(ang);
        const v = (-dx * Math.sin(ang) + dy * Math.cos(ang)) / q;
        img.data[y * img.width + x] += peak * sig * Math.exp(-Math.sqrt(u * u + v * v) / (re / 1.68));
      }
  };
  paint(t.search, sigS);
  paint(t.template, sigT);
}

/** An edge cut (rows or columns from one side) or a NaN blob, masked in every image. */
function applyMask(t: StampTriplet, r: Rng, keepCentre: boolean) {
  const imgs = [t.search, t.difference, ...(t.template ? [t.template] : [])];
  const w = t.difference.width;
  const h = t.difference.height;
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  let inside: (x: number, y: number) => boolean;
  if (r() < 0.6) {
    const side = Math.floor(r() * 4);
    const depth = Math.round(uniform(r, 0.1, keepCentre ? 0.4 : 0.48) * (side < 2 ? w : h));
    inside = (x, y) =>
      side === 0 ? x < depth : side === 1 ? x >= w - depth : side === 2 ? y < depth : y >= h - depth;
  } else {
    const rad = uniform(r, 2, 8);
    const bx = keepCentre ? cx + pick(r, [-1, 1]) * uniform(r, rad + 4, cx) : cx + uniform(r, -3, 3);
    const by = keepCentre ? cy + uniform(r, -cy, cy) : cy + uniform(r, -3, 3);
    inside = (x, y) => (x - bx) ** 2 + (y - by) ** 2 < rad * rad;
  }
  const onlyDiff = r() < 0.3;
  for (const img of onlyDiff ? [t.difference] : imgs)
    for (let y = 0; y < img.height; y++)
      for (let x = 0; x < img.width; x++)
        if (inside(x, y)) {
          img.data[y * img.width + x] = 0;
          img.mask[y * img.width + x] = 0;
        }
}

/**
 * Draws training examples, half real and half bogus, from real backgrounds (and, when given,
 * labelled real stamps and real artifacts). Deterministic for a seed.
 */
export class InjectionSampler {
  private readonly r: Rng;
  private readonly opts: InjectionOptions;
  /** Backgrounds with room for a >= 3 px shift (the original candidate moved off the centre). */
  private readonly roomy: Background[];

  /**
   * `simulated`: an optional second source (e.g. the demo night's simulator), drawn with
   * probability `simulatedShare` whatever the class; it answers with its own label.
   */
  constructor(
    private readonly backgrounds: readonly Background[],
    private readonly labelledReal: readonly StampTriplet[],
    private readonly realArtifacts: readonly StampTriplet[],
    seed: number,
    opts: Partial<InjectionOptions> = {},
    private readonly simulated?: { share: number; draw: () => { triplet: StampTriplet; label: 0 | 1 } },
  ) {
    if (backgrounds.length === 0) throw new Error('injection needs at least one real background stamp');
    this.opts = { ...DEFAULT_INJECTION, ...opts };
    this.r = seededRandom(seed);
    this.roomy = backgrounds.filter((b) => margin(b.triplet, this.opts.size) >= 3);
    if (this.roomy.length === 0) this.roomy = [...backgrounds];
  }

  sample(label?: 0 | 1): Example {
    const r = this.r;
    if (label === undefined && this.simulated && r() < this.simulated.share) {
      const s = this.simulated.draw();
      return { triplet: s.triplet, label: s.label, kind: 'simulated', background: 'simulated' };
    }
    const want = label ?? (r() < 0.5 ? 1 : 0);
    return want === 1 ? this.real() : this.bogus();
  }

  /**
   * A cut of a real background, its original candidate moved 3+ px off the centre (when there is
   * room), with the new source's position (near the centre) and the robust noise of each image:
   * what the real and the bogus examples both start from.
   */
  private scene() {
    const r = this.r;
    const bg = this.otherCamera(pick(r, this.roomy));
    const size = this.smallSize();
    const m = margin(bg.triplet, size);
    const [dx, dy] = shift(r, m, 3, 15);
    const t = cutTriplet(bg.triplet, size, dx, dy);
    const w = t.difference.width;
    const h = t.difference.height;
    const cx = (w - 1) / 2 + uniform(r, -0.7, 0.7);
    const cy = (h - 1) / 2 + uniform(r, -0.7, 0.7);
    const sigD = robustStats(t.difference).sigma;
    const sigS = robustStats(t.search).sigma;
    const sigT = t.template ? robustStats(t.template).sigma : sigS;
    return { bg, t, w, h, cx, cy, sigD, sigS, sigT };
  }

  /**
   * The background as another camera would see it (opts.zoom, opts.blur), its seeing scaled with
   * it so that injected sources match the new scale. No draw at all when both are 0, so that runs
   * without them repeat exactly for a seed.
   */
  private otherCamera(bg: Background): Background {
    const r = this.r;
    const o = this.opts;
    let out = bg;
    if (o.zoom > 0 && r() < o.zoom) {
      const z = Math.max(1, o.zoomMax) ** r();
      out = {
        ...out,
        triplet: zoomTriplet(out.triplet, z),
        fwhmSearch: out.fwhmSearch * z,
        fwhmTemplate: out.fwhmTemplate * z,
      };
    }
    if (o.blur > 0 && r() < o.blur) {
      const g = uniform(r, 1, Math.max(1, o.blurMax));
      // Labelled stamps come without a measured seeing: measured here, on the (zoomed) stamp.
      const f = out.fwhmSearch > 0 ? out.fwhmSearch : tripletFwhm(out.triplet);
      out = { ...out, triplet: worseSeeing(out.triplet, g, f), fwhmSearch: f * g };
    }
    return out;
  }

  /** The side of the next stamp: small (opts.smallStamp of them, smallMin-smallMax px) or the model's. */
  private smallSize(): number {
    const r = this.r;
    const o = this.opts;
    return r() < o.smallStamp ? Math.round(uniform(r, o.smallMin, Math.max(o.smallMin, o.smallMax))) : o.size;
  }

  private finish(t: StampTriplet, label: 0 | 1, kind: ExampleKind, bg: string, maskOk = true): Example {
    const r = this.r;
    if (maskOk && r() < this.opts.masked) applyMask(t, r, label === 1 || kind !== 'masked');
    if (t.template && r() < this.opts.missingTemplate) t = { ...t, template: null };
    return { triplet: t, label, kind, background: bg };
  }

  private labelled(pool: readonly StampTriplet[], label: 0 | 1, kind: ExampleKind): Example {
    const r = this.r;
    const src = this.otherCamera({
      id: 'labelled',
      survey: '',
      triplet: pick(r, pool),
      fwhmSearch: 0,
      fwhmTemplate: 0,
    }).triplet;
    const size = this.smallSize();
    const [dx, dy] = shift(r, margin(src, size), 0, 2);
    return this.finish(cutTriplet(src, size, dx, dy), label, kind, 'labelled');
  }

  private real(): Example {
    const r = this.r;
    const o = this.opts;
    if (this.labelledReal.length && r() < o.labelledRealShare)
      return this.labelled(this.labelledReal, 1, 'labelled-real');
    const { bg, t, cx, cy, sigD, sigS, sigT } = this.scene();
    // Search and template seeing vary independently about the measured values (PSF mismatch).
    const shapeS = psfShape(r, bg.fwhmSearch * uniform(r, 0.85, 1.15));
    const shapeT = psfShape(r, bg.fwhmTemplate * uniform(r, 0.85, 1.15));
    const peakS = psfPeak(shapeS);
    const snr = faintHeavy(r, o.snrMin, o.snrMax);
    // Flux in difference units; the search image carries it at its own scale (+-15%).
    const flux = (snr * sigD) / peakS;
    const searchScale = uniform(r, 0.85, 1.15) * Math.max(sigS / sigD, 0.05);
    const near = (x: number, y: number) => (x - cx) ** 2 + (y - cy) ** 2 < (3 * shapeS.fwhm) ** 2;
    const u = r();
    let kind: ExampleKind;
    if (u < 0.4) {
      kind = r() < 0.35 ? 'rising-on-galaxy' : 'rising';
      if (kind === 'rising-on-galaxy')
        addGalaxy(t, r, cx + uniform(r, -4, 4), cy + uniform(r, -4, 4), sigS, sigT);
      add(t.difference, cx, cy, flux, shapeS);
      add(t.search, cx, cy, flux * searchScale, shapeS);
    } else if (u < 0.72) {
      // Fading: the source is in the template, weaker (or gone) in the search image; the survey
      // reports it as a negative difference.
      kind = 'fading';
      const left = r() < 0.4 ? 0 : uniform(r, 0.1, 0.8);
      const tFlux = flux / (1 - left);
      add(t.difference, cx, cy, -flux, shapeS);
      add(t.search, cx, cy, tFlux * left * searchScale, shapeS);
      if (t.template)
        add(t.template, cx, cy, tFlux * searchScale * (sigT / sigS) * uniform(r, 0.8, 1.25), shapeT);
      if (r() < 0.3) addGalaxy(t, r, cx + uniform(r, -4, 4), cy + uniform(r, -4, 4), sigS, sigT);
    } else {
      // Variable star: present in both epochs; the difference holds only the change of flux.
      kind = 'variable';
      const base = flux * uniform(r, 1, 30);
      const sign = r() < 0.5 ? 1 : -1;
      add(t.difference, cx, cy, sign * flux, shapeS);
      add(t.search, cx, cy, (base + sign * flux) * searchScale, shapeS);
      if (t.template) add(t.template, cx, cy, base * searchScale * (sigT / sigS), shapeT);
    }
    // The source's own photon noise where it is bright: a little extra scatter near it.
    if (snr > 30) addNoise(t.difference, r, sigD * 0.3, near);
    return this.finish(t, 1, kind, bg.id);
  }

  private bogus(): Example {
    const r = this.r;
    const o = this.opts;
    if (this.realArtifacts.length && r() < o.realArtifactShare)
      return this.labelled(this.realArtifacts, 0, 'real-artifact');
    const kind = pick(
      r,
      BOGUS_KINDS.filter((k) => k !== 'real-artifact'),
    );
    const { bg, t, w, h, cx, cy, sigD, sigS, sigT } = this.scene();
    const shapeS = psfShape(r, bg.fwhmSearch * uniform(r, 0.9, 1.1));
    const peakS = psfPeak(shapeS);
    const ratioS = Math.max(sigS / sigD, 0.05);
    const ratioT = sigT / sigS;
    const star = (snr: number) => (snr * sigD) / peakS;
    const px = (img: StampImage, x: number, y: number, v: number) => {
      const xi = Math.round(x);
      const yi = Math.round(y);
      if (xi >= 0 && yi >= 0 && xi < img.width && yi < img.height) img.data[yi * img.width + xi] += v;
    };
    switch (kind) {
      case 'dipole': {
        // A star subtracted after a small misregistration: +PSF at one position, -PSF at another.
        const f = star(faintHeavy(r, 15, 600));
        const d = uniform(r, 0.3, 2);
        const a = uniform(r, 0, 2 * Math.PI);
        const ox = (Math.cos(a) * d) / 2;
        const oy = (Math.sin(a) * d) / 2;
        add(t.difference, cx + ox, cy + oy, f, shapeS);
        add(t.difference, cx - ox, cy - oy, -f * uniform(r, 0.85, 1.15), shapeS);
        add(t.search, cx + ox, cy + oy, f * ratioS, shapeS);
        if (t.template) add(t.template, cx - ox, cy - oy, f * ratioS * ratioT, shapeS);
        break;
      }
      case 'psf-mismatch': {
        // A star subtracted with the wrong kernel: a core of one sign inside a ring of the other.
        const f = star(faintHeavy(r, 20, 800));
        const other = {
          ...shapeS,
          fwhm: shapeS.fwhm * (r() < 0.5 ? uniform(r, 0.6, 0.85) : uniform(r, 1.2, 1.6)),
        };
        add(t.difference, cx, cy, f, shapeS);
        add(t.difference, cx, cy, -f * uniform(r, 0.9, 1.1), other);
        add(t.search, cx, cy, f * ratioS, shapeS);
        if (t.template) add(t.template, cx, cy, f * ratioS * ratioT, other);
        break;
      }
      case 'cosmic-ray': {
        // Sharper than any PSF, in one exposure only (search and difference, never the template).
        const amp = faintHeavy(r, 6, 300) * sigD;
        const len = r() < 0.5 ? 1 : Math.round(uniform(r, 2, 9));
        const a = uniform(r, 0, Math.PI);
        for (let k = 0; k < len; k++) {
          const x = cx + (k - len / 2) * Math.cos(a);
          const y = cy + (k - len / 2) * Math.sin(a);
          const v = amp * uniform(r, 0.5, 1);
          px(t.difference, x, y, v);
          px(t.search, x, y, v * ratioS);
        }
        break;
      }
      case 'hot-pixel': {
        const amp = faintHeavy(r, 5, 200) * sigD;
        const n = r() < 0.7 ? 1 : 2;
        for (let dy = 0; dy < n; dy++)
          for (let dx = 0; dx < n; dx++) {
            px(t.difference, cx + dx, cy + dy, amp * (r() < 0.2 ? -1 : 1));
            px(t.search, cx + dx, cy + dy, amp * ratioS);
          }
        break;
      }
      case 'bad-column': {
        const amp = faintHeavy(r, 3, 80) * sigD * (r() < 0.3 ? -1 : 1);
        const vertical = r() < 0.5;
        const at = Math.round(vertical ? cx : cy);
        const from = r() < 0.5 ? 0 : Math.round(uniform(r, 0, (vertical ? h : w) / 2));
        const width = r() < 0.7 ? 1 : 2;
        for (let k = from; k < (vertical ? h : w); k++)
          for (let j = 0; j < width; j++) {
            const x = vertical ? at + j : k;
            const y = vertical ? k : at + j;
            px(t.difference, x, y, amp);
            px(t.search, x, y, amp * ratioS);
          }
        break;
      }
      case 'saturated-star': {
        // A bright star clipped in the search image: the difference keeps a flat-topped negative
        // core in a positive ring, often with a bleed trail along the readout direction.
        const f = star(faintHeavy(r, 800, 20000));
        const core = new Float32Array(w * h);
        addPsf(core, w, h, cx, cy, f, shapeS);
        const sat = peakS * f * uniform(r, 0.1, 0.5);
        const bleed = r() < 0.6 ? Math.round(uniform(r, 3, h / 2)) : 0;
        for (let y = 0; y < h; y++)
          for (let x = 0; x < w; x++) {
            const i = y * w + x;
            const clipped = Math.min(core[i], sat);
            t.difference.data[i] += (clipped - core[i]) * uniform(r, 0.9, 1.1) + 0.05 * core[i];
            t.search.data[i] += clipped * ratioS;
            if (t.template) t.template.data[i] += core[i] * ratioS * ratioT * 0.5;
          }
        for (let k = -bleed; k <= bleed; k++) {
          px(t.difference, cx, cy + k, sat * 0.5);
          px(t.search, cx, cy + k, sat * ratioS);
        }
        break;
      }
      case 'masked':
        // A cut or NaN hole at the centre, sometimes over a residual: nothing to vet.
        if (r() < 0.5) add(t.difference, cx, cy, star(faintHeavy(r, 3, 50)), shapeS);
        applyMask(t, r, false);
        break;
      case 'empty':
        // A candidate at a noise fluctuation: a faint blob no larger than the noise allows.
        if (r() < 0.5) add(t.difference, cx, cy, star(uniform(r, 1, 2.5)), shapeS);
        break;
    }
    return this.finish(t, 0, kind, bg.id, kind !== 'masked');
  }
}
