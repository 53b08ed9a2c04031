import type { StampImage } from '../../../shared/stamp';
import { FitsError } from './errors';
import type { FitsHeader } from './header';
import type { FitsReadOptions, HduLayout } from './parse';
import { DEFAULT_MAX_PIXELS } from './constants';
import { decodeFloat32Into, type StampTarget } from './decode';
import { pixelLimitError } from './errors';
import { numberOr } from './header';
import { decodeHdu, openFits, walkHdus } from './parse';
import { isTileCompressed, tileCompressedAxes } from './tileCompressed';

/** The image's axes: NAXISn, or ZNAXISn of a tile-compressed image (.fits.fz); null for no image. */
function imageAxes(l: HduLayout): number[] | null {
  return isTileCompressed(l) ? tileCompressedAxes(l.header) : l.isImage ? l.axes : null;
}

/** 2-D, or n-D with every axis beyond the second of length 1 (e.g. NAXIS3 = 1 cubes). */
function is2d(l: HduLayout): boolean {
  const axes = imageAxes(l);
  return !!axes && axes.length >= 2 && axes.slice(2).every((n) => n === 1);
}

/** Which HDU holds the stamp: its number (0 = primary), or its EXTNAME (and EXTVER). */
export type HduSelector = number | { extname: string; extver?: number };

function matches(l: HduLayout, sel: HduSelector): boolean {
  if (typeof sel === 'number') return l.index === sel;
  const name = l.header.get('EXTNAME');
  if (typeof name !== 'string' || name.trim().toUpperCase() !== sel.extname.toUpperCase()) return false;
  return sel.extver === undefined || (l.header.get('EXTVER') ?? 1) === sel.extver;
}

const describe = (sel: HduSelector) =>
  typeof sel === 'number'
    ? `HDU ${sel}`
    : `HDU named ${sel.extname}${sel.extver === undefined ? '' : ` (EXTVER ${sel.extver})`}`;

/** The HDU a stamp is read from: the first 2-D image, or the one selected; else a FitsError. */
function chooseStampHdu(buf: Uint8Array, file: string, sel: HduSelector | undefined): HduLayout {
  let chosen: HduLayout | undefined;
  const seen: string[] = [];
  for (const l of walkHdus(buf, file)) {
    const name = l.header.get('EXTNAME');
    const kind =
      (isTileCompressed(l) ? 'tile-compressed image' : (l.xtension ?? 'PRIMARY')) +
      (typeof name === 'string' && name.trim() ? ` ${name.trim()}` : '');
    seen.push(`${l.index}: ${kind} ${imageAxes(l)?.join('x') || l.axes.join('x') || '(no data)'}`);
    if (sel !== undefined ? matches(l, sel) : is2d(l)) {
      chosen = l;
      break;
    }
  }
  if (!chosen || !is2d(chosen)) {
    const want =
      sel === undefined
        ? 'no HDU holds a 2-D image'
        : chosen
          ? `${describe(sel)} is not a 2-D image`
          : `no ${describe(sel)} in the file`;
    throw new FitsError(file, `${want} (HDUs: ${seen.join('; ')})`, 'pick the HDU that holds the stamp');
  }
  return chosen;
}

function decodeStamp(
  buf: Uint8Array,
  chosen: HduLayout,
  file: string,
  opts: FitsReadOptions,
): { image: StampImage; header: FitsHeader; hdu: number } {
  // Masked pixels decoded straight to 0 (StampImage reads them through the mask): no second pass.
  const hdu = decodeHdu(buf, chosen, file, opts, 0);
  const src = hdu.data!;
  const mask = hdu.blankMask!;
  // Float64 sources (BITPIX -64, 32, 64) narrow to float32, values kept as float32 rounds them.
  const data = src instanceof Float32Array ? src : Float32Array.from(src);
  return {
    image: { width: hdu.axes[0], height: hdu.axes[1], data, mask },
    header: hdu.header,
    hdu: chosen.index,
  };
}

/**
 * The first HDU holding a 2-D image (or the one given), as a StampImage with the validity mask.
 * Float64 data is converted to Float32 (values kept). Lazy like astropy's getdata: HDUs after the
 * chosen one are not read, so a broken trailing extension does not cost a good stamp.
 */
export function readStamp(
  bytes: Uint8Array,
  file: string,
  opts: FitsReadOptions & { hdu?: HduSelector } = {},
): { image: StampImage; header: FitsHeader; hdu: number } {
  const buf = openFits(bytes, file, opts);
  return decodeStamp(buf, chooseStampHdu(buf, file, opts.hdu), file, opts);
}

/** Where a stamp of the given size is to be written (float32 little-endian data, then its mask). */
export type StampSink = (width: number, height: number) => StampTarget;

/**
 * readStamp writing the image into the caller's buffer instead of arrays of its own: the same HDU,
 * the same errors and the same bits (float32, masked pixels 0, mask 1/0). The common stamp, an
 * unscaled BITPIX -32 image, goes from file bytes to stored bytes in one pass; any other is decoded
 * as readStamp does, then copied.
 */
export function readStampInto(
  bytes: Uint8Array,
  file: string,
  opts: FitsReadOptions & { hdu?: HduSelector },
  sink: StampSink,
): { width: number; height: number; header: FitsHeader } {
  const buf = openFits(bytes, file, opts);
  const chosen = chooseStampHdu(buf, file, opts.hdu);
  const { header, axes } = chosen;
  const direct =
    !isTileCompressed(chosen) &&
    chosen.bitpix === -32 &&
    numberOr(header, 'BSCALE', 1) === 1 &&
    numberOr(header, 'BZERO', 0) === 0;
  if (direct) {
    const n = axes.reduce((a, b) => a * b, 1);
    const maxPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
    if (n > maxPixels) throw pixelLimitError(file, chosen.index, axes, n, maxPixels);
    // walkHdus checked the size against the file; decodeHdu's defence in depth, kept here too.
    if (chosen.dataOffset + n * 4 <= buf.length) {
      decodeFloat32Into(buf, chosen.dataOffset, n, sink(axes[0], axes[1]));
      return { width: axes[0], height: axes[1], header };
    }
  }
  const { image } = decodeStamp(buf, chosen, file, opts);
  const n = image.width * image.height;
  const t = sink(image.width, image.height);
  t.out.set(new Uint8Array(image.data.buffer, image.data.byteOffset, n * 4), t.dataAt);
  t.out.set(image.mask.subarray(0, n), t.maskAt);
  return { width: image.width, height: image.height, header };
}
