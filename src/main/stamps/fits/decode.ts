import { endianness } from 'node:os';
import { SENTINEL_FILL_THRESHOLD } from '../../../shared/stamp';

// FITS is big-endian; on the (usual) little-endian host float data is byte-swapped in a tight loop
// into a fresh buffer, which also fixes alignment. Integers go through DataView, which V8 inlines.
const HOST_LE = endianness() === 'LE';
/** |v| at or above this is fill (ZTF edge stamps use -3.4e38), never flux. */
const FILL = Math.abs(SENTINEL_FILL_THRESHOLD);

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

function swapCopy(src: Uint8Array, offset: number, dst: Uint8Array, width: number): void {
  const n = dst.length;
  if (!HOST_LE) {
    dst.set(src.subarray(offset, offset + n));
    return;
  }
  if (width === 4) {
    for (let i = 0; i < n; i += 4) {
      const o = offset + i;
      dst[i] = src[o + 3];
      dst[i + 1] = src[o + 2];
      dst[i + 2] = src[o + 1];
      dst[i + 3] = src[o];
    }
  } else {
    for (let i = 0; i < n; i += 8) {
      const o = offset + i;
      dst[i] = src[o + 7];
      dst[i + 1] = src[o + 6];
      dst[i + 2] = src[o + 5];
      dst[i + 3] = src[o + 4];
      dst[i + 4] = src[o + 3];
      dst[i + 5] = src[o + 2];
      dst[i + 6] = src[o + 1];
      dst[i + 7] = src[o];
    }
  }
}

/** Masks NaN/Inf/fill in place (writing NaN), applying BSCALE/BZERO when they are not 1/0. */
function finishFloat(data: Float32Array | Float64Array, s: Scaling, mask: Uint8Array): number {
  const scaled = s.bscale !== 1 || s.bzero !== 0;
  let masked = 0;
  for (let i = 0; i < data.length; i++) {
    let v = data[i];
    if (scaled) v = v * s.bscale + s.bzero;
    // Written as !(inside) so that NaN, which fails every comparison, lands in the masked branch.
    if (!(v > -FILL && v < FILL)) {
      data[i] = NaN;
      mask[i] = 0;
      masked++;
    } else {
      if (scaled) data[i] = v;
      mask[i] = 1;
    }
  }
  return masked;
}

/** Decodes `n` big-endian pixels of the given BITPIX at `offset` (bounds already checked). */
export function decodePixels(
  bytes: Uint8Array,
  offset: number,
  n: number,
  bitpix: number,
  s: Scaling,
): Decoded {
  const mask = new Uint8Array(n);
  if (bitpix === -32 || bitpix === -64) {
    const data = bitpix === -32 ? new Float32Array(n) : new Float64Array(n);
    swapCopy(bytes, offset, new Uint8Array(data.buffer), bitpix === -32 ? 4 : 8);
    // BLANK is not defined for floating-point data (FITS 4.0 sec. 4.4.2.5): NaN is the blank there.
    return { data, mask, masked: finishFloat(data, s, mask) };
  }
  // 8/16-bit values, even scaled, fit float32 as astropy does; 32/64-bit ones need float64
  // (the unsigned convention BZERO = 2147483648 reaches 4.29e9).
  const data = bitpix <= 16 ? new Float32Array(n) : new Float64Array(n);
  const dv = new DataView(bytes.buffer, bytes.byteOffset + offset, n * (Math.abs(bitpix) / 8));
  const { bscale, bzero } = s;
  const blank = s.blank ?? NaN; // NaN never equals a raw integer: no BLANK, nothing masked by it
  let masked = 0;
  for (let i = 0; i < n; i++) {
    let raw: number;
    if (bitpix === 16) raw = dv.getInt16(i * 2);
    else if (bitpix === 8) raw = dv.getUint8(i);
    else if (bitpix === 32) raw = dv.getInt32(i * 4);
    // 64-bit: hi * 2^32 + lo, exact up to 2^53 and correctly rounded beyond (no BigInt per pixel).
    else raw = dv.getInt32(i * 8) * 4294967296 + dv.getUint32(i * 8 + 4);
    const v = raw * bscale + bzero;
    if (raw === blank || !(v > -FILL && v < FILL)) {
      data[i] = NaN;
      masked++;
    } else {
      data[i] = v;
      mask[i] = 1;
    }
  }
  return { data, mask, masked };
}
