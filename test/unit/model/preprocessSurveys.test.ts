/**
 * The standard preprocessing is survey-agnostic: real stamps of every survey in ../shared (30-81 px,
 * DN or normalised, float32 or float64 on disk, no template for ATLAS, NaN edges) become finite
 * model inputs, and a change of units (a gain, a zero point, nJy instead of DN) changes nothing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { COMPACT_SPEC } from '../../../src/main/worker/model/architectures';
import { loadManifestStamps, type RealStamp } from '../../../src/main/worker/model/injection/realStamps';
import { preprocessBatch, STANDARD_CLIP, stampInputLength } from '../../../src/main/worker/model/preprocess';
import type { StampImage, StampTriplet } from '../../../src/shared/stamp';
import { HAVE_SHARED, sharedPath } from '../helpers/shared';

const rescale = (img: StampImage, gain: number, offset: number): StampImage => ({
  ...img,
  data: img.data.map((v, i) => (img.mask[i] ? v * gain + offset : 0)),
});

describe.skipIf(!HAVE_SHARED)('preprocessing real stamps of every survey', () => {
  let stamps: RealStamp[];
  beforeAll(async () => {
    ({ stamps } = await loadManifestStamps(sharedPath('real-stamps', 'index.csv')));
  });

  it('gives finite, clipped inputs of the model size for every survey and stamp size', () => {
    const surveys = new Set(stamps.map((s) => s.survey));
    expect([...surveys].sort()).toEqual(['atlas', 'pgir', 'winter', 'ztf', 'zuds']);
    const sizes = new Set(stamps.map((s) => s.triplet.difference.width));
    expect(Math.max(...sizes)).toBe(81);
    const x = preprocessBatch(
      COMPACT_SPEC,
      stamps.map((s) => s.triplet),
    );
    expect(x.length).toBe(stamps.length * stampInputLength(COMPACT_SPEC));
    let bad = 0;
    for (const v of x) if (!Number.isFinite(v) || Math.abs(v) > STANDARD_CLIP) bad++;
    expect(bad).toBe(0);
  });

  it('a change of units (gain and zero point) leaves the input unchanged', () => {
    for (const survey of ['ztf', 'winter', 'atlas', 'pgir']) {
      const s = stamps.find((x) => x.survey === survey)!;
      const t = s.triplet;
      const scaled: StampTriplet = {
        search: rescale(t.search, 1234.5, -77),
        template: t.template ? rescale(t.template, 0.001, 5) : null,
        difference: rescale(t.difference, 57.3, 0),
      };
      const a = preprocessBatch(COMPACT_SPEC, [t]);
      const b = preprocessBatch(COMPACT_SPEC, [scaled]);
      let worst = 0;
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
      // float32 rounding of the rescaled pixels: ~1e-4 of the +-30 range.
      expect(worst, survey).toBeLessThan(1e-2);
    }
  });

  it('a missing template (ATLAS) is an all-zero channel, whatever the stamp size', () => {
    const atlas = stamps.find((x) => x.survey === 'atlas' && x.triplet.template === null)!;
    const x = preprocessBatch(COMPACT_SPEC, [atlas.triplet]);
    const channels = COMPACT_SPEC.channels.length;
    const t = COMPACT_SPEC.channels.indexOf('template');
    for (let i = t; i < x.length; i += channels) expect(x[i]).toBe(0);
  });
});
