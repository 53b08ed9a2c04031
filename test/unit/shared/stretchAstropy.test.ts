/**
 * Every stretch x limits combination of the desk against astropy.visualization, and the diverging
 * (difference) rendering kept symmetric about zero.
 *
 * The expected numbers were computed from astropy's documented formulas (astropy is not installed on
 * the build machine): LogStretch(a=1000) y = log(a*x+1)/log(a+1); SqrtStretch y = sqrt(x);
 * AsinhStretch(a=0.1) y = asinh(x/a)/asinh(1/a); MinMaxInterval; PercentileInterval(99.5) =
 * numpy.percentile (linear) at 0.25 and 99.75; ImageNormalize clips to [0, 1] before stretching.
 * ZScaleInterval is checked against astropy 5.2.1 output in stretch.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { StampImage } from '../../../src/shared/stamp';
import {
  applyStretch,
  computeLimits,
  renderRGBA,
  stretchToLevels,
  type LimitSpec,
  type StretchFn,
} from '../../../src/shared/stretch';

const XS = [0, 0.01, 0.1, 0.25, 0.5, 0.75, 1];
const ASTROPY: Record<StretchFn, number[]> = {
  linear: XS,
  log: [0.0, 0.347080675085, 0.668010468494, 0.79977551898, 0.899815712044, 0.958407971229, 1.0],
  sqrt: [0.0, 0.1, 0.316227766017, 0.5, 0.707106781187, 0.866025403784, 1.0],
  asinh: [0.0, 0.033297750219, 0.293965326005, 0.549402487299, 0.77126964192, 0.904690995349, 1.0],
};

/** -500, 0..99, 1000 in one row: outliers make minmax, percentile and zscale all differ. */
function ramp(): StampImage {
  const v = [-500, ...Array.from({ length: 100 }, (_, i) => i), 1000];
  return { width: v.length, height: 1, data: new Float32Array(v), mask: new Uint8Array(v.length).fill(1) };
}

/** astropy ImageNormalize(interval, stretch) of the pixels 10, 50, 90 of `ramp()`. */
const EXPECTED: Record<'minmax' | 'percentile', { limits: [number, number] } & Record<StretchFn, number[]>> =
  {
    minmax: {
      limits: [-500, 1000],
      linear: [0.34, 0.366666667, 0.393333333],
      log: [0.84412932, 0.855027703, 0.865162647],
      sqrt: [0.583095189, 0.605530071, 0.627162924],
      asinh: [0.64634262, 0.670572874, 0.693215756],
    },
    percentile: {
      limits: [-373.75, 772.4975],
      linear: [0.33478808, 0.369684558, 0.404581035],
      log: [0.841899942, 0.856210944, 0.869233442],
      sqrt: [0.578608745, 0.608016906, 0.636066848],
      asinh: [0.641402705, 0.673211214, 0.70233727],
    },
  };

const STRETCHES: StretchFn[] = ['linear', 'log', 'sqrt', 'asinh'];

describe('stretch functions match astropy.visualization', () => {
  for (const s of STRETCHES) {
    it(s, () => {
      XS.forEach((x, i) => expect(applyStretch(x, { stretch: s })).toBeCloseTo(ASTROPY[s][i], 9));
    });
  }
});

describe('every stretch x limits combination matches astropy ImageNormalize', () => {
  const img = ramp();
  const probe: StampImage = {
    width: 3,
    height: 1,
    data: new Float32Array([10, 50, 90]),
    mask: new Uint8Array([1, 1, 1]),
  };
  for (const kind of ['minmax', 'percentile'] as const) {
    const spec: LimitSpec = kind === 'percentile' ? { kind, percent: 99.5 } : { kind };
    it(`${kind} limits`, () => {
      const l = computeLimits(img, spec);
      expect(l.min).toBeCloseTo(EXPECTED[kind].limits[0], 6);
      expect(l.max).toBeCloseTo(EXPECTED[kind].limits[1], 6);
    });
    for (const s of STRETCHES) {
      it(`${kind} x ${s}`, () => {
        const levels = stretchToLevels(probe, computeLimits(img, spec), { stretch: s });
        EXPECTED[kind][s].forEach((want, i) => expect(levels[i]).toBeCloseTo(want, 6));
      });
    }
  }
  for (const s of STRETCHES) {
    it(`zscale x ${s}: the stretch of the clipped, normalised value`, () => {
      const l = computeLimits(img, { kind: 'zscale' });
      const levels = stretchToLevels(probe, l, { stretch: s });
      [10, 50, 90].forEach((v, i) => {
        const x = Math.min(1, Math.max(0, (v - l.min) / (l.max - l.min)));
        // Interpolate the astropy table only where x is one of its points; otherwise use the formula
        // checked against that table above.
        expect(levels[i]).toBeCloseTo(applyStretch(x, { stretch: s }), 6);
      });
    });
  }
});

describe('diverging differences stay symmetric about zero', () => {
  const m = 100;
  const values = [-100, -75, -50, -25, -1, 0, 1, 25, 50, 75, 100, 400, -400];
  const img: StampImage = {
    width: values.length,
    height: 1,
    data: new Float32Array(values),
    mask: new Uint8Array(values.length).fill(1),
  };
  for (const s of STRETCHES) {
    it(`${s}: zero is neutral, +v and -v mirror, |x| follows astropy`, () => {
      const lv = stretchToLevels(img, { min: -m, max: m }, { stretch: s, diverging: true });
      values.forEach((v, i) => {
        const x = Math.min(1, Math.abs(v) / m);
        const f = applyStretch(x, { stretch: s });
        expect(lv[i]).toBeCloseTo(0.5 + (Math.sign(v) * f) / 2, 6);
      });
      expect(lv[values.indexOf(0)]).toBe(0.5);
      // astropy table points: |x| = 0.25, 0.5, 0.75.
      expect(lv[values.indexOf(50)]).toBeCloseTo(0.5 + ASTROPY[s][4] / 2, 6);
      expect(lv[values.indexOf(-50)]).toBeCloseTo(0.5 - ASTROPY[s][4] / 2, 6);
      expect(lv[values.indexOf(25)] + lv[values.indexOf(-25)]).toBeCloseTo(1, 6);
    });
  }
  it('renderRGBA makes symmetric limits diverging by default: zero is the colour map centre', () => {
    const zero: StampImage = {
      width: 3,
      height: 1,
      data: new Float32Array([-5, 0, 5]),
      mask: new Uint8Array([1, 1, 1]),
    };
    for (const s of STRETCHES) {
      const centre = [7, 8, 9] as const;
      const rgba = renderRGBA(
        zero,
        { limits: { kind: 'manual', min: -5, max: 5 }, stretch: s, diverging: true },
        (l) => (Math.abs(l - 0.5) < 1e-6 ? centre : [0, 0, 0]),
      );
      expect(Array.from(rgba.slice(4, 7))).toEqual([...centre]);
      const sym = renderRGBA(
        zero,
        { limits: { kind: 'symmetric', from: 'percentile', percent: 100 }, stretch: s },
        (l) => (Math.abs(l - 0.5) < 1e-6 ? centre : [0, 0, 0]),
      );
      expect(Array.from(sym.slice(4, 7))).toEqual([...centre]);
    }
  });
});
