import { describe, expect, it } from 'vitest';
import { COMPACT_SPEC } from '../../../src/main/worker/model/architectures';
import { BRAAI_D6_M7_SPEC } from '../../../src/main/worker/model/importModel';
import { zoomTriplet } from '../../../src/main/worker/model/injection/transform';
import {
  preprocessBatch,
  preprocessInto,
  stampInputLength,
  STANDARD_CLIP,
} from '../../../src/main/worker/model/preprocess';
import type { StampImage, StampTriplet } from '../../../src/shared/stamp';

function image(width: number, height: number, f: (x: number, y: number) => number | null): StampImage {
  const data = new Float32Array(width * height);
  const mask = new Uint8Array(width * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const v = f(x, y);
      if (v !== null) {
        data[y * width + x] = v;
        mask[y * width + x] = 1;
      }
    }
  return { width, height, data, mask };
}

const at = (buf: Float32Array, w: number, x: number, y: number, c: number, index = 0, hw = w * w) =>
  buf[index * hw * 3 + (y * w + x) * 3 + c];

describe('standard preprocessing', () => {
  const spec = { ...COMPACT_SPEC, inputSize: [5, 5] as [number, number] };

  it('robust-normalises per image, masks to 0, clips, and zero-fills a missing template', () => {
    // Values 0..24 row-major: median 12; |v-12| has median 6 -> sigma 1.4826*6.
    const search = image(5, 5, (x, y) => y * 5 + x);
    const diff = image(5, 5, (x, y) => (x === 2 && y === 2 ? 1e6 : x === 0 && y === 0 ? null : (x + y) % 2));
    const t: StampTriplet = { search, template: null, difference: diff };
    const out = preprocessBatch(spec, [t]);
    expect(out.length).toBe(stampInputLength(spec));
    expect(at(out, 5, 0, 0, 0)).toBeCloseTo(-12 / (1.4826 * 6), 5);
    expect(at(out, 5, 4, 4, 0)).toBeCloseTo(12 / (1.4826 * 6), 5);
    for (let i = 0; i < 25; i++) expect(out[i * 3 + 1]).toBe(0); // no template
    expect(at(out, 5, 2, 2, 2)).toBe(STANDARD_CLIP); // the 1e6 spike is clipped
    expect(at(out, 5, 0, 0, 2)).toBe(0); // masked
  });

  it('crops and pads about the centre', () => {
    // A 7x7 stamp with a marker at its centre (3,3) lands at the 5x5 centre (2,2); a 3x3 one too.
    const big = image(7, 7, (x, y) => (x === 3 && y === 3 ? 100 : (x * 7 + y) % 3));
    const small = image(3, 3, (x, y) => (x === 1 && y === 1 ? 100 : (x + y) % 2));
    const out = preprocessBatch(spec, [
      { search: big, template: big, difference: big },
      { search: small, template: small, difference: small },
    ]);
    const maxAt = (index: number) => {
      let best = -Infinity;
      let where = -1;
      for (let p = 0; p < 25; p++) {
        const v = out[index * 75 + p * 3];
        if (v > best) [best, where] = [v, p];
      }
      return where;
    };
    expect(maxAt(0)).toBe(12);
    expect(maxAt(1)).toBe(12);
    expect(at(out, 5, 0, 0, 0, 1)).toBe(0); // padding of the 3x3 stamp
  });

  it('reuses a caller buffer and survives an all-masked or flat image', () => {
    const buf = new Float32Array(stampInputLength(spec) * 2).fill(7);
    const flat = image(5, 5, () => 3);
    const none = image(5, 5, () => null);
    preprocessBatch(spec, [{ search: flat, template: none, difference: flat }], buf);
    expect(Array.from(buf.subarray(0, 75)).every((v) => v === 0)).toBe(true);
    expect(buf[75]).toBe(7); // untouched beyond the batch
  });
});

describe('resampled preprocessing (a night of finer pixels)', () => {
  it('writes, into a used buffer, the rows of the triplets zoomed beforehand, bit for bit', () => {
    // Sizes and masks that change from stamp to stamp: the resampling reuses its buffers, and a
    // pixel left from a larger stamp, or from the batch buffer's last use, must not show.
    const noisy = (w: number, seed: number, masked: (x: number, y: number) => boolean) =>
      image(w, w, (x, y) =>
        masked(x, y) ? null : Math.sin(seed * 7.1 + x * 1.3 + y * 0.7) * 40 + ((x * y + seed) % 5),
      );
    const stamps: StampTriplet[] = [63, 30, 51, 81, 44].map((w, i) => ({
      search: noisy(w, i, (x) => x < i),
      template: i === 3 ? null : noisy(w, i + 10, (x, y) => y === w - 1),
      difference: noisy(w, i + 20, (x, y) => (x + y) % 17 === 0),
    }));
    const row = stampInputLength(COMPACT_SPEC);
    for (const zoom of [0.52, 0.8]) {
      const got = new Float32Array(stamps.length * row).fill(Number.NaN);
      stamps.forEach((t, i) => preprocessInto(COMPACT_SPEC, t, got, i, zoom));
      const want = preprocessBatch(
        COMPACT_SPEC,
        stamps.map((t) => zoomTriplet(t, zoom)),
      );
      expect(Array.from(new Uint32Array(got.buffer))).toEqual(Array.from(new Uint32Array(want.buffer)));
    }
  });
});

describe('braai preprocessing', () => {
  it('L2-normalises each row, NaN -> 0, and pads with 1e-9 at the high-index end after normalising', () => {
    const w = 63;
    // 41 rows (truncated at the CCD edge) of 63 columns; row r holds the value r+1, one NaN.
    const img = image(w, 41, (x, y) => (x === 5 && y === 0 ? null : y + 1));
    const out = preprocessBatch(BRAAI_D6_M7_SPEC, [{ search: img, template: img, difference: img }]);
    expect(out.length).toBe(63 * 63 * 3);
    const row0 = 1 / Math.sqrt(62); // 62 valid ones, NaN counted as 0
    expect(at(out, 63, 0, 0, 0)).toBeCloseTo(row0, 6);
    expect(at(out, 63, 5, 0, 0)).toBe(0);
    expect(at(out, 63, 10, 40, 1)).toBeCloseTo(1 / Math.sqrt(63), 6);
    expect(at(out, 63, 0, 41, 2)).toBeCloseTo(1e-9, 15); // padding rows
    expect(at(out, 63, 62, 62, 0)).toBeCloseTo(1e-9, 15);
  });

  it('leaves a zero row at 0', () => {
    const img = image(63, 63, (_x, y) => (y === 3 ? 0 : 1));
    const out = preprocessBatch(BRAAI_D6_M7_SPEC, [{ search: img, template: img, difference: img }]);
    expect(at(out, 63, 7, 3, 0)).toBe(0);
  });
});
