import { SENTINEL_FILL_THRESHOLD } from '../../../shared/stamp';

// FITS is big-endian. Every BITPIX is read through a DataView (V8 inlines its big-endian reads), in
// one pass that swaps, scales, masks and stores: three passes over the pixels (byte-swap copy, mask,
// then a copy to the stamp's masked-as-0 convention) were a third of ingest's decoding time.
/** |v| at or above this is fill (ZTF edge stamps use -3.4e38), never flux. */
export const FILL = Math.abs(SENTINEL_FILL_THRESHOLD);

export interface Scaling {
  bscale: number;
  bzero: number;
  /** BLANK: the raw integer marking undefined pixels (integer BITPIX only). */
  blank: number | undefined;
}

export interface Decoded {
  /** Physical values; masked pixels hold NaN. */
  data: Float32Array | Float64Array;
  /** 1 = valid, 0 = masked (NaN, BLANK, sentinel fill): the StampImage convention. */
  mask: Uint8Array;
  masked: number;
}

/**
 * Decodes `n` big-endian pixels of the given BITPIX at `offset` (bounds already checked). Masked
 * pixels hold `maskedValue`: NaN by default, 0 for a StampImage (which reads them through the mask).
 */
export function decodePixels(
  bytes: Uint8Array,
  offset: number,
  n: number,
  bitpix: number,
  s: Scaling,
  maskedValue = NaN,
): Decoded {
  const mask = new Uint8Array(n);
  const dv = new DataView(bytes.buffer, bytes.byteOffset + offset, n * (Math.abs(bitpix) / 8));
  const { bscale, bzero } = s;
  let masked = 0;
  if (bitpix === -32 && bscale === 1 && bzero === 0) {
    // The stamp case (DES, ZTF, ATLAS): its own monomorphic loop, about 3x the shared one below.
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const v = dv.getFloat32(i * 4);
      // Written as !(inside) so that NaN, which fails every comparison, lands in the masked branch.
      if (!(v > -FILL && v < FILL)) {
        data[i] = maskedValue;
        masked++;
      } else {
        data[i] = v;
        mask[i] = 1;
      }
    }
    return { data, mask, masked };
  }
  if (bitpix === -32 || bitpix === -64) {
    const data = bitpix === -32 ? new Float32Array(n) : new Float64Array(n);
    // BLANK is not defined for floating-point data (FITS 4.0 sec. 4.4.2.5): NaN is the blank there.
    for (let i = 0; i < n; i++) {
      const raw = bitpix === -32 ? dv.getFloat32(i * 4) : dv.getFloat64(i * 8);
      const v = raw * bscale + bzero;
      if (!(v > -FILL && v < FILL)) {
        data[i] = maskedValue;
        masked++;
      } else {
        data[i] = v;
        mask[i] = 1;
      }
    }
    return { data, mask, masked };
  }
  // 8/16-bit values, even scaled, fit float32 as astropy does; 32/64-bit ones need float64
  // (the unsigned convention BZERO = 2147483648 reaches 4.29e9).
  const data = bitpix <= 16 ? new Float32Array(n) : new Float64Array(n);
  const blank = s.blank ?? NaN; // NaN never equals a raw integer: no BLANK, nothing masked by it
  for (let i = 0; i < n; i++) {
    let raw: number;
    if (bitpix === 16) raw = dv.getInt16(i * 2);
    else if (bitpix === 8) raw = dv.getUint8(i);
    else if (bitpix === 32) raw = dv.getInt32(i * 4);
    // 64-bit: hi * 2^32 + lo, exact up to 2^53 and correctly rounded beyond (no BigInt per pixel).
    else raw = dv.getInt32(i * 8) * 4294967296 + dv.getUint32(i * 8 + 4);
    const v = raw * bscale + bzero;
    if (raw === blank || !(v > -FILL && v < FILL)) {
      data[i] = maskedValue;
      masked++;
    } else {
      data[i] = v;
      mask[i] = 1;
    }
  }
  return { data, mask, masked };
}

/** Where one stamp image is written in a caller's buffer: float32 little-endian data, then mask bytes. */
export interface StampTarget {
  out: Uint8Array;
  dataAt: number;
  maskAt: number;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
/**
 * The float32 bit patterns (sign cleared) at or above which a pixel is masked: the smallest float32
 * not below FILL, so that `(bits & 0x7fffffff) >= FILL_BITS` is exactly `!(v > -FILL && v < FILL)`
 * (non-negative floats order as their bit patterns do, and NaN and Infinity lie above every finite).
 */
export const FILL_BITS = (() => {
  f32[0] = FILL;
  return f32[0] < FILL ? u32[0] + 1 : u32[0];
})();

/**
 * The unscaled BITPIX -32 stamp decoded straight into its stored form: each pixel's 4 bytes
 * reversed (big- to little-endian) with no float conversion, masked pixels as 0 with mask 0. The
 * same bits as decodePixels(..., 0) then a copy, without the intermediate arrays. Returns the
 * masked count.
 */
export function decodeFloat32Into(bytes: Uint8Array, offset: number, n: number, t: StampTarget): number {
  const src = new DataView(bytes.buffer, bytes.byteOffset + offset, n * 4);
  const dst = new DataView(t.out.buffer, t.out.byteOffset + t.dataAt, n * 4);
  const mask = t.out;
  const m0 = t.maskAt;
  let masked = 0;
  for (let i = 0; i < n; i++) {
    const bits = src.getUint32(i * 4);
    if ((bits & 0x7fffffff) >= FILL_BITS) {
      dst.setUint32(i * 4, 0, true);
      mask[m0 + i] = 0;
      masked++;
    } else {
      dst.setUint32(i * 4, bits, true);
      mask[m0 + i] = 1;
    }
  }
  return masked;
}
