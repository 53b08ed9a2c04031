/**
 * Rows packed by the box that holds their pixels (the rows cache's format) come back with the
 * same bits, whatever the row holds; a damaged packing is an error naming where, never a wrong row.
 */
import { describe, expect, it } from 'vitest';
import { BOX_BYTES, packRows, unpackRows, type RowShape } from '../../../src/main/worker/model/rowsWindow';
import { seededRandom } from '../../../src/main/util/prng';

const shape: RowShape = { h: 9, w: 7, c: 3 };
const rowFloats = shape.h * shape.w * shape.c;

/** Rows of zeros with values written at the given (y, x, channel) pixels. */
function rowsWith(pixels: [number, number, number, number][][]): Float32Array {
  const rows = new Float32Array(pixels.length * rowFloats);
  pixels.forEach((px, r) => {
    for (const [y, x, ch, v] of px) rows[r * rowFloats + (y * shape.w + x) * shape.c + ch] = v;
  });
  return rows;
}

function roundTrip(rows: Float32Array, n: number) {
  const { bytes, ends } = packRows(rows, n, shape);
  const out = new Float32Array(n * rowFloats).fill(7); // stale values must not survive
  unpackRows(bytes, n, shape, out, 'test rows');
  return { bytes, ends, out };
}

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe('rows packed by their boxes', () => {
  it('gives back the same bits: -0 and NaN inside a box, an empty row, a row with no border', () => {
    const full = Array.from({ length: rowFloats }, (_, i) => {
      const y = Math.floor(i / (shape.w * shape.c));
      const x = Math.floor(i / shape.c) % shape.w;
      return [y, x, i % shape.c, i + 1] as [number, number, number, number];
    });
    const rows = rowsWith([
      [
        [2, 3, 1, 1.5],
        [5, 4, 0, -0],
        [4, 2, 2, NaN],
      ],
      [],
      full,
      [[8, 6, 2, 3e-41]], // a denormal in the last corner
    ]);
    const { bytes, ends, out } = roundTrip(rows, 4);
    expect(bits(out)).toEqual(bits(rows));
    // Row 0: rows 2-5, columns 2-4 (-0 counts: its sign bit is set); row 1: only its box header.
    expect(ends[0]).toBe(BOX_BYTES + 4 * 3 * 3 * 4);
    expect(ends[1] - ends[0]).toBe(BOX_BYTES);
    expect(ends[2] - ends[1]).toBe(BOX_BYTES + rowFloats * 4);
    expect(ends[3] - ends[2]).toBe(BOX_BYTES + 1 * 1 * 3 * 4);
    expect(bytes.length).toBe(ends[3]);
  });

  it('gives back random rows with random zero borders, one batch or a slice of them', () => {
    const rnd = seededRandom(11);
    const n = 40;
    const rows = new Float32Array(n * rowFloats);
    for (let r = 0; r < n; r++) {
      const y0 = Math.floor(rnd() * shape.h);
      const x0 = Math.floor(rnd() * shape.w);
      const y1 = y0 + Math.floor(rnd() * (shape.h - y0));
      const x1 = x0 + Math.floor(rnd() * (shape.w - x0));
      for (let y = y0; y <= y1; y++)
        for (let x = x0; x <= x1; x++)
          for (let ch = 0; ch < shape.c; ch++)
            // Zeros inside the box too: a box is the outer bound, not a mask.
            if (rnd() < 0.8) rows[r * rowFloats + (y * shape.w + x) * shape.c + ch] = rnd() - 0.5;
    }
    const { bytes, ends, out } = roundTrip(rows, n);
    expect(bits(out)).toEqual(bits(rows));
    // Rows 10-19 alone, as the cache reads a batch out of a part.
    const slice = bytes.subarray(ends[9], ends[19]);
    const aligned = new Uint8Array(slice.length);
    aligned.set(slice);
    const ten = new Float32Array(10 * rowFloats);
    unpackRows(aligned, 10, shape, ten, 'test rows');
    expect(bits(ten)).toEqual(bits(rows.subarray(10 * rowFloats, 20 * rowFloats)));
  });

  it('refuses a box outside the row and data that does not add up, naming where', () => {
    const rows = rowsWith([[[1, 1, 0, 2]], [[3, 3, 1, 4]]]);
    const { bytes } = packRows(rows, 2, shape);
    const out = new Float32Array(2 * rowFloats);
    const hurt = (f: (b: Uint8Array) => Uint8Array) => () =>
      unpackRows(f(Uint8Array.from(bytes)), 2, shape, out, 'part-000004.rows (rows 0-1)');
    // y0 of the first row moved past the row's 9 lines.
    expect(
      hurt((b) => {
        new Uint16Array(b.buffer)[0] = 9;
        return b;
      }),
    ).toThrow(/part-000004\.rows \(rows 0-1\): row 0 has a box \(9,1 1x1\) outside its 9x7 row/);
    expect(hurt((b) => b.subarray(0, b.length - 4))).toThrow(
      /row 1 has a box .* outside its 9x7 row or data/,
    );
    const longer = (b: Uint8Array) => {
      const c = new Uint8Array(b.length + 4);
      c.set(b);
      return c;
    };
    expect(hurt(longer)).toThrow(/part-000004\.rows \(rows 0-1\): 4 bytes left after 2 rows/);
  });
});
