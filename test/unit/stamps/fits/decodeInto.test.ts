/**
 * The direct path (file bytes to stored bytes, by bit patterns) against the float path it replaces
 * for unscaled BITPIX -32 stamps: the same stored bits and mask for every kind of float32, the
 * fill-threshold boundary included, and readStampInto against readStamp for every BITPIX.
 */
import { describe, expect, it } from 'vitest';
import { FILL, FILL_BITS, decodeFloat32Into, decodePixels } from '../../../../src/main/stamps/fits/decode';
import { readStamp, readStampInto } from '../../../../src/main/stamps/fits/stamp';
import { card, imageFile } from './fitsBuilder';

/** Big-endian float32 bytes of the given bit patterns. */
function beBytes(bits: number[]): Uint8Array {
  const out = new Uint8Array(bits.length * 4);
  const dv = new DataView(out.buffer);
  bits.forEach((b, i) => dv.setUint32(i * 4, b >>> 0));
  return out;
}

function f32bits(v: number): number {
  const dv = new DataView(new ArrayBuffer(4));
  dv.setFloat32(0, v);
  return dv.getUint32(0);
}

describe('decodeFloat32Into', () => {
  it('stores exactly the bits and mask that decodePixels then a copy stored', () => {
    const specials = [
      0,
      -0,
      1,
      -1,
      1.5e-45,
      -1.5e-45,
      1e-38,
      3.4e38,
      -3.4e38,
      Infinity,
      -Infinity,
      NaN,
      1e29,
      -1e29,
    ];
    const bits = specials.map(f32bits);
    // The threshold's neighbourhood, both signs; quiet and signalling NaN payloads.
    for (let d = -3; d <= 3; d++) bits.push(FILL_BITS + d, (FILL_BITS + d) | 0x80000000);
    bits.push(0x7fc00001, 0xff800001, 0x7f800001);
    // And random patterns (a fixed LCG: the same cases each run).
    let x = 12345;
    for (let i = 0; i < 20000; i++) bits.push((x = (Math.imul(x, 1103515245) + 12345) >>> 0));
    const n = bits.length;
    const src = beBytes(bits);
    // An odd offset in both buffers, as records side by side give.
    const file = new Uint8Array(3 + n * 4);
    file.set(src, 3);
    const out = new Uint8Array(5 + n * 5).fill(0xaa);
    const masked = decodeFloat32Into(file, 3, n, { out, dataAt: 5, maskAt: 5 + n * 4 });
    const ref = decodePixels(src, 0, n, -32, { bscale: 1, bzero: 0, blank: undefined }, 0);
    expect(Buffer.from(out.subarray(5, 5 + n * 4)).equals(Buffer.from(ref.data.buffer))).toBe(true);
    expect(Buffer.from(out.subarray(5 + n * 4)).equals(Buffer.from(ref.mask))).toBe(true);
    expect(masked).toBe(ref.masked);
    expect(out[4]).toBe(0xaa);
    // The threshold itself: the first pattern masked is the first float32 not below FILL.
    const dv = new DataView(new ArrayBuffer(4));
    dv.setUint32(0, FILL_BITS);
    expect(dv.getFloat32(0)).toBeGreaterThanOrEqual(FILL);
    dv.setUint32(0, FILL_BITS - 1);
    expect(dv.getFloat32(0)).toBeLessThan(FILL);
  });
});

describe('readStampInto', () => {
  const px = Array.from({ length: 9 * 7 }, (_, i) =>
    i % 5 === 2 ? NaN : i % 11 === 4 ? -3.4e38 : i * 1.25 - 20,
  );
  const cases: [string, Uint8Array][] = [
    ['float32', imageFile(-32, 9, 7, px)],
    ['float32 scaled', imageFile(-32, 9, 7, px, [card('BSCALE', 2), card('BZERO', 1)])],
    ['float64', imageFile(-64, 9, 7, px)],
    [
      'int16 with BLANK',
      imageFile(
        16,
        9,
        7,
        px.map((v) => (Number.isFinite(v) && Math.abs(v) < 1e30 ? Math.round(v) : -32768)),
        [card('BLANK', -32768)],
      ),
    ],
  ];
  for (const [name, bytes] of cases) {
    it(`writes what readStamp decodes: ${name}`, () => {
      const { image } = readStamp(bytes, 'x.fits');
      const n = image.width * image.height;
      const out = new Uint8Array(1 + n * 5);
      const r = readStampInto(bytes, 'x.fits', {}, (w, h) => {
        expect([w, h]).toEqual([9, 7]);
        return { out, dataAt: 1, maskAt: 1 + n * 4 };
      });
      expect([r.width, r.height]).toEqual([9, 7]);
      expect(Buffer.from(out.subarray(1, 1 + n * 4)).equals(Buffer.from(image.data.buffer))).toBe(true);
      expect(Buffer.from(out.subarray(1 + n * 4)).equals(Buffer.from(image.mask))).toBe(true);
    });
  }

  it('fails as readStamp does on a truncated file, before asking for room', () => {
    const bytes = imageFile(-32, 9, 7, px).subarray(0, 2880 + 100);
    expect(() => readStamp(bytes, 'cut.fits')).toThrow(/cut\.fits: .*truncated/);
    expect(() =>
      readStampInto(bytes, 'cut.fits', {}, () => {
        throw new Error('no room should be asked for');
      }),
    ).toThrow(/cut\.fits: .*truncated/);
  });
});
