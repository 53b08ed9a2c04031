import { describe, expect, it } from 'vitest';
import {
  MASKED_RGB,
  applyStretch,
  computeLimits,
  renderRGBA,
  stretchToLevels,
  zscaleValues,
} from '../../../src/shared/stretch';
import type { StampImage } from '../../../src/shared/stamp';

/** The same LCG as the Python script that produced the astropy numbers below. */
function lcg(n: number, seed: number): number[] {
  const out: number[] = [];
  let s = BigInt(seed);
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245n + 12345n) % 2147483648n;
    out.push(Number(s) / 2147483648);
  }
  return out;
}

function image(n: number, f: (x: number, y: number, u: number) => number): StampImage {
  const u = lcg(n * n, 7);
  const data = new Float32Array(n * n);
  const mask = new Uint8Array(n * n).fill(1);
  for (let y = 0; y < n; y++)
    for (let x = 0; x < n; x++) {
      const v = f(x, y, u[y * n + x]);
      if (Number.isNaN(v)) mask[y * n + x] = 0;
      else data[y * n + x] = v;
    }
  return { width: n, height: n, data, mask };
}

const A = image(
  51,
  (x, y, u) => 100 + (u - 0.5) * 20 + 5000 * Math.exp(-((x - 25) ** 2 + (y - 25) ** 2) / (2 * 1.5 ** 2)),
);
const B = image(51, (x, y, u) => x * 0.5 + y * 0.25 + (u - 0.5) * 3);
const C = image(51, (x, y, u) =>
  x < 10 ? NaN : 100 + (u - 0.5) * 20 + 5000 * Math.exp(-((x - 25) ** 2 + (y - 25) ** 2) / 4.5),
);

describe('zscale matches astropy ZScaleInterval', () => {
  // Expected values from astropy 5.2.1 (numpy 1.24.2), ZScaleInterval() defaults, on the same arrays
  // built in Python (float32 pixels, NaN removed by astropy, masked pixels here).
  const cases: [string, StampImage, number, number][] = [
    ['gaussian source on noise', A, 90.0223159790039, 142.39775418207518],
    ['ramp', B, -0.03835766762495041, 35.265804290771484],
    ['with masked columns', C, 90.0223159790039, 143.32590300409814],
  ];
  for (const [name, img, z1, z2] of cases) {
    it(name, () => {
      const l = computeLimits(img, { kind: 'zscale' });
      expect(l.min).toBeCloseTo(z1, 4);
      expect(l.max).toBeCloseTo(z2, 4);
    });
  }
  it('small sample (30 values, no dilation)', () => {
    const u = lcg(51 * 51, 7)
      .slice(0, 30)
      .map((v) => Math.fround(v * v * 1000));
    const l = zscaleValues(u);
    expect(l.min).toBeCloseTo(0.059322189539670944, 5);
    expect(l.max).toBeCloseTo(985.6212158203125, 3);
  });
});

describe('limits', () => {
  it('minmax and percentile ignore masked pixels', () => {
    const img: StampImage = {
      width: 4,
      height: 1,
      data: new Float32Array([1, 2, 3, 1e9]),
      mask: new Uint8Array([1, 1, 1, 0]),
    };
    expect(computeLimits(img, { kind: 'minmax' })).toEqual({ min: 1, max: 3 });
    const p = computeLimits(img, { kind: 'percentile', percent: 50 });
    expect(p.min).toBeCloseTo(1.5);
    expect(p.max).toBeCloseTo(2.5);
  });
  it('percentile 99.5 keeps 0.25..99.75 (numpy linear interpolation)', () => {
    const data = new Float32Array(401).map((_, i) => i);
    const img: StampImage = { width: 401, height: 1, data, mask: new Uint8Array(401).fill(1) };
    const l = computeLimits(img, { kind: 'percentile', percent: 99.5 });
    expect(l.min).toBeCloseTo(1);
    expect(l.max).toBeCloseTo(399);
  });
  it('symmetric limits for differences', () => {
    const data = new Float32Array([-10, -1, 0, 2, 4]);
    const img: StampImage = { width: 5, height: 1, data, mask: new Uint8Array(5).fill(1) };
    const s = computeLimits(img, { kind: 'symmetric', from: 'percentile', percent: 100 });
    expect(s).toEqual({ min: -10, max: 10 });
    const z = computeLimits(A, { kind: 'symmetric' });
    expect(z.min).toBeCloseTo(-z.max);
    expect(z.max).toBeCloseTo(142.39775418207518, 4);
  });
});

describe('stretches', () => {
  it('follow astropy conventions', () => {
    expect(applyStretch(0.5, { stretch: 'linear' })).toBe(0.5);
    expect(applyStretch(0.25, { stretch: 'sqrt' })).toBe(0.5);
    expect(applyStretch(0.5, { stretch: 'log' })).toBeCloseTo(Math.log(501) / Math.log(1001));
    for (const s of ['linear', 'log', 'sqrt', 'asinh'] as const) {
      expect(applyStretch(0, { stretch: s })).toBeCloseTo(0);
      expect(applyStretch(1, { stretch: s })).toBeCloseTo(1);
    }
    expect(applyStretch(0.1, { stretch: 'asinh', asinhA: 0.1 })).toBeCloseTo(Math.asinh(1) / Math.asinh(10));
  });
  it('levels are clipped, inverted on request, NaN where masked', () => {
    const img: StampImage = {
      width: 4,
      height: 1,
      data: new Float32Array([-5, 0, 5, 0]),
      mask: new Uint8Array([1, 1, 1, 0]),
    };
    const lv = stretchToLevels(img, { min: 0, max: 4 }, { stretch: 'linear' });
    expect(Array.from(lv.slice(0, 3))).toEqual([0, 0, 1]);
    expect(Number.isNaN(lv[3])).toBe(true);
    const inv = stretchToLevels(img, { min: 0, max: 4 }, { invert: true });
    expect(inv[2]).toBe(0);
  });
  it('renderRGBA paints masked pixels in their own colour', () => {
    const rgba = renderRGBA(C, { limits: { kind: 'zscale' }, stretch: 'asinh' }, 'gray');
    expect(rgba.length).toBe(51 * 51 * 4);
    expect(Array.from(rgba.slice(0, 4))).toEqual([...MASKED_RGB, 255]);
    const c = (25 * 51 + 25) * 4;
    expect(Array.from(rgba.slice(c, c + 4))).toEqual([255, 255, 255, 255]);
  });
});
