/**
 * A minimal FITS writer for tests: builds headers card by card and pixel data big-endian, so each
 * quirk and each broken file is made on purpose, in a few lines, next to the test that needs it.
 */
import { gzipSync } from 'node:zlib';

export type CardValue = string | number | boolean | null;

/** One 80-char card. Strings are quoted with '' escapes; `raw` cards are written verbatim. */
export function card(key: string, value?: CardValue, comment?: string): string {
  if (value === undefined) return key.padEnd(80).slice(0, 80);
  let v: string;
  if (typeof value === 'string') v = `'${value.replace(/'/g, "''").padEnd(8)}'`.padEnd(20);
  else if (typeof value === 'boolean') v = (value ? 'T' : 'F').padStart(20);
  else if (value === null) v = ''.padStart(20);
  else v = String(value).padStart(20);
  const text = `${key.padEnd(8)}= ${v}${comment ? ` / ${comment}` : ''}`;
  if (text.length > 80) throw new Error(`card too long: ${text}`);
  return text.padEnd(80);
}

export function raw(text: string): string {
  return text.padEnd(80).slice(0, 80);
}

/** Header bytes: the cards, END (unless omitted), padded with blanks to a 2880 multiple. */
export function header(cards: string[], opts: { end?: boolean } = {}): Uint8Array {
  const all = opts.end === false ? cards : [...cards, raw('END')];
  const text = all.join('');
  const len = Math.ceil(text.length / 2880) * 2880;
  return Uint8Array.from(Buffer.from(text.padEnd(len, ' '), 'latin1'));
}

/** Raw pixel values written big-endian for the given BITPIX (integers as stored, before BZERO). */
export function pixels(
  bitpix: number,
  values: ArrayLike<number | bigint>,
  opts: { pad?: boolean } = {},
): Uint8Array {
  const size = Math.abs(bitpix) / 8;
  const n = values.length * size;
  const len = opts.pad === false ? n : Math.ceil(n / 2880) * 2880;
  const out = new Uint8Array(len);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const o = i * size;
    if (bitpix === 8) dv.setUint8(o, Number(v));
    else if (bitpix === 16) dv.setInt16(o, Number(v));
    else if (bitpix === 32) dv.setInt32(o, Number(v));
    else if (bitpix === 64) dv.setBigInt64(o, BigInt(v));
    else if (bitpix === -32) dv.setFloat32(o, Number(v));
    else dv.setFloat64(o, Number(v));
  }
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(parts));
}

/** A complete single-HDU image file. */
export function imageFile(
  bitpix: number,
  width: number,
  height: number,
  values: ArrayLike<number | bigint>,
  extra: string[] = [],
): Uint8Array {
  const h = header([
    card('SIMPLE', true),
    card('BITPIX', bitpix),
    card('NAXIS', 2),
    card('NAXIS1', width),
    card('NAXIS2', height),
    ...extra,
  ]);
  return concat(h, pixels(bitpix, values));
}

/** A BINTABLE extension of `rows` rows of `rowBytes` bytes plus a `heap`-byte heap (PCOUNT). */
export function binTable(rowBytes: number, rows: number, heap = 0): Uint8Array {
  const h = header([
    card('XTENSION', 'BINTABLE'),
    card('BITPIX', 8),
    card('NAXIS', 2),
    card('NAXIS1', rowBytes),
    card('NAXIS2', rows),
    card('PCOUNT', heap),
    card('GCOUNT', 1),
    card('TFIELDS', 1),
    card('TFORM1', `${rowBytes}B`),
  ]);
  // Filled with 'XTENSION' text on purpose: a reader that miscounts the size lands on a fake header.
  const n = rowBytes * rows + heap;
  const data = new Uint8Array(Math.ceil(n / 2880) * 2880);
  const fake = Buffer.from('XTENSION', 'latin1');
  for (let i = 0; i + 8 <= n; i += 8) data.set(fake, i);
  return concat(h, data);
}

export function imageExtension(
  bitpix: number,
  width: number,
  height: number,
  values: ArrayLike<number>,
  extname = 'SCI',
  extra: string[] = [],
): Uint8Array {
  const h = header([
    card('XTENSION', 'IMAGE'),
    card('BITPIX', bitpix),
    card('NAXIS', 2),
    card('NAXIS1', width),
    card('NAXIS2', height),
    card('PCOUNT', 0),
    card('GCOUNT', 1),
    card('EXTNAME', extname),
    ...extra,
  ]);
  return concat(h, pixels(bitpix, values));
}

export function emptyPrimary(extra: string[] = []): Uint8Array {
  return header([card('SIMPLE', true), card('BITPIX', 8), card('NAXIS', 0), card('EXTEND', true), ...extra]);
}

/**
 * A tile-compressed image (.fits.fz) with one GZIP_1 tile of quantized 32-bit integers `q`
 * (SUBTRACTIVE_DITHER_2, ZDITHER0 = 1, ZBLANK -2147483647), ZSCALE `scale` and ZZERO `zero`.
 */
export function quantizedGzipFile(
  width: number,
  height: number,
  q: number[],
  scale: number,
  zero: number,
): Uint8Array {
  const heap = gzipSync(pixels(32, q, { pad: false }));
  const row = new Uint8Array(24);
  const dv = new DataView(row.buffer);
  dv.setUint32(0, heap.length); // COMPRESSED_DATA descriptor: count, heap offset 0
  dv.setUint32(4, 0);
  dv.setFloat64(8, scale);
  dv.setFloat64(16, zero);
  const table = header([
    card('XTENSION', 'BINTABLE'),
    card('BITPIX', 8),
    card('NAXIS', 2),
    card('NAXIS1', 24),
    card('NAXIS2', 1),
    card('PCOUNT', heap.length),
    card('GCOUNT', 1),
    card('TFIELDS', 3),
    card('TTYPE1', 'COMPRESSED_DATA'),
    card('TFORM1', `1PB(${heap.length})`),
    card('TTYPE2', 'ZSCALE'),
    card('TFORM2', '1D'),
    card('TTYPE3', 'ZZERO'),
    card('TFORM3', '1D'),
    card('ZIMAGE', true),
    card('ZBITPIX', -32),
    card('ZNAXIS', 2),
    card('ZNAXIS1', width),
    card('ZNAXIS2', height),
    card('ZTILE1', width),
    card('ZTILE2', height),
    card('ZCMPTYPE', 'GZIP_1'),
    card('ZQUANTIZ', 'SUBTRACTIVE_DITHER_2'),
    card('ZDITHER0', 1),
    card('ZBLANK', -2147483647),
  ]);
  const body = concat(row, heap);
  const padded = new Uint8Array(Math.ceil(body.length / 2880) * 2880);
  padded.set(body);
  return concat(emptyPrimary(), table, padded);
}
