import { describe, expect, it } from 'vitest';
import { addPsf, measureFwhm, robustStats } from '../../../src/main/worker/model/injection/psf';
import { selectBackend } from '../../../src/main/worker/model/backends';
import { robustnessTable } from '../../../src/main/worker/model/injection/pretrain';
import {
  ROBUSTNESS_VIEWS,
  cutTriplet,
  gaussianBlur,
  maskEdge,
  scaleUnits,
  worseSeeing,
  worseTemplate,
  zoomImage,
  zoomTriplet,
  zoomedSide,
  zoomWithSkyNoise,
} from '../../../src/main/worker/model/injection/transform';
import { InjectionSampler, prepareBackground } from '../../../src/main/worker/model/injection/inject';
import { preprocessBatch } from '../../../src/main/worker/model/preprocess';
import { getArchitecture } from '../../../src/main/worker/model/architectures';
import { starField } from '../helpers/starField';
import type { StampImage, StampTriplet } from '../../../src/shared/stamp';

const W = 63;

/** A noiseless Gaussian star of `fwhm` px and `flux` at the centre of a W x W stamp over a flat sky. */
function star(fwhm: number, flux = 5000, sky = 0): StampImage {
  const data = new Float32Array(W * W).fill(sky);
  addPsf(data, W, W, (W - 1) / 2, (W - 1) / 2, flux, { fwhm, beta: null, axisRatio: 1, angle: 0 });
  return { width: W, height: W, data, mask: new Uint8Array(W * W).fill(1) };
}

/** Stars over unit noise. */
function noisyStars(fwhm: number, seed = 3): StampImage {
  const stars: [number, number, number][] = [
    [31, 31, 4000],
    [15.4, 16.2, 3000],
    [46.1, 44.7, 3500],
  ];
  return starField(W, stars, { fwhm, beta: null }, { sky: 50, seed });
}

/** Search and template of stars at 2.4 px, a lone star in the difference. */
function starsTriplet(): StampTriplet {
  return { search: noisyStars(2.4), template: noisyStars(2.4, 9), difference: star(2.4, 3000) };
}

const sum = (img: StampImage) => img.data.reduce((a, b) => a + b, 0);

describe('other-camera views of a stamp', () => {
  it('zooming keeps the centre on the centre and the flux of a source, and widens its FWHM by the factor', () => {
    expect(zoomedSide(63, 1.5)).toBe(95);
    expect(zoomedSide(63, 2)).toBe(127);
    expect(zoomedSide(64, 1.5)).toBe(96);
    const img = star(2.4);
    const f0 = measureFwhm(noisyStars(2.4))!;
    for (const z of [1.5, 2]) {
      const out = zoomImage(img, z);
      expect(out.width).toBe(zoomedSide(W, z));
      expect(sum(out) / sum(img)).toBeGreaterThan(0.97);
      expect(sum(out) / sum(img)).toBeLessThan(1.03);
      // The brightest pixel stays at the centre.
      let best = 0;
      for (let i = 1; i < out.data.length; i++) if (out.data[i] > out.data[best]) best = i;
      const c = (out.width - 1) / 2;
      expect(Math.abs((best % out.width) - c)).toBeLessThanOrEqual(1);
      expect(Math.abs(Math.floor(best / out.width) - c)).toBeLessThanOrEqual(1);
      const f = measureFwhm(zoomImage(noisyStars(2.4), z))!;
      expect(f / f0).toBeGreaterThan(z * 0.85);
      expect(f / f0).toBeLessThan(z * 1.2);
    }
  });

  it('a masked pixel masks the zoomed pixels that interpolate from it, and nothing far from it', () => {
    const img = star(2.4);
    img.mask[10 * W + 10] = 0;
    img.data[10 * W + 10] = 0;
    const out = zoomImage(img, 2);
    const masked = out.mask.reduce((a, m) => a + (m ? 0 : 1), 0);
    expect(masked).toBeGreaterThan(0);
    expect(masked).toBeLessThanOrEqual(16);
    expect(out.mask[(out.height >> 1) * out.width + (out.width >> 1)]).toBe(1);
  });

  it('worse seeing blurs search and difference by the factor in FWHM, keeps their flux and leaves the template', () => {
    const t = starsTriplet();
    const f0 = measureFwhm(t.search)!;
    const out = worseSeeing(t, 1.5, f0);
    const f1 = measureFwhm(out.search)!;
    expect(f1 / f0).toBeGreaterThan(1.5 * 0.85);
    expect(f1 / f0).toBeLessThan(1.5 * 1.15);
    expect(out.template).toBe(t.template);
    expect(sum(out.difference) / sum(t.difference)).toBeCloseTo(1, 2);
    // A flat sky stays flat, edges included (the kernel is renormalised there).
    const flat = gaussianBlur({ ...star(2, 0, 7) }, 2);
    expect(Math.max(...flat.data)).toBeCloseTo(7, 4);
    expect(Math.min(...flat.data)).toBeCloseTo(7, 4);
    expect(() => worseSeeing(t, 0.5)).toThrow(/seeing factor/);
    expect(() => zoomImage(t.search, 0)).toThrow(/zoom/);
  });

  it("a worse template blurs template and difference by the factor in the template's FWHM, and leaves the search", () => {
    const t = starsTriplet();
    const f0 = measureFwhm(t.template)!;
    const out = worseTemplate(t, 1.5);
    const f1 = measureFwhm(out.template)!;
    expect(f1 / f0).toBeGreaterThan(1.5 * 0.85);
    expect(f1 / f0).toBeLessThan(1.5 * 1.15);
    expect(out.search).toBe(t.search);
    expect(sum(out.difference) / sum(t.difference)).toBeCloseTo(1, 2);
    expect(measureFwhm(out.difference)! / measureFwhm(t.difference)!).toBeGreaterThan(1.3);
    // No template (ATLAS): the difference alone.
    expect(worseTemplate({ ...t, template: null }, 1.5, f0).template).toBeNull();
    expect(() => worseTemplate(t, 0.9)).toThrow(/seeing factor/);
  });

  it('other units change nothing the model sees (the preprocessing is scale-free)', () => {
    const t: StampTriplet = {
      search: noisyStars(2.4),
      template: noisyStars(2.4, 9),
      difference: noisyStars(2, 5),
    };
    const spec = getArchitecture('compact').spec;
    const x0 = preprocessBatch(spec, [t]);
    for (const k of [1e3, 1e-3]) {
      const x = preprocessBatch(spec, [scaleUnits(t, k)]);
      let worst = 0;
      for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i] - x0[i]));
      expect(worst).toBeLessThan(1e-3);
    }
  });

  const starTriplet = (): StampTriplet => ({
    search: noisyStars(2.4),
    template: noisyStars(2.4, 9),
    difference: noisyStars(2, 5),
  });

  it('the sampler draws zoomed and blurred backgrounds only when asked, and injects at the zoomed seeing', () => {
    const t = starTriplet();
    const bg = prepareBackground({ id: 'a', survey: 'ztf', triplet: t });
    const plain = new InjectionSampler([bg], [], [], 5);
    const again = new InjectionSampler([bg], [], [], 5, { zoom: 0, blur: 0 });
    for (let i = 0; i < 20; i++)
      expect(plain.sample().triplet.search.data).toEqual(again.sample().triplet.search.data);
    // Every background zoomed 2x: a centre cut shows the central star at twice the native width.
    const zoomed = new InjectionSampler([bg], [], [], 5, { zoom: 1, zoomMax: 2, smallStamp: 0, masked: 0 });
    const widths: number[] = [];
    for (let i = 0; i < 30; i++) {
      const e = zoomed.sample();
      expect(e.triplet.search.width).toBe(51);
      const f = measureFwhm(e.triplet.template ?? e.triplet.search);
      if (f !== null) widths.push(f);
    }
    widths.sort((a, b) => a - b);
    expect(widths[widths.length >> 1]).toBeGreaterThan(bg.fwhmTemplate * 1.1);
    expect(zoomTriplet(t, 2).search.width).toBe(127);
  });

  it('cuts small stamps within the sides asked for (Rubin-sized after resampling), and only as often', () => {
    const t = starTriplet();
    const bg = prepareBackground({ id: 'a', survey: 'ztf', triplet: t });
    const sides = (opts: object) => {
      const s = new InjectionSampler([bg], [], [], 5, { masked: 0, ...opts });
      return Array.from({ length: 200 }, () => s.sample().triplet.difference.width);
    };
    // The defaults: a tenth of the stamps at 30-45 px, the rest at the model's 51.
    const plain = sides({});
    const small = plain.filter((w) => w < 51);
    expect(Math.min(...small)).toBeGreaterThanOrEqual(30);
    expect(small.length).toBeGreaterThan(5);
    expect(small.length).toBeLessThan(45);
    const all = sides({ smallStamp: 1, smallMin: 12, smallMax: 20 });
    expect(Math.min(...all)).toBeGreaterThanOrEqual(12);
    expect(Math.max(...all)).toBeLessThanOrEqual(20);
    expect(new Set(all).size).toBeGreaterThan(4);
  });
});

describe('finer pixels at the same depth', () => {
  it('restores white sky noise at the native noise / zoom, keeping the flux', () => {
    const img = noisyStars(2.4);
    const z = 2;
    const out = zoomWithSkyNoise(img, z, 11);
    const { sigma: s0 } = robustStats(img);
    const { sigma: s1 } = robustStats(out);
    expect(s1 / (s0 / z)).toBeGreaterThan(0.9);
    expect(s1 / (s0 / z)).toBeLessThan(1.1);
    // Interpolation alone leaves the noise lower than that (smoothed).
    expect(robustStats(zoomImage(img, z)).sigma).toBeLessThan(0.85 * (s0 / z));
    const bg = robustStats(img).median * img.data.length;
    const bgOut = robustStats(out).median * out.data.length;
    expect((sum(out) - bgOut) / (sum(img) - bg)).toBeGreaterThan(0.9);
    expect((sum(out) - bgOut) / (sum(img) - bg)).toBeLessThan(1.1);
    expect(zoomWithSkyNoise(img, z, 11).data).toEqual(out.data);
  });
});

describe('the cutout views', () => {
  const triplet = (): StampTriplet => ({
    search: star(2.4, 5000, 10),
    template: null,
    difference: star(2.4),
  });

  it('cuts 31 px about the same centre as the preprocessing, leaving smaller stamps whole', () => {
    const t = triplet();
    const small = cutTriplet(t, 31);
    expect(small.template).toBeNull();
    expect([small.difference.width, small.difference.height]).toEqual([31, 31]);
    // The star's peak (63 px stamp, centre 31) lands on the cutout's centre (15).
    const peak = small.difference.data.indexOf(Math.max(...small.difference.data));
    expect(peak).toBe(15 * 31 + 15);
    expect(small.search.data[0]).toBe(t.search.data[16 * W + 16]);
    expect(cutTriplet(small, 45).difference.data).toEqual(small.difference.data);
  });

  it('masks the first third of the columns of every image, and leaves the input alone', () => {
    const t = { ...triplet(), template: star(2.4, 3000, 5) };
    const cut = maskEdge(t, 1 / 3);
    for (const img of [cut.search, cut.template!, cut.difference])
      for (let y = 0; y < W; y += 7)
        for (let x = 0; x < W; x++) {
          expect(img.mask[y * W + x]).toBe(x < 21 ? 0 : 1);
          if (x < 21) expect(img.data[y * W + x]).toBe(0);
        }
    expect(cut.difference.data[31 * W + 31]).toBe(t.difference.data[31 * W + 31]);
    expect(t.search.mask.every((m) => m === 1)).toBe(true);
  });
});

describe('robustnessTable', () => {
  it('scores the same labelled triplets through every view: units change nothing, zooms widen the seeing', async () => {
    await selectBackend('wasm');
    const arch = getArchitecture('compact');
    const model = arch.build(3);
    try {
      const triplets: StampTriplet[] = [];
      const labels: (0 | 1)[] = [];
      for (let i = 0; i < 6; i++) {
        const diff = noisyStars(2.4, 100 + i);
        if (i % 2) diff.data.fill(50);
        triplets.push({
          search: noisyStars(2.4, 200 + i),
          template: noisyStars(2.4, 300 + i),
          difference: diff,
        });
        labels.push(i % 2 ? 0 : 1);
      }
      const rows = await robustnessTable(model, arch.spec, triplets, labels, 0.5);
      expect(rows.map((r) => r.view)).toEqual(ROBUSTNESS_VIEWS.map((v) => v.name));
      const by = (name: string) => rows.find((r) => r.view.startsWith(name))!;
      expect(by('native').auc).not.toBeNull();
      expect(by('units x1e3').auc).toBe(by('native').auc);
      expect(by('units x1e-3').auc).toBe(by('native').auc);
      expect(by('finer pixels x2 (bilinear)').medianFwhm! / by('native').medianFwhm!).toBeGreaterThan(1.7);
      expect(by('seeing').medianFwhm! / by('native').medianFwhm!).toBeGreaterThan(1.3);
      for (const r of rows) expect(r.flaggedReals + r.flaggedBogus).toBeLessThanOrEqual(6);
    } finally {
      model.dispose();
    }
  });
});
