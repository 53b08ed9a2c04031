/**
 * Tile-compressed images (FITS 4.0 sec. 10): what fpack and astropy's CompImageHDU write, and what
 * survey archives hand out as .fits.fz. The image travels as a binary table (ZIMAGE = T) with one
 * row per tile; each row points into the heap at the tile's compressed bytes. Read here: RICE_1,
 * GZIP_1 and GZIP_2 tiles; integer images, and float images quantized to integers
 * (NO_DITHER, SUBTRACTIVE_DITHER_1 and _2, per-tile ZSCALE/ZZERO) or stored losslessly. PLIO_1 and
 * HCOMPRESS_1 (rare for cutouts) get an error that says how to decompress the file instead.
 */
import { gunzipSync } from 'node:zlib';
import { FILL, type Decoded } from './decode';
import { FitsError, pixelLimitError } from './errors';
import { numberOr, type FitsHeader } from './header';
import type { HduLayout } from './parse';

/** The quantized-float null value (cfitsio's NULL_VALUE) when no ZBLANK is given. */
const QUANTIZED_NULL = -2147483647;
/** SUBTRACTIVE_DITHER_2 stores exact zeros as this value (cfitsio's ZERO_VALUE). */
const ZERO_VALUE = -2147483646;

export function isTileCompressed(l: Pick<HduLayout, 'xtension' | 'header'>): boolean {
  return l.xtension === 'BINTABLE' && l.header.get('ZIMAGE') === true;
}

/** ZNAXISn of a tile-compressed HDU: the image's axes (fastest first), [] if not given. */
export function tileCompressedAxes(header: FitsHeader): number[] {
  const n = header.get('ZNAXIS');
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 999) return [];
  const axes: number[] = [];
  for (let i = 1; i <= n; i++) {
    const v = header.get(`ZNAXIS${i}`);
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) return [];
    axes.push(v);
  }
  return axes;
}

interface Column {
  name: string;
  /** Byte offset in the row. */
  offset: number;
  code: string;
  repeat: number;
  /** Element type of a variable-length array (P or Q descriptors). */
  arrayCode: string | null;
}

const WIDTH: Record<string, number> = {
  L: 1,
  B: 1,
  I: 2,
  J: 4,
  K: 8,
  A: 1,
  E: 4,
  D: 8,
  C: 8,
  M: 16,
  P: 8,
  Q: 16,
};

function columnsOf(header: FitsHeader, file: string, index: number): Column[] {
  const fields = header.get('TFIELDS');
  if (typeof fields !== 'number' || !Number.isInteger(fields) || fields < 1 || fields > 999)
    throw new FitsError(
      file,
      `HDU ${index} (tile-compressed image) has no valid TFIELDS`,
      'the file is corrupt',
    );
  const cols: Column[] = [];
  let offset = 0;
  for (let i = 1; i <= fields; i++) {
    const form = String(header.get(`TFORM${i}`) ?? '')
      .trim()
      .toUpperCase();
    const m = /^(\d*)([LXBIJKAEDCMPQ])([BIJKED])?/.exec(form);
    if (!m)
      throw new FitsError(file, `HDU ${index} column ${i} has TFORM${i} = '${form}'`, 'the file is corrupt');
    const repeat = m[1] === '' ? 1 : Number(m[1]);
    const code = m[2];
    const bytes = code === 'X' ? Math.ceil(repeat / 8) : repeat * WIDTH[code];
    cols.push({
      name: String(header.get(`TTYPE${i}`) ?? '')
        .trim()
        .toUpperCase(),
      offset,
      code,
      repeat,
      arrayCode: code === 'P' || code === 'Q' ? (m[3] ?? 'B') : null,
    });
    offset += bytes;
  }
  return cols;
}

/** The FITS standard's dither sequence (sec. 10.2.3): 10,000 uniform deviates from a Park-Miller generator. */
let randoms: Float64Array | null = null;
function ditherSequence(): Float64Array {
  if (randoms) return randoms;
  randoms = new Float64Array(10000);
  let seed = 1;
  for (let i = 0; i < randoms.length; i++) {
    const temp = 16807 * seed;
    seed = temp - 2147483647 * Math.floor(temp / 2147483647);
    // cfitsio keeps the deviates as C floats: the decoded values depend on that rounding.
    randoms[i] = Math.fround(seed / 2147483647);
  }
  return randoms;
}

/**
 * Rice decoding of one tile, after cfitsio's fits_rdecomp (the reference): the first value raw,
 * then blocks of `blockSize` differences, each block with a k-bit split or a low/high-entropy
 * escape. `b` holds the `nbits` bits not yet used (at most fs + 7 < 32 of them), most significant
 * first, so every step is a shift and a mask; differences wrap as cfitsio's unsigned arithmetic.
 */
function riceDecode(
  src: Uint8Array,
  n: number,
  blockSize: number,
  bytePix: number,
  fail: (why: string) => never,
): Int32Array {
  const out = new Int32Array(n);
  const fsBits = bytePix === 1 ? 3 : bytePix === 2 ? 4 : 5;
  const fsMax = bytePix === 1 ? 6 : bytePix === 2 ? 14 : 25;
  const bBits = 8 * Math.min(bytePix, 4);
  const len = src.length;
  if (len < bytePix + 1) fail('a Rice tile shorter than its first value');
  let last = 0;
  for (let i = 0; i < bytePix; i++) last = (last << 8) | src[i];
  let pos = bytePix;
  let b = src[pos++];
  let nbits = 8;
  const short = () => fail('a Rice tile ends before its last pixel');
  for (let i = 0; i < n;) {
    nbits -= fsBits;
    while (nbits < 0) {
      if (pos >= len) short();
      b = (b << 8) | src[pos++];
      nbits += 8;
    }
    const fs = (b >>> nbits) - 1;
    b &= (1 << nbits) - 1;
    const end = Math.min(i + blockSize, n);
    if (fs < 0) {
      for (; i < end; i++) out[i] = last;
    } else if (fs === fsMax) {
      // Raw differences of bBits bits each (noisy blocks): bit by bit is fast enough, they are rare.
      for (; i < end; i++) {
        let diff = 0;
        for (let k = 0; k < bBits; k++) {
          if (nbits === 0) {
            if (pos >= len) short();
            b = src[pos++];
            nbits = 8;
          }
          nbits--;
          diff = (diff << 1) | ((b >>> nbits) & 1);
        }
        b &= (1 << nbits) - 1;
        last = (last + (diff & 1 ? ~(diff >>> 1) : diff >>> 1)) | 0;
        out[i] = last;
      }
    } else {
      for (; i < end; i++) {
        // Unary part: the zeros before the next 1 bit. Unbounded: an outlier in a block of small
        // differences is a long run; it stops at the end of the tile's bytes.
        let zeros = 0;
        while (b === 0) {
          if (pos >= len) short();
          zeros += nbits;
          b = src[pos++];
          nbits = 8;
        }
        const width = 32 - Math.clz32(b);
        zeros += nbits - width;
        nbits = width - 1;
        b &= (1 << nbits) - 1; // the 1 bit dropped
        nbits -= fs;
        while (nbits < 0) {
          if (pos >= len) short();
          b = (b << 8) | src[pos++];
          nbits += 8;
        }
        const diff = (zeros << fs) | (b >>> nbits);
        b &= (1 << nbits) - 1;
        last = (last + (diff & 1 ? ~(diff >>> 1) : diff >>> 1)) | 0;
        out[i] = last;
      }
    }
  }
  // Differences are taken modulo the value width (cfitsio's unsigned arithmetic): wrap back to it.
  if (bytePix === 2) for (let i = 0; i < n; i++) out[i] = (out[i] << 16) >> 16;
  else if (bytePix === 1) for (let i = 0; i < n; i++) out[i] &= 0xff;
  return out;
}

/** GZIP_2's byte shuffle undone: the most significant bytes of all values come first. */
function unshuffle(src: Uint8Array, width: number): Uint8Array {
  const n = src.length / width;
  const out = new Uint8Array(src.length);
  for (let b = 0; b < width; b++) for (let i = 0; i < n; i++) out[i * width + b] = src[b * n + i];
  return out;
}

/** Big-endian values of `width` bytes; integers for integer or quantized tiles, else floats. */
function readValues(
  src: Uint8Array,
  n: number,
  width: number,
  float: boolean,
  fail: (why: string) => never,
): Float64Array {
  if (src.length < n * width) fail(`a tile holds ${src.length} bytes where ${n * width} were expected`);
  const dv = new DataView(src.buffer, src.byteOffset, n * width);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * width;
    out[i] = float
      ? width === 4
        ? dv.getFloat32(o)
        : dv.getFloat64(o)
      : width === 1
        ? dv.getUint8(o)
        : width === 2
          ? dv.getInt16(o)
          : width === 4
            ? dv.getInt32(o)
            : Number(dv.getBigInt64(o));
  }
  return out;
}

/**
 * Decodes a tile-compressed image HDU into physical values with its validity mask (masked pixels
 * hold `maskedValue`), as decodePixels does for an uncompressed one.
 */
export function decodeTileCompressed(
  bytes: Uint8Array,
  layout: HduLayout,
  file: string,
  maxPixels: number,
  maskedValue = NaN,
): Decoded & { axes: number[]; bitpix: number } {
  const { header, index } = layout;
  const fail = (why: string): never => {
    throw new FitsError(
      file,
      `HDU ${index} (tile-compressed image): ${why}`,
      'the file is corrupt or truncated; decompress it with funpack to check',
    );
  };
  const axes = tileCompressedAxes(header);
  if (axes.length < 1) fail('ZNAXIS/ZNAXISn missing or invalid');
  const zbitpix = header.get('ZBITPIX');
  if (![8, 16, 32, 64, -32, -64].includes(zbitpix as number)) fail(`ZBITPIX = ${String(zbitpix)}`);
  const bitpix = zbitpix as number;
  const n = axes.reduce((a, b) => a * b, 1);
  if (n > maxPixels) throw pixelLimitError(file, index, axes, n, maxPixels);
  const cmp = String(header.get('ZCMPTYPE') ?? '')
    .trim()
    .toUpperCase();
  if (!['RICE_1', 'RICE_ONE', 'GZIP_1', 'GZIP_2'].includes(cmp))
    throw new FitsError(
      file,
      `HDU ${index} is tile-compressed with ZCMPTYPE = '${cmp}', which Skysift does not read (it reads RICE_1, GZIP_1, GZIP_2)`,
      'decompress it first (funpack, or astropy: fits.open(f)[1].data written to a plain FITS file)',
    );
  // Tile geometry: ZTILEn (default: whole rows).
  const tile = axes.map((len, i) => {
    const v = header.get(`ZTILE${i + 1}`);
    return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : i === 0 ? len : 1;
  });
  const perAxis = axes.map((len, i) => Math.ceil(len / tile[i]));
  const tiles = perAxis.reduce((a, b) => a * b, 1);

  const rowBytes = header.get('NAXIS1') as number;
  const rows = header.get('NAXIS2') as number;
  if (!Number.isInteger(rowBytes) || !Number.isInteger(rows)) fail('NAXIS1/NAXIS2 missing');
  if (rows !== tiles) fail(`${rows} table rows for ${tiles} tiles of ${tile.join(' x ')}`);
  const cols = columnsOf(header, file, index);
  const col = (name: string) => cols.find((c) => c.name === name);
  const data = col('COMPRESSED_DATA');
  if (!data || !data.arrayCode) fail('no COMPRESSED_DATA column of variable-length arrays');
  const gzipData = col('GZIP_COMPRESSED_DATA');
  const zscaleCol = col('ZSCALE');
  const zzeroCol = col('ZZERO');
  const zblankCol = col('ZBLANK');
  const heap = layout.dataOffset + numberOr(header, 'THEAP', rowBytes * rows);
  const tableEnd = layout.dataOffset + layout.dataBytes;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);

  const param = (name: string, def: number): number => {
    for (let i = 1; i < 100; i++) {
      const key = header.get(`ZNAME${i}`);
      if (key === undefined) break;
      if (String(key).trim().toUpperCase() === name) {
        const v = header.get(`ZVAL${i}`);
        return typeof v === 'number' ? v : def;
      }
    }
    return def;
  };
  const blockSize = param('BLOCKSIZE', 32);
  const floatImage = bitpix < 0;
  const quantized = floatImage && !!zscaleCol;
  const quantize = String(header.get('ZQUANTIZ') ?? 'NO_DITHER')
    .trim()
    .toUpperCase();
  const dither = quantize === 'SUBTRACTIVE_DITHER_1' || quantize === 'SUBTRACTIVE_DITHER_2';
  // NaN matches no stored value: only SUBTRACTIVE_DITHER_2 codes exact zeros.
  const zeroCode = quantize === 'SUBTRACTIVE_DITHER_2' ? ZERO_VALUE : NaN;
  const dither0 = numberOr(header, 'ZDITHER0', 1);
  const headerBlank = header.get('ZBLANK') ?? (floatImage ? undefined : header.get('BLANK'));
  // Integer images keep their own BSCALE/BZERO in the compressed header.
  const bscale = numberOr(header, 'BSCALE', 1);
  const bzero = numberOr(header, 'BZERO', 0);
  // Stored integers: Rice's BYTEPIX, else the image's width (quantized floats are 32-bit).
  const intWidth = quantized ? 4 : Math.abs(bitpix) / 8;

  const cell = (row: number, c: Column): number => {
    const o = layout.dataOffset + row * rowBytes + c.offset;
    return c.code === 'D'
      ? dv.getFloat64(o)
      : c.code === 'E'
        ? dv.getFloat32(o)
        : c.code === 'J'
          ? dv.getInt32(o)
          : c.code === 'I'
            ? dv.getInt16(o)
            : Number(dv.getBigInt64(o));
  };
  const heapBytes = (row: number, c: Column): Uint8Array => {
    const o = layout.dataOffset + row * rowBytes + c.offset;
    const count = c.code === 'P' ? dv.getUint32(o) : Number(dv.getBigUint64(o));
    const at = c.code === 'P' ? dv.getUint32(o + 4) : Number(dv.getBigUint64(o + 8));
    const len = count * (WIDTH[c.arrayCode!] ?? 1);
    if (heap + at + len > tableEnd) fail(`tile ${row + 1}'s bytes run past the end of the heap`);
    return bytes.subarray(heap + at, heap + at + len);
  };

  const out =
    bitpix === -64 || Math.abs(bitpix) === 64 || bitpix === 32 ? new Float64Array(n) : new Float32Array(n);
  const mask = new Uint8Array(n);
  let masked = 0;
  const rand = dither ? ditherSequence() : null;
  const [w] = axes;
  for (let t = 0; t < tiles; t++) {
    // Tile t's origin and size (row-major over tiles; the last ones may be cut by the image edge).
    let rem = t;
    const origin: number[] = [];
    const size: number[] = [];
    for (let a = 0; a < axes.length; a++) {
      const k = rem % perAxis[a];
      rem = Math.floor(rem / perAxis[a]);
      origin.push(k * tile[a]);
      size.push(Math.min(tile[a], axes[a] - k * tile[a]));
    }
    const count = size.reduce((a, b) => a * b, 1);
    let values: Float64Array;
    const raw = heapBytes(t, data!);
    let lossless = false;
    if (raw.length === 0 && gzipData) {
      // A tile that could not be quantized (cfitsio stores it losslessly instead).
      lossless = true;
      values = readValues(
        gunzipTile(heapBytes(t, gzipData), fail),
        count,
        Math.abs(bitpix) / 8,
        floatImage,
        fail,
      );
    } else if (cmp === 'RICE_1' || cmp === 'RICE_ONE') {
      values = new Float64Array(riceDecode(raw, count, blockSize, param('BYTEPIX', 4), fail));
    } else {
      let plain = gunzipTile(raw, fail);
      if (cmp === 'GZIP_2') plain = unshuffle(plain, intWidth);
      values = readValues(plain, count, intWidth, floatImage && !quantized, fail);
    }
    const scale = quantized && !lossless ? cell(t, zscaleCol!) : 1;
    const zero = quantized && !lossless && zzeroCol ? cell(t, zzeroCol) : 0;
    const blankRaw = zblankCol ? cell(t, zblankCol) : headerBlank;
    const blank = typeof blankRaw === 'number' ? blankRaw : quantized ? QUANTIZED_NULL : undefined;
    // Dither offsets restart per tile at a seed set by the tile number (sec. 10.2.3).
    let seedIndex = (t + dither0 - 1) % 10000;
    let next = rand ? Math.floor(rand[seedIndex] * 500) : 0;
    // The tile's pixels in order, row by row into the image (2-D tiles over the first two axes;
    // higher axes have length 1).
    const tw = size[0];
    const rowsInTile = count / tw;
    const base = (origin[1] ?? 0) * w + origin[0];
    let i = 0;
    for (let r = 0; r < rowsInTile; r++) {
      for (let p = base + r * w, c = 0; c < tw; c++, p++, i++) {
        const q = values[i];
        let v: number;
        if (lossless || !quantized) {
          v = !floatImage && q === blank ? NaN : floatImage ? q : q * bscale + bzero;
        } else if (q === blank) {
          v = NaN;
        } else if (q === zeroCode) {
          v = 0;
        } else {
          v = dither ? (q - rand![next] + 0.5) * scale + zero : q * scale + zero;
        }
        if (dither && ++next === 10000) {
          // The sequence advances for every pixel of the tile, null or not, as cfitsio's does.
          seedIndex = (seedIndex + 1) % 10000;
          next = Math.floor(rand![seedIndex] * 500);
        }
        if (Number.isNaN(v) || Math.abs(v) >= FILL) {
          out[p] = maskedValue;
          masked++;
        } else {
          out[p] = v;
          mask[p] = 1;
        }
      }
    }
  }
  return { data: out, mask, masked, axes, bitpix };
}

function gunzipTile(src: Uint8Array, fail: (why: string) => never): Uint8Array {
  try {
    return gunzipSync(src);
  } catch (e) {
    return fail(`a gzip tile does not inflate (${(e as Error).message})`);
  }
}
