/**
 * Minimal FITS writer for single simple images (primary HDU only): 80-character cards in 2880-byte
 * blocks, keywords left-justified, fixed-format values (numbers and logicals right-justified to column
 * 30, strings quoted from column 11 and padded to at least 8 characters), big-endian data padded with
 * zeros to a whole block. Files are written atomically (util/atomicWrite).
 */
import { writeFileAtomicSync } from '../util/atomicWrite';

export type FitsValue = string | number | boolean;
export interface FitsCard {
  key: string;
  value?: FitsValue;
  comment?: string;
  /** For floats: emit with this many significant digits (default: shortest round-trip form). */
  precision?: number;
}

export interface FitsImage {
  width: number;
  height: number;
  /** Row-major, row 0 = FITS row 1 (NAXIS2 index 1). NaN is written as IEEE NaN. */
  data: Float32Array;
  /** Cards after SIMPLE/BITPIX/NAXIS/NAXIS1/NAXIS2 (which are written here). */
  cards?: FitsCard[];
}

const BLOCK = 2880;

function formatValue(card: FitsCard): string {
  const v = card.value;
  if (typeof v === 'boolean') return (v ? 'T' : 'F').padStart(20);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`FITS card ${card.key}: value ${v} is not finite`);
    let s: string;
    if (Number.isInteger(v) && card.precision === undefined && Math.abs(v) < 1e15) s = String(v);
    else {
      s = card.precision !== undefined ? v.toPrecision(card.precision) : String(v);
      if (!/[.eE]/.test(s)) s += '.';
      s = s.replace('e', 'E');
      if (!s.includes('.') && s.includes('E')) s = s.replace('E', '.E');
    }
    if (s.length > 20) s = v.toExponential(12).toUpperCase();
    return s.padStart(20);
  }
  if (typeof v === 'string') {
    const esc = v.replace(/'/g, "''");
    return `'${esc.padEnd(8)}'`.padEnd(20);
  }
  return '';
}

export function formatCard(card: FitsCard): string {
  const key = card.key.toUpperCase();
  if (key.length > 8 || !/^[A-Z0-9_-]*$/.test(key)) throw new Error(`FITS keyword '${card.key}' is invalid`);
  let line: string;
  if (key === 'COMMENT' || key === 'HISTORY' || key === '') {
    line = key.padEnd(8) + (card.comment ?? String(card.value ?? ''));
  } else if (key === 'END') {
    line = 'END';
  } else {
    line = key.padEnd(8) + '= ' + formatValue(card);
    if (card.comment) line += ' / ' + card.comment;
  }
  if (/[^\x20-\x7e]/.test(line)) throw new Error(`FITS card ${key} holds non-ASCII text`);
  return line.slice(0, 80).padEnd(80);
}

/** The whole file as bytes: BITPIX -32 (float32) image. */
export function buildFitsImage(img: FitsImage): Buffer {
  const { width, height, data } = img;
  if (data.length !== width * height) throw new Error('FITS image: data length != width*height');
  const cards: FitsCard[] = [
    { key: 'SIMPLE', value: true, comment: 'conforms to FITS standard' },
    { key: 'BITPIX', value: -32, comment: 'IEEE single precision floating point' },
    { key: 'NAXIS', value: 2 },
    { key: 'NAXIS1', value: width },
    { key: 'NAXIS2', value: height },
    ...(img.cards ?? []),
    { key: 'END' },
  ];
  const header = cards.map(formatCard).join('');
  const headerLen = Math.ceil(header.length / BLOCK) * BLOCK;
  const dataLen = Math.ceil((data.length * 4) / BLOCK) * BLOCK;
  const buf = Buffer.alloc(headerLen + dataLen);
  buf.write(header.padEnd(headerLen, ' '), 0, 'latin1');
  const dv = new DataView(buf.buffer, buf.byteOffset + headerLen, data.length * 4);
  for (let i = 0; i < data.length; i++) dv.setFloat32(i * 4, data[i], false);
  return buf;
}

/**
 * Atomic, without fsync: the only caller writes the demo night's stamps, which are regenerated from
 * their seed if a crash loses them (see util/atomicWrite).
 */
export function writeFitsImageSync(path: string, img: FitsImage): void {
  writeFileAtomicSync(path, buildFitsImage(img), { fsync: false });
}
