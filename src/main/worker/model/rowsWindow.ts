/**
 * Model rows stored by the box that holds their pixels. A night resampled to the models' seeing
 * (seeing.ts) shrinks each stamp into the middle of the model's input and pads the rest with 0: on
 * a DECam-like night (x0.52) 72% of every row is zeros. The rows cache stores, per row, the box
 * outside which every float is +0 (all bits zero, so -0 and NaN stay inside it) and gives back the
 * same bits. A row with no zero border costs 8 bytes more than its floats.
 *
 * A packed row, little-endian: u16 y0, u16 x0, u16 height, u16 width, then height x width x
 * channels float32 (the row's layout: rows of pixels, channels last).
 */

/** A model row's layout: `h` x `w` pixels of `c` channels, channels last. */
export interface RowShape {
  h: number;
  w: number;
  c: number;
}

/** Bytes of a packed row's box, before its floats. */
export const BOX_BYTES = 8;

/**
 * The box of the row starting at word `at`: [y0, y0 + bh) x [x0, x0 + bw) holds every word that is
 * not 0. Written to `box` at `k` as y0, x0, bh, bw; an all-zero row gets an empty box (bh = bw = 0).
 * Scans only from the edges inwards: the zero border and the first non-zero words it meets.
 */
function findBox(words: Int32Array, at: number, s: RowShape, box: Int32Array, k: number): void {
  const line = s.w * s.c;
  const end = at + s.h * line;
  let first = at;
  while (first < end && words[first] === 0) first++;
  if (first === end) {
    box.fill(0, k, k + 4);
    return;
  }
  let last = end - 1;
  while (words[last] === 0) last--;
  const y0 = Math.floor((first - at) / line);
  const y1 = Math.floor((last - at) / line);
  // Columns: each line is scanned from its left end up to the leftmost column found so far, and
  // from its right end down to the rightmost.
  let x0 = s.w;
  let x1 = -1;
  for (let y = y0; y <= y1; y++) {
    const base = at + y * line;
    for (let i = 0; i < x0 * s.c; i++)
      if (words[base + i] !== 0) {
        x0 = Math.floor(i / s.c);
        break;
      }
    for (let i = line - 1; i >= (x1 + 1) * s.c; i--)
      if (words[base + i] !== 0) {
        x1 = Math.floor(i / s.c);
        break;
      }
  }
  box[k] = y0;
  box[k + 1] = x0;
  box[k + 2] = y1 - y0 + 1;
  box[k + 3] = x1 - x0 + 1;
}

/**
 * The first `n` rows of `rows` packed by their boxes into one buffer, and each packed row's end
 * within it (byte offsets; every row starts on a 4-byte boundary).
 */
export function packRows(rows: Float32Array, n: number, s: RowShape): { bytes: Buffer; ends: number[] } {
  if (s.h > 0xffff || s.w > 0xffff)
    throw new RangeError(`packRows: a ${s.h}x${s.w} row does not fit u16 boxes`);
  const rowFloats = s.h * s.w * s.c;
  const words = new Int32Array(rows.buffer, rows.byteOffset, n * rowFloats);
  const boxes = new Int32Array(4 * n);
  let total = 0;
  const ends: number[] = [];
  for (let r = 0; r < n; r++) {
    findBox(words, r * rowFloats, s, boxes, 4 * r);
    total += BOX_BYTES + boxes[4 * r + 2] * boxes[4 * r + 3] * s.c * 4;
    ends.push(total);
  }
  // Never from Buffer's shared pool: its views need the 4-byte alignment of a fresh ArrayBuffer.
  const bytes = Buffer.allocUnsafeSlow(total);
  const head = new Uint16Array(bytes.buffer, bytes.byteOffset, total >> 1);
  const out = new Int32Array(bytes.buffer, bytes.byteOffset, total >> 2);
  let pos = 0;
  for (let r = 0; r < n; r++) {
    const y0 = boxes[4 * r];
    const x0 = boxes[4 * r + 1];
    const bh = boxes[4 * r + 2];
    const bw = boxes[4 * r + 3];
    head[pos >> 1] = y0;
    head[(pos >> 1) + 1] = x0;
    head[(pos >> 1) + 2] = bh;
    head[(pos >> 1) + 3] = bw;
    // Plain loops: a subarray per line cost more than the copy of its few dozen words.
    let w = (pos + BOX_BYTES) >> 2;
    const run = bw * s.c;
    for (let y = y0; y < y0 + bh; y++) {
      const from = r * rowFloats + (y * s.w + x0) * s.c;
      for (let i = 0; i < run; i++) out[w + i] = words[from + i];
      w += run;
    }
    pos = ends[r];
  }
  return { bytes, ends };
}

/**
 * Unpacks `n` packed rows (`bytes`, 4-byte aligned, exactly their length) into `out`: their boxes'
 * floats, +0 elsewhere. Throws, naming `where`, on a box outside the row or a length that does not
 * add up (a damaged file).
 */
export function unpackRows(
  bytes: Uint8Array,
  n: number,
  s: RowShape,
  out: Float32Array,
  where: string,
): void {
  const rowFloats = s.h * s.w * s.c;
  const head = new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.length >> 1);
  const words = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2);
  const dst = new Int32Array(out.buffer, out.byteOffset, n * rowFloats);
  dst.fill(0);
  let pos = 0;
  for (let r = 0; r < n; r++) {
    if (pos + BOX_BYTES > bytes.length) throw new Error(`${where}: row ${r} runs past the data read`);
    const y0 = head[pos >> 1];
    const x0 = head[(pos >> 1) + 1];
    const bh = head[(pos >> 1) + 2];
    const bw = head[(pos >> 1) + 3];
    const floats = bh * bw * s.c;
    if (y0 + bh > s.h || x0 + bw > s.w || pos + BOX_BYTES + floats * 4 > bytes.length)
      throw new Error(
        `${where}: row ${r} has a box (${y0},${x0} ${bh}x${bw}) outside its ${s.h}x${s.w} row or data`,
      );
    let w = (pos + BOX_BYTES) >> 2;
    const run = bw * s.c;
    for (let y = y0; y < y0 + bh; y++) {
      const to = r * rowFloats + (y * s.w + x0) * s.c;
      for (let i = 0; i < run; i++) dst[to + i] = words[w + i];
      w += run;
    }
    pos += BOX_BYTES + floats * 4;
  }
  if (pos !== bytes.length) throw new Error(`${where}: ${bytes.length - pos} bytes left after ${n} rows`);
}
